-- RxNorm as a drug dictionary, when the user has loaded it (`faers load-rxnorm DIR`, schema rxnorm);
-- without it this model is empty and everything else works the same. One row per cleaned name key of an
-- RxNorm name (SAB RXNORM, not suppressed: ingredients IN/PIN/MIN, brand names BN, clinical and branded
-- drugs SCD/SBD and their components, packs, synonyms) that resolves to exactly one ingredient set.
-- A concept reaches its ingredients (TTY IN) by walking RXNREL toward the ingredient, where a row
-- (RXCUI1, RELA, RXCUI2) reads "RXCUI2 RELA RXCUI1" (NLM's RxNorm technical documentation): PIN form_of
-- IN, BN tradename_of IN, SBD tradename_of SCD, SBD has_ingredient BN, MIN has_part IN, SCD consists_of
-- SCDC, SCDC has_ingredient IN, SCD has_ingredients MIN, GPCK/BPCK contains SCD/SBD.
-- depends_on: {{ ref('int_drug_name_lookups') }}
{%- set conso = adapter.get_relation(database=target.database, schema='rxnorm', identifier='rxnconso') if execute else none %}
{%- set rel = adapter.get_relation(database=target.database, schema='rxnorm', identifier='rxnrel') if execute else none %}
{%- if conso is none or rel is none %}

select
    null::string as name_key,
    null::string as ingredient,
    null::string as rxnorm_ttys
where false

{%- else %}

with recursive

lookups as (

    select * from {{ ref('int_drug_name_lookups') }}

),

concepts as (

    select distinct
        rxcui,
        tty,
        str
    from {{ conso }}
    where sab = 'RXNORM'
        and coalesce(suppress, 'N') = 'N'
        and tty in ('IN', 'PIN', 'MIN', 'BN', 'SCD', 'SBD', 'SCDC', 'SBDC', 'SCDF', 'SBDF', 'SCDG', 'SBDG',
            'GPCK', 'BPCK', 'SY', 'TMSY', 'PSN')

),

ingredient_concepts as (

    select distinct
        rxcui,
        lower(str) as ingredient_name
    from concepts
    where tty = 'IN'

),

edges as (

    select distinct
        rxcui2 as from_rxcui,
        rxcui1 as to_rxcui
    from {{ rel }}
    where sab = 'RXNORM'
        and rela in ('form_of', 'tradename_of', 'has_ingredient', 'has_ingredients', 'has_part',
            'consists_of', 'contains', 'has_precise_ingredient')

),

walk as (

    -- every concept reachable from each named concept (itself included), at most 4 steps
    select
        rxcui as start_rxcui,
        rxcui,
        0 as depth
    from (select distinct rxcui from concepts)
    union
    select
        walk.start_rxcui,
        edges.to_rxcui as rxcui,
        walk.depth + 1 as depth
    from walk
    inner join edges
        on walk.rxcui = edges.from_rxcui
    where walk.depth < 4

),

concept_ingredients as (

    select
        walk.start_rxcui as rxcui,
        {{ faers_join(faers_list_sorted_distinct(faers_list_agg('ingredient_concepts.ingredient_name')), '\\') }}
            as ingredient_text
    from walk
    inner join ingredient_concepts
        on walk.rxcui = ingredient_concepts.rxcui
    group by walk.start_rxcui

),

named as (

    select
        {{ drug_name_cleaned('concepts.str') }} as name_key,
        concepts.tty,
        concept_ingredients.ingredient_text
    from concepts
    inner join concept_ingredients
        on concepts.rxcui = concept_ingredients.rxcui

),

resolved as (

    select
        named.name_key,
        {{ drug_ingredient_set('named.ingredient_text') }} as ingredient,
        named.tty
    from named
    cross join lookups
    where named.name_key is not null

),

unambiguous as (

    select
        name_key,
        any_value(ingredient) as ingredient,
        {{ faers_join(faers_list_sorted_distinct(faers_list_agg('tty')), ',') }} as rxnorm_ttys
    from resolved
    where ingredient is not null
    group by name_key
    having count(distinct ingredient) = 1

)

select * from unambiguous

{%- endif %}
