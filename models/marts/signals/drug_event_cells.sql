-- Report-level 2x2 tables: one row per (drug, pt) with a >= 1 over the deduplicated reports. A
-- report counts when it has at least one drug in a role of var('suspect_roles') and at least one pt
-- (N = those reports); a drug or a pt counts once per report however often it repeats. What "a drug" is
-- follows var('drug_unit') (macro suspect_drug_rows): each ingredient of a combination, or the product.
--
-- How (benchmarks/signals.py): drugs and pts are numbered once, so everything after works on integers.
-- One window per side, partitioned by report, drops repeated drugs (lag) and marks each report's first
-- drug and first pt (fct_case_reaction is already one row per (primary_id, pt): its tested grain). The
-- single report-level join of drugs and pts then yields every count at once: a = its rows per
-- (drug, pt); n_drug = its rows that carry the report's first pt (once per report and drug), n_event =
-- those that carry the first drug, N = those that carry both. Only reports with a suspect drug and a pt
-- reach the join, so no semi-join or count(distinct) over the reports is needed.
--
-- Adjustments (docs/adjusted_signals.md), each only when its var is set, so the default SQL is the one above:
-- * var expected_strata: every report gets a stratum (dim_case columns; a NULL value is its own level); the
--   join is counted per (drug, pt, stratum), so the same first-drug / first-pt marks give the margins per
--   stratum. E = sum_s n_drug,s n_event,s / N_s is a dot product of one dense vector per drug and one per pt
--   over the strata; the Mantel-Haenszel sums (mh_*) add the strata with a_s >= 1 (sparse) to the dense sums.
-- * var background_exclude_drugs: the reports with such a suspect leave the background: c, d and N are
--   counted over the other reports; a and b keep every report of the drug.
-- * a_co_suspect (always): the cell's reports with another PS/SS drug than the cell's.
--
-- faers update (DuckDB): every column is a count over reports, so when only some cases changed the table is
-- updated by their counts (macro drug_event_cells_delta: previous - the changed cases' cells before this build,
-- int_drug_event_cells_before, + their cells now) instead of counted again over every report; in full otherwise
-- (int_report_counts_method says which and why). The rule above is macro drug_event_cells_rows either way.
{%- set marts = {} %}
{%- for mart in ['fct_case_drug', 'fct_case_drug_ingredient', 'fct_case_reaction', 'dim_case'] %}
    {#- dim_case is a dependency whatever the vars: one parse serves every --vars #}
    {%- do marts.update({mart: ref(mart)}) %}
{%- endfor %}
{%- if faers_report_counts_delta('int_drug_event_cells_before') %}
{{ drug_event_cells_delta(this, ref('int_drug_event_cells_before'), '(' ~ drug_event_cells_rows(faers_changed_case_marts(marts)) ~ ')') }}
{%- else %}
{{ drug_event_cells_rows(marts) }}
{%- endif %}
