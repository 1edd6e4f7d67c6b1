-- int_case_mart_inputs as the incremental case marts were last built from: written after every one of them
-- (the depends_on lines), so a build that fails or stops before the last case mart leaves the previous
-- record, and the next build rewrites every case changed since then.
{%- for mart in faers_case_mart_names() %}
-- depends_on: {{ ref(mart) }}
{%- endfor %}
{{ config(enabled=faers_case_marts_incremental()) }}
select * from {{ ref('int_case_mart_inputs') }}
