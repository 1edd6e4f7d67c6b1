-- One row per (primary_id, drug_seq, indi_pt) of the deduplicated reports, the indication as the current
-- MedDRA PT when the licensed MedDRA is loaded, else in its canonical spelling (int_terms_resolved, as
-- fct_case_reaction's pt); repeats collapsed.
with

cases as (

    select * from {{ ref('int_cases_deduplicated') }}

),

indications as (

    select * from {{ ref('stg_faers__indi') }}

),

terms as (

    select * from {{ ref('int_terms_resolved') }}

),

indications_of_kept_reports as (

    select distinct
        cases.primary_id,
        cases.case_id,
        indications.drug_seq,
        terms.pt as indi_pt
    from indications
    inner join cases
        on indications.quarter = cases.quarter
        and indications.primary_id = cases.primary_id
    inner join terms
        on indications.indi_pt = terms.pt_published

)

select * from indications_of_kept_reports
