{#- Time to onset for every drug with a role in var('suspect_roles') in every deduplicated report.
    tto_days = event_dt - start_dt, from the THER row whose drug_seq is that drug row's drug_seq; both
    dates full and valid (the marts hold a DATE only for a valid 8-digit date), tto_days >= 0; the
    earliest start per report and drug. A study only filters this table, so the table's comment records
    the roles it was built with (faers study refuses a study whose suspect_roles differ). -#}
{{ config(post_hook="{{ faers_suspect_roles_comment() }}") }}

with

cases as (

    select * from {{ ref('dim_case') }}

),

case_drugs as (

    select * from {{ ref('fct_case_drug') }}

),

case_therapies as (

    select * from {{ ref('fct_case_therapy') }}

),

suspect_drugs as (

    select
        primary_id,
        case_id,
        drug_seq,
        drug,
        route
    from case_drugs
    where list_contains({{ var('suspect_roles') }}, role_cod)
        and drug is not null

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
        date_diff('day', case_therapies.start_dt, cases.event_dt)::integer as tto_days
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
