{#- Step 2c (temp table study_background; needs study_reports, study_events, study_margins): the cells of every
    drug and PT (a >= 1) in each population of the study, the whole one and each stratum of
    var('study_strata'): what each population's MGPS prior is fitted on (faers.study.stats.fit_stratum_priors,
    as the mgps_prior mart is on drug_event_cells). A prior describes the database, not the study drug: every
    drug is counted as the warehouse names it (var('drug_unit'), macro suspect_drug_rows, as in the signals
    mart), without the study's own name merge (var('study_drug_names'): that merge changes the study drug's
    cells, study_cells, not the background), so one background serves every study of the same population,
    whatever its drug (faers study caches the priors by the settings that decide them). Drugs and PTs are
    integer ids here (drug, pt): the fit needs only which cells share a drug or a PT. With an adjustment
    (vars expected_strata or background_exclude_drugs) the 'overall' rows are the adjusted cells (macro
    drug_event_cells_query) and the crude ones stratum_var 'unadjusted', as in study_cells. -#}
{%- set adjusted = var('expected_strata') or var('background_exclude_drugs') or not execute %}
with

-- the earlier steps' tables, read where each CTE below reads them (DuckDB would otherwise copy an imported CTE
-- with two readers: ~40M events on all of FAERS)
study_reports {{ faers_cte_as_not_materialized() }} (

    select * from {{ study_step('study_reports') }}

),

study_events {{ faers_cte_as_not_materialized() }} (

    select * from {{ study_step('study_events') }}

),

study_margins as (

    select * from {{ study_step('study_margins') }}

),

{%- if var('study_as_of') %}

case_drugs as (

    select * from {{ study_source('fct_case_drug') }}

),

suspect_rows as (

    {{ suspect_drug_rows([], case_drugs='case_drugs') }}

),
{%- else %}

-- the marts are the window: the drug rows as the signals mart reads them (an ingredient unit's rows come from
-- fct_case_drug_ingredient, no unnest)
suspect_rows as (

    {{ suspect_drug_rows() }}

),
{%- endif %}

report_drugs as (

    select distinct
        suspect_rows.primary_id,
        suspect_rows.drug
    from suspect_rows
    semi join study_reports
        on suspect_rows.primary_id = study_reports.primary_id

),

-- drugs and PTs numbered once, so the joins and groupings below work on integers
drug_ids as (

    {{ faers_value_ids('drug', 'report_drugs', 'drug_id') }}

),

-- the population's PTs, as study_margins lists them (its events of a report outside the population meet no drug row
-- below)
pt_ids as (

    {{ faers_value_ids('pt', 'study_margins', 'pt_id') }}

),

report_drug_ids as (

    select
        report_drugs.primary_id,
        drug_ids.drug_id
    from report_drugs
    inner join drug_ids
        on report_drugs.drug = drug_ids.drug

),

-- the population's drug rows with their report's strata: the (drug, PT) pairs below reach the population's
-- events from this side (an event of a report outside the population meets no row here), so the ~40M events
-- are read once, not filtered first and materialized for two readers
report_drug_strata as (

    select report_drug_ids.drug_id, study_reports.*
    from report_drug_ids
    inner join study_reports
        on report_drug_ids.primary_id = study_reports.primary_id

),

report_event_ids as (

    select
        study_events.primary_id,
        pt_ids.pt_id
    from study_events
    inner join pt_ids
        on study_events.pt = pt_ids.pt

),

event_margins as (

    select
        study_margins.stratum_var,
        study_margins.stratum,
        pt_ids.pt_id,
        study_margins.n_event,
        study_margins.n
    from study_margins
    inner join pt_ids
        on study_margins.pt = pt_ids.pt

),

drug_margins as (

    select *
    from (
        select
            {{ study_stratum_columns() | indent(12) }},
            drug_id,
            count(*) as n_drug
        from (
            select *
            from report_drug_strata
        )
        group by {{ study_strata_grouping_sets(['drug_id']) }}
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
            select report_event_ids.pt_id, report_drug_strata.*
            from report_event_ids
            inner join report_drug_strata
                on report_event_ids.primary_id = report_drug_strata.primary_id
        )
        group by {{ study_strata_grouping_sets(['drug_id', 'pt_id']) }}
    )
    where stratum is not null

),

-- the columns the fit reads (b, c and d are not stored)
cells_completed as (

    select stratum_var, stratum, drug, pt, a, n_drug, n_event, n, expected
    from (
        select
            drug_event_counts.stratum_var,
            drug_event_counts.stratum,
            drug_event_counts.drug_id as drug,
            drug_event_counts.pt_id as pt,
            {{ contingency_cells('drug_event_counts.a', 'drug_margins.n_drug', 'event_margins.n_event', 'event_margins.n') }}
        from drug_event_counts
        inner join drug_margins
            on drug_event_counts.stratum_var = drug_margins.stratum_var
            and drug_event_counts.stratum = drug_margins.stratum
            and drug_event_counts.drug_id = drug_margins.drug_id
        inner join event_margins
            on drug_event_counts.stratum_var = event_margins.stratum_var
            and drug_event_counts.stratum = event_margins.stratum
            and drug_event_counts.pt_id = event_margins.pt_id
    )

){% if adjusted %},

co_suspect_rows as (

    {{ suspect_drug_rows([], case_drugs=('case_drugs' if var('study_as_of') else none), roles=['PS', 'SS']) }}

),

report_co_suspects as (

    select distinct
        co_suspect_rows.primary_id,
        co_suspect_rows.drug
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

adjusted_ids as (

    select
        drug_ids.drug_id as drug,
        pt_ids.pt_id as pt,
        adjusted_overall.a,
        adjusted_overall.n_drug,
        adjusted_overall.n_event,
        adjusted_overall.n,
        adjusted_overall.expected
    from adjusted_overall
    inner join drug_ids
        on adjusted_overall.drug = drug_ids.drug
    inner join pt_ids
        on adjusted_overall.pt = pt_ids.pt

),

cells_adjusted as (

    {{ study_cells_with_adjusted_overall(
        'cells_completed', 'adjusted_ids', ['drug', 'pt', 'a', 'n_drug', 'n_event', 'n', 'expected']
    ) | indent(4) }}

)

select * from cells_adjusted
{%- else %}

select * from cells_completed
{%- endif %}
