-- Four disproportionality methods per (drug, pt) cell: ROR, PRR (+ chi2), IC and EBGM with their
-- limits and signal flags (macros/signals/, variants and thresholds by var). EBGM/EB05/EB95 use the
-- mgps_prior row only when it is usable (an interior or point-mass optimum, or a prior given by
-- var); otherwise they are NULL and a warning goes to the dbt log. expected is the stratified E with var
-- expected_strata (IC and EBGM use it; ROR and PRR stay crude, ror_mh is the stratified ROR). Calls Python
-- UDFs: a table, never a view.
{{ config(materialized='table') }}

{%- set prior_relation = load_relation(ref('mgps_prior')) if execute else none -%}
{%- if var('ebgm_variant') == 'mgps' and prior_relation is not none -%}
    {%- set prior_status = run_query(
        "select is_usable, message, likelihood, alpha1, beta1, alpha2, beta2, p from "
        ~ ref('mgps_prior')) -%}
    {%- if prior_status.rows | length == 1 and not prior_status.rows[0][0] -%}
        {%- do exceptions.warn(
            "signals: the MGPS prior (" ~ prior_status.rows[0][2] ~ " likelihood) is not usable: "
            ~ prior_status.rows[0][1] ~ ". ebgm, eb05, eb95 are NULL and ebgm_signal is false. "
            ~ "Try var mgps_likelihood: full, or give var mgps_prior.") -%}
    {%- endif -%}
{%- endif %}

with

cells as (

    select * from {{ ref('drug_event_cells') }}

),

priors as (

    select * from {{ ref('mgps_prior') }}

),

usable_prior as (

    select
        alpha1,
        beta1,
        alpha2,
        beta2,
        p
    from priors
    where is_usable

),

cells_with_prior as (

    select
        cells.*,
        usable_prior.alpha1 as prior_alpha1,
        usable_prior.beta1 as prior_beta1,
        usable_prior.alpha2 as prior_alpha2,
        usable_prior.beta2 as prior_beta2,
        usable_prior.p as prior_p
    from cells
    left join usable_prior
        on true

),

-- every UDF-based statistic in one Python function (faers_signal_udf_stats; on DuckDB its batch form, which
-- takes the distinct counts in a few lists: faers_signal_udf_stats_by_count), read by the ic025/ic975 and
-- ebgm/eb05/eb95 macros through signal_columns(stats=...) with the default variants; tests/golden/ runs the
-- same macros on the same column against the golden tables. The statistics depend on the row only through
-- (a, expected) and the prior (one row), so the UDF runs once per distinct (a, expected) (about 2 in 3 cells at
-- FAERS scale) and its result is joined back: the same function of the same values.
{%- set udf_stats = var('ic_variant') == 'noren' or var('ebgm_variant') == 'mgps' %}
{%- if udf_stats %}

distinct_counts as (

    select distinct
        a,
        expected
    from cells

),

udf_stats_by_count as (

    {{ faers_signal_udf_stats_by_count('distinct_counts', 'usable_prior') }}

),
{%- endif %}

cells_with_udf_stats as (

    select
        cells_with_prior.*,
        {%- if udf_stats %}
        udf_stats_by_count.udf_stats
        {%- else %}
        null as udf_stats
        {%- endif %}
    from cells_with_prior
    {%- if udf_stats %}
    left join udf_stats_by_count
        on cells_with_prior.a = udf_stats_by_count.a
        and cells_with_prior.expected = udf_stats_by_count.expected
    {%- endif %}

),

statistics as (

    select
        drug,
        pt,
        a,
        b,
        c,
        d,
        expected,
        {{ signal_columns(
            prior=['prior_alpha1', 'prior_beta1', 'prior_alpha2', 'prior_beta2', 'prior_p'],
            stats='udf_stats' if udf_stats else none
        ) }},
        -- Mantel-Haenszel ROR over var expected_strata (NULL without strata); a_co_suspect of the cell
        {{ ror_mh('mh_r', 'mh_s') }} as ror_mh,
        {{ ror_mh_lower('mh_r', 'mh_s', 'mh_pr', 'mh_ps_qr', 'mh_qs') }} as ror_mh_lower,
        {{ ror_mh_upper('mh_r', 'mh_s', 'mh_pr', 'mh_ps_qr', 'mh_qs') }} as ror_mh_upper,
        a_co_suspect
    from cells_with_udf_stats

)

select * from statistics
