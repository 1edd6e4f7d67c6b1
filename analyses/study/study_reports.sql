{#- Step 1 of a study (run by `faers study` as temp table study_reports, needs study_drug_suspect_rows and
    study_events; see analyses/study/README.md).
    The study population: deduplicated reports of the period with at least one reaction and at least one
    drug in a suspect role (the signals mart's population), with their strata, whether they involve the
    study drug, and whether they have an in-scope PT (reactions from study_events: current PTs).
    Strata: sex, age_group, seriousness; route = the one route of the report's study-drug rows (other
    reports: of their suspect drugs), lower case, kept when among var('study_route_levels') (several routes
    or another route: NULL, out of the route strata); reporter = occp_cod as health_professional (MD, PH,
    OT, HP, RN), consumer (CN) or lawyer (LW). With var('study_reports_drug_only') (faers study sets it when the
    population's margins and priors come from its cache, so that no step reads the other reports) only the
    reports of the study drug: the same rows, with is_study_drug true. -#}
with

cases as (

    select * from {{ study_source('dim_case') }}

),

case_drugs as (

    select * from {{ study_source('fct_case_drug') }}

),

study_events as (

    select * from {{ study_step('study_events') }}

),

study_drug_suspect_rows as (

    select * from {{ study_step('study_drug_suspect_rows') }}

),
{%- if var('study_reports_drug_only') %}

study_drug_report_ids as (

    select distinct primary_id
    from study_drug_suspect_rows

),
{%- endif %}

-- the names were matched once, in study_drug_suspect_rows: a row is the study drug's when it is one of those
suspect_drug_rows as (

    select
        case_drugs.primary_id,
        study_drug_suspect_rows.primary_id is not null as is_study_drug,
        lower(nullif(trim(case_drugs.route), '')) as route
    from case_drugs
    left join study_drug_suspect_rows
        on case_drugs.primary_id = study_drug_suspect_rows.primary_id
        and case_drugs.drug_seq = study_drug_suspect_rows.drug_seq
    {%- if var('study_reports_drug_only') %}
    semi join study_drug_report_ids
        on case_drugs.primary_id = study_drug_report_ids.primary_id
    {%- endif %}
    where {{ is_suspect_drug_row('case_drugs') }}

),

-- a report's one route, when its rows name exactly one (min = max; NULL for none or several): of its study-drug
-- rows, and of all its suspect rows
suspect_drug_reports as (

    select
        primary_id,
        bool_or(is_study_drug) as is_study_drug,
        min(route) filter (where is_study_drug) as study_drug_route_min,
        max(route) filter (where is_study_drug) as study_drug_route_max,
        min(route) as suspect_route_min,
        max(route) as suspect_route_max
    from suspect_drug_rows
    group by primary_id

),

-- with var('study_reports_drug_only') study_events holds the study drug's reports only
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
        case
            when suspect_drug_reports.is_study_drug
                and suspect_drug_reports.study_drug_route_min = suspect_drug_reports.study_drug_route_max
                then suspect_drug_reports.study_drug_route_min
            when not suspect_drug_reports.is_study_drug
                and suspect_drug_reports.suspect_route_min = suspect_drug_reports.suspect_route_max
                then suspect_drug_reports.suspect_route_min
        end as route_reported,
        case
            when upper(cases.occp_cod) in ('MD', 'PH', 'OT', 'HP', 'RN') then 'health_professional'
            when upper(cases.occp_cod) = 'CN' then 'consumer'
            when upper(cases.occp_cod) = 'LW' then 'lawyer'
        end as reporter,
        suspect_drug_reports.is_study_drug,
        reaction_reports.has_scope_pt
    from cases
    inner join suspect_drug_reports
        on cases.primary_id = suspect_drug_reports.primary_id
    inner join reaction_reports
        on cases.primary_id = reaction_reports.primary_id
    where cases.quarter between '{{ var("study_first_quarter") }}' and '{{ var("study_last_quarter") }}'

),

route_levels_kept as (

    select
        * exclude (route_reported),
        case
            when route_reported in {{ study_sql_list(var('study_route_levels') | map('lower') | list) }}
                then route_reported
        end as route
    from reports_in_period

)

select * from route_levels_kept
