-- One row per DRUG row of the deduplicated reports (children follow the kept primary_id, in the
-- kept row's quarter): the raw drug_name beside the normalised ingredient set `drug` and how it was
-- found, `mapping_source` (int_drug_names_normalized).
with

cases as (

    select * from {{ ref('int_cases_deduplicated') }}

),

drugs as (

    select * from {{ ref('stg_faers__drug') }}

),

drug_names as (

    select * from {{ ref('int_drug_names_normalized') }}

),

drugs_of_kept_reports as (

    select
        ---------- ids
        cases.primary_id,
        cases.case_id,
        drugs.drug_seq,

        ---------- strings
        drugs.role_cod,
        drugs.drug_name,
        drugs.prod_ai,
        drug_names.drug,
        drug_names.mapping_source,
        drugs.route,
        drugs.dose_vbm,
        drugs.dose_amt,
        drugs.dose_unit,
        drugs.dose_form,
        drugs.dose_freq,
        drugs.dechal,
        drugs.rechal,
        drugs.val_vbm,
        drugs.cum_dose_chr,
        drugs.cum_dose_unit,
        drugs.lot_num,
        drugs.nda_num,

        ---------- dates
        drugs.exp_dt

    from drugs
    inner join cases
        on drugs.quarter = cases.quarter
        and drugs.primary_id = cases.primary_id
    left join drug_names
        on drugs.drug_name is not distinct from drug_names.drug_name
        and drugs.prod_ai is not distinct from drug_names.prod_ai

)

select * from drugs_of_kept_reports
