"""The MGPS prior fit: one row (alpha1, beta1, alpha2, beta2, p, neg_log_likelihood, diagnostics).

The mart ``mgps_prior`` publishes this row under a dbt contract (dbt enforces contracts on SQL models only).

Fitted by maximum likelihood on drug_event_cells (faers.mgps.fit_from_relation: DuckDB groups the cells
and the margins, Python fits) with the likelihood of var ``mgps_likelihood``; var ``mgps_prior``
([alpha1, beta1, alpha2, beta2, p]) skips the fit. The row records the strata of the E it was fitted on:
var ``expected_strata`` (strata_label); mgps_prior adds the masked drugs (macro background_exclude_names).
Vars reach a Python model only through its YAML ``config:`` (_signals__models.yml), and only for the keys
dbt finds when it parses this file: dbt looks for ``dbt.config.get("<literal>")`` calls but does not look
inside ``or``/``if`` expressions, so each key is read by a plain assignment, and a key that did not arrive
is an error, never a silent default.
"""

import pyarrow as pa

from faers.mgps import fit_from_relation, parse_prior_setting, strata_label

LIKELIHOODS = ("full", "truncated")


def model(dbt, session):
    dbt.config(materialized="table")
    likelihood = dbt.config.get("likelihood")
    fixed_prior = dbt.config.get("fixed_prior")
    expected_strata = dbt.config.get("expected_strata")
    expected_year_band = dbt.config.get("expected_year_band")
    if likelihood not in LIKELIHOODS:
        raise ValueError(
            f"mgps_prior: config likelihood (var mgps_likelihood) must be one of {', '.join(LIKELIHOODS)}, "
            f"got {likelihood!r}"
        )
    fixed = parse_prior_setting(fixed_prior)
    cells = dbt.ref("drug_event_cells").select("drug, pt, a, expected, n_drug, n_event, n")
    fit = fit_from_relation(cells, likelihood=likelihood, fixed=fixed)
    label = strata_label(expected_strata, expected_year_band)
    row = {**fit.as_row(), "expected_strata": label}
    return pa.Table.from_pylist([row])
