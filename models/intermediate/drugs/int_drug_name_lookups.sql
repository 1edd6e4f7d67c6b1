-- One row: the lookups every drug-name model applies through macro drug_ingredient_set, built once per
-- build from the user-editable seeds: `synonyms` (MAP cleaned seed name -> ingredient text,
-- seeds/drug_synonyms.csv; tests/warehouse/assert_drug_synonyms_unambiguous guarantees one ingredient
-- per key, the window only drops duplicates such as 'ELIQUIS' / 'ELIQUIS 5MG' deterministically) and
-- `salt_words` (the salt, ester and hydrate words of seeds/drug_salt_words.csv, for the active moiety),
-- `keep_words` (its kind 'keep' words: an ingredient holding one is kept whole, 'dimethyl fumarate')
-- and `synonym_sets` (MAP cleaned seed name -> its ingredient set, macro drug_ingredient_set).
with

synonyms as (

    select * from {{ ref('drug_synonyms') }}

),

salt_words as (

    select * from {{ ref('drug_salt_words') }}

),

synonym_keys as (

    select
        {{ drug_name_cleaned('name') }} as name_key,
        {{ drug_ingredient_cleaned('ingredient') }} as ingredient
    from synonyms
    where {{ drug_name_cleaned('name') }} is not null
        and {{ drug_ingredient_cleaned('ingredient') }} is not null
    qualify row_number() over (partition by name_key order by ingredient) = 1

),

raw_lookups as (

    select
        (select {{ faers_map_agg('name_key', 'ingredient') }} from synonym_keys) as synonyms,
        (select {{ faers_list_agg('lower(trim(word))', distinct=true, sorted=true) }} from salt_words
            where trim(word) != '' and coalesce(lower(trim(kind)), '') != 'keep') as salt_words,
        (select {{ faers_list_agg('lower(trim(word))', distinct=true, sorted=true) }} from salt_words
            where trim(word) != '' and lower(trim(kind)) = 'keep') as keep_words

),

synonym_sets as (

    select
        synonym_keys.name_key,
        {{ drug_ingredient_set('synonym_keys.ingredient') }} as ingredient
    from synonym_keys
    cross join raw_lookups as lookups

),

lookups as (

    select
        raw_lookups.synonyms,
        raw_lookups.salt_words,
        raw_lookups.keep_words,
        (
            select {{ faers_map_agg('name_key', 'ingredient') }}
            from synonym_sets where ingredient is not null
        )
            as synonym_sets
    from raw_lookups

)

select * from lookups
