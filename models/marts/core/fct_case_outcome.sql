-- One row per (primary_id, outc_cod) of the deduplicated cases; repeated codes collapsed.
with

cases as (

    select * from {{ ref('int_cases_deduplicated') }}

),

outcomes as (

    select * from {{ ref('stg_faers__outc') }}

),

outcomes_of_kept_reports as (

    select distinct
        cases.primary_id,
        cases.case_id,
        outcomes.outc_cod
    from outcomes
    inner join cases
        on outcomes.quarter = cases.quarter
        and outcomes.primary_id = cases.primary_id
    where outcomes.outc_cod is not null

)

select * from outcomes_of_kept_reports
