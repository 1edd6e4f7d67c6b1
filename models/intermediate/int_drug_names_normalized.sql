-- One row per distinct (drug_name, prod_ai) pair of DRUG: its normalised active ingredient `drug`.
-- Rule, first match wins:
--   1. FDA's prod_ai when given (2014Q3 on), split into ingredients on '\';
--   2. the cleaned DRUGNAME when it is a known synonym (seeds/drug_synonyms.csv);
--   3. the text in parentheses ('TYLENOL (ACETAMINOPHEN)': reporters put the ingredient there)
--      when anything is left of it after cleaning ('(NOS)' is not);
--   4. the cleaned DRUGNAME (macro drug_name_cleaned: case, punctuation, strengths, units, dosage
--      forms and routes removed; 'a/b' between words read as two ingredients).
-- Each ingredient is then mapped through seeds/drug_synonyms.csv (brand names, salt forms and
-- aliases -> active moiety, matched after the same cleaning), e.g. LIORESAL -> baclofen,
-- WARFARIN SODIUM -> warfarin. A multi-ingredient product stays ONE drug, its distinct ingredients
-- sorted and joined with '\' (FDA's own prod_ai separator), e.g. 'acetaminophen\hydrocodone', so
-- it is counted once per report and drug_seq keeps one row per DRUG row.
-- Cleaning runs on distinct names only (thousands), never per DRUG row (hundreds of millions).
{%- set text_in_parentheses -%}
    regexp_extract(drug_name, '\(([^)]*)\)', 1)
{%- endset %}

with

drugs as (

    select * from {{ ref('stg_faers__drug') }}

),

synonyms as (

    select * from {{ ref('drug_synonyms') }}

),

distinct_names as (

    select distinct
        drug_name,
        prod_ai
    from drugs

),

synonym_keys as (

    -- tests/warehouse/assert_drug_synonyms_unambiguous guarantees one ingredient per key; the
    -- window only drops the duplicates ('ELIQUIS', 'ELIQUIS 5MG') deterministically.
    select
        {{ drug_name_cleaned('name') }} as name_key,
        {{ drug_ingredient_cleaned('ingredient') }} as ingredient
    from synonyms
    where {{ drug_name_cleaned('name') }} is not null
    qualify row_number() over (partition by name_key order by ingredient) = 1

),

names_cleaned as (

    select
        drug_name,
        prod_ai,
        {{ drug_ingredient_cleaned('prod_ai') }} as prod_ai_cleaned,
        {{ drug_name_cleaned(text_in_parentheses) }} as drug_name_in_parentheses,
        {{ drug_name_cleaned('drug_name') }} as drug_name_cleaned
    from distinct_names

),

ingredient_texts as (

    select
        names_cleaned.drug_name,
        names_cleaned.prod_ai,
        case
            when names_cleaned.prod_ai_cleaned is not null then 'prod_ai'
            when synonym_keys.name_key is not null then 'drug_name'
            when names_cleaned.drug_name_in_parentheses is not null then 'drug_name_in_parentheses'
            when names_cleaned.drug_name_cleaned is not null then 'drug_name'
        end as drug_source,
        case
            when names_cleaned.prod_ai_cleaned is not null then names_cleaned.prod_ai_cleaned
            when synonym_keys.name_key is not null then names_cleaned.drug_name_cleaned
            else coalesce(names_cleaned.drug_name_in_parentheses, names_cleaned.drug_name_cleaned)
        end as ingredient_text
    from names_cleaned
    left join synonym_keys
        on names_cleaned.drug_name_cleaned = synonym_keys.name_key

),

ingredient_parts as (

    select
        drug_name,
        prod_ai,
        drug_source,
        unnest(string_split(ingredient_text, '\')) as ingredient_part
    from ingredient_texts

),

ingredients as (

    select
        drug_name,
        prod_ai,
        drug_source,
        {{ drug_ingredient_cleaned('ingredient_part') }} as ingredient,
        {{ drug_name_cleaned('ingredient_part') }} as ingredient_key
    from ingredient_parts

),

ingredients_mapped as (

    select
        ingredients.drug_name,
        ingredients.prod_ai,
        ingredients.drug_source,
        synonym_keys.name_key is not null as is_synonym,
        coalesce(synonym_keys.ingredient, ingredients.ingredient) as ingredient
    from ingredients
    left join synonym_keys
        on ingredients.ingredient_key = synonym_keys.name_key
    where ingredients.ingredient is not null

),

ingredients_mapped_parts as (

    select
        drug_name,
        prod_ai,
        drug_source,
        is_synonym,
        unnest(string_split(ingredient, '\')) as ingredient_part
    from ingredients_mapped

),

ingredients_split as (

    select
        drug_name,
        prod_ai,
        drug_source,
        is_synonym,
        {{ drug_ingredient_cleaned('ingredient_part') }} as ingredient
    from ingredients_mapped_parts

),

normalized as (

    select
        distinct_names.drug_name,
        distinct_names.prod_ai,
        nullif(array_to_string(list_sort(list_distinct(list(ingredients_split.ingredient))), '\'), '') as drug,
        count(distinct ingredients_split.ingredient) as n_ingredients,
        any_value(ingredients_split.drug_source) as drug_source,
        coalesce(bool_or(ingredients_split.is_synonym), false) as is_synonym_mapped
    from distinct_names
    left join ingredients_split
        on distinct_names.drug_name is not distinct from ingredients_split.drug_name
        and distinct_names.prod_ai is not distinct from ingredients_split.prod_ai
        and ingredients_split.ingredient is not null
    group by distinct_names.drug_name, distinct_names.prod_ai

)

select * from normalized
