-- Business rule (FDA's deduplication): the kept report of a case has the latest fda_dt of all its
-- reports, and among reports with that fda_dt the highest primary_id. Recomputed here from staging
-- without the model's window functions: returns every kept report beaten by another report of the
-- same case (a report's fda_dt is that of its latest-quarter row, as in FDA FAQ Q29).
with

demographics as (

    select * from {{ ref('stg_faers__demo') }}

),

cases as (

    select * from {{ ref('dim_case') }}

),

latest_quarter_per_report as (

    select
        primary_id,
        max(quarter) as quarter
    from demographics
    where primary_id is not null
        and case_id is not null
    group by primary_id

),

reports as (

    select distinct
        demographics.primary_id,
        demographics.case_id,
        demographics.fda_dt
    from demographics
    inner join latest_quarter_per_report
        on demographics.primary_id = latest_quarter_per_report.primary_id
        and demographics.quarter = latest_quarter_per_report.quarter

),

kept_reports_beaten as (

    select
        cases.case_id,
        cases.primary_id as kept_primary_id,
        cases.fda_dt as kept_fda_dt,
        reports.primary_id as better_primary_id,
        reports.fda_dt as better_fda_dt
    from cases
    inner join reports
        on cases.case_id = reports.case_id
    where (reports.fda_dt > cases.fda_dt)
        or (reports.fda_dt is not null and cases.fda_dt is null)
        or (reports.fda_dt is not distinct from cases.fda_dt and reports.primary_id > cases.primary_id)

)

select * from kept_reports_beaten
