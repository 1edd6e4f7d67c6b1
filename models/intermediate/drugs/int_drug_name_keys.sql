-- One row per distinct (drug_name, prod_ai) of DRUG (every staged row, all quarters): how often it
-- occurs, its cleaned name key (macro drug_name_cleaned: the cleaning rules of
-- macros/warehouse/drug_names.sql), the cleaned text in its parentheses (a second candidate) and its
-- prod_ai as this project's ingredient set (synonym seed, active moiety, sorted, '\'-joined), the seed's
-- ingredient set for the name and for its parenthesised text, and the cleaned name as ingredient set (its
-- parts through the seed and the moiety). Cleaning runs on distinct names and distinct prod_ai values only,
-- never per DRUG row.
with

drugs as (

    select * from {{ ref('stg_faers__drug') }}

),

lookups as (

    select * from {{ ref('int_drug_name_lookups') }}

),

name_pairs as (

    select
        drug_name,
        prod_ai,
        count(*) as n_rows
    from drugs
    group by drug_name, prod_ai

),

names_cleaned as (

    select
        drug_name,
        {{ drug_name_cleaned('drug_name') }} as name_key,
        {{ drug_name_in_parentheses('drug_name') }} as paren_key
    from (select distinct drug_name from name_pairs)

),

names as (

    select
        names_cleaned.drug_name,
        names_cleaned.name_key,
        names_cleaned.paren_key,
        lookups.synonym_sets[names_cleaned.name_key] as synonym_ingredient,
        lookups.synonym_sets[names_cleaned.paren_key] as paren_synonym_ingredient,
        {{ drug_ingredient_set('coalesce(names_cleaned.name_key, names_cleaned.paren_key)') }} as cleaned_ingredient
    from names_cleaned
    cross join lookups

),

prod_ais as (

    select
        prod_ai,
        {{ drug_ingredient_set('prod_ai') }} as prod_ai_ingredient
    from (select distinct prod_ai from name_pairs where prod_ai is not null)
    cross join lookups

),

keys as (

    select
        name_pairs.drug_name,
        name_pairs.prod_ai,
        name_pairs.n_rows,
        names.name_key,
        names.paren_key,
        prod_ais.prod_ai_ingredient,
        names.synonym_ingredient,
        names.paren_synonym_ingredient,
        names.cleaned_ingredient
    from name_pairs
    left join names
        on name_pairs.drug_name is not distinct from names.drug_name
    left join prod_ais
        on name_pairs.prod_ai = prod_ais.prod_ai

)

select * from keys
