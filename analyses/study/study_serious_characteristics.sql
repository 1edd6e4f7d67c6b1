{#- Step (temp table study_serious_characteristics; needs study_reports): the reference study's Table 5,
    the study drug's serious and non-serious reports side by side. Categorical variables (sex, age_group,
    weight_band, reporter type, reporter_country: the top var('study_top_countries') countries, the
    rest 'other'): per level the reports and percent of the group's reports where the variable is known,
    and per variable Pearson's chi-square statistic of the levels x seriousness table with its degrees of
    freedom and smallest expected count. Continuous variables (age_years, weight_kg): per group the
    count, median and quartiles, and the Mann-Whitney U of the serious group with its normal z (ties
    corrected, continuity corrected). `faers study` turns statistic and z into p-values (chi-square
    distribution, Fisher's exact test for a 2x2 table with an expected count below 5, normal); the test
    is named in column test: chi2, fisher or mann_whitney. -#}
with

study_reports as (

    select * from {{ study_step('study_reports') }}

),

cases as (

    select * from {{ study_source('dim_case') }}

),

drug_reports as (

    select
        study_reports.primary_id,
        study_reports.seriousness,
        study_reports.sex,
        study_reports.age_group,
        study_reports.reporter,
        {{ study_weight_band('cases.weight_kg') }} as weight_band,
        {{ study_reporter_country('cases.reporter_country') }} as reporter_country,
        cases.age_years,
        cases.weight_kg
    from study_reports
    inner join cases
        on study_reports.primary_id = cases.primary_id
    where study_reports.is_study_drug
        and study_reports.seriousness is not null

),

top_countries as (

    select reporter_country
    from drug_reports
    where reporter_country is not null
    group by reporter_country
    order by count(*) desc, reporter_country
    limit {{ var('study_top_countries') }}

),

categorical_long as (

    unpivot (
        select
            drug_reports.seriousness,
            drug_reports.sex,
            drug_reports.age_group,
            drug_reports.weight_band,
            drug_reports.reporter,
            case
                when drug_reports.reporter_country is null then null
                when top_countries.reporter_country is not null then drug_reports.reporter_country
                else 'other'
            end as reporter_country
        from drug_reports
        left join top_countries
            on drug_reports.reporter_country = top_countries.reporter_country
    )
    on sex, age_group, weight_band, reporter, reporter_country
    into name variable value level

),

level_counts as (

    select
        variable,
        level,
        count(*) filter (where seriousness = 'serious') as serious_n,
        count(*) filter (where seriousness = 'non_serious') as non_serious_n
    from categorical_long
    where level is not null
    group by variable, level

),

level_expected as (

    select
        *,
        sum(serious_n) over (partition by variable) as serious_total,
        sum(non_serious_n) over (partition by variable) as non_serious_total,
        (serious_n + non_serious_n)::double * sum(serious_n) over (partition by variable)
        / sum(serious_n + non_serious_n) over (partition by variable) as serious_expected,
        (serious_n + non_serious_n)::double * sum(non_serious_n) over (partition by variable)
        / sum(serious_n + non_serious_n) over (partition by variable) as non_serious_expected
    from level_counts

),

chi2_per_variable as (

    select
        variable,
        -- a fixed-point sum: a plain sum of doubles depends on the order the plan gives the levels in (each term
        -- is at most the variable's report count, so the total stays far below the macro's bound)
        {{ faers_fixed_point_sum(
            '(serious_n - serious_expected) ^ 2 / nullif(serious_expected, 0)
            + (non_serious_n - non_serious_expected) ^ 2 / nullif(non_serious_expected, 0)'
        ) }} as statistic,
        count(*) - 1 as df,
        min(least(serious_expected, non_serious_expected)) as min_expected
    from level_expected
    group by variable

),

categorical_rows as (

    select
        level_expected.variable,
        level_expected.level,
        level_expected.serious_n,
        100.0 * level_expected.serious_n / nullif(level_expected.serious_total, 0) as serious_percent,
        level_expected.non_serious_n,
        100.0 * level_expected.non_serious_n / nullif(level_expected.non_serious_total, 0) as non_serious_percent,
        null::double as serious_median,
        null::double as serious_q1,
        null::double as serious_q3,
        null::double as non_serious_median,
        null::double as non_serious_q1,
        null::double as non_serious_q3,
        case when chi2_per_variable.df >= 1 then 'chi2' end as test,
        chi2_per_variable.statistic,
        chi2_per_variable.df,
        chi2_per_variable.min_expected,
        null::double as z
    from level_expected
    inner join chi2_per_variable
        on level_expected.variable = chi2_per_variable.variable

),

continuous_long as (

    unpivot (select seriousness, age_years, weight_kg from drug_reports)
    on age_years, weight_kg
    into name variable value value

),

continuous_ranked as (

    select
        variable,
        seriousness,
        value,
        rank() over (partition by variable order by value)
        + (count(*) over (partition by variable, value) - 1) / 2.0 as mid_rank,
        count(*) over (partition by variable, value) as ties
    from continuous_long
    where value is not null

),

mann_whitney as (

    select
        variable,
        count(*) filter (where seriousness = 'serious') as n1,
        count(*) filter (where seriousness = 'non_serious') as n2,
        sum(mid_rank) filter (where seriousness = 'serious') as rank_sum_1,
        -- sum over tie groups of (t^3 - t), counted once per group: each of its t rows adds (t^2 - 1)
        sum(ties::double * ties - 1) as tie_term
    from continuous_ranked
    group by variable

),

mann_whitney_z as (

    select
        variable,
        n1,
        n2,
        rank_sum_1 - n1 * (n1 + 1) / 2.0 as u,
        n1 * n2 / 2.0 as mu,
        sqrt(
            n1::double * n2 / 12.0
            * ((n1 + n2 + 1) - tie_term / nullif((n1 + n2)::double * (n1 + n2 - 1), 0))
        ) as sigma
    from mann_whitney

),

continuous_summary as (

    select
        variable,
        count(*) filter (where seriousness = 'serious') as serious_n,
        count(*) filter (where seriousness = 'non_serious') as non_serious_n,
        quantile_cont(value, 0.5) filter (where seriousness = 'serious') as serious_median,
        quantile_cont(value, 0.25) filter (where seriousness = 'serious') as serious_q1,
        quantile_cont(value, 0.75) filter (where seriousness = 'serious') as serious_q3,
        quantile_cont(value, 0.5) filter (where seriousness = 'non_serious') as non_serious_median,
        quantile_cont(value, 0.25) filter (where seriousness = 'non_serious') as non_serious_q1,
        quantile_cont(value, 0.75) filter (where seriousness = 'non_serious') as non_serious_q3
    from continuous_long
    where value is not null
    group by variable

),

continuous_rows as (

    select
        continuous_summary.variable,
        'median [Q1, Q3]' as level,
        continuous_summary.serious_n,
        null::double as serious_percent,
        continuous_summary.non_serious_n,
        null::double as non_serious_percent,
        continuous_summary.serious_median,
        continuous_summary.serious_q1,
        continuous_summary.serious_q3,
        continuous_summary.non_serious_median,
        continuous_summary.non_serious_q1,
        continuous_summary.non_serious_q3,
        case when mann_whitney_z.sigma > 0 then 'mann_whitney' end as test,
        mann_whitney_z.u as statistic,
        null::bigint as df,
        null::double as min_expected,
        (abs(mann_whitney_z.u - mann_whitney_z.mu) - 0.5) / nullif(mann_whitney_z.sigma, 0) as z
    from continuous_summary
    inner join mann_whitney_z
        on continuous_summary.variable = mann_whitney_z.variable

)

select * from categorical_rows
union all
select * from continuous_rows
