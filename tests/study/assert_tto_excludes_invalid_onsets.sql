-- No tto row may come from a partial date, an onset before the start, a role outside suspect_roles, or a
-- THER row of another drug_seq; and every eligible (report, drug) with a valid onset must be present. Per report:
-- on an incremental build, the reports of the cases faers_tested_case_ids lists (the others' rows are unchanged).
with

tto as (

    select * from {{ faers_tested_rows(ref('tto')) }}

),

cases as (

    select * from {{ faers_tested_rows(ref('dim_case')) }}

),

case_drugs as (

    select * from {{ faers_tested_rows(ref('fct_case_drug')) }}

),

case_therapies as (

    select * from {{ faers_tested_rows(ref('fct_case_therapy')) }}

),

eligible_onsets as (

    select
        case_drugs.primary_id,
        case_drugs.drug,
        min(case_therapies.start_dt) as earliest_start_dt
    from case_drugs
    inner join case_therapies
        on case_drugs.primary_id = case_therapies.primary_id
        and case_drugs.drug_seq = case_therapies.drug_seq
    inner join cases
        on case_drugs.primary_id = cases.primary_id
    where {{ faers_list_contains(faers_list_literal(var('suspect_roles')), 'case_drugs.role_cod') }}
        and case_drugs.drug is not null
        and case_therapies.start_dt_precision = 'day'
        and cases.event_dt_precision = 'day'
        and case_therapies.start_dt <= cases.event_dt
    group by case_drugs.primary_id, case_drugs.drug

),

missing_from_tto as (

    select eligible_onsets.primary_id, eligible_onsets.drug, 'eligible onset missing' as problem
    from eligible_onsets
    anti join tto
        on eligible_onsets.primary_id = tto.primary_id
        and eligible_onsets.drug = tto.drug

),

not_eligible_or_not_earliest as (

    select tto.primary_id, tto.drug, 'not eligible, or not the earliest start' as problem
    from tto
    left join eligible_onsets
        on tto.primary_id = eligible_onsets.primary_id
        and tto.drug = eligible_onsets.drug
    where eligible_onsets.earliest_start_dt is distinct from tto.start_dt

)

select * from missing_from_tto
union all
select * from not_eligible_or_not_earliest
