-- One row per (primary_id, outc_cod) of the deduplicated cases; repeated codes collapsed.
{{ case_outcome_rows(ref('int_cases_deduplicated')) }}
