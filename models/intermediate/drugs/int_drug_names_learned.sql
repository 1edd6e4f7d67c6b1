-- The drug dictionary FAERS teaches itself: since 2014Q3 FDA codes the active ingredient (prod_ai) on
-- every DRUG row, so every row carrying both a drug name and a prod_ai says "this name means this
-- ingredient". One row per cleaned name key seen with a prod_ai: the majority ingredient set
-- (prod_ai as this project's ingredient set; ties to the alphabetically first), its `support` (rows
-- that say it), `n_rows` (rows with the key and any prod_ai), `agreement` (support / n_rows) and
-- `n_ingredient_sets` (distinct answers). `is_applied`: support >= var('drug_learned_min_support') and
-- agreement >= var('drug_learned_min_agreement'); only then does int_drug_names_normalized use it, for
-- rows whose prod_ai is blank (every LAERS row, blank FAERS rows).
with

name_keys as (

    select * from {{ ref('int_drug_name_keys') }}

),

answers as (

    select
        name_key,
        prod_ai_ingredient as ingredient,
        sum(n_rows) as support
    from name_keys
    where name_key is not null
        and prod_ai_ingredient is not null
    group by name_key, prod_ai_ingredient

),

ranked as (

    select
        name_key,
        ingredient,
        support,
        sum(support) over (partition by name_key) as n_rows,
        count(*) over (partition by name_key) as n_ingredient_sets
    from answers
    qualify row_number() over (partition by name_key order by support desc, ingredient) = 1

),

learned as (

    select
        name_key,
        ingredient,
        support::bigint as support,
        n_rows::bigint as n_rows,
        support / n_rows as agreement,
        n_ingredient_sets,
        support >= {{ var('drug_learned_min_support') }}
            and support / n_rows >= {{ var('drug_learned_min_agreement') }} as is_applied
    from ranked

)

select * from learned
