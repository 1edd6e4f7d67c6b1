-- One row per (primary_id, pt) of the deduplicated reports. pt is the current MedDRA PT when the
-- licensed MedDRA is loaded (int_terms_resolved: LLTs, renamed PTs and case variants resolved through the
-- LLT table), else the canonical spelling; reported_term keeps what was reported (canonical spelling).
-- Terms resolving to one PT in a report are one row (reported_term: the first alphabetically, term_status
-- the best: current_pt < llt < unresolved). drug_rec_act: the distinct codes, sorted.
with

cases as (

    select * from {{ ref('int_cases_deduplicated') }}

),

reactions as (

    select * from {{ ref('stg_faers__reac') }}

),

terms as (

    select * from {{ ref('int_terms_resolved') }}

),

reactions_of_kept_reports as (

    select
        cases.primary_id,
        cases.case_id,
        terms.pt,
        terms.reported_term,
        terms.pt_code,
        terms.soc,
        terms.hlt_code,
        terms.hlgt_code,
        terms.term_status,
        reactions.drug_rec_act
    from reactions
    inner join cases
        on reactions.quarter = cases.quarter
        and reactions.primary_id = cases.primary_id
    inner join terms
        on reactions.pt = terms.pt_published

),

collapsed as (

    select
        primary_id,
        case_id,
        pt,
        min(reported_term) as reported_term,
        any_value(pt_code) as pt_code,
        any_value(soc) as soc,
        any_value(hlt_code) as hlt_code,
        any_value(hlgt_code) as hlgt_code,
        min(term_status) as term_status,
        nullif(array_to_string(list_sort(list_distinct(list(drug_rec_act))), ','), '') as drug_rec_act
    from reactions_of_kept_reports
    group by primary_id, case_id, pt

)

select * from collapsed
