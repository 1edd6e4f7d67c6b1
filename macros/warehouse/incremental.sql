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
    the marts were built from, every case is rewritten. Which is decided by comparing what the marts are built
    from now with its record written after the last build of every case mart: the kept cases
    (int_cases_deduplicated) with int_case_mart_cases_built, on the typed keys, and the other inputs
    (int_case_mart_inputs) with int_case_mart_inputs_built. On engines without DELETE (Spark) the marts stay
    full-rebuild tables. -#}
{% macro faers_case_marts_incremental() -%}
    {{ return(faers_supports_delete()) }}
{%- endmacro %}

{#- The incremental case marts: the models that call faers_case_mart (faers_case_marts_logic renders their
    macros; the records int_case_mart_cases_built and int_case_mart_inputs_built are written after all of them). -#}
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

{#- Data tests on an incremental build (`faers update`). A case mart's rows of a case that no build rewrote
    since the last build are the rows that build's tests passed, so a test that checks each case's rows on
    their own (or a key of them against the whole table) gives the same verdict when it checks only the cases
    rewritten since: the case marts' changed cases (int_case_mart_changes) and the re-deduplicated ones
    (int_cases_deduplicated_changes, whose DEMO rows may have changed while the kept version did not).
    That holds when the previous invocation that could change tables was a complete `build` of every node
    with the same --vars (a build that failed, stopped, ran a selection or only `run` does not vouch for the
    rows: the next build tests every case), and only inside `build` (`dbt test` checks every case), without
    --full-refresh, for error-severity tests (a warning lists every row each build). Else every case. -#}

{#- The cases the data tests of this build must check (a parenthesised query with a column case_id), or none
    for every case (see above). `changes`: the models listing the cases this build rewrote in the tested
    relation; int_cases_deduplicated is rewritten by int_cases_deduplicated_changes alone, and its tests run
    before this build writes int_case_mart_changes, whose rows then are the last build's. Evaluated when the test
    runs; none at parse time. -#}
{% macro faers_tested_case_ids(changes=['int_case_mart_changes', 'int_cases_deduplicated_changes']) -%}
    {%- if not execute or not faers_case_marts_incremental() or flags.FULL_REFRESH
        or invocation_args_dict.get('which') != 'build'
        or (config.get('severity') or 'error') | lower == 'warn' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set relations = [] -%}
    {%- for name in changes -%}
        {%- set node = graph.nodes['model.faers.' ~ name] -%}
        {%- set relation = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) -%}
        {%- if relation is none -%}
            {{ return(none) }}
        {%- endif -%}
        {%- do relations.append(relation) -%}
    {%- endfor -%}
    {%- set builds = adapter.get_relation(database=target.database, schema='audit', identifier='builds') -%}
    {%- if builds is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set vouched -%}
        select
            coalesce((
                select status = 'complete' and command = 'build' and selection is null
                    and cast(vars as varchar) = cast({{ build_log_literal(tojson(invocation_args_dict.get('vars') or {})) }}::json as varchar)
                from {{ builds }}
                where invocation_id <> '{{ invocation_id }}'
                    and command in ({{ "'" ~ build_log_commands() | join("', '") ~ "'" }})
                order by build_id desc
                limit 1
            ), false)
            {%- for relation in relations %}
            and not exists (select 1 from {{ relation }} where case_id is null)
            {%- endfor %}
    {%- endset -%}
    {%- if not run_query(vouched).columns[0].values()[0] -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set lists = [] -%}
    {%- for relation in relations -%}
        {%- do lists.append('select case_id from ' ~ relation) -%}
    {%- endfor -%}
    {{ return('(' ~ lists | join(' union ') ~ ')') }}
{%- endmacro %}

{#- `relation` as a data test of this build reads it: a case mart (or int_cases_deduplicated and the marts'
    record int_case_mart_cases_built, rewritten per case alike) restricted to the rows of the cases
    faers_tested_case_ids lists (and rows without a case_id), else all of it. `test` names the check the rows go to: 'rows' (each row checked on its own: not_null, accepted_values, expression_is_true,
    accepted_range, the child side of relationships; and the singular tests written per case), or
    'unique' with `columns` (every row whose value of `columns` occurs on a checked row, so a duplicate of a
    rewritten row by an untouched one is still caught). -#}
{% macro faers_tested_rows(relation, test='rows', columns=none) -%}
    {%- set per_case = faers_case_mart_names() + ['int_cases_deduplicated', 'int_case_mart_cases_built'] -%}
    {#- the lists of the cases a relation is rewritten by, where not the case marts' two -#}
    {%- set rewritten_by = {'int_cases_deduplicated': ['int_cases_deduplicated_changes']} -%}
    {%- set case_ids = none -%}
    {%- if relation.identifier in rewritten_by -%}
        {%- set case_ids = faers_tested_case_ids(rewritten_by[relation.identifier]) -%}
    {%- elif relation.identifier in per_case -%}
        {%- set case_ids = faers_tested_case_ids() -%}
    {%- endif -%}
    {%- if case_ids is none -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set checked = 'case_id in ' ~ case_ids ~ ' or case_id is null' -%}
    {%- if test == 'rows' -%}
        {{ return('(select * from ' ~ relation ~ ' where ' ~ checked ~ ')') }}
    {%- elif test == 'unique' -%}
        {%- set matches = [] -%}
        {%- for column in columns -%}
            {%- do matches.append('checked.' ~ column ~ ' is not distinct from all_rows.' ~ column) -%}
        {%- endfor -%}
        {{ return(
            '(select * from ' ~ relation ~ ' as all_rows where exists (select 1 from ' ~ relation
            ~ ' as checked where (' ~ checked ~ ') and ' ~ matches | join(' and ') ~ '))'
        ) }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error("faers_tested_rows: test must be 'rows' or 'unique'") }}
{%- endmacro %}

{#- Incremental drug-name keys (int_drug_name_keys): one row per distinct (drug_name, prod_ai) of every staged
    DRUG row, with its row count and its cleaned keys. What the table was built from is int_drug_name_keys_built:
    per quarter of stg_faers__drug the row count of each (drug_name, prod_ai), the loaded_at and staging
    logic_version the quarter was typed with, and the keys' logic version (faers_drug_name_keys_logic_version).
    A quarter is changed when its (loaded_at, logic_version) differs from the record (new, reloaded, re-typed,
    removed, or not written by the loader: changed on every build). A build rewrites only the pairs of the
    changed quarters' rows, before (the record) and after (staging): their n_rows is the sum of the record's
    counts in the other quarters and the changed quarters' counts now. Every pair when the cleaning logic or
    the lookups (the seeds) changed, or no record exists. A build stopped between the two models leaves the
    old record: the next build rewrites the same pairs again, from the same counts. -#}

{#- The keys' logic version as a SQL string literal: the md5 of their cleaning logic as rendered now (`logic`:
    the rendered cleaning CTEs) and of the lookups' contents (int_drug_name_lookups, read once when the model
    runs; a placeholder at parse time). -#}
{% macro faers_drug_name_keys_logic_version(logic) -%}
    {%- set lookups = ref('int_drug_name_lookups') -%}
    {%- if not execute -%}
        {{ return("'-'") }}
    {%- endif -%}
    {%- set version -%}
        select md5(
            '{{ faers_logic_version(logic) }}'
            || coalesce((
                select cast(list_sort(map_entries(synonyms)) as varchar) || '|' || cast(salt_words as varchar)
                    || '|' || cast(keep_words as varchar)
                from {{ lookups }}
            ), '-')
        )
    {%- endset -%}
    {{ return("'" ~ run_query(version).columns[0].values()[0] ~ "'") }}
{%- endmacro %}

{#- The current logic version of int_drug_name_keys (its cleaning CTEs, drug_name_keys_rows) as a SQL literal. -#}
{% macro faers_drug_name_keys_version() -%}
    {{ return(faers_drug_name_keys_logic_version(drug_name_keys_rows())) }}
{%- endmacro %}

{#- The record of int_drug_name_keys (its relation, read by name: it is written after the keys), or none. -#}
{% macro faers_drug_name_keys_record() -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set node = graph.nodes['model.faers.int_drug_name_keys_built'] -%}
    {{ return(adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias)) }}
{%- endmacro %}

{#- True when this build rebuilds every pair of int_drug_name_keys: not incremental, no record (`record`, or
    none for int_drug_name_keys_built), or the record's logic version differs from the current one. -#}
{% macro faers_drug_name_keys_every_pair(record) -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set record = faers_drug_name_keys_record() if record is none else record -%}
    {%- if record is none -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set same_logic -%}
        select coalesce((select keys_logic_version from {{ record }} limit 1) = {{ faers_drug_name_keys_version() }}, false)
    {%- endset -%}
    {{ return(not run_query(same_logic).columns[0].values()[0]) }}
{%- endmacro %}

{#- The quarters of stg_faers__drug whose rows changed since `record` was written. -#}
{% macro faers_drug_name_changed_quarters(record) -%}
    select coalesce(typed.quarter, built.quarter) as quarter
    from (
        select distinct quarter, loaded_at, logic_version
        from {{ ref('stg_faers__drug') }}
    ) as typed
    full outer join (
        select distinct quarter, loaded_at, staging_logic_version
        from {{ record }}
    ) as built
        on typed.quarter = built.quarter
        and typed.loaded_at = built.loaded_at
        and typed.logic_version = built.staging_logic_version
    where typed.quarter is null
        or built.quarter is null
{%- endmacro %}

{#- The (drug_name, prod_ai) pairs an incremental build of int_drug_name_keys rewrites: those of the changed
    quarters' rows, in staging now and in the record. -#}
{% macro faers_drug_name_changed_pairs(record) -%}
    select drug_name, prod_ai
    from {{ ref('stg_faers__drug') }}
    where quarter in ({{ faers_drug_name_changed_quarters(record) }})
    union
    select drug_name, prod_ai
    from {{ record }}
    where quarter in ({{ faers_drug_name_changed_quarters(record) }})
{%- endmacro %}

{#- Pre-hook of int_drug_name_keys: delete every row (every pair rebuilt) or the changed pairs' rows. -#}
{% macro faers_delete_changed_drug_name_keys() -%}
    {%- if not is_incremental() -%}
        select 1
    {%- elif faers_drug_name_keys_every_pair(none) -%}
        delete from {{ this }}
    {%- else -%}
        delete from {{ this }} as keys
        where exists (
            select 1
            from ({{ faers_drug_name_changed_pairs(faers_drug_name_keys_record()) }}) as changed
            where changed.drug_name is not distinct from keys.drug_name
                and changed.prod_ai is not distinct from keys.prod_ai
        )
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of int_drug_name_keys_built: delete every row (every pair rebuilt) or the changed quarters' rows. -#}
{% macro faers_delete_changed_drug_name_record() -%}
    {%- if not is_incremental() -%}
        select 1
    {%- elif faers_drug_name_keys_every_pair(this) -%}
        delete from {{ this }}
    {%- else -%}
        delete from {{ this }}
        where quarter in ({{ faers_drug_name_changed_quarters(this) }})
    {%- endif -%}
{%- endmacro %}
