{#- Step 4 (temp table study_subgroup_tests; needs study_cells, study_margins). For every in-scope PT of the
    study drug and every pair of strata of one variable (F vs M; non_serious vs serious; each pair of age groups):
    the ratio of the two strata's RORs with its 95% CI, exp(ln(ROR1/ROR2) +- z sqrt(1/a1+1/b1+1/c1+1/d1
    +1/a2+1/b2+1/c2+1/d2)) (Altman & Bland 2003), and its z statistic; `faers study` turns z into the
    two-sided p-value. Each stratum has its own 2x2 table; a PT reported for the drug in one stratum only
    has a = 0 in the other. When any of the eight cells is 0, every cell of both tables gets +0.5
    (Haldane-Anscombe), and ror_1, ror_2 are those corrected RORs. A stratum without any report of the
    drug is not tested. -#}
with

study_cells as (

    select * from {{ study_step('study_cells') }}

),

study_margins as (

    select * from {{ study_step('study_margins') }}

),

strata as (

    select distinct stratum_var, stratum, n
    from study_margins
    where stratum_var <> 'overall'

),

study_drug_cells as (

    select *
    from study_cells
    where drug = '{{ var("study_drug") | lower }}'
        and stratum_var not in ('overall', 'unadjusted')

),

study_drug_margins as (

    select distinct stratum_var, stratum, n_drug
    from study_drug_cells

),

event_margins as (

    select stratum_var, stratum, pt, n_event
    from study_margins
    where stratum_var <> 'overall'

),

tested_pts as (

    select distinct stratum_var, pt
    from study_drug_cells
    where {{ study_pt_in_scope('pt') }}

),

stratum_tables as (

    select
        strata.stratum_var,
        strata.stratum,
        tested_pts.pt,
        coalesce(study_drug_cells.a, 0) as a,
        study_drug_margins.n_drug - coalesce(study_drug_cells.a, 0) as b,
        coalesce(event_margins.n_event, 0) - coalesce(study_drug_cells.a, 0) as c,
        strata.n - study_drug_margins.n_drug - coalesce(event_margins.n_event, 0)
        + coalesce(study_drug_cells.a, 0) as d
    from tested_pts
    inner join strata
        on tested_pts.stratum_var = strata.stratum_var
    inner join study_drug_margins
        on strata.stratum_var = study_drug_margins.stratum_var
        and strata.stratum = study_drug_margins.stratum
    left join event_margins
        on strata.stratum_var = event_margins.stratum_var
        and strata.stratum = event_margins.stratum
        and tested_pts.pt = event_margins.pt
    left join study_drug_cells
        on strata.stratum_var = study_drug_cells.stratum_var
        and strata.stratum = study_drug_cells.stratum
        and tested_pts.pt = study_drug_cells.pt

),

strata_paired as (

    select
        first_stratum.stratum_var,
        first_stratum.stratum as stratum_1,
        second_stratum.stratum as stratum_2,
        first_stratum.pt,
        first_stratum.a as a1,
        first_stratum.b as b1,
        first_stratum.c as c1,
        first_stratum.d as d1,
        second_stratum.a as a2,
        second_stratum.b as b2,
        second_stratum.c as c2,
        second_stratum.d as d2,
        case
            when least(
                first_stratum.a, first_stratum.b, first_stratum.c, first_stratum.d,
                second_stratum.a, second_stratum.b, second_stratum.c, second_stratum.d
            ) = 0
                then 0.5
            else 0.0
        end as correction
    from stratum_tables as first_stratum
    inner join stratum_tables as second_stratum
        on first_stratum.stratum_var = second_stratum.stratum_var
        and first_stratum.pt = second_stratum.pt
        and first_stratum.stratum < second_stratum.stratum

),

log_rors as (

    select
        stratum_var,
        stratum_1,
        stratum_2,
        pt,
        ln(a1 + correction) + ln(d1 + correction) - ln(b1 + correction) - ln(c1 + correction) as log_ror_1,
        ln(a2 + correction) + ln(d2 + correction) - ln(b2 + correction) - ln(c2 + correction) as log_ror_2,
        sqrt(
            1.0 / (a1 + correction) + 1.0 / (b1 + correction)
            + 1.0 / (c1 + correction) + 1.0 / (d1 + correction)
            + 1.0 / (a2 + correction) + 1.0 / (b2 + correction)
            + 1.0 / (c2 + correction) + 1.0 / (d2 + correction)
        ) as se_log_ratio
    from strata_paired

),

ratios_computed as (

    select
        stratum_var,
        stratum_1,
        stratum_2,
        pt,
        exp(log_ror_1) as ror_1,
        exp(log_ror_2) as ror_2,
        exp(log_ror_1 - log_ror_2) as ror_ratio,
        exp(log_ror_1 - log_ror_2 - {{ var('z_975') }} * se_log_ratio) as ror_ratio_lower,
        exp(log_ror_1 - log_ror_2 + {{ var('z_975') }} * se_log_ratio) as ror_ratio_upper,
        (log_ror_1 - log_ror_2) / se_log_ratio as z
    from log_rors

)

select * from ratios_computed
