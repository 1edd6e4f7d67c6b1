-- explorer_signals holds exactly the rows of main.signals with the same statistics and flags (a copy sorted
-- for the explorer, never a recomputation): every (drug, pt) on both sides with equal values.
with

signals as (

    select drug, pt, a, b, c, d, expected, ror, ror_lower, prr, chi2, ic, ic025, ebgm, eb05, n_methods
    from {{ ref('signals') }}

),

explorer as (

    select drug, pt, a, b, c, d, expected, ror, ror_lower, prr, chi2, ic, ic025, ebgm, eb05, n_methods
    from {{ ref('explorer_signals') }}

),

only_in_signals as (

    select * from signals
    except all
    select * from explorer

),

only_in_explorer as (

    select * from explorer
    except all
    select * from signals

)

select 'missing from explorer_signals' as problem, * from only_in_signals
union all
select 'not in signals' as problem, * from only_in_explorer
