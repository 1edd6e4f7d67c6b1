-- The tto grain: one row per (report, drug), tto_days >= 0 and consistent with its two dates and its bin. On an
-- incremental build, the rows of the cases faers_tested_case_ids lists and every row sharing their grain.
with

tto as (

    select * from {{ faers_tested_rows(ref('tto'), 'unique', ['primary_id', 'drug']) }}

),

duplicated_grain as (

    select primary_id, drug, 'duplicate (primary_id, drug)' as problem
    from tto
    group by primary_id, drug
    having count(*) > 1

),

inconsistent_rows as (

    select primary_id, drug, 'tto_days or tto_bin inconsistent' as problem
    from tto
    where tto_days < 0
        or tto_days != {{ faers_days_between('start_dt', 'event_dt') }}
        or tto_bin is distinct from {{ tto_bin('tto_days') }}

)

select * from duplicated_grain
union all
select * from inconsistent_rows
