{#- tto_rows(cases, case_drugs, case_therapies): the tto mart's rows over relations of dim_case,
    fct_case_drug and fct_case_therapy shape (the marts for the mart; a study's window snapshot,
    analyses/study/study_asof_tto.sql). Rule in models/marts/study/tto.sql. -#}
{% macro tto_rows(cases, case_drugs, case_therapies) -%}
with

cases as (

    select * from {{ cases }}

),

case_drugs as (

    select * from {{ case_drugs }}

),

case_therapies as (

    select * from {{ case_therapies }}

),

suspect_drugs as (

    select
        primary_id,
        case_id,
        drug_seq,
        drug,
        route
    from case_drugs
    where {{ is_suspect_drug_row('case_drugs') }}

),

therapy_starts_joined as (

    select
        suspect_drugs.primary_id,
        suspect_drugs.case_id,
        suspect_drugs.drug,
        suspect_drugs.drug_seq,
        suspect_drugs.route,
        case_therapies.start_dt,
        cases.event_dt,
        {{ faers_days_between('case_therapies.start_dt', 'cases.event_dt') }}::integer as tto_days
    from suspect_drugs
    inner join case_therapies
        on suspect_drugs.primary_id = case_therapies.primary_id
        and suspect_drugs.drug_seq = case_therapies.drug_seq
    inner join cases
        on suspect_drugs.primary_id = cases.primary_id
    where case_therapies.start_dt_precision = 'day'
        and case_therapies.start_dt is not null
        and cases.event_dt_precision = 'day'
        and cases.event_dt is not null

),

earliest_start_per_report_and_drug as (

    select *
    from therapy_starts_joined
    qualify row_number() over (
        partition by primary_id, drug
        order by start_dt asc, drug_seq asc
    ) = 1

),

onset_not_before_start as (

    select
        primary_id,
        case_id,
        drug,
        drug_seq,
        route,
        start_dt,
        event_dt,
        tto_days,
        {{ tto_bin('tto_days') }} as tto_bin
    from earliest_start_per_report_and_drug
    where tto_days >= 0

)

select * from onset_not_before_start
{%- endmacro %}
