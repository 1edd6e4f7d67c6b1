-- The cases this build's incremental int_cases_deduplicated re-deduplicates (macro faers_case_mart with this
-- model): one row per case_id with the reasons, or one row with case_id NULL when every case is rewritten.
-- What deduplication was built from (int_cases_deduplicated_built, read by name: it is written after
-- int_cases_deduplicated, which reads this model) against staging now:
--   report      the case_id of a DEMO row of a changed quarter (macro faers_dedup_changed_quarters: new,
--               reloaded, removed, or not written by the loader), as typed now or as recorded before;
--   primary_id  a case_id sharing a primary_id with such a row (step 1 keeps a primary_id's latest quarter's
--               row, FAQ Q29: a new row of a primary_id under another case_id takes it from this case);
--   deleted     the case_id entered or left the deleted-case lists;
--   every case (case_id NULL): 'no record' (a first build, or a warehouse built before the record), 'logic'
--               (the dedup rule, a var it reads, or stg_faers__demo's typing changed: faers_dedup_logic_version),
--               'as_of_quarter' (a snapshot is rebuilt in full).
-- depends_on: {{ ref('stg_faers__demo') }}
-- depends_on: {{ ref('stg_faers__deleted') }}
{{ config(enabled=faers_case_marts_incremental()) }}
{%- set every = none %}
{%- if var('as_of_quarter') is not none %}
    {%- set every = 'as_of_quarter' %}
{%- elif execute %}
    {%- set record = graph.nodes['model.faers.int_cases_deduplicated_built'] %}
    {%- set built = adapter.get_relation(database=record.database, schema=record.schema, identifier=record.alias) %}
    {%- if built is none %}
        {%- set every = 'no record' %}
    {%- else %}
        {%- set same_logic %}
            select coalesce((
                select logic_version from {{ built }} limit 1
            ) = {{ faers_dedup_logic_version() }}, false)
        {%- endset %}
        {%- if not run_query(same_logic).columns[0].values()[0] %}
            {%- set every = 'logic' %}
        {%- endif %}
    {%- endif %}
{%- endif %}

{%- if every is not none or not execute %}
select
    cast(null as bigint) as case_id,
    '{{ every }}' as reasons
{%- else %}
with

changed_quarters as (

    {{ faers_dedup_changed_quarters(built) }}

),

changed_reports as (

    select primary_id, case_id
    from {{ ref('stg_faers__demo') }}
    where quarter in (select quarter from changed_quarters)
        and primary_id is not null
        and case_id is not null
    union
    select primary_id, case_id
    from {{ built }}
    where kind = 'report'
        and quarter in (select quarter from changed_quarters)
        and primary_id is not null
        and case_id is not null

),

report_changes as (

    select distinct case_id, 'report' as reason
    from changed_reports

),

primary_id_changes as (

    select distinct demographics.case_id, 'primary_id' as reason
    from {{ ref('stg_faers__demo') }} as demographics
    semi join changed_reports
        on demographics.primary_id = changed_reports.primary_id
    anti join report_changes
        on demographics.case_id = report_changes.case_id
    where demographics.case_id is not null

),

deleted_now as (

    select distinct case_id
    from {{ ref('stg_faers__deleted') }}
    where case_id is not null

),

deleted_built as (

    select distinct case_id
    from {{ built }}
    where kind = 'deleted'

),

deleted_changes as (

    select coalesce(deleted_now.case_id, deleted_built.case_id) as case_id, 'deleted' as reason
    from deleted_now
    full outer join deleted_built
        on deleted_now.case_id = deleted_built.case_id
    where deleted_now.case_id is null
        or deleted_built.case_id is null

),

all_changes as (

    select * from report_changes
    union all
    select * from primary_id_changes
    union all
    select * from deleted_changes

),

per_case as (

    select
        case_id,
        {{ faers_string_agg_sorted('reason', ',') }} as reasons
    from all_changes
    group by case_id

)

select * from per_case
{%- endif %}
