-- One row per ingredient of each DRUG row of the kept reports: a combination product
-- ('acetaminophen\hydrocodone', BACLOFEN/MORPHINE) gives one row per ingredient, a single-ingredient
-- product one row; rows without an ingredient (drug NULL) give none. The unit of counting of
-- var('drug_unit') = 'ingredient' (macro suspect_drug_rows).
with

case_drugs as (

    select * from {{ ref('fct_case_drug') }}

),

ingredients as (

    select
        primary_id,
        case_id,
        drug_seq,
        role_cod,
        unnest(string_split(drug, '\')) as ingredient,
        mapping_source
    from case_drugs
    where drug is not null

)

select * from ingredients
