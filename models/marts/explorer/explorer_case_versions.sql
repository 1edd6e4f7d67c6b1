-- Every version FDA published of each case, and what deduplication did with it: one row per DEMO line of
-- stg_faers__demo with a case_id (a report republished in several quarters has one row per quarter).
-- is_kept marks the row int_cases_deduplicated kept (macro deduplicated_cases decides; this model only
-- explains its result, in `reason`, against its three steps: the latest row per report, the latest
-- fda_dt per case with ties to the highest primary_id, deleted cases removed). Sorted by case_id.
{{ config(materialized='table') }}

with

demographics as (

    select * from {{ ref('stg_faers__demo') }}
    where case_id is not null

),

kept_reports as (

    select * from {{ ref('int_cases_deduplicated') }}

),

deleted_cases as (

    select case_id, min(quarter) as deleted_in
    from {{ ref('stg_faers__deleted') }}
    where case_id is not null
    {%- if var('as_of_quarter') is not none %}
        and quarter <= '{{ var("as_of_quarter") }}'
    {%- endif %}
    group by case_id

),

joined as (

    select
        demographics.case_id,
        demographics.primary_id,
        demographics.case_version,
        demographics.i_f_code,
        demographics.era,
        demographics.quarter,
        demographics.line_number,
        demographics.fda_dt,
        demographics.init_fda_dt,
        demographics.rept_cod,
        demographics.mfr_sndr,
        kept_reports.primary_id as kept_primary_id,
        kept_reports.quarter as kept_quarter,
        kept_reports.fda_dt as kept_fda_dt,
        deleted_cases.deleted_in,
        coalesce(
            demographics.primary_id = kept_reports.primary_id
            and demographics.quarter = kept_reports.quarter
            and demographics.line_number = kept_reports.line_number,
            false
        ) as is_kept,
        -- the row step 1 keeps for its report: the latest quarter, then the last line
        row_number() over report_rows = 1 as is_latest_row_of_report,
        first_value(demographics.quarter) over report_rows as report_latest_quarter
    from demographics
    left join kept_reports
        on demographics.case_id = kept_reports.case_id
    left join deleted_cases
        on demographics.case_id = deleted_cases.case_id
    window report_rows as (
        partition by demographics.primary_id
        order by demographics.quarter desc, demographics.line_number desc
    )

),

versions as (

    select
        *,
        count(distinct primary_id) over (partition by case_id) as n_reports,
        count(distinct primary_id) filter (where is_latest_row_of_report and fda_dt = kept_fda_dt) over (
            partition by case_id
        ) as n_reports_at_kept_fda_dt
    from joined

),

explained as (

    select
        *,
        case
            when is_kept and n_reports = 1
                then 'kept: the case''s only report'
            when is_kept and n_reports_at_kept_fda_dt > 1
                then 'kept: the latest fda_dt of the case, tied with another report: the highest primary_id wins'
            when is_kept
                then 'kept: the latest fda_dt of the case''s ' || n_reports || ' reports'
            when primary_id is null
                then 'left out: no primary_id (cannot be deduplicated)'
            {%- if var('as_of_quarter') is not none %}
            when quarter > '{{ var("as_of_quarter") }}'
                then 'left out: published after var as_of_quarter {{ var("as_of_quarter") }}'
            {%- endif %}
            when deleted_in is not null
                then 'removed: the case is in FDA''s deleted-case list of ' || deleted_in
            when not is_latest_row_of_report and report_latest_quarter = quarter
                then 'superseded: a later line of the same file repeats this report'
            when not is_latest_row_of_report
                then 'superseded: the same report was republished in ' || report_latest_quarter
            when kept_primary_id is null
                then 'left out: no version of the case was kept'
            when fda_dt is null or fda_dt < kept_fda_dt
                then 'superseded: report ' || kept_primary_id || ' has a later fda_dt (' || kept_fda_dt || ')'
            when fda_dt = kept_fda_dt
                then 'superseded: same fda_dt as report ' || kept_primary_id || ', which has the higher primary_id'
            else 'superseded: report ' || kept_primary_id || ' was kept'
        end as reason
    from versions

)

select
    case_id,
    primary_id,
    case_version,
    i_f_code,
    era,
    quarter,
    line_number,
    fda_dt,
    init_fda_dt,
    rept_cod,
    mfr_sndr,
    is_kept,
    reason,
    kept_primary_id,
    deleted_in
from explained
order by case_id, quarter, fda_dt, primary_id, line_number
