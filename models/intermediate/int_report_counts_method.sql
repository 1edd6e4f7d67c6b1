-- How this build updates the report-count aggregates (drug_event_cells, drug_name_audit; macros/warehouse/
-- report_counts.sql): one row, decided before the case marts are rewritten. method 'delta': each aggregate is its
-- previous table minus the changed cases' counts as the case marts held them (int_drug_event_cells_before,
-- int_drug_name_audit_before) plus their counts now; 'full': counted over every kept report, for the reason given
-- (macro faers_report_counts_full_reason: full refresh, adjusted, no record, logic, every case, later build).
-- invocation_id: the build that decided; an aggregate takes the delta only in that build.
-- depends_on: {{ ref('int_case_mart_changes') }}
{{ config(enabled=faers_case_marts_incremental()) }}
{%- set reason = faers_report_counts_full_reason() if execute else none %}
select
    '{{ invocation_id }}' as invocation_id,
    '{{ "delta" if reason is none else "full" }}' as method,
    cast({{ "null" if reason is none else "'" ~ reason ~ "'" }} as varchar) as reason
