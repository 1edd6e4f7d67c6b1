"""MGPS (DuMouchel 1999): the two-gamma mixture prior, its maximum-likelihood fit, and the posterior.

The count ``n`` of a drug-event cell with expected count ``E`` is Poisson(lambda * E) and
lambda ~ p Gamma(alpha1, beta1) + (1 - p) Gamma(alpha2, beta2) (shape/rate). One job per module:

* :mod:`faers.mgps.prior`: the five hyper-parameters (:class:`Prior`), the record of a fit (:class:`PriorFit`),
  a prior given by the user (:func:`fixed_prior`, :func:`parse_prior_setting`).
* :mod:`faers.mgps.likelihood`: the truncated and the full (zero cells grouped by margins) negative
  log-likelihood and its analytic gradient.
* :mod:`faers.mgps.fit`: the optimiser (multi-start L-BFGS-B, Newton polish) and its diagnostics
  (converged, at_boundary), so that a caller never publishes EBGM from a failed fit.
* :mod:`faers.mgps.posterior`: Qn, EBGM and the posterior quantiles (EB05 / EB95).
* :mod:`faers.mgps.tables`: special functions of (shape + count), each distinct argument computed once.
* :mod:`faers.mgps.cells`: the fit from a cells table (polars) or a DuckDB relation (grouped in SQL).

The per-stratum fit of a study is :func:`faers.study.stats.fit_stratum_priors`.
"""

from faers.mgps.cells import fit_from_cells, fit_from_relation
from faers.mgps.fit import BOUNDARY_P, BOUNDARY_SHAPE, DEFAULT_STARTS, NEWTON_TOLERANCE, fit_prior
from faers.mgps.likelihood import Margins, ZeroCells, neg_log_likelihood
from faers.mgps.posterior import (
    ebgm,
    mixture_quantile,
    posterior_quantile,
    posterior_weight,
    posterior_weight_arrays,
)
from faers.mgps.prior import Likelihood, Prior, PriorFit, fixed_prior, parse_prior_setting, strata_label
from faers.mgps.tables import of_counts, unit_gamma_quantile

__all__ = [
    "BOUNDARY_P",
    "BOUNDARY_SHAPE",
    "DEFAULT_STARTS",
    "NEWTON_TOLERANCE",
    "Likelihood",
    "Margins",
    "Prior",
    "PriorFit",
    "ZeroCells",
    "ebgm",
    "fit_from_cells",
    "fit_from_relation",
    "fit_prior",
    "fixed_prior",
    "mixture_quantile",
    "neg_log_likelihood",
    "of_counts",
    "parse_prior_setting",
    "posterior_quantile",
    "posterior_weight",
    "posterior_weight_arrays",
    "strata_label",
    "unit_gamma_quantile",
]
