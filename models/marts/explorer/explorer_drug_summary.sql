-- One row per drug of the signals mart: its reports (n_drug), serious ones, the years they span, and how
-- many of its PTs are signals by at least one method and by all four. The explorer's drug header and
-- the search page's ingredient counts. invocation_id names the dbt invocation that built the explorer tables:
-- `faers serve` opens them only when it is the warehouse's latest complete build (faers/builds.py).
{{ config(materialized='table') }}

with

drug_reports as (

    select * from {{ ref('explorer_drug_reports') }}

),

signals as (

    select * from {{ ref('signals') }}

),

reports_per_drug as (

    select
        drug,
        count(*) as n_reports,
        count(*) filter (where is_serious) as n_serious,
        min(report_year) as first_year,
        max(report_year) as last_year
    from drug_reports
    group by drug

),

signals_per_drug as (

    select
        drug,
        count(*) as n_pts,
        count(*) filter (where n_methods >= 1) as n_signals,
        count(*) filter (where n_methods = 4) as n_all_four
    from signals
    group by drug

)

select
    reports_per_drug.drug,
    reports_per_drug.n_reports,
    reports_per_drug.n_serious,
    reports_per_drug.first_year,
    reports_per_drug.last_year,
    coalesce(signals_per_drug.n_pts, 0) as n_pts,
    coalesce(signals_per_drug.n_signals, 0) as n_signals,
    coalesce(signals_per_drug.n_all_four, 0) as n_all_four,
    '{{ invocation_id }}' as invocation_id
from reports_per_drug
left join signals_per_drug
    on reports_per_drug.drug = signals_per_drug.drug
order by reports_per_drug.drug
