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
    Rows of quarters no longer in raw.load_log are deleted. Deduplication and the case marts after it are
    incremental per case (below); the report counts (drug_event_cells, drug_name_audit) are updated by the changed
    cases' counts (macros/warehouse/report_counts.sql); the prior, signals and explorer are full rebuilds (N changes
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

{#- Config of an incremental case mart (called at the top of its model), and of int_cases_deduplicated
    (changes: the model listing the cases to rewrite, one row per case_id, or one row with case_id NULL for
    every case). -#}
{% macro faers_case_mart(changes='int_case_mart_changes') -%}
    {%- if faers_case_marts_incremental() -%}
        {%- set changes_relation = ref(changes) -%}
        {{ config(
            materialized='incremental',
            incremental_strategy='append',
            on_schema_change='fail',
            pre_hook="{{ faers_delete_changed_cases('" ~ changes ~ "') }}",
        ) }}
    {%- endif -%}
{%- endmacro %}

{#- True when this incremental run rewrites every case (the changes model holds one row, case_id NULL). -#}
{% macro faers_every_case_changed(changes='int_case_mart_changes') -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set result = run_query("select count(*) from " ~ ref(changes) ~ " where case_id is null") -%}
    {{ return(result.columns[0].values()[0] > 0) }}
{%- endmacro %}

{#- `relation` (of rows with a case_id) restricted to the changed cases on an incremental run, else all of it. -#}
{% macro faers_changed_cases(relation, changes='int_case_mart_changes') -%}
    {%- set case_ids = faers_changed_case_ids(changes) -%}
    {%- if case_ids is not none -%}
        (select * from {{ relation }} where case_id in {{ case_ids }})
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}

{#- The changed cases (a parenthesised query with a column case_id) on an incremental run that does not rewrite
    every case, else none (every case). -#}
{% macro faers_changed_case_ids(changes) -%}
    {%- if faers_case_marts_incremental() and is_incremental() and not faers_every_case_changed(changes) -%}
        {{ return('(select case_id from ' ~ ref(changes) ~ ')') }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}

{#- Pre-hook of a case mart: delete the changed cases' rows (all rows when every case changed). -#}
{% macro faers_delete_changed_cases(changes='int_case_mart_changes') -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        {%- if not faers_every_case_changed(changes) %}
        where case_id in (select case_id from {{ ref(changes) }})
        {%- endif %}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- Incremental deduplication (int_cases_deduplicated): a build re-deduplicates only the cases a changed input
    can affect (int_cases_deduplicated_changes), with the rule's one definition (macro deduplicated_cases,
    restricted to them). What deduplication was last built from is int_cases_deduplicated_built: per quarter
    the (primary_id, case_id) of its DEMO rows and the loaded_at they were typed from, the deleted-case lists,
    and the logic_version below. A quarter is changed when its loaded_at differs (new, reloaded, removed, or
    not written by the loader: changed on every build); the cases re-deduplicated are the case_ids of the
    changed quarters' rows, before and after (the record keeps the old ones), every case_id sharing a
    primary_id with such a row (FAQ Q29: a later quarter's row of a primary_id takes it from another case),
    and the case_ids that entered or left the deleted-case lists. Every case when the logic changed, when no
    record exists, or with var as_of_quarter (a snapshot is rebuilt in full). -#}

{#- SQL expression: the md5 of the dedup rule as rendered now (vars expanded) and stg_faers__demo's typing
    logic. -#}
{% macro faers_dedup_logic_version() -%}
    md5(
        '{{ faers_logic_version(deduplicated_cases(last_quarter=var('as_of_quarter'))) }}'
        || coalesce((select max(logic_version) from (
            select logic_version from {{ ref('stg_faers__demo') }} limit 1
        ) as one_row), '-')
    )
{%- endmacro %}

{#- The quarters whose DEMO rows changed since `record` (int_cases_deduplicated_built) was written. -#}
{% macro faers_dedup_changed_quarters(record) -%}
    select coalesce(typed.quarter, built.quarter) as quarter
    from (
        select quarter, max(loaded_at) as loaded_at
        from {{ ref('stg_faers__demo') }}
        group by quarter
    ) as typed
    full outer join (
        select distinct quarter, loaded_at
        from {{ record }}
        where kind = 'report'
    ) as built
        on typed.quarter = built.quarter
        and typed.loaded_at = built.loaded_at
    where typed.quarter is null
        or built.quarter is null
{%- endmacro %}

{#- An injective text encoding of a nullable value, for the keys and fingerprints of int_case_mart_inputs. -#}
{% macro faers_encode(expr) -%}
    coalesce(cast(length(cast({{ expr }} as varchar)) as varchar) || ':' || cast({{ expr }} as varchar), '-')
{%- endmacro %}

{#- Pre-hook of int_cases_deduplicated_built: delete the deleted-case lists' rows and the changed quarters' rows
    (every row when every case was re-deduplicated); the model's select then writes them anew. -#}
{% macro faers_delete_changed_dedup_record() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        {%- if not faers_every_case_changed('int_cases_deduplicated_changes') %}
        where kind = 'deleted'
            or quarter in ({{ faers_dedup_changed_quarters(this) }})
        {%- endif %}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
