{#- Step 2a (temp table study_margins; needs study_reports, study_events): the margins every drug's 2x2 table
    shares in each population of the study, the whole one (stratum_var 'overall', stratum 'all') and each
    stratum of var('study_strata'): n, the reports of the population, and per PT n_event, the reports with
    it. One row per (stratum_var, stratum, pt). A report without the stratum's value (e.g. sex unknown) is
    in none of that variable's strata. study_cells (the study drug's tables), study_background (every
    drug's, for the priors) and study_subgroup_tests read them. -#}
with

-- the earlier steps' tables, read where each CTE below reads them (DuckDB would otherwise copy an imported CTE
-- with two readers: ~40M events on all of FAERS)
study_reports {{ faers_cte_as_not_materialized() }} (

    select * from {{ study_step('study_reports') }}

),

study_events {{ faers_cte_as_not_materialized() }} (

    select * from {{ study_step('study_events') }}

),

-- the events of the population's reports, with their strata
report_events as (

    {{ study_report_events(columns=var('study_strata')) | indent(4) }}

),

-- PTs numbered once, so the grouping below works on integers; names return at the end. Numbered from
-- study_events itself (a PT of reports outside the population gets an id no event below carries): numbering
-- report_events' PTs would make DuckDB materialize those ~40M pairs for two readers on all of FAERS
study_pts as (

    select pt
    from study_events
    where pt is not null

),

pt_ids as (

    {{ faers_value_ids('pt', 'study_pts', 'pt_id') }}

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

event_margins as (

    select *
    from (
        select
            {{ study_stratum_columns() | indent(12) }},
            pt_id,
            count(*) as n_event
        from (
            select pt_ids.pt_id, report_events.*
            from report_events
            inner join pt_ids
                on report_events.pt = pt_ids.pt
        )
        group by {{ study_strata_grouping_sets(['pt_id']) }}
    )
    where stratum is not null

),

margins_named as (

    select
        event_margins.stratum_var,
        event_margins.stratum,
        pt_ids.pt,
        event_margins.n_event,
        stratum_sizes.n
    from event_margins
    inner join stratum_sizes
        on event_margins.stratum_var = stratum_sizes.stratum_var
        and event_margins.stratum = stratum_sizes.stratum
    inner join pt_ids
        on event_margins.pt_id = pt_ids.pt_id

)

select * from margins_named
