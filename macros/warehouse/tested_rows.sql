{#- dbt's get_where_subquery (what a generic data test reads as `model`), overridden once for the project:
    the rows faers_tested_rows gives for the test's kind (a case mart on an incremental build: the rewritten
    cases' rows; see macros/warehouse/incremental.sql), then the test's `where` config as dbt applies it.
    Tests whose verdict is not per row or per key (row_count_equals, is_empty, ...) read every row. -#}
{% macro get_where_subquery(relation) -%}
    {%- set kind = model.test_metadata.name if model.test_metadata is defined and model.test_metadata else none -%}
    {%- set kwargs = model.test_metadata.kwargs if kind else {} -%}
    {%- if kind in ['not_null', 'accepted_values', 'expression_is_true', 'accepted_range', 'relationships'] -%}
        {%- set relation = faers_tested_rows(relation) -%}
    {%- elif kind == 'unique' -%}
        {%- set relation = faers_tested_rows(relation, 'unique', [kwargs.column_name]) -%}
    {%- elif kind == 'unique_combination_of_columns' -%}
        {%- set relation = faers_tested_rows(relation, 'unique', kwargs.combination_of_columns) -%}
    {%- endif -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {{ return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}
