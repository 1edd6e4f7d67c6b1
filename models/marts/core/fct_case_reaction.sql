-- One row per (primary_id, pt) of the deduplicated reports. pt is the current MedDRA PT when the
-- licensed MedDRA is loaded (int_terms_resolved: LLTs, renamed PTs and case variants resolved through the
-- LLT table), else the canonical spelling; reported_term keeps what was reported (canonical spelling).
-- Terms resolving to one PT in a report are one row (reported_term: the first alphabetically, term_status
-- the best: current_pt < llt < unresolved). drug_rec_act: the distinct codes, sorted.
{{ faers_case_mart() }}
{{ faers_counted_case_mart() }}
{{ case_reaction_rows(faers_changed_cases(ref('int_cases_deduplicated'))) }}
