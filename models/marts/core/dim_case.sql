-- One row per FAERS case after deduplication (latest fda_dt per case_id, ties -> highest
-- primary_id; deleted cases removed): demographics in analyst units, seriousness and outcomes.
{{ case_rows(ref('int_cases_deduplicated'), ref('fct_case_outcome')) }}
