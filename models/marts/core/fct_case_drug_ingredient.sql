-- One row per ingredient of each DRUG row of the kept reports: a combination product
-- ('acetaminophen\hydrocodone', BACLOFEN/MORPHINE) gives one row per ingredient, a single-ingredient
-- product one row; rows without an ingredient (drug NULL) give none. The unit of counting of
-- var('drug_unit') = 'ingredient' (macro suspect_drug_rows).
{{ faers_case_mart() }}
{{ faers_counted_case_mart() }}
{{ case_drug_ingredient_rows(faers_changed_cases(ref('fct_case_drug'))) }}
