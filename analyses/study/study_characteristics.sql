{#- Step 7 (temp table study_characteristics; needs study_reports): the reference study's Table 3, for all
    reports of the study drug ('all') and those with an in-scope PT ('scope'), by macro characteristics_rows
    (macros/study/characteristics.sql, which states the rule; the explorer uses it per drug). Indications:
    those given for the study drug's own DRUG rows (study_indications); countries and indications list the
    top var('study_top_countries') / var('study_top_indications') levels. -#}
with

study_reports as (

    select * from {{ study_step('study_reports') }}

),

cases as (

    select * from {{ study_source('dim_case') }}

),

case_outcomes as (

    select * from {{ study_source('fct_case_outcome') }}

),

study_indications as (

    select * from {{ study_step('study_indications') }}

),

population_reports as (

    select 'all' as population, primary_id from study_reports where is_study_drug
    union all
    select 'scope' as population, primary_id from study_reports where is_study_drug and has_scope_pt

),

population_indications as (

    select
        population_reports.population,
        population_reports.primary_id,
        study_indications.indi_pt
    from population_reports
    inner join study_indications
        on population_reports.primary_id = study_indications.primary_id

),

characteristics as (

    {{ characteristics_rows(
        'population_reports', 'cases', 'case_outcomes', 'population_indications',
        var('study_top_countries'), var('study_top_indications')) }}

)

select * from characteristics
