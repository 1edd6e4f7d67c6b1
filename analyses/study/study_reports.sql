{#- Step 1 of a study (run by `faers study` as temp table study_reports; see analyses/study/README.md).
    The study population: deduplicated reports of the period with at least one reaction and at least one
    drug in a suspect role (the signals mart's population), with their strata, whether they involve the
    study drug, and whether they have an in-scope PT (reactions from study_events: current PTs). -#}
with

cases as (

    select * from {{ ref('dim_case') }}

),

case_drugs as (

    select * from {{ ref('fct_case_drug') }}

),

study_events as (

    select * from {{ study_step('study_events') }}

),

suspect_drug_reports as (

    select
        primary_id,
        bool_or({{ study_drug_match('case_drugs') }}) as is_study_drug
    from case_drugs
    where list_contains({{ var('suspect_roles') }}, role_cod)
        and drug is not null
    group by primary_id

),

reaction_reports as (

    select
        primary_id,
        bool_or({{ study_pt_in_scope('study_events.pt') }}) as has_scope_pt
    from study_events
    where pt is not null
    group by primary_id

),

reports_in_period as (

    select
        cases.primary_id,
        cases.case_id,
        cases.quarter,
        cases.report_year,
        cases.sex,
        cases.age_group,
        case when cases.is_serious then 'serious' when not cases.is_serious then 'non_serious' end as seriousness,
        suspect_drug_reports.is_study_drug,
        reaction_reports.has_scope_pt
    from cases
    inner join suspect_drug_reports
        on cases.primary_id = suspect_drug_reports.primary_id
    inner join reaction_reports
        on cases.primary_id = reaction_reports.primary_id
    where cases.quarter between '{{ var("study_first_quarter") }}' and '{{ var("study_last_quarter") }}'

)

select * from reports_in_period
