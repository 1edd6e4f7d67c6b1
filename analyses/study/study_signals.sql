{#- Step 3 (temp table study_signals; needs study_cells and study_priors, the MGPS prior of each stratum
    that `faers study` fits with faers.mgps.fit_from_relation, as the mgps_prior mart does). The four methods
    for the study drug and every PT, overall and per stratum, through macro signal_columns: the signals
    mart's own formulas, thresholds and variants (the study file sets those vars). A stratum whose prior
    is not usable has NULL ebgm, eb05, eb95 (and no MGPS signal), as in the signals mart.
    Indication bias: n_as_indication counts the study drug's reports with the PT that also give it as the
    drug's indication (study_indications, case-insensitive); indication_bias is true when there is one:
    the drug was given for the event, so its disproportionality may reflect the indication. -#}
with

study_cells as (

    select * from {{ study_step('study_cells') }}

),

study_priors as (

    select * from {{ study_step('study_priors') }}

),

study_reports as (

    select * from {{ study_step('study_reports') }}

),

study_events as (

    select * from {{ study_step('study_events') }}

),

study_indications as (

    select * from {{ study_step('study_indications') }}

),

events_as_indication as (

    select
        lower(study_events.pt) as pt_key,
        count(distinct study_events.primary_id) as n_as_indication
    from study_events
    inner join study_reports
        on study_events.primary_id = study_reports.primary_id
    inner join study_indications
        on study_events.primary_id = study_indications.primary_id
        and lower(study_events.pt) = lower(study_indications.indi_pt)
    where study_reports.is_study_drug
    group by lower(study_events.pt)

),

study_drug_cells_with_prior as (

    select
        study_cells.stratum_var,
        study_cells.stratum,
        study_cells.pt,
        study_cells.a,
        study_cells.b,
        study_cells.c,
        study_cells.d,
        study_cells.expected,
        study_cells.mh_r,
        study_cells.mh_s,
        study_cells.mh_pr,
        study_cells.mh_ps_qr,
        study_cells.mh_qs,
        study_priors.alpha1 as prior_alpha1,
        study_priors.beta1 as prior_beta1,
        study_priors.alpha2 as prior_alpha2,
        study_priors.beta2 as prior_beta2,
        study_priors.p as prior_p
    from study_cells
    inner join study_priors
        on study_cells.stratum_var = study_priors.stratum_var
        and study_cells.stratum = study_priors.stratum
    where study_cells.drug = '{{ var("study_drug") | lower }}'

),

statistics_computed as (

    select
        stratum_var,
        stratum,
        pt,
        a,
        b,
        c,
        d,
        expected,
        {{ signal_columns(
            prior=['prior_alpha1', 'prior_beta1', 'prior_alpha2', 'prior_beta2', 'prior_p']
        ) }},
        {{ ror_mh('mh_r', 'mh_s') }} as ror_mh,
        {{ ror_mh_lower('mh_r', 'mh_s', 'mh_pr', 'mh_ps_qr', 'mh_qs') }} as ror_mh_lower,
        {{ ror_mh_upper('mh_r', 'mh_s', 'mh_pr', 'mh_ps_qr', 'mh_qs') }} as ror_mh_upper
    from study_drug_cells_with_prior

),

signals_classified as (

    select
        statistics_computed.*,
        statistics_computed.n_methods = 4 as positive_all,
        {{ study_pt_in_scope('statistics_computed.pt') }} as in_scope,
        coalesce(events_as_indication.n_as_indication, 0) as n_as_indication,
        coalesce(events_as_indication.n_as_indication, 0) > 0 as indication_bias
    from statistics_computed
    left join events_as_indication
        on lower(statistics_computed.pt) = events_as_indication.pt_key

)

select * from signals_classified
