{#- Incremental per-quarter staging (`faers update`): the typed copies of the big raw tables are
    tables that process only the quarters that changed, driven by raw.load_log. The loader replaces a
    quarter atomically (delete + insert of every raw table and of its load_log rows, loaded_at per member),
    so a quarter must be (re)typed when:
      * its latest load_log.loaded_at differs from the one the model typed it from (a new quarter, or an
        older quarter loaded again: never "quarter > max(quarter)");
      * the model's typing logic changed: `logic_version` is the md5 of the model's rendered column
        expressions (macros and vars expanded), so editing a staging model, a warehouse macro or a var it
        uses re-types every quarter without a manual --full-refresh;
      * its raw rows have no load_log entry (not written by the loader: re-typed on every run).
    Rows of quarters no longer in raw.load_log are deleted. Deduplication stays a full rebuild (a follow-up
    in a new quarter changes which version of an old case wins); the case marts after it are incremental per
    case (below); the aggregates over all cases (cells, prior, signals, explorer) are full rebuilds (N changes
    every cell). `dbt build --full-refresh` rebuilds all.
    The dbt var `incremental_staging: false` makes these models plain views again (no typed copy on disk;
    every build then re-types every quarter: benchmarks/warehouse.py measures both). -#}

{#- The md5 of a model's rendered logic (macros and vars expanded), with the warehouse's database name taken
    out of the relation names it refers to (a copied or renamed warehouse file keeps its versions). -#}
{% macro faers_logic_version(rendered) -%}
    {{- return(local_md5(rendered | replace('"' ~ target.database ~ '".', ''))) -}}
{%- endmacro %}

{#- Whether the engine deletes rows of a table (DuckDB). Spark's Parquet tables do not: there the six
    staging models are views (as with incremental_staging: false) and every build re-types every quarter. -#}
{% macro faers_supports_delete() -%}
    {{ return(adapter.dispatch('faers_supports_delete')()) }}
{%- endmacro %}

{% macro default__faers_supports_delete() -%}
    {{ return(true) }}
{%- endmacro %}

{% macro spark__faers_supports_delete() -%}
    {{ return(false) }}
{%- endmacro %}

{#- Latest load per quarter of raw.load_log. -#}
{% macro faers_quarter_loads() -%}
    select quarter, max(loaded_at) as loaded_at
    from {{ source('faers', 'load_log') }}
    group by quarter
{%- endmacro %}

{#- The quarters {{ this }} must (re)type, given the current logic_version (an md5 hex string). -#}
{% macro faers_stale_quarters(source_name, logic_version) -%}
    select loads.quarter
    from ({{ faers_quarter_loads() }}) as loads
    left join (
        select
            quarter,
            max(loaded_at) as loaded_at,
            bool_and(logic_version = '{{ logic_version }}') as is_current
        from {{ this }}
        group by quarter
    ) as done
        on loads.quarter = done.quarter
    where done.quarter is null
        or done.loaded_at is distinct from loads.loaded_at
        or not done.is_current
    union
    select distinct source_rows.quarter
    from {{ source('faers', source_name) }} as source_rows
    anti join {{ source('faers', 'load_log') }} as logged
        on source_rows.quarter = logged.quarter
{%- endmacro %}

{#- Pre-hook: delete the rows of stale quarters and of quarters gone from raw.load_log. Their quarters are
    then absent from {{ this }}, so the model's select (faers_quarter_filter) re-types them; a quarter that
    is now empty in this table leaves no stale rows behind (delete+insert alone would keep them). -#}
{% macro faers_delete_stale_quarters(source_name, logic_version) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where quarter in ({{ faers_stale_quarters(source_name, logic_version) }})
            or quarter not in (select quarter from {{ source('faers', 'load_log') }} where quarter is not null)
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- WHERE clause of the model's source rows: every row on a full build, the stale quarters' rows on an
    incremental one. -#}
{% macro faers_quarter_filter(source_name, logic_version) -%}
    {%- if is_incremental() %}
    where quarter in ({{ faers_stale_quarters(source_name, logic_version) }})
    {%- endif %}
{%- endmacro %}

{#- The typed rows of one raw table: `columns` (the rendered select-list), lineage, the quarter's
    load_log.loaded_at and the logic_version (md5 of `columns`). -#}
{% macro faers_staged_rows(source_name, columns) -%}
    {%- set logic_version = faers_logic_version(columns) -%}
    {#- the hook is rendered when the model runs (is_incremental() is only known then) -#}
    {{ config(
        materialized='incremental' if var('incremental_staging', true) and faers_supports_delete() else 'view',
        incremental_strategy='delete+insert',
        unique_key='quarter',
        on_schema_change='fail',
        pre_hook="{{ faers_delete_stale_quarters('" ~ source_name ~ "', '" ~ logic_version ~ "') }}",
    ) }}
with

source as (

    select * from {{ source('faers', source_name) }}
    {{- faers_quarter_filter(source_name, logic_version) }}

),

quarter_loads as (

    {{ faers_quarter_loads() }}

),

renamed as (

    select
        {{ columns }},

        ---------- lineage
        source.quarter,
        source.source_file,
        source.line_number,
        quarter_loads.loaded_at,
        '{{ logic_version }}' as logic_version

    from source
    left join quarter_loads
        on source.quarter = quarter_loads.quarter

)

select * from renamed
{%- endmacro %}

{#- Incremental case marts (`faers update`): dim_case, the fct_case_* facts and tto hold the kept reports'
    rows, one case_id per row. A build rewrites only the cases int_case_mart_changes lists (their rows are
    deleted, then inserted anew from the current deduplication): a case whose kept version changed, appeared
    or went away (a follow-up, a deleted-case list, as_of_quarter), whose kept version's quarter was loaded
    again, or whose kept rows use a drug name or a term whose mapping changed. When the marts' logic changed
    (faers_case_marts_logic, the six staging tables' logic_version, the country seed) or nothing records what
    the marts were built from, every case is rewritten. Which is decided by comparing int_case_mart_inputs
    (what the marts are built from now) with int_case_mart_inputs_built (its copy written after the last
    build of every case mart). On engines without DELETE (Spark) the marts stay full-rebuild tables. -#}
{% macro faers_case_marts_incremental() -%}
    {{ return(faers_supports_delete()) }}
{%- endmacro %}

{#- The incremental case marts: the models that call faers_case_mart (faers_case_marts_logic renders their
    macros; int_case_mart_inputs_built is written after all of them). -#}
{% macro faers_case_mart_names() -%}
    {{ return([
        'dim_case', 'fct_case_drug', 'fct_case_drug_ingredient', 'fct_case_indication', 'fct_case_outcome',
        'fct_case_reaction', 'fct_case_report_source', 'fct_case_therapy', 'tto',
    ]) }}
{%- endmacro %}

{#- Config of an incremental case mart (called at the top of its model). -#}
{% macro faers_case_mart() -%}
    {%- if faers_case_marts_incremental() -%}
        {%- set changes = ref('int_case_mart_changes') -%}
        {{ config(
            materialized='incremental',
            incremental_strategy='append',
            on_schema_change='fail',
            pre_hook="{{ faers_delete_changed_cases() }}",
        ) }}
    {%- endif -%}
{%- endmacro %}

{#- True when this incremental run rewrites every case (int_case_mart_changes holds one row, case_id NULL). -#}
{% macro faers_every_case_changed() -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set result = run_query("select count(*) from " ~ ref('int_case_mart_changes') ~ " where case_id is null") -%}
    {{ return(result.columns[0].values()[0] > 0) }}
{%- endmacro %}

{#- `relation` (of rows with a case_id) restricted to the changed cases on an incremental run, else all of it. -#}
{% macro faers_changed_cases(relation) -%}
    {%- if faers_case_marts_incremental() and is_incremental() and not faers_every_case_changed() -%}
        (select * from {{ relation }} where case_id in (select case_id from {{ ref('int_case_mart_changes') }}))
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of a case mart: delete the changed cases' rows (all rows when every case changed). -#}
{% macro faers_delete_changed_cases() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        {%- if not faers_every_case_changed() %}
        where case_id in (select case_id from {{ ref('int_case_mart_changes') }})
        {%- endif %}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- An injective text encoding of a nullable value, for the keys and fingerprints of int_case_mart_inputs. -#}
{% macro faers_encode(expr) -%}
    coalesce(cast(length(cast({{ expr }} as varchar)) as varchar) || ':' || cast({{ expr }} as varchar), '-')
{%- endmacro %}
