{#- Step 2b (temp table study_cells; needs study_reports, study_events, study_margins): the 2x2 table of the
    study drug and each PT it has (a >= 1), in the whole study population (stratum_var 'overall', stratum
    'all') and within each stratum of var('study_strata') (sex F/M, age_group, seriousness serious/non_serious;
    a missing stratum value leaves the report out of that variable's strata only). The study drug is every
    report study_reports marked is_study_drug (any of its names, var('study_drug_names')), with drug =
    var('study_drug'); a = its reports with the PT, n_drug = its reports, n_event and n the population's
    (study_margins). Every other drug's cells, which only the priors need, are study_background's. -#}
{#- Adjusted signals (vars expected_strata or background_exclude_drugs, a study file's formula keys): the
    'overall' rows are the whole population's cells by the signals mart's own macro drug_event_cells_query
    (stratified E and the Mantel-Haenszel sums mh_*, or the masked background), and the crude overall rows
    are kept as stratum_var 'unadjusted' (own prior; the study's table adjustment_effect compares them).
    Subgroup strata keep the crude E. The parse renders the adjusted SQL whatever the vars (not execute), so
    that its refs are recorded and one parse compiles every study (faers.dbt.run_dbt parse_with_project_vars). -#}
{%- set adjusted = var('expected_strata') or var('background_exclude_drugs') or not execute %}
{%- set study_drug = var('study_drug') | lower %}
with

study_reports as (

    select * from {{ study_step('study_reports') }}

),

study_events as (

    select * from {{ study_step('study_events') }}

),

study_margins as (

    select * from {{ study_step('study_margins') }}

),

study_drug_reports as (

    select *
    from study_reports
    where is_study_drug

),

-- every population in one grouped pass (macro study_strata_grouping_sets): the whole one and each stratum
drug_margins as (

    select *
    from (
        select
            {{ study_stratum_columns() | indent(12) }},
            count(*) as n_drug
        from study_drug_reports
        group by {{ study_strata_grouping_sets([]) }}
    )
    where stratum is not null

),

-- study_events is one row per (primary_id, pt) (its grouping), so each report counts once per PT
drug_event_counts as (

    select *
    from (
        select
            {{ study_stratum_columns() | indent(12) }},
            pt,
            count(*) as a
        from (
            select study_events.pt, study_drug_reports.* exclude (primary_id)
            from study_events
            inner join study_drug_reports
                on study_events.primary_id = study_drug_reports.primary_id
            where study_events.pt is not null
        )
        group by {{ study_strata_grouping_sets(['pt']) }}
    )
    where stratum is not null

),

cells_completed as (

    select
        drug_event_counts.stratum_var,
        drug_event_counts.stratum,
        '{{ study_drug }}' as drug,
        drug_event_counts.pt,
        {{ contingency_cells('drug_event_counts.a', 'drug_margins.n_drug', 'study_margins.n_event', 'study_margins.n') }},
        null::double as mh_r,
        null::double as mh_s,
        null::double as mh_pr,
        null::double as mh_ps_qr,
        null::double as mh_qs
    from drug_event_counts
    inner join drug_margins
        on drug_event_counts.stratum_var = drug_margins.stratum_var
        and drug_event_counts.stratum = drug_margins.stratum
    inner join study_margins
        on drug_event_counts.stratum_var = study_margins.stratum_var
        and drug_event_counts.stratum = study_margins.stratum
        and drug_event_counts.pt = study_margins.pt

){% if adjusted %},

case_drugs as (

    select * from {{ study_source('fct_case_drug') }}

),

suspect_rows as (

    {{ suspect_drug_rows(['drug_name', 'prod_ai'], case_drugs='case_drugs') }}

),

-- the drugs of every report, the study drug's rows under its one name: a row can match the study drug only in a
-- report study_reports marked is_study_drug (the same suspect rows, matched there per product row), so the name
-- match runs on those reports' rows alone (CASE tests the second condition only where the first holds)
report_drugs as (

    select distinct
        suspect_rows.primary_id,
        case
            when study_reports.is_study_drug and {{ study_drug_match('suspect_rows') }}
                then '{{ study_drug }}'
            else suspect_rows.drug
        end as drug
    from suspect_rows
    inner join study_reports
        on suspect_rows.primary_id = study_reports.primary_id

),

co_suspect_rows as (

    {{ suspect_drug_rows(['drug_name', 'prod_ai'], case_drugs='case_drugs', roles=['PS', 'SS']) }}

),

report_co_suspects as (

    select distinct
        co_suspect_rows.primary_id,
        case
            when {{ study_drug_match('co_suspect_rows') }} then '{{ study_drug }}'
            else co_suspect_rows.drug
        end as drug
    from co_suspect_rows
    semi join study_reports
        on co_suspect_rows.primary_id = study_reports.primary_id

),

report_events as (

    {{ study_report_events() | indent(4) }}

),

adjusted_overall as (

    {{ drug_event_cells_query(
        'select primary_id, drug from report_drugs',
        'select primary_id, pt from report_events',
        'select primary_id, drug from report_co_suspects',
        study_source('dim_case')
    ) | indent(4) }}

),

cells_adjusted as (

    {{ study_cells_with_adjusted_overall(
        'cells_completed',
        "adjusted_overall where drug = '" ~ (study_drug | replace("'", "''")) ~ "'",
        ['drug', 'pt', 'a', 'b', 'c', 'd', 'n_drug', 'n_event', 'n', 'expected', 'mh_r', 'mh_s', 'mh_pr', 'mh_ps_qr',
         'mh_qs']
    ) | indent(4) }}

)

select * from cells_adjusted
{%- else %}

select * from cells_completed
{%- endif %}
