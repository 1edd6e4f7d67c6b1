-- The open dictionary's answers (int_drug_names_dictionary_matches) as this project's ingredient sets,
-- checked against prod_ai. Every dictionary name is cleaned like a drug name, per ingredient ('Fentanyl
-- Patch' -> fentanyl), then mapped through the synonym seed and the active moiety. Where the key was
-- also seen with a prod_ai (int_drug_names_learned, any support), `checked` is true and `agrees` says
-- whether the dictionary's ingredient set equals prod_ai's majority one. A wrong mapping is worse than
-- none: a dictionary record (dictionary_names) whose checked keys agree less often than
-- var('drug_dictionary_min_agreement') is not applied anywhere (`is_applied` false).
with

matches as (

    select * from {{ ref('int_drug_names_dictionary_matches') }}

),

learned as (

    select * from {{ ref('int_drug_names_learned') }}

),

lookups as (

    select * from {{ ref('int_drug_name_lookups') }}

),

cleaned as (

    select
        name_key,
        dictionary_names,
        {{ faers_join(faers_list_filter(faers_list_transform(faers_split('ingredient_text', '\\'),
            'part', drug_name_cleaned('part')), 'part', 'part is not null'), '\\') }}
            as ingredient_text
    from matches

),

normalized as (

    select
        cleaned.name_key,
        cleaned.dictionary_names,
        {{ drug_ingredient_set('cleaned.ingredient_text') }} as ingredient
    from cleaned
    cross join lookups

),

checked as (

    select
        normalized.name_key,
        normalized.dictionary_names,
        normalized.ingredient,
        learned.ingredient as prod_ai_ingredient,
        learned.name_key is not null as checked,
        case when learned.name_key is not null then normalized.ingredient = learned.ingredient end as agrees
    from normalized
    left join learned
        on normalized.name_key = learned.name_key
    where normalized.ingredient is not null

),

record_agreement as (

    select
        dictionary_names,
        count(*) filter (where checked) as n_checked,
        count(*) filter (where agrees) as n_agree
    from checked
    group by dictionary_names

),

dictionary as (

    select
        checked.name_key,
        checked.dictionary_names,
        checked.ingredient,
        checked.prod_ai_ingredient,
        checked.checked,
        checked.agrees,
        record_agreement.n_checked as record_n_checked,
        record_agreement.n_agree as record_n_agree,
        record_agreement.n_checked = 0
            or record_agreement.n_agree >= {{ var('drug_dictionary_min_agreement') }} * record_agreement.n_checked
            as is_applied
    from checked
    inner join record_agreement
        on checked.dictionary_names = record_agreement.dictionary_names

)

select * from dictionary
