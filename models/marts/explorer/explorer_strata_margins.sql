-- Margins of the subgroup 2x2 tables: per subgroup (sex, age_group, seriousness) and level, the reports
-- counted (margin 'all', key NULL: N), the reports of each drug (margin 'drug': n_drug) and the reports
-- with each PT (margin 'pt': n_event), over the signals population (explorer_drug_reports: reports with a
-- suspect drug and a PT). explorer_subgroup_signals reads them.
{{ config(materialized='table') }}

with

drug_reports as (

    select * from {{ ref('explorer_drug_reports') }}

),

case_reactions as (

    select * from {{ ref('fct_case_reaction') }}

),

reports as (

    select distinct primary_id, sex, age_group, seriousness
    from drug_reports

),

reports_long as (

    unpivot reports
    on sex, age_group, seriousness
    into name subgroup value level

),

drug_reports_long as (

    unpivot (select drug, primary_id, sex, age_group, seriousness from drug_reports)
    on sex, age_group, seriousness
    into name subgroup value level

),

event_reports_long as (

    select
        case_reactions.pt,
        reports_long.primary_id,
        reports_long.subgroup,
        reports_long.level
    from reports_long
    inner join case_reactions
        on reports_long.primary_id = case_reactions.primary_id
    where case_reactions.pt is not null

),

margins as (

    select 'all' as margin, null::varchar as key, subgroup, level, count(*) as n
    from reports_long
    group by subgroup, level
    union all
    select 'drug' as margin, drug as key, subgroup, level, count(*) as n
    from drug_reports_long
    group by drug, subgroup, level
    union all
    select 'pt' as margin, pt as key, subgroup, level, count(*) as n
    from event_reports_long
    group by pt, subgroup, level

)

select * from margins
order by margin, key, subgroup, level
