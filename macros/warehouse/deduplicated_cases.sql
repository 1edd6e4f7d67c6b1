{#- deduplicated_cases(last_quarter=none, case_ids=none, lines_only=false): FDA's deduplication as of a quarter,
    one row per case.
    The rule (one definition, for the warehouse and for a study's window):
      1. one row per report (primary_id): the latest quarter's row (FDA FAQ Q29); a primary_id that
         occurs twice in one DEMO file (2012Q4) keeps its last line, so the result is deterministic;
      2. one row per case_id: the latest fda_dt, ties broken by the highest primary_id;
      3. every case_id named in a deleted-case list is removed (all its versions).
    last_quarter none: every loaded quarter (the latest state: int_cases_deduplicated and the marts).
    last_quarter 'YYYYQn': FAERS as published after that quarter: only the DEMO rows of quarters up to
    it and the deleted-case lists published up to it, so a case followed up later keeps the version of
    its last quarter, and a case deleted later is still there. Rows without a primary_id or a case_id
    cannot be deduplicated and are left out.
    case_ids none: every case. case_ids a relation (or parenthesised query) with a column case_id: the
    same rule for those cases only (the incremental int_cases_deduplicated re-deduplicates the cases
    int_cases_deduplicated_changes lists). A case's result depends on the rows of its own primary_ids
    alone (step 1 looks at every row of a primary_id, under any case_id; step 2 at the case's reports), so
    the rows read are those of every primary_id the listed cases ever used, and only the listed cases'
    results are returned (another case reached through a shared primary_id is not complete here).
    lines_only: the kept DEMO lines only (primary_id, case_id, quarter, source_file, line_number) instead of
    their rows (macro demo_rows_of_lines reads a line's columns). -#}
{% macro deduplicated_cases(last_quarter=none, case_ids=none, lines_only=false) -%}
    {%- if execute and last_quarter is not none and not modules.re.match('^[0-9]{4}Q[1-4]$', last_quarter | string) -%}
        {{ exceptions.raise_compiler_error(
            "deduplicated_cases: last_quarter must be a quarter such as 2024Q3, got " ~ last_quarter) }}
    {%- endif -%}
with

reports as (

    -- the columns the rule decides on; the kept rows' other columns are read once, at the end (kept_rows)
    select primary_id, case_id, quarter, source_file, line_number, fda_dt
    from {{ ref('stg_faers__demo') }}
    where primary_id is not null
        and case_id is not null
    {%- if last_quarter is not none %}
        and quarter <= '{{ last_quarter }}'
    {%- endif %}
    {%- if case_ids is not none %}
        and primary_id in (
            select primary_id from {{ ref('stg_faers__demo') }}
            where case_id in (select case_id from {{ case_ids }})
        )
    {%- endif %}

),

deleted_cases as (

    select distinct case_id
    from {{ ref('stg_faers__deleted') }}
    where case_id is not null
    {%- if last_quarter is not none %}
        and quarter <= '{{ last_quarter }}'
    {%- endif %}

),

latest_row_per_report as (

    select *
    from reports
    qualify row_number() over (
        partition by primary_id
        order by quarter desc, line_number desc
    ) = 1

),

latest_report_per_case as (

    select *
    from latest_row_per_report
    qualify row_number() over (
        partition by case_id
        order by fda_dt desc nulls last, primary_id desc
    ) = 1

),

without_deleted_cases as (

    select latest_report_per_case.*
    from latest_report_per_case
    anti join deleted_cases
        on latest_report_per_case.case_id = deleted_cases.case_id
    {%- if case_ids is not none %}
    where latest_report_per_case.case_id in (select case_id from {{ case_ids }})
    {%- endif %}

){%- if lines_only %}

select primary_id, case_id, quarter, source_file, line_number
from without_deleted_cases
{%- else %},

kept_rows as (

    {{ demo_rows_of_lines('without_deleted_cases') }}

)

select * from kept_rows
{%- endif %}
{%- endmacro %}

{#- demo_rows_of_lines(lines): the DEMO rows of the lines in `lines` (a relation or CTE with columns quarter,
    source_file and line_number: a line is its quarter, file and line number), every column but loaded_at and
    logic_version (they only drive the incremental staging table). Its SQL comment stays as deduplicated_cases
    rendered it before this macro existed: int_cases_deduplicated's logic version is the md5 of that rendering. -#}
{% macro demo_rows_of_lines(lines) -%}
    -- the kept DEMO lines (a line is its quarter, file and line number), every column but loaded_at and
    -- logic_version (they only drive the incremental staging table)
    select {{ faers_star_except(['loaded_at', 'logic_version']) }}
    from {{ ref('stg_faers__demo') }} as demographics
    semi join {{ lines }}
        on demographics.quarter = {{ lines }}.quarter
        and demographics.line_number = {{ lines }}.line_number
        and coalesce(demographics.source_file, '') = coalesce({{ lines }}.source_file, '')
{%- endmacro %}
