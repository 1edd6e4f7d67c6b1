-- The reports behind each drug-event pair: one row per (drug, pt, report) counted in the pair's a
-- (explorer_drug_reports x the report's PTs in fct_case_reaction), with the case attributes, the time to
-- onset of the drug (explorer_drug_onsets) and the strata. Sorted by (drug, pt) so that a pair page
-- reads one contiguous stretch of the table.
{{ config(materialized='table') }}

with

drug_reports as (

    select * from {{ ref('explorer_drug_reports') }}

),

case_reactions as (

    select * from {{ ref('fct_case_reaction') }}

),

onsets as (

    select * from {{ ref('explorer_drug_onsets') }}

),

cases as (

    select * from {{ ref('dim_case') }}

),

pair_reports as (

    select
        drug_reports.drug,
        case_reactions.pt,
        drug_reports.primary_id,
        drug_reports.case_id,
        drug_reports.quarter,
        drug_reports.fda_dt,
        drug_reports.report_year,
        drug_reports.sex,
        drug_reports.age_years,
        drug_reports.age_group,
        drug_reports.is_serious,
        drug_reports.seriousness,
        cases.outcomes,
        drug_reports.reporter_country,
        drug_reports.occp_cod,
        onsets.tto_days,
        onsets.tto_bin,
        onsets.tto_bin_order
    from drug_reports
    inner join case_reactions
        on drug_reports.primary_id = case_reactions.primary_id
    inner join cases
        on drug_reports.primary_id = cases.primary_id
    left join onsets
        on drug_reports.drug = onsets.drug
        and drug_reports.primary_id = onsets.primary_id
    where case_reactions.pt is not null

)

select * from pair_reports
order by drug, pt, fda_dt desc, primary_id desc
