{#- Step 5 (temp table study_subgroup_tests; needs study_signals). For every in-scope PT and every pair of
    strata of one variable (F vs M; serious vs non_serious; each pair of age groups), the ratio of the two
    RORs with its 95% CI, ln(ROR1/ROR2) +- z sqrt(1/a1+1/b1+1/c1+1/d1+1/a2+1/b2+1/c2+1/d2) (Altman & Bland
    2003), and its z statistic; `faers study` turns z into the two-sided p-value. A PT needs a >= 1 in
    both strata to be paired; a pair with an empty cell (b, c or d = 0) has NULL statistics. -#}
with

study_signals as (

    select * from {{ study_step('study_signals') }}

),

stratum_signals as (

    select *
    from study_signals
    where stratum_var != 'overall'
        and in_scope

),

strata_paired as (

    select
        first_stratum.stratum_var,
        first_stratum.stratum as stratum_1,
        second_stratum.stratum as stratum_2,
        first_stratum.pt,
        first_stratum.ror as ror_1,
        second_stratum.ror as ror_2,
        case
            when least(
                first_stratum.a, first_stratum.b, first_stratum.c, first_stratum.d,
                second_stratum.a, second_stratum.b, second_stratum.c, second_stratum.d
            ) > 0
                then sqrt(
                    1.0 / first_stratum.a + 1.0 / first_stratum.b
                    + 1.0 / first_stratum.c + 1.0 / first_stratum.d
                    + 1.0 / second_stratum.a + 1.0 / second_stratum.b
                    + 1.0 / second_stratum.c + 1.0 / second_stratum.d
                )
        end as se_log_ratio,
    from stratum_signals as first_stratum
    inner join stratum_signals as second_stratum
        on first_stratum.stratum_var = second_stratum.stratum_var
        and first_stratum.pt = second_stratum.pt
        and first_stratum.stratum < second_stratum.stratum

),

ratios_computed as (

    select
        stratum_var,
        stratum_1,
        stratum_2,
        pt,
        ror_1,
        ror_2,
        case when se_log_ratio is not null then ror_1 / ror_2 end as ror_ratio,
        case
            when se_log_ratio is not null
                then exp(ln(ror_1 / ror_2) - {{ var('z_975', 1.959963984540054) }} * se_log_ratio)
        end as ror_ratio_lower,
        case
            when se_log_ratio is not null
                then exp(ln(ror_1 / ror_2) + {{ var('z_975', 1.959963984540054) }} * se_log_ratio)
        end as ror_ratio_upper,
        case when se_log_ratio is not null then ln(ror_1 / ror_2) / se_log_ratio end as z,
    from strata_paired

)

select * from ratios_computed
