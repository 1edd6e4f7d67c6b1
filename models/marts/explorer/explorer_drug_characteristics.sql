-- The characteristics table of every drug (macro characteristics_rows, the rule `faers study` uses for its
-- drug): the drug's reports (explorer_drug_reports) by sex, age group, weight band, reporter country,
-- occupation, outcome and indication (those given for the drug's own suspect rows), with n, percent and
-- missing; the top var('study_top_countries') countries and var('study_top_indications') indications.
{{ config(materialized='table') }}

with

drug_reports as (

    select * from {{ ref('explorer_drug_reports') }}

),

cases as (

    select * from {{ ref('dim_case') }}

),

case_outcomes as (

    select * from {{ ref('fct_case_outcome') }}

),

case_indications as (

    select * from {{ ref('fct_case_indication') }}

),

suspect_rows as (

    {{ suspect_drug_rows(columns=['drug_seq']) }}

),

population_reports as (

    select drug as population, primary_id
    from drug_reports

),

population_indications as (

    select distinct
        suspect_rows.drug as population,
        suspect_rows.primary_id,
        case_indications.indi_pt
    from suspect_rows
    inner join case_indications
        on suspect_rows.primary_id = case_indications.primary_id
        and suspect_rows.drug_seq = case_indications.drug_seq
    semi join drug_reports
        on suspect_rows.drug = drug_reports.drug
        and suspect_rows.primary_id = drug_reports.primary_id
    where case_indications.indi_pt is not null

),

characteristics as (

    {{ characteristics_rows(
        'population_reports', 'cases', 'case_outcomes', 'population_indications',
        var('study_top_countries'), var('study_top_indications')) }}

)

select
    population as drug,
    variable,
    level,
    n,
    percent,
    missing,
    level_rank
from characteristics
order by drug, variable, level_rank
