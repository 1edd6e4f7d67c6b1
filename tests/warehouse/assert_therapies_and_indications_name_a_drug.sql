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

    select 'fct_case_therapy' as mart, primary_id, drug_seq from therapies
    union all
    select 'fct_case_indication' as mart, primary_id, drug_seq from indications

),

dangling_links as (

    select links.*
    from links
    anti join drugs
        on links.primary_id = drugs.primary_id
        and links.drug_seq = drugs.drug_seq

)

select * from dangling_links
