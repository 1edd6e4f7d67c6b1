-- The explorer's reports of each drug: one row per (drug, report) of the signals population (a report
-- with the drug in a role of var('suspect_roles') and at least one PT, macro suspect_drug_rows, as
-- drug_event_cells counts it: so a drug's rows number its n_drug), with the case attributes the drug
-- page shows and filters. Sorted by drug so that a page reading one drug skips the rest of the table.
{{ config(materialized='table') }}

with

suspect_rows as (

    {{ suspect_drug_rows() }}

),

case_reactions as (

    select * from {{ ref('fct_case_reaction') }}

),

cases as (

    select * from {{ ref('dim_case') }}

),

reports_with_a_pt as (

    select distinct primary_id
    from case_reactions
    where pt is not null

),

drug_reports as (

    select distinct
        suspect_rows.drug,
        suspect_rows.primary_id
    from suspect_rows
    semi join reports_with_a_pt
        on suspect_rows.primary_id = reports_with_a_pt.primary_id

),

drug_reports_described as (

    select
        drug_reports.drug,
        drug_reports.primary_id,
        cases.case_id,
        cases.quarter,
        cases.report_year,
        cases.fda_dt,
        cases.sex,
        cases.age_years,
        cases.age_group,
        cases.is_serious,
        case when cases.is_serious then 'serious' else 'non_serious' end as seriousness,
        cases.reporter_country,
        cases.occp_cod
    from drug_reports
    inner join cases
        on drug_reports.primary_id = cases.primary_id

)

select * from drug_reports_described
order by drug, primary_id
