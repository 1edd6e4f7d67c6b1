{{ config(severity='warn') }}
-- THER dsg_drug_seq and INDI indi_drug_seq (LAERS: drug_seq) link to a DRUG row of the same report.
-- A link can dangle when FDA's DRUG row was quarantined by the loader (glued or broken line), so this
-- gate warns: it returns every therapy or indication whose (primary_id, drug_seq) has no drug.
with

drugs as (

    select * from {{ ref('fct_case_drug') }}

),

therapies as (

    select * from {{ ref('fct_case_therapy') }}

),

indications as (

    select * from {{ ref('fct_case_indication') }}

),

links as (

    -- the mart as a small code through the join, named after it (a text column carried through the anti
    -- join of ~55M links against ~52M drugs costs a third more time)
    select 1 as mart_code, primary_id, drug_seq from therapies
    union all
    select 2 as mart_code, primary_id, drug_seq from indications

),

dangling_links as (

    select
        case links.mart_code when 1 then 'fct_case_therapy' else 'fct_case_indication' end as mart,
        links.primary_id,
        links.drug_seq
    from links
    anti join drugs
        on links.primary_id = drugs.primary_id
        and links.drug_seq = drugs.drug_seq

)

select * from dangling_links
