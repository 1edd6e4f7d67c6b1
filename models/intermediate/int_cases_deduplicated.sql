-- One row per FAERS case, deduplicated as FDA recommends (macro deduplicated_cases, which states the
-- rule): per report the latest quarter's row; per case the latest fda_dt, ties to the highest
-- primary_id; deleted cases removed. The latest state of every loaded quarter (var as_of_quarter null,
-- the default); as_of_quarter 'YYYYQn' builds the warehouse as FAERS stood after that quarter (a study
-- computes its window's snapshot with the same macro). Rows without a primary_id or a case_id (7 LAERS
-- 2004Q1 rows with an empty CASE) stay in staging but cannot be deduplicated or matched to a deletion.
-- Known FDA ambiguity: a few primaryids occur under two caseids (caseid || caseversion collides);
-- step 1 keeps the later quarter's row for them too (FAQ Q29, as the reference pipelines do), which
-- keeps primary_id a key of dim_case and of every child join.
-- Incremental per case on DuckDB (macros/warehouse/incremental.sql): a build deletes and re-deduplicates
-- only the cases int_cases_deduplicated_changes lists, with the same macro restricted to them.
{{ faers_case_mart(changes='int_cases_deduplicated_changes') }}
{{ deduplicated_cases(
    last_quarter=var('as_of_quarter'),
    case_ids=faers_changed_case_ids('int_cases_deduplicated_changes'),
) }}
