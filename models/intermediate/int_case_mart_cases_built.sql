-- The kept cases as the incremental case marts were last built from: per kept case_id its kept report and that
-- report's quarter (int_cases_deduplicated), written after every case mart (the depends_on lines), so a build that
-- fails or stops before the last case mart leaves the previous record, and the next build rewrites every case
-- changed since then. int_case_mart_changes compares int_cases_deduplicated with it (reason 'version': a case
-- whose kept report or its quarter changed, or that appeared or went away), on the typed keys.
-- Rewritten per case like the marts (macro faers_case_mart): the cases int_case_mart_changes lists, or every case.
-- depends_on: {{ ref('int_case_mart_changes') }}
{%- for mart in faers_case_mart_names() %}
-- depends_on: {{ ref(mart) }}
{%- endfor %}
{{ faers_case_mart() }}
{{ config(enabled=faers_case_marts_incremental()) }}
with

kept_cases as (

    select * from {{ faers_changed_cases(ref('int_cases_deduplicated')) }}

),

recorded as (

    select
        case_id,
        primary_id,
        quarter
    from kept_cases

)

select * from recorded
