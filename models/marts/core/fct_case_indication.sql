-- One row per (primary_id, drug_seq, indi_pt) of the deduplicated reports, the indication as the current
-- MedDRA PT when the licensed MedDRA is loaded, else in its canonical spelling (int_terms_resolved, as
-- fct_case_reaction's pt); repeats collapsed.
{{ faers_case_mart() }}
{{ case_indication_rows(faers_changed_cases(ref('int_cases_deduplicated'))) }}
