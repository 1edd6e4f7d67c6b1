{#- The build log: one row per dbt invocation that can change tables (build, run, seed, snapshot), in
    audit.builds, written by the project's on-run-start / on-run-end hooks so that a plain `dbt build`
    records itself exactly like `faers build`. A row is inserted with status 'running' before the first
    node and set to 'complete' or 'failed' after the last; a build killed in between stays 'running'
    (faers.dbt marks one stopped by Ctrl-C 'interrupted'). `faers status` reports it, and `faers report` /
    `faers study` refuse to read a warehouse whose latest build did not complete (faers/builds.py). -#}

{% macro build_log_commands() -%}
    {{ return(['build', 'run', 'seed', 'snapshot']) }}
{%- endmacro %}

{#- The --select / --exclude / --selector of this invocation, as one string, or none when every node
    of the command was selected. -#}
{% macro build_log_selection() -%}
    {%- set parts = [] -%}
    {%- for key in ['select', 'exclude', 'selector'] -%}
        {%- set value = invocation_args_dict.get(key) -%}
        {%- if value -%}
            {%- set text = value if value is string else (value | join(' ')) -%}
            {%- do parts.append('--' ~ key ~ ' ' ~ text) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(parts | join(' ') if parts else none) }}
{%- endmacro %}

{% macro build_log_literal(value) -%}
    {%- if value is none -%}null{%- else -%}'{{ value | string | replace("'", "''") }}'{%- endif -%}
{%- endmacro %}

{#- on-run-start: create audit.builds if needed and insert this invocation as 'running'. Also records the
    quarters in raw.load_log and their latest load time, so `faers status` can tell which quarters were
    loaded after the last complete build. -#}
{% macro record_build_start() -%}
    {{ return(adapter.dispatch('record_build_start')()) }}
{%- endmacro %}

{#- The build log needs UPDATE (a transactional table): DuckDB only; on Spark the run results are dbt's own
    (target/run_results.json). -#}
{% macro spark__record_build_start() -%}
    select 1
{%- endmacro %}

{% macro default__record_build_start() -%}
    {%- if execute and invocation_args_dict.get('which') in build_log_commands() -%}
        {%- set load_log = adapter.get_relation(database=target.database, schema='raw', identifier='load_log') -%}
        {%- call statement('record_build_start') -%}
        create schema if not exists audit;
        create table if not exists audit.builds (
            build_id integer primary key,
            invocation_id varchar not null unique,
            command varchar not null,
            selection varchar,
            full_refresh boolean not null,
            vars json,
            dbt_version varchar not null,
            started_at timestamptz not null,
            finished_at timestamptz,
            status varchar not null,
            n_nodes integer,
            failed_nodes varchar[],
            quarters varchar[],
            raw_loaded_at timestamp
        );
        insert into audit.builds (
            build_id, invocation_id, command, selection, full_refresh, vars, dbt_version, started_at, status,
            quarters, raw_loaded_at
        )
        select
            coalesce((select max(build_id) from audit.builds), 0) + 1,
            '{{ invocation_id }}',
            '{{ invocation_args_dict.get("which") }}',
            {{ build_log_literal(build_log_selection()) }},
            {{ 'true' if flags.FULL_REFRESH else 'false' }},
            {{ build_log_literal(tojson(invocation_args_dict.get('vars') or {})) }},
            '{{ dbt_version }}',
            current_timestamp,
            'running',
        {%- if load_log is not none %}
            (select coalesce(list(distinct quarter order by quarter), []) from {{ load_log }}),
            (select max(loaded_at) from {{ load_log }})
        {%- else %}
            [],
            null
        {%- endif %}
        {%- endcall -%}
        {%- do adapter.commit() -%}
    {%- endif -%}
    select 1

{%- endmacro %}

{#- on-run-end: 'complete' when every node succeeded (passing or warning tests), else 'failed' with the
    nodes that errored or failed (failed_nodes; their dependents were skipped). Each node's outcome and
    timing goes to audit.build_nodes (what dbt's target/run_results.json holds, which `faers build` does
    not write: writing dbt's JSON artifacts costs seconds per build). -#}
{% macro record_build_end(results) -%}
    {{ return(adapter.dispatch('record_build_end')(results)) }}
{%- endmacro %}

{% macro spark__record_build_end(results) -%}
    select 1
{%- endmacro %}

{% macro default__record_build_end(results) -%}
    {%- if execute and invocation_args_dict.get('which') in build_log_commands() -%}
        {%- set failed = [] -%}
        {%- set nodes = [] -%}
        {%- set skipped = [] -%}
        {%- for result in results if result.node.resource_type != 'operation' -%}
            {%- do nodes.append(result.node.unique_id) -%}
            {%- if result.status | string in ['error', 'fail', 'runtime error'] -%}
                {%- do failed.append(result.node.unique_id) -%}
            {%- elif result.status | string == 'skipped' -%}
                {%- do skipped.append(result.node.unique_id) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- call statement('record_build_end') -%}
        update audit.builds
        set
            finished_at = current_timestamp,
            status = '{{ "failed" if failed or skipped else "complete" }}',
            n_nodes = {{ nodes | length }},
            failed_nodes = [{% for node in failed %}{{ build_log_literal(node) }}{{ ', ' if not loop.last }}{% endfor %}]::varchar[]
        where invocation_id = '{{ invocation_id }}';
        create table if not exists audit.build_nodes (
            build_id integer not null,
            unique_id varchar not null,
            resource_type varchar not null,
            status varchar not null,
            thread_id varchar,
            started_at timestamp,
            completed_at timestamp,
            execution_time double,
            primary key (build_id, unique_id)
        );
        {%- if nodes %}
        insert into audit.build_nodes
        select b.build_id, n.*
        from audit.builds as b
        cross join (values
        {%- for result in results if result.node.resource_type != 'operation' %}
            {%- set starts = result.timing | map(attribute='started_at') | reject('none') | list %}
            {%- set ends = result.timing | map(attribute='completed_at') | reject('none') | list %}
            ({{ build_log_literal(result.node.unique_id) }}, '{{ result.node.resource_type }}',
             {{ build_log_literal(result.status) }}, {{ build_log_literal(result.thread_id) }},
             {{ build_log_literal(starts | min if starts else none) }}::timestamp,
             {{ build_log_literal(ends | max if ends else none) }}::timestamp,
             {{ result.execution_time or 0 }}){{ ',' if not loop.last }}
        {%- endfor %}
        ) as n (unique_id, resource_type, status, thread_id, started_at, completed_at, execution_time)
        where b.invocation_id = '{{ invocation_id }}'
        {%- endif %}
        {%- endcall -%}
        {%- do adapter.commit() -%}
    {%- endif -%}
    select 1

{%- endmacro %}
