-- One row per THER row of the deduplicated reports: a therapy period of one drug (drug_seq links
-- to fct_case_drug within the report; a drug stopped and restarted has several rows).
{{ case_therapy_rows(ref('int_cases_deduplicated')) }}
