-- What the drug mapping did with every raw drug name of the kept reports: one row per (raw drug_name,
-- ingredient, mapping_source) with its reports and DRUG rows, and the learned dictionary's support and
-- agreement for the name (NULL when FAERS never coded a prod_ai beside it). A name mapped only by
-- 'cleaned_name' is one no dictionary knows: `faers drugs SEARCH` lists those similar to a drug, so a
-- study author sees what to add to seeds/drug_synonyms.csv.
with

case_drugs as (

    select * from {{ ref('fct_case_drug') }}

),

name_keys as (

    select distinct drug_name, name_key from {{ ref('int_drug_name_keys') }}

),

learned as (

    select * from {{ ref('int_drug_names_learned') }}

),

names as (

    select
        drug_name,
        drug as ingredient,
        mapping_source,
        count(distinct primary_id) as reports,
        count(*) as n_rows
    from case_drugs
    group by drug_name, drug, mapping_source

),

audit as (

    select
        names.drug_name,
        names.reports,
        names.n_rows as rows,
        names.ingredient,
        names.mapping_source,
        learned.support,
        learned.agreement
    from names
    left join name_keys
        on names.drug_name is not distinct from name_keys.drug_name
    left join learned
        on name_keys.name_key = learned.name_key

)

select * from audit
