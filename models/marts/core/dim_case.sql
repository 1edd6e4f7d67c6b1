-- One row per FAERS case after deduplication (latest fda_dt per case_id, ties -> highest
-- primary_id; deleted cases removed): demographics in analyst units, seriousness and outcomes.
{{ faers_case_mart() }}
{{ case_rows(faers_changed_cases(ref('int_cases_deduplicated')), faers_changed_cases(ref('fct_case_outcome'))) }}
