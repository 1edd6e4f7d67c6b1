{#- Step a1 (temp table study_asof_rebuilt; needs study_asof_cases): the snapshot's reports whose kept version is not
    the one the case marts hold (int_cases_deduplicated: the same primary_id from the same quarter's DEMO file), i.e.
    the cases followed up or deleted after the window: their DEMO rows (macro demo_rows_of_lines; the shape of
    int_cases_deduplicated). The marts built the rows of every other report of the snapshot with the same macros the
    study_asof_* steps call, so those steps build these reports only, and macro study_source takes the others' rows
    from the marts. Empty when the study reads the marts (no quarter after the window). -#}
{%- if var('study_as_of') or not execute %}
with

rebuilt_lines as (

    select snapshot_cases.*
    from {{ study_step('study_asof_cases') }} as snapshot_cases
    anti join {{ ref('int_cases_deduplicated') }} as latest_cases
        on snapshot_cases.primary_id = latest_cases.primary_id
        and snapshot_cases.quarter = latest_cases.quarter

)

{{ demo_rows_of_lines('rebuilt_lines') }}
{%- else %}
select null::bigint as primary_id, null::varchar as quarter
where false
{%- endif %}
