-- int_case_mart_inputs as the incremental case marts were last built from: written after every one of them
-- (the depends_on lines), so a build that fails or stops before the last case mart leaves the previous
-- record, and the next build rewrites every case changed since then. Incremental: a build rewrites the 'case'
-- rows of the cases int_case_mart_changes lists (every case whose row differs from the record is listed, with
-- reason 'version') and every row of the other kinds (about a million); every row when every case changed.
-- depends_on: {{ ref('int_case_mart_changes') }}
{%- for mart in faers_case_mart_names() %}
-- depends_on: {{ ref(mart) }}
{%- endfor %}
{{ config(
    enabled=faers_case_marts_incremental(),
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ faers_delete_changed_mart_inputs() }}",
) }}
select * from {{ ref('int_case_mart_inputs') }}
{%- set case_ids = faers_changed_case_ids('int_case_mart_changes') %}
{%- if case_ids is not none %}
where {{ faers_rewritten_mart_inputs(case_ids) }}
{%- endif %}
