-- The MGPS prior fit on Spark: the same row as the Python model ../mgps_prior_fit.py (DuckDB), which
-- dbt-spark cannot run in session mode. The aggregate faers_mgps_prior_fit (faers.spark_udfs, a pandas
-- UDF registered on the session by faers.spark) receives every cell of drug_event_cells in one Python call
-- and fits them with faers.mgps.fit_from_relation, the DuckDB model's code path; the vars mgps_likelihood,
-- mgps_prior, expected_strata and expected_year_band reach it as literals. Enabled on Spark only
-- (dbt_project.yml).
{{ config(materialized='table') }}

with

cells as (

    select drug, pt, a, expected, n_drug, n_event, n from {{ ref('drug_event_cells') }}

),

fitted as (

    select
        faers_mgps_prior_fit(
            drug, pt, a, expected, n_drug, n_event, n,
            {{ faers_string(var('mgps_likelihood')) }}, {{ faers_string(tojson(var('mgps_prior'))) }},
            {{ faers_string(var('expected_strata') | join(',')) }}, {{ var('expected_year_band') | int }}
        ) as fit_json
    from cells

),

parsed as (

    select
        from_json(
            fit_json,
            'alpha1 double, beta1 double, alpha2 double, beta2 double, p double, neg_log_likelihood double, '
            || 'likelihood string, converged boolean, at_boundary boolean, boundary string, method string, '
            || 'message string, n_starts bigint, n_converged_starts bigint, n_cells bigint, '
            || 'n_zero_cells double, iterations bigint, gradient_norm double, fixed boolean, is_usable boolean, '
            || 'expected_strata string'
        ) as fit
    from fitted

)

select fit.* from parsed
