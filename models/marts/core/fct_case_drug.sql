-- One row per DRUG row of the deduplicated reports (children follow the kept primary_id, in the
-- kept row's quarter): the raw drug_name beside the normalised ingredient set `drug` and how it was
-- found, `mapping_source` (int_drug_names_normalized).
{{ faers_case_mart() }}
{{ faers_counted_case_mart() }}
{{ case_drug_rows(faers_changed_cases(ref('int_cases_deduplicated'))) }}
