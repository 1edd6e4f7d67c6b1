{#- Step 5 (temp table study_seriousness; needs study_reports): the reference study's Table 5. Per in-scope
    PT of the study drug, the reports by seriousness (dim_case.is_serious), overall and by sex; `faers
    study` adds the test of sex x seriousness (chi-square, or Fisher's exact test when an expected count
    is below 5). -#}
with

study_reports as (

    select * from {{ study_step('study_reports') }}

),

study_events as (

    select * from {{ study_step('study_events') }}

),

study_drug_reactions as (

    select
        study_events.pt,
        study_reports.seriousness,
        study_reports.sex
    from study_events
    inner join study_reports
        on study_events.primary_id = study_reports.primary_id
    where study_reports.is_study_drug
        and {{ study_pt_in_scope('study_events.pt') }}

),

counts_by_seriousness as (

    select
        pt,
        count(*) filter (where seriousness = 'serious') as serious,
        count(*) filter (where seriousness = 'non_serious') as non_serious,
        count(*) filter (where seriousness = 'serious' and sex = 'F') as serious_female,
        count(*) filter (where seriousness = 'non_serious' and sex = 'F') as non_serious_female,
        count(*) filter (where seriousness = 'serious' and sex = 'M') as serious_male,
        count(*) filter (where seriousness = 'non_serious' and sex = 'M') as non_serious_male
    from study_drug_reactions
    group by pt

)

select * from counts_by_seriousness
