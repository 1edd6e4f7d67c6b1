{#- characteristics_rows(population_reports, cases, case_outcomes, population_indications, top_countries,
    top_indications): the reference study's Table 3 for any populations of reports, defined once for
    `faers study` (analyses/study/study_characteristics.sql: populations 'all' and 'scope') and the
    explorer (models/marts/explorer/explorer_drug_characteristics.sql: one population per drug).
    Arguments are relations (CTE names): population_reports (population, primary_id), cases (dim_case
    shape), case_outcomes (fct_case_outcome shape), population_indications (population, primary_id,
    indi_pt: the indications of the population's own drug rows). Per population, variable and level: n,
    percent of the reports where the variable is available, and the number of reports where it is
    missing (a variable with no value at all gives one row with a NULL level). Outcomes and indications
    are multi-valued: a report counts once per level, percent is of the reports with at least one value.
    Countries and indications list the top `top_countries` / `top_indications` levels. Returns a whole
    query (with its own CTEs) for use as a subquery. -#}
{% macro characteristics_rows(
    population_reports, cases, case_outcomes, population_indications, top_countries, top_indications
) -%}
with

population_sizes as (

    select population, count(*) as n_reports
    from {{ population_reports }}
    group by population

),

single_valued as (

    select
        population_reports.population,
        population_reports.primary_id,
        cases.sex,
        cases.age_group,
        {{ study_weight_band('cases.weight_kg') }} as weight_band,
        {{ study_reporter_country('cases.reporter_country') }} as reporter_country,
        cases.occp_cod
    from {{ population_reports }} as population_reports
    inner join {{ cases }} as cases
        on population_reports.primary_id = cases.primary_id

),

single_valued_long as (

    unpivot single_valued
    on sex, age_group, weight_band, reporter_country, occp_cod
    into name variable value level

),

outcomes_long as (

    select distinct
        population_reports.population,
        population_reports.primary_id,
        'outcome' as variable,
        case_outcomes.outc_cod as level
    from {{ population_reports }} as population_reports
    inner join {{ case_outcomes }} as case_outcomes
        on population_reports.primary_id = case_outcomes.primary_id
    where case_outcomes.outc_cod is not null

),

indications_long as (

    select distinct
        population,
        primary_id,
        'indication' as variable,
        indi_pt as level
    from {{ population_indications }}
    where indi_pt is not null

),

values_long as (

    select population, primary_id, variable, level from single_valued_long
    union all
    select population, primary_id, variable, level from outcomes_long
    union all
    select population, primary_id, variable, level from indications_long

),

variable_availability as (

    select
        values_long.population,
        values_long.variable,
        count(distinct values_long.primary_id) as n_available
    from values_long
    group by values_long.population, values_long.variable

),

variables_expected as (

    select population_sizes.population, population_sizes.n_reports, variables.variable
    from population_sizes
    cross join (
        values ('sex'), ('age_group'), ('weight_band'), ('reporter_country'), ('occp_cod'),
        ('outcome'), ('indication')
    ) as variables (variable)

),

levels_counted as (

    select population, variable, level, count(*) as n
    from values_long
    group by population, variable, level

),

levels_ranked as (

    select
        *,
        row_number() over (partition by population, variable order by n desc, level asc) as level_rank
    from levels_counted

),

levels_kept as (

    select *
    from levels_ranked
    where (variable = 'reporter_country' and level_rank <= {{ top_countries }})
        or (variable = 'indication' and level_rank <= {{ top_indications }})
        or variable not in ('reporter_country', 'indication')

),

characteristics_computed as (

    select
        variables_expected.population,
        variables_expected.variable,
        levels_kept.level,
        coalesce(levels_kept.n, 0) as n,
        100.0 * levels_kept.n / nullif(variable_availability.n_available, 0) as percent,
        variables_expected.n_reports - coalesce(variable_availability.n_available, 0) as missing,
        levels_kept.level_rank
    from variables_expected
    left join variable_availability
        on variables_expected.population = variable_availability.population
        and variables_expected.variable = variable_availability.variable
    left join levels_kept
        on variables_expected.population = levels_kept.population
        and variables_expected.variable = levels_kept.variable

)

select * from characteristics_computed
{%- endmacro %}
