{#- Step 6 (temp table study_reports_per_year; needs study_reports): reports of the study drug per year of
    fda_dt, for all its reports ('all') and those with an in-scope PT ('scope'). -#}
with

study_reports as (

    select * from {{ study_step('study_reports') }}

),

populations as (

    select 'all' as population, report_year from study_reports where is_study_drug
    union all
    select 'scope' as population, report_year from study_reports where is_study_drug and has_scope_pt

),

reports_counted as (

    select population, report_year as year, count(*) as n
    from populations
    group by population, report_year

)

select * from reports_counted
