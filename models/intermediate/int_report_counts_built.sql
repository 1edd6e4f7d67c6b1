-- The counting logic the report-count aggregates were last built with (macro faers_report_counts_logic, an md5):
-- written after both (the depends_on lines), so its success in a build's audit.build_nodes says that build left
-- drug_event_cells and drug_name_audit matching the case marts. int_report_counts_method reads it by name.
-- depends_on: {{ ref('drug_event_cells') }}
-- depends_on: {{ ref('drug_name_audit') }}
{{ config(enabled=faers_case_marts_incremental()) }}
select '{{ faers_logic_version(faers_report_counts_logic()) }}' as logic_version
