-- What the drug mapping did with every raw drug name of the kept reports: one row per (raw drug_name,
-- ingredient, mapping_source) with its reports and DRUG rows, and the learned dictionary's support and
-- agreement for the name (NULL when FAERS never coded a prod_ai beside it). A name mapped only by
-- 'cleaned_name' is one no dictionary knows: `faers drugs SEARCH` lists those similar to a drug, so a
-- study author sees what to add to seeds/drug_synonyms.csv.
-- faers update (DuckDB): the counts (reports, rows) are over reports, so when only some cases changed they are
-- updated by those cases' counts (macro drug_name_counts_delta: previous - int_drug_name_audit_before + their
-- counts now); counted over every report otherwise (int_report_counts_method says which and why). The support and
-- agreement are joined anew either way (a new quarter changes the learned dictionary).
with

name_keys as (

    select distinct drug_name, name_key from {{ ref('int_drug_name_keys') }}

),

learned as (

    select * from {{ ref('int_drug_names_learned') }}

),

names as (
{%- if faers_report_counts_delta('int_drug_name_audit_before') %}

    {{ drug_name_counts_delta(
        '(select drug_name, ingredient, mapping_source, reports, rows as n_rows from ' ~ this ~ ')',
        ref('int_drug_name_audit_before'),
        '(' ~ drug_name_counts(faers_changed_case_marts({'fct_case_drug': ref('fct_case_drug')})['fct_case_drug']) ~ ')',
    ) }}
{%- else %}

    {{ drug_name_counts(ref('fct_case_drug')) }}
{%- endif %}

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
