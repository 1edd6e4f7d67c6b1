-- Business rule (FDA's deduplication): the kept report of a case has the latest fda_dt of all its
-- reports, and among reports with that fda_dt the highest primary_id. Recomputed here from staging
-- without the model's window functions: returns every kept report beaten by another report of the
-- same case (a report's fda_dt is that of its latest-quarter row, as in FDA FAQ Q29). On an incremental
-- build, the cases faers_tested_case_ids lists: the others' kept rows and DEMO rows are unchanged since the
-- last build (a DEMO row of a changed quarter names a re-deduplicated case, as does a row taking one of the
-- case's primary_ids to a later quarter).
{%- set case_ids = faers_tested_case_ids() %}
with

demographics as (

    select * from {{ ref('stg_faers__demo') }}

),

cases as (

    select * from {{ faers_tested_rows(ref('dim_case')) }}

),

{%- if case_ids is not none %}

tested_primary_ids as (

    select distinct primary_id
    from demographics
    where case_id in {{ case_ids }}

),
{%- endif %}

latest_quarter_per_report as (

    select
        primary_id,
        max(quarter) as quarter
    from demographics
    where primary_id is not null
        and case_id is not null
        {%- if case_ids is not none %}
        and primary_id in (select primary_id from tested_primary_ids)
        {%- endif %}
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
    {%- if case_ids is not none %}
    where demographics.case_id in {{ case_ids }}
    {%- endif %}

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
