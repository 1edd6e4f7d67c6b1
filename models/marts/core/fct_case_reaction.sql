-- One row per (primary_id, pt) of the deduplicated reports, pt in its canonical spelling; a term
-- reported twice (or in two spellings) is one row. drug_rec_act: the distinct codes, sorted.
with

cases as (

    select * from {{ ref('int_cases_deduplicated') }}

),

reactions as (

    select * from {{ ref('stg_faers__reac') }}

),

terms as (

    select * from {{ ref('int_terms_canonical') }}

),

reactions_of_kept_reports as (

    select
        cases.primary_id,
        cases.case_id,
        terms.pt_canonical as pt,
        reactions.drug_rec_act
    from reactions
    inner join cases
        on reactions.quarter = cases.quarter
        and reactions.primary_id = cases.primary_id
    inner join terms
        on reactions.pt = terms.pt

),

collapsed as (

    select
        primary_id,
        case_id,
        pt,
        nullif(array_to_string(list_sort(list_distinct(list(drug_rec_act))), ','), '') as drug_rec_act
    from reactions_of_kept_reports
    group by primary_id, case_id, pt

)

select * from collapsed
