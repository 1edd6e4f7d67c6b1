-- Business rule: after deduplication a case appears once. Returns every case_id of dim_case that
-- has more than one row, or a row without a case_id (on an incremental build, of the cases faers_tested_case_ids
-- lists: a case's rows are all rewritten or all untouched).
with

cases as (

    select * from {{ faers_tested_rows(ref('dim_case')) }}

),

repeated_or_missing as (

    select
        case_id,
        count(*) as n_rows
    from cases
    group by case_id
    having count(*) > 1 or case_id is null

)

select * from repeated_or_missing
