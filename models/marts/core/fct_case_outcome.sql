-- One row per (primary_id, outc_cod) of the deduplicated cases; repeated codes collapsed.
{{ faers_case_mart() }}
{{ case_outcome_rows(faers_changed_cases(ref('int_cases_deduplicated'))) }}
