-- What int_cases_deduplicated was last built from, written after it (so a build that fails or stops before
-- it leaves the previous record, and the next build re-deduplicates every case changed since then):
--   report   per quarter of stg_faers__demo: its distinct (primary_id, case_id) and the loaded_at they were
--            typed from; rewritten for the changed quarters only (macro faers_dedup_changed_quarters);
--   deleted  the distinct case_ids of the deleted-case lists (rewritten on every build: a few thousand rows);
-- with the logic_version (macro faers_dedup_logic_version) on every row. Every row is rewritten when every case
-- was (int_cases_deduplicated_changes). int_cases_deduplicated_changes compares the next build's staging with it.
-- depends_on: {{ ref('int_cases_deduplicated') }}
-- depends_on: {{ ref('int_cases_deduplicated_changes') }}
-- depends_on: {{ ref('stg_faers__deleted') }}
{{ config(
    enabled=faers_case_marts_incremental(),
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ faers_delete_changed_dedup_record() }}",
) }}
with

reports as (

    select distinct
        'report' as kind,
        quarter,
        loaded_at,
        primary_id,
        case_id
    from {{ ref('stg_faers__demo') }}
    {%- if is_incremental() %}
    where quarter in ({{ faers_dedup_changed_quarters(this) }})
    {%- endif %}

),

deleted as (

    select distinct
        'deleted' as kind,
        cast(null as varchar) as quarter,
        cast(null as timestamp) as loaded_at,
        cast(null as bigint) as primary_id,
        case_id
    from {{ ref('stg_faers__deleted') }}
    where case_id is not null

),

-- the version once, then on every row (as an expression of each row's select, DuckDB computed the md5 per row:
-- on all of FAERS 12.4-13.6 s for the model's 23M rows against 6.9-7.8 s)
logic as (

    select {{ faers_dedup_logic_version() }} as logic_version

),

record as (

    select reports.*, logic.logic_version from reports cross join logic
    union all
    select deleted.*, logic.logic_version from deleted cross join logic

)

select * from record
