-- seeds/drug_synonyms.csv is matched after cleaning (macro drug_name_cleaned): two rows whose names
-- clean to the same key must name the same ingredient, or the mapping would depend on row order.
-- Returns every ambiguous key with its ingredients.
with

synonyms as (

    select * from {{ ref('drug_synonyms') }}

),

keyed as (

    select
        {{ drug_name_cleaned('name') }} as name_key,
        {{ drug_ingredient_cleaned('ingredient') }} as ingredient,
        name
    from synonyms

),

ambiguous as (

    select
        name_key,
        {{ faers_list_agg('ingredient', distinct=true, sorted=true) }} as ingredients,
        {{ faers_list_agg('name', sorted=true) }} as names
    from keyed
    group by name_key
    having count(distinct ingredient) > 1 or name_key is null

)

select * from ambiguous
