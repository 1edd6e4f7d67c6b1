-- One row per (primary_id, rpsr_cod) of the deduplicated reports: who sent the report.
{{ faers_case_mart() }}
{{ case_report_source_rows(faers_changed_cases(ref('int_cases_deduplicated'))) }}
