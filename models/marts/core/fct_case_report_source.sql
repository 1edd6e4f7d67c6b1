-- One row per (primary_id, rpsr_cod) of the deduplicated reports: who sent the report.
with

cases as (

    select * from {{ ref('int_cases_deduplicated') }}

),

report_sources as (

    select * from {{ ref('stg_faers__rpsr') }}

),

report_sources_of_kept_reports as (

    select distinct
        cases.primary_id,
        cases.case_id,
        report_sources.rpsr_cod
    from report_sources
    inner join cases
        on report_sources.quarter = cases.quarter
        and report_sources.primary_id = cases.primary_id
    where report_sources.rpsr_cod is not null

)

select * from report_sources_of_kept_reports
