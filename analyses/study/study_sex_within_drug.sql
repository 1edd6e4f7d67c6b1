{#- Step (temp table study_sex_within_drug; needs study_reports, study_events): the forest plot's
    within-drug sex comparison. For each in-scope PT of the study drug, among the drug's reports of known
    sex: female reports with / without the PT (a, b) against male reports with / without it (c, d), the
    ROR of women vs men ad/(bc) with its Woolf 95% interval (macros ror, ror_lower, ror_upper; when a
    cell is 0 every cell gets +0.5, Haldane-Anscombe, as in study_subgroup_tests, column correction);
    `faers study` adds the test (on the uncorrected counts) and its p-value
    (chi-square, or Fisher's exact test when an expected count is below 5). It stands beside the ratio
    of RORs of study_subgroup_tests, which compares each sex's ROR against the other drugs. -#}
with

study_reports as (

    select * from {{ study_step('study_reports') }}

),

study_events as (

    select * from {{ study_step('study_events') }}

),

drug_reports_by_sex as (

    select primary_id, sex
    from study_reports
    where is_study_drug
        and sex in ('F', 'M')

),

sex_totals as (

    select
        count(*) filter (where sex = 'F') as n_female,
        count(*) filter (where sex = 'M') as n_male
    from drug_reports_by_sex

),

pt_counts as (

    select
        study_events.pt,
        count(*) filter (where drug_reports_by_sex.sex = 'F') as female_with_pt,
        count(*) filter (where drug_reports_by_sex.sex = 'M') as male_with_pt
    from study_events
    inner join drug_reports_by_sex
        on study_events.primary_id = drug_reports_by_sex.primary_id
    where {{ study_pt_in_scope('study_events.pt') }}
    group by study_events.pt

),

sex_tables as (

    select
        pt_counts.pt,
        pt_counts.female_with_pt,
        sex_totals.n_female - pt_counts.female_with_pt as female_without_pt,
        pt_counts.male_with_pt,
        sex_totals.n_male - pt_counts.male_with_pt as male_without_pt
    from pt_counts
    cross join sex_totals

),

cells_corrected as (

    select
        *,
        case
            when least(female_with_pt, female_without_pt, male_with_pt, male_without_pt) = 0 then 0.5
            else 0.0
        end as correction
    from sex_tables

),

ror_computed as (

    select
        pt,
        female_with_pt,
        female_without_pt,
        male_with_pt,
        male_without_pt,
        correction,
        {%- set cells = ['female_with_pt + correction', 'female_without_pt + correction',
                         'male_with_pt + correction', 'male_without_pt + correction'] %}
        {{ ror(*cells) }} as ror_female_vs_male,
        {{ ror_lower(*cells) }} as ror_female_vs_male_lower,
        {{ ror_upper(*cells) }} as ror_female_vs_male_upper
    from cells_corrected

)

select * from ror_computed
