{#- Step 2 (temp table study_cells): the 2x2 table of every (drug, PT) with a >= 1, in the whole study
    population (stratum_var 'overall', stratum 'all') and within each stratum of var('study_strata')
    (sex F/M, age_group, seriousness serious/non_serious; a missing stratum value leaves the report out
    of that variable's strata only). Every drug is counted, not just the study drug: each stratum's MGPS
    prior is fitted on all of its cells. The study drug's rows (any of its names) have drug =
    var('study_drug'). a, b, c, d count reports. What "a drug" is follows var('drug_unit') (macro
    suspect_drug_rows), as in the signals mart. How (benchmarks/faers_scale.py, 37M cells on all of FAERS): drugs
    and PTs are numbered once and grouped and joined as integers, names joined back at the end; a stratum's size
    meets its drug margins, not every cell. -#}
{#- Adjusted signals (vars expected_strata or background_exclude_drugs, a study file's formula keys): the
    'overall' rows are the whole population's cells by the signals mart's own macro drug_event_cells_query
    (stratified E and the Mantel-Haenszel sums mh_*, or the masked background), and the crude overall rows
    are kept as stratum_var 'unadjusted' (own prior; the study's table adjustment_effect compares them).
    Subgroup strata keep the crude E. The parse renders the adjusted SQL whatever the vars (not execute), so
    that its refs are recorded and one parse compiles every study (faers.dbt.run_dbt parse_with_project_vars). -#}
{%- set adjusted = var('expected_strata') or var('background_exclude_drugs') or not execute %}
with

study_reports as (

    select * from {{ study_step('study_reports') }}

),

case_drugs as (

    select * from {{ study_source('fct_case_drug') }}

),

study_events as (

    select * from {{ study_step('study_events') }}

),

suspect_rows as (

    {{ suspect_drug_rows(['drug_name', 'prod_ai'], case_drugs='case_drugs') }}

),

-- a row can match the study drug only in a report study_reports marked is_study_drug (the same suspect rows, matched
-- there per product row: an ingredient that matches is in its row's list): the name match (the costly part, 14M
-- rows on all of FAERS) runs on those reports' rows alone (CASE tests the second condition only where the first
-- holds), and a row that does not match keeps its drug either way
report_drugs as (

    select distinct
        suspect_rows.primary_id,
        case
            when study_reports.is_study_drug and {{ study_drug_match('suspect_rows') }}
                then '{{ var("study_drug") | lower }}'
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
            when {{ study_drug_match('co_suspect_rows') }} then '{{ var("study_drug") | lower }}'
            else co_suspect_rows.drug
        end as drug
    from co_suspect_rows
    semi join study_reports
        on co_suspect_rows.primary_id = study_reports.primary_id

),

-- study_events is one row per (primary_id, pt) (its grouping), so no distinct here
report_events as (

    select
        study_events.primary_id,
        study_events.pt
    from study_events
    semi join study_reports
        on study_events.primary_id = study_reports.primary_id
    where study_events.pt is not null

),

-- drugs and PTs numbered once, so the joins and groupings below work on integers; names return at the end
drug_ids as (

    {{ faers_value_ids('drug', 'report_drugs', 'drug_id') }}

),

pt_ids as (

    {{ faers_value_ids('pt', 'report_events', 'pt_id') }}

),

report_drug_ids as (

    select
        report_drugs.primary_id,
        drug_ids.drug_id
    from report_drugs
    inner join drug_ids
        on report_drugs.drug = drug_ids.drug

),

report_event_ids as (

    select
        report_events.primary_id,
        pt_ids.pt_id
    from report_events
    inner join pt_ids
        on report_events.pt = pt_ids.pt

),

-- every population in one grouped pass (macro study_strata_grouping_sets): the whole one and each stratum
stratum_sizes as (

    select *
    from (
        select
            {{ study_stratum_columns() | indent(12) }},
            count(*) as n
        from study_reports
        group by {{ study_strata_grouping_sets([]) }}
    )
    where stratum is not null

),

drug_margins as (

    select *
    from (
        select
            {{ study_stratum_columns() | indent(12) }},
            drug_id,
            count(*) as n_drug
        from (
            select report_drug_ids.drug_id, study_reports.*
            from report_drug_ids
            inner join study_reports
                on report_drug_ids.primary_id = study_reports.primary_id
        )
        group by {{ study_strata_grouping_sets(['drug_id']) }}
    )
    where stratum is not null

),

event_margins as (

    select *
    from (
        select
            {{ study_stratum_columns() | indent(12) }},
            pt_id,
            count(*) as n_event
        from (
            select report_event_ids.pt_id, study_reports.*
            from report_event_ids
            inner join study_reports
                on report_event_ids.primary_id = study_reports.primary_id
        )
        group by {{ study_strata_grouping_sets(['pt_id']) }}
    )
    where stratum is not null

),

drug_event_counts as (

    select *
    from (
        select
            {{ study_stratum_columns() | indent(12) }},
            drug_id,
            pt_id,
            count(*) as a
        from (
            select report_drug_ids.drug_id, report_event_ids.pt_id, study_reports.*
            from report_drug_ids
            inner join report_event_ids
                on report_drug_ids.primary_id = report_event_ids.primary_id
            inner join study_reports
                on report_drug_ids.primary_id = study_reports.primary_id
        )
        group by {{ study_strata_grouping_sets(['drug_id', 'pt_id']) }}
    )
    where stratum is not null

),

-- each stratum's size joined to its drug margins (tens of thousands of rows), not to each of the cells
drug_margins_sized {{ faers_cte_as_materialized() }} (

    select
        drug_margins.*,
        stratum_sizes.n
    from drug_margins
    inner join stratum_sizes
        on drug_margins.stratum_var = stratum_sizes.stratum_var
        and drug_margins.stratum = stratum_sizes.stratum

),

cells_completed as (

    select
        drug_event_counts.stratum_var,
        drug_event_counts.stratum,
        drug_ids.drug,
        pt_ids.pt,
        {{ contingency_cells('drug_event_counts.a', 'drug_margins_sized.n_drug', 'event_margins.n_event', 'drug_margins_sized.n') }},
        null::double as mh_r,
        null::double as mh_s,
        null::double as mh_pr,
        null::double as mh_ps_qr,
        null::double as mh_qs
    from drug_event_counts
    inner join drug_margins_sized
        on drug_event_counts.stratum_var = drug_margins_sized.stratum_var
        and drug_event_counts.stratum = drug_margins_sized.stratum
        and drug_event_counts.drug_id = drug_margins_sized.drug_id
    inner join event_margins
        on drug_event_counts.stratum_var = event_margins.stratum_var
        and drug_event_counts.stratum = event_margins.stratum
        and drug_event_counts.pt_id = event_margins.pt_id
    inner join drug_ids
        on drug_event_counts.drug_id = drug_ids.drug_id
    inner join pt_ids
        on drug_event_counts.pt_id = pt_ids.pt_id

){% if adjusted %},

adjusted_overall as (

    {{ drug_event_cells_query(
        'select primary_id, drug from report_drugs',
        'select primary_id, pt from report_events',
        'select primary_id, drug from report_co_suspects',
        study_source('dim_case')
    ) | indent(4) }}

),

cells_adjusted as (

    select * replace (case when stratum_var = 'overall' then 'unadjusted' else stratum_var end as stratum_var)
    from cells_completed
    union all
    select
        'overall' as stratum_var,
        'all' as stratum,
        drug,
        pt,
        a,
        b,
        c,
        d,
        n_drug,
        n_event,
        n,
        expected,
        mh_r,
        mh_s,
        mh_pr,
        mh_ps_qr,
        mh_qs
    from adjusted_overall

)

select * from cells_adjusted
{%- else %}

select * from cells_completed
{%- endif %}
