{#- Study filters, driven by the study vars that `faers study` passes (defaults in dbt_project.yml). -#}

{#- True for a fct_case_drug row of the study drug: its normalised ingredient set (var('drug_unit')
    'product': the whole set; 'ingredient': any of its ingredients, so a combination with the study drug
    counts), its raw drug name or its prod_ai equals one of var('study_drug_names') (generic and brand
    names, lower case). Never NULL: a row without drug_name or prod_ai (every LAERS row lacks prod_ai) that
    matches on nothing is false, not NULL, so that `not is_study_drug` holds for its report. -#}
{% macro study_drug_match(relation) -%}
    {%- set names = var('study_drug_names') | map('lower') | list -%}
    coalesce((
        {% if var('drug_unit') == 'ingredient' -%}
        list_has_any(string_split(lower({{ relation }}.drug), '\'), [
            {%- for name in names -%}
                '{{ name | replace("'", "''") }}'{{ ", " if not loop.last }}
            {%- endfor -%}
        ])
        {%- else -%}
        lower({{ relation }}.drug) in {{ study_sql_list(names) }}
        {%- endif %}
        or lower(trim({{ relation }}.drug_name)) in {{ study_sql_list(names) }}
        or lower(trim({{ relation }}.prod_ai)) in {{ study_sql_list(names) }}
    ), false)
{%- endmacro %}

{#- True when a PT is in the study scope var('study_pts') (lower-case PT names; [] means every PT). -#}
{% macro study_pt_in_scope(pt) -%}
    {%- set pts = var('study_pts') -%}
    {%- if pts | length == 0 -%}
        true
    {%- else -%}
        lower({{ pt }}) in {{ study_sql_list(pts | map('lower') | list) }}
    {%- endif -%}
{%- endmacro %}

{#- A SQL list literal ('a', 'b') of strings, quotes escaped. -#}
{% macro study_sql_list(values) -%}
    {%- if values | length == 0 -%}
        {{ exceptions.raise_compiler_error("study_sql_list: empty list") }}
    {%- endif -%}
    ({%- for value in values -%}
        '{{ value | replace("'", "''") }}'{{ ", " if not loop.last }}
    {%- endfor -%})
{%- endmacro %}

{#- Name of a table produced by an earlier study step (`faers study` creates them as temp tables named
    after the analysis file, e.g. study_reports). Analysts running the steps by hand create the same. -#}
{% macro study_step(name) -%}
    {{ name }}
{%- endmacro %}

{#- The schema of the MedDRA hierarchy the study resolves terms with: var('study_meddra_schema') ('meddra',
    the licensed hierarchy of `faers load-meddra`, by default; 'meddra_demo' only when `faers study` chose the
    demo seed: `meddra: demo` or a warehouse of `faers sample` zips) when that schema exists, else none
    (terms stay as reported). Needs a database connection, so it answers none at parse time. -#}
{% macro study_meddra_schema() -%}
    {%- set schema = var('study_meddra_schema') -%}
    {%- if not execute or schema is none or schema not in ('meddra', 'meddra_demo') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(database=target.database, schema=schema, identifier='llt') -%}
    {{ return(schema if relation is not none else none) }}
{%- endmacro %}

{#- The relation a study step reads for a warehouse mart (dim_case, fct_case_*, tto): the mart itself
    (FAERS's latest state) unless var('study_as_of'), then the window's snapshot of it: the mart's rows but those of
    the reports the snapshot does not keep in the same version (study_asof_dropped), and the step study_asof_<name>'s
    rows of the snapshot's other reports (study_asof_rebuilt, built by the mart's own macro:
    analyses/study/study_asof_*.sql). With var('study_reports_drug_only') the snapshot holds the study drug's cases
    only: the mart's rows of its reports not rebuilt are taken instead (a short list either way). The snapshot is
    read where it is used rather than copied, so a study of a past window costs the reports that changed after it,
    not a second warehouse in memory. tto reads the study's var('suspect_roles'), which the build's may not be: its
    snapshot is the step study_asof_tto alone, built for every report of the window. -#}
{% macro study_source(name) -%}
    {%- if var('study_as_of') and name == 'tto' -%}
        {{ study_step('study_asof_tto') }}
    {%- elif var('study_as_of') -%}
        (
            select mart_rows.*
            from {{ ref(name) }} as mart_rows
            {%- if var('study_reports_drug_only') %}
            semi join (
                select snapshot_cases.primary_id
                from {{ study_step('study_asof_cases') }} as snapshot_cases
                anti join {{ study_step('study_asof_rebuilt') }} as rebuilt
                    on snapshot_cases.primary_id = rebuilt.primary_id
            ) as kept
                on mart_rows.primary_id = kept.primary_id
            {%- else %}
            anti join {{ study_step('study_asof_dropped') }} as dropped
                on mart_rows.primary_id = dropped.primary_id
            {%- endif %}
            union all by name
            select *
            from {{ study_step('study_asof_' ~ name) }}
        )
    {%- else -%}
        {{ ref(name) }}
    {%- endif -%}
{%- endmacro %}

{#- Weight band of a report (Table 3, Table 5): '<50 kg', '50-100 kg', '>100 kg', NULL when unknown. -#}
{% macro study_weight_band(weight_kg) -%}
    case
        when {{ weight_kg }} < 50 then '<50 kg'
        when {{ weight_kg }} <= 100 then '50-100 kg'
        when {{ weight_kg }} > 100 then '>100 kg'
    end
{%- endmacro %}

{#- Reporter country as the study tables count it: upper case, FDA's 'COUNTRY NOT SPECIFIED' as NULL. -#}
{% macro study_reporter_country(country) -%}
    nullif(upper(trim({{ country }})), 'COUNTRY NOT SPECIFIED')
{%- endmacro %}

{#- The study's strata as one grouped query (study_cells): `group by {{ study_strata_grouping_sets(keys) }}`
    groups by `keys` in the whole population and within each stratum variable of var('study_strata'), one
    pass over the rows; study_stratum_columns() then names each group's population: stratum_var 'overall'
    and stratum 'all', or the variable and its value (the stratum; NULL for the reports without a value,
    which callers leave out). -#}
{% macro study_strata_grouping_sets(keys) -%}
    {%- set key_list = keys | join(', ') -%}
    grouping sets (({{ key_list }})
    {%- for stratum_var in var('study_strata') %}, ({{ (keys + [stratum_var]) | join(', ') }}){% endfor %})
{%- endmacro %}

{% macro study_stratum_columns() -%}
    {%- set strata = var('study_strata') -%}
    {%- if strata | length == 0 -%}
        'overall' as stratum_var,
        'all' as stratum
    {%- else -%}
        case
            {%- for stratum_var in strata %}
            when grouping({{ stratum_var }}) = 0 then '{{ stratum_var }}'
            {%- endfor %}
            else 'overall'
        end as stratum_var,
        case
            {%- for stratum_var in strata %}
            when grouping({{ stratum_var }}) = 0 then {{ stratum_var }}::varchar
            {%- endfor %}
            else 'all'
        end as stratum
    {%- endif -%}
{%- endmacro %}

{#- The (primary_id, pt) pairs of the study population's reports with a PT: `events` (study_events, one row per
    pair, so no distinct) of the reports in `reports` (study_reports, one row per report), with the report's
    `columns` (e.g. its strata). An inner join: it keeps the events of the population's reports and brings their
    columns in one pass, so callers need not join study_reports again. study_margins and the adjusted
    study_cells count these; study_background reaches the same pairs from the drug side. -#}
{% macro study_report_events(events='study_events', reports='study_reports', columns=[]) -%}
select
    {{ events }}.primary_id,
    {{ events }}.pt
    {%- for column in columns %},
    {{ reports }}.{{ column }}
    {%- endfor %}
from {{ events }}
inner join {{ reports }}
    on {{ events }}.primary_id = {{ reports }}.primary_id
where {{ events }}.pt is not null
{%- endmacro %}

{#- The cells of an adjusted study (vars expected_strata or background_exclude_drugs): the crude cells of
    `crude` with their 'overall' rows renamed 'unadjusted', and the adjusted cells of `adjusted` (one population)
    as the 'overall' rows, with the select-list `columns` (after stratum_var and stratum, the crude cells'
    columns in their order). study_cells and study_background. -#}
{% macro study_cells_with_adjusted_overall(crude, adjusted, columns) -%}
select * replace (case when stratum_var = 'overall' then 'unadjusted' else stratum_var end as stratum_var)
from {{ crude }}
union all
select
    'overall' as stratum_var,
    'all' as stratum,
    {%- for column in columns %}
    {{ column }}{{ "," if not loop.last }}
    {%- endfor %}
from {{ adjusted }}
{%- endmacro %}
