-- One row per distinct (drug_name, prod_ai) of DRUG: its ingredient set `drug` and how it was found,
-- `mapping_source`. First match wins (the user's seed first, then FDA's own coding, then what FAERS
-- teaches, then the dictionaries, then the name itself):
--   synonym      the cleaned name is a key of seeds/drug_synonyms.csv (the user's override);
--   prod_ai      FDA's prod_ai (2014Q3 on);
--   learned      the cleaned name's majority prod_ai elsewhere in FAERS (int_drug_names_learned,
--                when its support and agreement pass the vars);
--   rxnorm       the cleaned name is an RxNorm name (int_drug_names_rxnorm; empty without RxNorm);
--   dictionary   the open drug dictionary (int_drug_names_dictionary, answers that agree with prod_ai);
--   the same four resolvers (synonym, learned, rxnorm, dictionary) on the text in parentheses
--                ('TYLENOL (ACETAMINOPHEN)'), only when the outer name maps to nothing and only when the
--                parenthesised text itself resolves, so 'GENERIC (MANUFACTURER)' stays the generic;
--   cleaned_name the cleaned name itself (its parts still mapped through the seed and the moiety).
-- Every answer is an ingredient set (macro drug_ingredient_set): synonym seed, active moiety, distinct,
-- sorted, joined with '\' (FDA's prod_ai separator), e.g. 'acetaminophen\hydrocodone'.
-- `support` / `agreement` are the learned dictionary's for the name key (whether applied or not).
with

name_keys as (

    select * from {{ ref('int_drug_name_keys') }}

),

learned as (

    select * from {{ ref('int_drug_names_learned') }}

),

learned_applied as (

    select name_key, ingredient from learned where is_applied

),

rxnorm as (

    select name_key, ingredient from {{ ref('int_drug_names_rxnorm') }}

),

dictionary as (

    select name_key, ingredient from {{ ref('int_drug_names_dictionary') }} where is_applied

),

candidates as (

    select
        name_keys.drug_name,
        name_keys.prod_ai,
        name_keys.n_rows,
        name_keys.name_key,
        name_keys.paren_key,
        name_keys.synonym_ingredient as synonym_name,
        name_keys.prod_ai_ingredient,
        learned_name.ingredient as learned_name,
        rxnorm_name.ingredient as rxnorm_name,
        dictionary_name.ingredient as dictionary_name,
        name_keys.paren_synonym_ingredient as synonym_paren,
        learned_paren.ingredient as learned_paren,
        rxnorm_paren.ingredient as rxnorm_paren,
        dictionary_paren.ingredient as dictionary_paren,
        name_keys.cleaned_ingredient as cleaned_name,
        learned.support,
        learned.agreement
    from name_keys
    left join learned_applied as learned_name
        on name_keys.name_key = learned_name.name_key
    left join rxnorm as rxnorm_name
        on name_keys.name_key = rxnorm_name.name_key
    left join dictionary as dictionary_name
        on name_keys.name_key = dictionary_name.name_key
    left join learned_applied as learned_paren
        on name_keys.paren_key = learned_paren.name_key
    left join rxnorm as rxnorm_paren
        on name_keys.paren_key = rxnorm_paren.name_key
    left join dictionary as dictionary_paren
        on name_keys.paren_key = dictionary_paren.name_key
    left join learned
        on name_keys.name_key = learned.name_key

),

resolved as (

    select
        drug_name,
        prod_ai,
        n_rows,
        name_key,
        case
            when synonym_name is not null then 'synonym'
            when prod_ai_ingredient is not null then 'prod_ai'
            when learned_name is not null then 'learned'
            when rxnorm_name is not null then 'rxnorm'
            when dictionary_name is not null then 'dictionary'
            when synonym_paren is not null then 'synonym'
            when learned_paren is not null then 'learned'
            when rxnorm_paren is not null then 'rxnorm'
            when dictionary_paren is not null then 'dictionary'
            when cleaned_name is not null then 'cleaned_name'
        end as mapping_source,
        coalesce(
            synonym_name, prod_ai_ingredient, learned_name, rxnorm_name, dictionary_name,
            synonym_paren, learned_paren, rxnorm_paren, dictionary_paren, cleaned_name
        ) as drug,
        support,
        agreement
    from candidates

),

normalized as (

    select
        drug_name,
        prod_ai,
        n_rows,
        name_key,
        drug,
        {{ faers_list_length(faers_split('drug', '\\')) }} as n_ingredients,
        mapping_source,
        support,
        agreement
    from resolved

)

select * from normalized
