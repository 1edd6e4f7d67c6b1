{#- Use the custom schema name as is (staging, intermediate, main) instead of dbt's
    "<target schema>_<custom>" so that analysts query main.signals, not main_main.signals. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
