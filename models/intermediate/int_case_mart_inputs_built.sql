-- int_case_mart_inputs as the incremental case marts were last built from: written after every one of them and
-- after int_case_mart_cases_built, the record of the kept cases (the depends_on lines), so a build that fails or
-- stops before the last case mart leaves the previous record, and the next build rewrites every case changed
-- since then. Rewritten in full on every build (about a million rows), so it equals int_case_mart_inputs after
-- each build.
-- depends_on: {{ ref('int_case_mart_changes') }}
-- depends_on: {{ ref('int_case_mart_cases_built') }}
{%- for mart in faers_case_mart_names() %}
-- depends_on: {{ ref(mart) }}
{%- endfor %}
{{ config(enabled=faers_case_marts_incremental(), materialized='table') }}
select * from {{ ref('int_case_mart_inputs') }}
