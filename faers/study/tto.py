"""Time to onset: Weibull shape and scale by maximum likelihood, with 95% confidence intervals.

FAERS dates have a resolution of one day, so an onset of ``d`` days means the event happened somewhere in
``[d, d + 1)`` days after the start. The likelihood is therefore the interval-censored one,
``sum log(S(d) - S(d + 1))`` with ``S(x) = exp(-(x / scale) ** shape)``. This handles onsets of 0 days
(frequent in FAERS) exactly, where the usual continuous density is 0 or infinite at x = 0 and papers resort
to ad-hoc shifts. For onsets of many days it agrees with the continuous fit (tested against scipy).

The fit runs on (log shape, log scale); the 95% intervals are Wald intervals on that scale from the observed
information (a central-difference Hessian), so they stay positive. The usual reading of the shape parameter
(Cornelius et al. 2012; the reference study): the upper limit below 1 means an early-failure profile (the
hazard falls with time), the lower limit above 1 a wear-out profile (the hazard rises), otherwise a random
failure profile (constant hazard).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

Z_975 = float(stats.norm.ppf(0.975))


@dataclass(frozen=True)
class WeibullFit:
    """Maximum-likelihood Weibull fit; intervals are NaN when the information matrix is singular."""

    n: int
    shape: float
    shape_lower: float
    shape_upper: float
    scale: float
    scale_lower: float
    scale_upper: float
    neg_log_likelihood: float
    converged: bool

    @property
    def interpretation(self) -> str:
        """The usual reading of the shape (early failure / random failure / wear-out)."""
        return interpret_shape(self.shape, self.shape_lower, self.shape_upper)


def interpret_shape(shape: float, lower: float, upper: float) -> str:
    """'early failure' if the 95% CI of the shape lies below 1, 'wear-out' above 1, else 'random failure'.

    Without an interval (NaN), the point estimate is read the same way.
    """
    if math.isnan(lower) or math.isnan(upper):
        lower = upper = shape
    if upper < 1:
        return "early failure"
    if lower > 1:
        return "wear-out"
    return "random failure"


def _neg_log_likelihood(theta: np.ndarray, days: np.ndarray, weights: np.ndarray) -> float:
    shape, scale = math.exp(theta[0]), math.exp(theta[1])
    h_low = (days / scale) ** shape  # cumulative hazard at d
    h_high = ((days + 1.0) / scale) ** shape  # and at d + 1
    # log(S(d) - S(d+1)) = -H(d) + log(1 - exp(-(H(d+1) - H(d))))
    with np.errstate(divide="ignore"):
        terms = -h_low + np.log(-np.expm1(-(h_high - h_low)))
    value = -float(np.sum(weights * terms))
    return value if math.isfinite(value) else 1e300


def _hessian(fun: Callable[[np.ndarray], float], x: np.ndarray, step: float = 1e-4) -> np.ndarray:
    size = len(x)
    hess = np.empty((size, size))
    for i in range(size):
        for j in range(i, size):
            e_i = np.eye(size)[i] * step
            e_j = np.eye(size)[j] * step
            value = (fun(x + e_i + e_j) - fun(x + e_i - e_j) - fun(x - e_i + e_j) + fun(x - e_i - e_j)) / (
                4 * step * step
            )
            hess[i, j] = hess[j, i] = value
    return hess


def fit_weibull(tto_days: Sequence[int] | np.ndarray) -> WeibullFit | None:
    """Fit a Weibull to onsets in whole days (>= 0). None when there is nothing to fit (< 2 distinct days).

    Raises ValueError on a negative or non-integer onset: the tto mart never holds one.
    """
    values = np.asarray(tto_days, dtype=float)
    if values.size and (np.any(values < 0) or np.any(values != np.floor(values))):
        raise ValueError("fit_weibull: onsets must be whole days >= 0")
    days, weights = np.unique(values, return_counts=True)
    if days.size < 2:
        return None
    weights = weights.astype(float)
    mid = float(np.average(days + 0.5, weights=weights))

    def objective(theta: np.ndarray) -> float:
        return _neg_log_likelihood(theta, days, weights)

    best = None
    for start_shape in (0.5, 1.0, 2.0):
        start = np.array([math.log(start_shape), math.log(mid)])
        result = optimize.minimize(
            objective, start, method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 4000}
        )
        if best is None or result.fun < best.fun:
            best = result
    assert best is not None
    # polish with BFGS from the simplex optimum (smooth objective, numerical gradient)
    polished = optimize.minimize(objective, best.x, method="BFGS", options={"gtol": 1e-8})
    if polished.fun <= best.fun:
        best = polished
    theta = best.x
    n = float(weights.sum())
    lower = upper = np.full(2, math.nan)
    try:
        covariance = np.linalg.inv(_hessian(objective, theta))
        variances = np.diag(covariance)
        if np.all(variances > 0) and np.all(np.isfinite(variances)):
            half = Z_975 * np.sqrt(variances)
            lower, upper = theta - half, theta + half
    except np.linalg.LinAlgError:
        pass
    return WeibullFit(
        n=int(n),
        shape=math.exp(theta[0]),
        shape_lower=math.exp(lower[0]),
        shape_upper=math.exp(upper[0]),
        scale=math.exp(theta[1]),
        scale_lower=math.exp(lower[1]),
        scale_upper=math.exp(upper[1]),
        neg_log_likelihood=float(best.fun),
        converged=bool(np.linalg.norm(optimize.approx_fprime(theta, objective, 1e-7)) < 1e-3 * max(1.0, n)),
    )
