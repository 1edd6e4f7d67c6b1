"""The MGPS prior fit: one row (alpha1, beta1, alpha2, beta2, p, neg_log_likelihood, diagnostics).

The mart ``mgps_prior`` publishes this row under a dbt contract (dbt enforces contracts on SQL models only).

Fitted by maximum likelihood on drug_event_cells (faers.mgps.fit_from_relation: DuckDB groups the cells
and the margins, Python fits) with the likelihood of var ``mgps_likelihood``; var ``mgps_prior``
([alpha1, beta1, alpha2, beta2, p]) skips the fit. Vars reach a Python model through its YAML
``config:`` (_signals__models.yml).
"""

import pyarrow as pa

from faers.mgps import fit_from_relation, parse_prior_setting


def model(dbt, session):
    dbt.config(materialized="table")
    likelihood = str(dbt.config.get("likelihood") or "full").strip()
    fixed = parse_prior_setting(dbt.config.get("fixed_prior"))
    cells = dbt.ref("drug_event_cells").select("drug, pt, a, expected, n_drug, n_event, n")
    fit = fit_from_relation(cells, likelihood=likelihood, fixed=fixed)
    return pa.Table.from_pylist([fit.as_row()])
