-- One row per THER row of the deduplicated reports: a therapy period of one drug (drug_seq links
-- to fct_case_drug within the report; a drug stopped and restarted has several rows).
with

cases as (

    select * from {{ ref('int_cases_deduplicated') }}

),

therapies as (

    select * from {{ ref('stg_faers__ther') }}

),

therapies_of_kept_reports as (

    select
        ---------- ids
        cases.primary_id,
        cases.case_id,
        therapies.drug_seq,

        ---------- strings
        therapies.start_dt_raw,
        therapies.start_dt_precision,
        therapies.end_dt_raw,
        therapies.end_dt_precision,
        therapies.dur_raw,
        therapies.dur_cod,

        ---------- numerics
        therapies.dur,

        ---------- dates
        therapies.start_dt,
        therapies.end_dt

    from therapies
    inner join cases
        on therapies.quarter = cases.quarter
        and therapies.primary_id = cases.primary_id

)

select * from therapies_of_kept_reports
