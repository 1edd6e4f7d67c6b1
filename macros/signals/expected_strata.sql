{#- The stratum of a report for the stratified expected count (var expected_strata, a list of dim_case
    columns; docs/adjusted_signals.md): one SQL expression per variable over dim_case (alias `case_alias`).
    A NULL value is kept as NULL: grouping and dense_rank treat it as one more level, the 'unknown'
    stratum of that variable.
      sex, age_group, occp_cod   the dim_case column as it is
      report_year                the year of fda_dt, in bands of var expected_year_band years
                                 (band start: report_year // band * band)
      reporter_country           grouped: 'US' or 'other' (FDA's domestic / foreign split) -#}
{% macro expected_stratum_expressions(case_alias='dim_case', strata=none) -%}
    {%- set strata = var('expected_strata') if strata is none else strata -%}
    {%- set expressions = [] -%}
    {%- for name in strata -%}
        {%- if name in ('sex', 'age_group', 'occp_cod') -%}
            {%- do expressions.append(case_alias ~ '.' ~ name) -%}
        {%- elif name == 'report_year' -%}
            {%- set band = var('expected_year_band') | int -%}
            {%- do expressions.append(faers_int_div(case_alias ~ '.report_year', band) ~ ' * ' ~ band) -%}
        {%- elif name == 'reporter_country' -%}
            {%- do expressions.append(
                "case when " ~ case_alias ~ ".reporter_country is null then null when upper("
                ~ case_alias ~ ".reporter_country) in ('US', 'USA') then 'US' else 'other' end") -%}
        {%- else -%}
            {%- do validate_vars() -%}
            {{ exceptions.raise_compiler_error("expected_strata: unknown stratum variable " ~ name) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(expressions) }}
{%- endmacro %}

