-- explorer_case_versions keeps exactly the reports of dim_case: one kept row per kept case, every other
-- row of the case says why not, and a kept row's reason says 'kept'.
with

versions as (

    select * from {{ ref('explorer_case_versions') }}

),

kept as (

    select case_id, primary_id, count(*) over (partition by case_id) as n_kept
    from versions
    where is_kept

),

cases as (

    select * from {{ ref('dim_case') }}

)

select 'kept row not in dim_case or repeated' as problem, kept.case_id
from kept
left join cases
    on kept.case_id = cases.case_id
    and kept.primary_id = cases.primary_id
where cases.primary_id is null or kept.n_kept > 1
union all
select 'dim_case case without a kept row' as problem, cases.case_id
from cases
anti join kept
    on cases.case_id = kept.case_id
union all
select 'reason contradicts is_kept' as problem, versions.case_id
from versions
where versions.is_kept != starts_with(versions.reason, 'kept')
