-- A zero b, c or d makes some statistics undefined: they must be NULL, never inf/NaN or an error,
-- and the flags must stay false/0 rather than NULL. Returns the rows (and the check) that break
-- this.
with

tables as (

    select * from (
        values
            ('b is zero', 3, 0, 5, 100, 1.0),
            ('c is zero', 3, 5, 0, 100, 1.0),
            ('d is zero', 3, 5, 4, 0, 1.0),
            ('b and c are zero', 3, 0, 0, 100, 0.1)
    ) as cells (label, a, b, c, d, expected)

),

priors as (

    select
        4.34517277063726 as alpha1,
        5.06144832983206 as beta1,
        0.0172037774096705 as alpha2,
        0.0581314932419083 as beta2,
        0.889136856024814 as p

),

statistics as (

    select
        tables.label,
        {{ signal_columns(
            prior=['priors.alpha1', 'priors.beta1', 'priors.alpha2', 'priors.beta2', 'priors.p']
        ) }}
    from tables
    cross join priors

),

violations as (

    select
        label,
        'an undefined statistic is not NULL' as problem
    from statistics
    where (
        label in ('b is zero', 'c is zero', 'b and c are zero')
        and (ror is not null or ror_lower is not null)
    )
        or (
            label in ('c is zero', 'b and c are zero')
            and (prr is not null or prr_upper is not null)
        )
        or (label = 'd is zero' and (ror != 0 or ror_lower is not null or ror_upper is not null))

    union all

    select
        label,
        'a defined statistic is NULL or not finite' as problem
    from statistics
    where not coalesce(
        {{ faers_isfinite('ic') }} and {{ faers_isfinite('ic025') }} and {{ faers_isfinite('ebgm') }} and {{ faers_isfinite('eb05') }},
        false
    )
        or (label = 'b is zero' and not coalesce({{ faers_isfinite('prr') }} and {{ faers_isfinite('prr_lower') }}, false))
        or (label != 'b and c are zero' and not coalesce({{ faers_isfinite('chi2') }}, false))

    union all

    select
        label,
        'a flag is NULL' as problem
    from statistics
    where ror_signal is null or prr_signal is null or ic_signal is null or ebgm_signal is null
        or n_methods is null

)

select * from violations
