-- One row per THER row of the deduplicated reports: a therapy period of one drug (drug_seq links
-- to fct_case_drug within the report; a drug stopped and restarted has several rows).
{{ faers_case_mart() }}
{{ case_therapy_rows(faers_changed_cases(ref('int_cases_deduplicated'))) }}
