-- Business rule: no case named in a deleted-case list survives, in dim_case or in any fact. On an incremental
-- build, the rows of the cases faers_tested_case_ids lists (a case entering a deleted-case list is re-deduplicated).
with

deleted_cases as (

    select distinct case_id from {{ ref('stg_faers__deleted') }}

),

case_ids_in_marts as (

    select 'dim_case' as mart, case_id from {{ faers_tested_rows(ref('dim_case')) }}
    union all
    select distinct 'fct_case_drug' as mart, case_id from {{ faers_tested_rows(ref('fct_case_drug')) }}
    union all
    select distinct 'fct_case_reaction' as mart, case_id from {{ faers_tested_rows(ref('fct_case_reaction')) }}
    union all
    select distinct 'fct_case_outcome' as mart, case_id from {{ faers_tested_rows(ref('fct_case_outcome')) }}
    union all
    select distinct 'fct_case_indication' as mart, case_id from {{ faers_tested_rows(ref('fct_case_indication')) }}
    union all
    select distinct 'fct_case_therapy' as mart, case_id from {{ faers_tested_rows(ref('fct_case_therapy')) }}
    union all
    select distinct 'fct_case_report_source' as mart, case_id from {{ faers_tested_rows(ref('fct_case_report_source')) }}

),

surviving_deleted_cases as (

    select case_ids_in_marts.*
    from case_ids_in_marts
    semi join deleted_cases
        on case_ids_in_marts.case_id = deleted_cases.case_id

)

select * from surviving_deleted_cases
