{#- The licensed MedDRA in the warehouse (schema meddra, written by `faers load-meddra`, not by dbt).
    meddra_is_loaded(): true when its tables exist (answers false at parse time, so a warehouse without
    MedDRA builds exactly as before). meddra_release(): its release (meddra.release.version), or 'none'. -#}
{% macro meddra_is_loaded() -%}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- for table in ['pt', 'llt', 'soc', 'md_hierarchy'] -%}
        {%- if adapter.get_relation(database=target.database, schema='meddra', identifier=table) is none -%}
            {{ return(false) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(true) }}
{%- endmacro %}

{% macro meddra_release() -%}
    {%- if not meddra_is_loaded() -%}
        {{ return('none') }}
    {%- endif -%}
    {%- if adapter.get_relation(database=target.database, schema='meddra', identifier='release') is none -%}
        {{ return('unknown') }}
    {%- endif -%}
    {%- set rows = run_query('select coalesce(max(version), \'unknown\') from meddra.release') -%}
    {{ return(rows.columns[0].values()[0]) }}
{%- endmacro %}
