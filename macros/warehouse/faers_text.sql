{#- Trimmed text, NULL when empty. FDA pads nothing, but loaders may keep '' for an empty field. -#}
{% macro faers_text(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}

{#- A code field: trimmed, upper-cased, NULL when empty ('md', ' MD' and 'MD' are one code). -#}
{% macro faers_code(column) -%}
    nullif(upper(trim({{ column }})), '')
{%- endmacro %}

{#- An identifier: digits only, as BIGINT; NULL when empty or not an integer. -#}
{% macro faers_id(column) -%}
    try_cast(nullif(trim({{ column }}), '') as bigint)
{%- endmacro %}
