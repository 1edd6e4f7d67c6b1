"""The MGPS posterior of a cell given a prior: Qn, EBGM, and its quantiles (EB05 / EB95)."""

from __future__ import annotations

import numpy as np
from scipy import special

from faers.mgps.prior import Prior
from faers.mgps.tables import unit_gamma_quantile


def posterior_weight_arrays(
    n: np.ndarray,
    e: np.ndarray,
    alpha1: np.ndarray | float,
    beta1: np.ndarray | float,
    alpha2: np.ndarray | float,
    beta2: np.ndarray | float,
    p: np.ndarray | float,
    *,
    lgamma_ratios: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Qn with the prior given per element (broadcast): the posterior weight of component 1.

    ``lgamma_ratios`` optionally gives gammaln(alpha_k + n) - gammaln(alpha_k) of both components,
    already computed (e.g. by :func:`of_counts`): the same values, so the same result.
    """

    def log_nb(alpha: np.ndarray | float, beta: np.ndarray | float, lgamma_ratio: np.ndarray | None) -> np.ndarray:
        if lgamma_ratio is None:
            lgamma_ratio = special.gammaln(alpha + n) - special.gammaln(alpha)
        return lgamma_ratio + alpha * (np.log(beta) - np.log(beta + e)) + n * (np.log(e) - np.log(beta + e))

    ratio1, ratio2 = lgamma_ratios if lgamma_ratios is not None else (None, None)
    l1 = np.log(p) + log_nb(alpha1, beta1, ratio1)
    l2 = np.log1p(-np.asarray(p)) + log_nb(alpha2, beta2, ratio2)
    return np.exp(l1 - np.logaddexp(l1, l2))


def posterior_weight(n: np.ndarray, e: np.ndarray, prior: Prior) -> np.ndarray:
    """Qn: the posterior probability that lambda comes from component 1 (untruncated NB densities)."""
    return posterior_weight_arrays(
        np.asarray(n, dtype=np.float64),
        np.asarray(e, dtype=np.float64),
        prior.alpha1,
        prior.beta1,
        prior.alpha2,
        prior.beta2,
        prior.p,
    )


def ebgm(n: np.ndarray, e: np.ndarray, prior: Prior) -> np.ndarray:
    """Empirical Bayes geometric mean exp(E[ln lambda | n])."""
    n = np.asarray(n, dtype=np.float64)
    e = np.asarray(e, dtype=np.float64)
    q = posterior_weight(n, e, prior)
    m1 = special.digamma(prior.alpha1 + n) - np.log(prior.beta1 + e)
    m2 = special.digamma(prior.alpha2 + n) - np.log(prior.beta2 + e)
    return np.exp(q * m1 + (1.0 - q) * m2)


def mixture_quantile(
    prob: np.ndarray | float,
    q: np.ndarray,
    shape1: np.ndarray,
    rate1: np.ndarray,
    shape2: np.ndarray,
    rate2: np.ndarray,
    *,
    max_iterations: int = 100,
    rtol: float = 1e-11,
    unit_quantiles: tuple[np.ndarray, np.ndarray] | None = None,
    log_gammas: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Quantile ``prob`` of q Gamma(shape1, rate1) + (1-q) Gamma(shape2, rate2), vectorised.

    The quantile lies between the components' quantiles (each computed once per distinct shape); inside
    that bracket a safeguarded Halley/Newton iteration on log(lambda) starts from the dominant
    component's quantile and runs on the whole array at once, only on the entries not yet converged. An
    entry is done when its step is below ``rtol`` (relative; the step is then applied), when a Halley
    step inside the bracket is below cbrt(1e-6 rtol) (cubic convergence puts the point it leads to
    within ~1e-6 rtol of the root: applied without one more cdf evaluation), when the bracket is that
    narrow, or when the cdf hits ``prob`` exactly; a step leaving the bracket is replaced by bisection.
    NaN inputs give NaN.

    ``unit_quantiles`` (gammaincinv(shape_k, prob)) and ``log_gammas`` (gammaln(shape_k)), arrays of
    the broadcast shape, may be given already computed (e.g. by :func:`of_counts`): the same values,
    so the same result.
    """
    prob_b, q, shape1, rate1, shape2, rate2 = np.broadcast_arrays(
        np.asarray(prob, dtype=np.float64),
        np.asarray(q, dtype=np.float64),
        np.asarray(shape1, dtype=np.float64),
        np.asarray(rate1, dtype=np.float64),
        np.asarray(shape2, dtype=np.float64),
        np.asarray(rate2, dtype=np.float64),
    )
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        unit1, unit2 = unit_quantiles or (unit_gamma_quantile(shape1, prob_b), unit_gamma_quantile(shape2, prob_b))
        q1 = unit1 / rate1
        q2 = unit2 / rate2
        lo = np.log(np.minimum(q1, q2))
        hi = np.log(np.maximum(q1, q2))
        x = np.where(q >= 0.5, np.log(q1), np.log(q2))
        out = np.full(x.shape, np.nan)
        done = ~(hi - lo > rtol) | (q <= 0) | (q >= 1)
        out[done] = np.where(q[done] >= 0.5, q1[done], q2[done])
        out[~np.isfinite(lo) | ~np.isfinite(hi)] = np.nan
        active = np.flatnonzero(~done & np.isfinite(lo) & np.isfinite(hi))
        xa, la, ha = x[active], lo[active], hi[active]
        pa_, qa = prob_b[active], q[active]
        s1, r1, s2, r2 = shape1[active], rate1[active], shape2[active], rate2[active]
        if log_gammas is not None:
            lg1, lg2 = log_gammas[0][active], log_gammas[1][active]
        else:
            lg1, lg2 = special.gammaln(s1), special.gammaln(s2)
        settle = float(np.cbrt(rtol * 1e-6))
        for iteration in range(max_iterations):
            if active.size == 0:
                break
            lam = np.exp(xa)
            z1, z2 = r1 * lam, r2 * lam
            if iteration == 0:
                # the start is the dominant component's own quantile: its cdf there is prob, only the
                # other component's needs computing
                first = qa >= 0.5
                other = special.gammainc(np.where(first, s2, s1), np.where(first, z2, z1))
                cdf = np.where(first, qa * pa_ + (1 - qa) * other, qa * other + (1 - qa) * pa_)
            else:
                cdf = qa * special.gammainc(s1, z1) + (1 - qa) * special.gammainc(s2, z2)
            f = cdf - pa_
            # d cdf / d log(lambda) = lambda * density
            g1 = qa * np.exp(s1 * np.log(z1) - z1 - lg1)
            g2 = (1 - qa) * np.exp(s2 * np.log(z2) - z2 - lg2)
            slope = g1 + g2
            curvature = g1 * (s1 - z1) + g2 * (s2 - z2)  # d slope / d log(lambda)
            # Halley's step (cubic convergence); Newton's where the correction is not small
            halley = f / (slope - 0.5 * f * curvature / slope)
            newton_step = f / slope
            step = np.where(np.abs(halley - newton_step) < 0.5 * np.abs(newton_step), halley, newton_step)
            newton = xa - step
            tolerance = rtol * np.maximum(1.0, np.abs(xa))
            # converged: the step itself is within tolerance (tested before the bracket, which a step
            # at round-off level can touch without leaving it in any meaningful sense)
            small = np.abs(step) <= tolerance
            la = np.where(f < 0, xa, la)
            ha = np.where(f > 0, xa, ha)
            inside = (newton > la) & (newton < ha)
            # Halley converges cubically: after a Halley step below settle the point is within ~settle^3
            # (1e-6 rtol) of the root, so it is taken as the answer without another cdf evaluation
            settled = inside & (step == halley) & (np.abs(step) <= settle * np.maximum(1.0, np.abs(xa)))
            new = np.where(small | inside, newton, 0.5 * (la + ha))
            new = np.where(f == 0, xa, new)
            finished = small | settled | (f == 0) | (ha - la <= tolerance)
            xa = new
            if np.any(finished):
                out[active[finished]] = np.exp(xa[finished])
                keep = ~finished
                active, xa, la, ha, pa_, qa = (arr[keep] for arr in (active, xa, la, ha, pa_, qa))
                s1, r1, s2, r2, lg1, lg2 = (arr[keep] for arr in (s1, r1, s2, r2, lg1, lg2))
        if active.size:
            out[active] = np.exp(xa)
    return out


def posterior_quantile(prob: float | np.ndarray, n: np.ndarray, e: np.ndarray, prior: Prior) -> np.ndarray:
    """EB05 / EB95: quantile ``prob`` of the posterior gamma mixture of lambda given n and E."""
    n = np.asarray(n, dtype=np.float64)
    e = np.asarray(e, dtype=np.float64)
    q = posterior_weight(n, e, prior)
    return mixture_quantile(prob, q, prior.alpha1 + n, prior.beta1 + e, prior.alpha2 + n, prior.beta2 + e)
