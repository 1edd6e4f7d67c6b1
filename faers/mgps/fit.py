"""The maximum-likelihood fit of the MGPS prior: multi-start L-BFGS-B, Newton polish, diagnostics.

The optimiser works on (log mean1, log shape1, log mean2, log shape2, logit p) with the analytic gradient
(:mod:`faers.mgps.likelihood`), from several starts (openEBGM's defaults); the best optimum is reported with
diagnostics (converged, at_boundary) so that a caller never publishes EBGM from a failed fit.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from scipy import optimize
from threadpoolctl import threadpool_limits

from faers.mgps.likelihood import Margins, ZeroCells, _build_objective, _Objective, _pack, _unpack
from faers.mgps.prior import Likelihood, Prior, PriorFit

DEFAULT_STARTS: tuple[tuple[float, float, float, float, float], ...] = (
    # (alpha1, beta1, alpha2, beta2, p): DuMouchel's 1999 start, then openEBGM's multi-start grid.
    (0.2, 0.1, 2.0, 4.0, 1 / 3),
    (0.2, 0.02, 2.0, 4.0, 1 / 3),
    (0.1, 0.1, 10.0, 10.0, 0.2),
    (0.5, 0.5, 5.0, 5.0, 0.5),
    (1.0, 1.0, 3.0, 3.0, 0.8),
    (3.0, 3.0, 0.2, 0.2, 0.9),
)

_LOG_SHAPE = (math.log(1e-8), math.log(1e4))
"""Box on log shape. At the top a component is all but a point mass (sd/mean = 1%): a ridge's end."""
_LOG_MEAN = (math.log(1e-6), math.log(1e6))
"""Box on log mean (alpha / beta): far outside any relative reporting rate a prior should have."""
_BOX = [_LOG_MEAN, _LOG_SHAPE, _LOG_MEAN, _LOG_SHAPE]
_LOGIT_BOUND = 25.0
BOUNDARY_SHAPE = 1e-4
"""A shape below this is a collapsed component (the known failure of the truncated fit on FAERS)."""
BOUNDARY_P = 1e-4
"""A mixing weight within this of 0 or 1 means one component carries no information."""


def _boundary_kind(theta: np.ndarray) -> str:
    """'' for an interior optimum, else what sits on the boundary of the parameter space."""
    alpha1, _, alpha2, _, p = _unpack(theta)
    kinds = []
    if min(alpha1, alpha2) < BOUNDARY_SHAPE:
        kinds.append("shape_to_zero")
    if not BOUNDARY_P < p < 1 - BOUNDARY_P:
        kinds.append("weight_to_0_or_1")
    if any(theta[i] > _LOG_SHAPE[1] - 1e-3 for i in (1, 3)):
        kinds.append("point_mass")
    if any(theta[i] < _LOG_MEAN[0] + 1e-3 or theta[i] > _LOG_MEAN[1] - 1e-3 for i in (0, 2)):
        kinds.append("mean_at_box_edge")
    return ",".join(kinds)


def _projected_gradient_norm(theta: np.ndarray, grad: np.ndarray, box: Sequence[tuple[float, float]]) -> float:
    """Norm of the gradient with the components that push against an active bound removed."""
    g = np.array(grad, dtype=np.float64)
    for i, (lo, hi) in enumerate(box):
        if (theta[i] <= lo + 1e-9 and g[i] > 0) or (theta[i] >= hi - 1e-9 and g[i] < 0):
            g[i] = 0.0
    return float(np.linalg.norm(g))


NEWTON_TOLERANCE = 1e-6
"""Largest Newton decrement g'H^-1 g / 2 of a converged fit: the negLL that a Newton step could still gain,
in log-likelihood units whatever the table's size (a standard error is worth 0.5 units)."""
_NEWTON_STEPS = 8
_HESSIAN_STEP = 1e-5
LBFGSB_FTOL = 1e-12
"""L-BFGS-B stops when an iteration lowers the negLL by less than this, relative. The Newton polish then
finishes (quadratic convergence). A smaller value only makes L-BFGS-B's line searches grind at the negLL's
rounding noise (~1e-15 relative over millions of cells): on benchmarks/faers_scale.py's all-FAERS-shaped history
1e-15 took 48 evaluations where 1e-12 takes 27, to a lower negLL (docs/scaling.md)."""


def _free(theta: np.ndarray, grad: np.ndarray, box: Sequence[tuple[float, float]]) -> np.ndarray:
    """Indices of the coordinates not held by an active bound (the gradient pushes against it)."""
    return np.array(
        [
            i
            for i, (lo, hi) in enumerate(box)
            if not ((theta[i] <= lo + 1e-9 and grad[i] > 0) or (theta[i] >= hi - 1e-9 and grad[i] < 0))
        ],
        dtype=np.int64,
    )


def _newton_decrement(
    objective: _Objective, theta: np.ndarray, box: Sequence[tuple[float, float]]
) -> tuple[float, float, np.ndarray | None]:
    """(negLL, decrement, Newton step) on the free coordinates at ``theta``.

    The Hessian is the forward difference of the analytic gradient (1 evaluation over the whole table per free
    coordinate, the gradient at ``theta`` being known), symmetrised: its relative error (~_HESSIAN_STEP) is far
    below what the decrement's threshold or a Newton step's direction can notice. The decrement is inf and the
    step None when that Hessian is not positive definite: a saddle or a flat ridge, not a maximum of the
    likelihood.
    """
    value, grad = objective(theta)
    free = _free(theta, grad, box)
    if free.size == 0:
        return value, 0.0, np.zeros_like(theta)
    hessian = np.empty((free.size, free.size))
    for column, i in enumerate(free):
        step = np.zeros_like(theta)
        step[i] = _HESSIAN_STEP
        hessian[:, column] = (objective(theta + step)[1][free] - grad[free]) / _HESSIAN_STEP
    hessian = (hessian + hessian.T) / 2
    try:
        factor = np.linalg.cholesky(hessian)
    except np.linalg.LinAlgError:
        return value, math.inf, None
    direction = np.linalg.solve(factor.T, np.linalg.solve(factor, grad[free]))
    newton = np.zeros_like(theta)
    newton[free] = -direction
    return value, float(grad[free] @ direction) / 2, newton


def _newton_polish(
    objective: _Objective, theta: np.ndarray, box: Sequence[tuple[float, float]]
) -> tuple[np.ndarray, float, float]:
    """Damped Newton steps (free coordinates, kept inside the box) until the decrement is below
    NEWTON_TOLERANCE: quadratic convergence where L-BFGS-B stalls on a flat direction. Returns
    (theta, negLL, decrement); a step is taken only if it lowers the negLL."""
    lower = np.array([lo for lo, _ in box])
    upper = np.array([hi for _, hi in box])
    value, decrement, step = _newton_decrement(objective, theta, box)
    for _ in range(_NEWTON_STEPS):
        if step is None or decrement <= NEWTON_TOLERANCE:
            break
        for scale in (1.0, 0.5, 0.25, 0.125, 0.0625):
            candidate = np.clip(theta + scale * step, lower, upper)
            candidate_value = objective(candidate)[0]
            if candidate_value < value:
                break
        else:
            break
        theta = candidate
        value, decrement, step = _newton_decrement(objective, theta, box)
    return theta, value, decrement


def _ordered(alpha1: float, beta1: float, alpha2: float, beta2: float, p: float) -> Prior:
    """Label the component with the larger mean as component 1 (the golden file's convention)."""
    if alpha2 / beta2 > alpha1 / beta1:
        return Prior(alpha2, beta2, alpha1, beta1, 1.0 - p)
    return Prior(alpha1, beta1, alpha2, beta2, p)


def fit_prior(
    n: np.ndarray,
    e: np.ndarray,
    *,
    likelihood: Likelihood = "truncated",
    margins: Margins | ZeroCells | None = None,
    weights: np.ndarray | None = None,
    starts: Sequence[Sequence[float]] = DEFAULT_STARTS,
    max_iterations: int = 1000,
    gradient_tolerance: float = 1e-6,
    screen_size: int = 20_000,
) -> PriorFit:
    """Maximum-likelihood fit of the MGPS prior from cell counts ``n`` and expected counts ``e``.

    ``weights`` counts identical (n, E) cells once with a multiplicity. Every start is optimised; the
    best optimum wins. Above ``screen_size`` cells the starts are screened on a random subset and the
    best one is optimised on all cells (the reported optimum is always the full-data likelihood's).
    ``converged`` means the projected gradient norm at the optimum is below
    ``gradient_tolerance * (1 + |negLL|)`` and its Newton decrement (on the coordinates free of the box) below
    NEWTON_TOLERANCE, after Newton steps from L-BFGS-B's end point where needed;
    ``at_boundary`` means a shape collapsed, p hit 0/1, or a box edge was hit.
    """
    objective = _build_objective(n, e, likelihood=likelihood, margins=margins, weights=weights)
    zero_cells = objective.zero_e.size if objective.zero_e is not None else 0
    parallel = WORKERS > 1 and objective.n.size + zero_cells >= _PARALLEL_MIN_CELLS
    # L-BFGS-B's BLAS calls on 5-vectors (scipy's own OpenBLAS) on one thread: OpenBLAS's threads, woken for them,
    # spin on the cores the likelihood's blocks need. On the 9 fits of the realistic history's arrays (the whole
    # history and the baclofen study's 8 strata), one after another on 2 cores: 29.5 s of wall and 53.3 s of CPU
    # with two BLAS threads, 25.2 s and 41.6 s with one; the same priors, bit for bit (docs/scaling.md).
    blas = threadpool_limits(limits=1, user_api="blas")
    with blas, ThreadPoolExecutor(WORKERS) if parallel else contextlib.nullcontext() as pool:
        objective.pool = pool
        try:
            return _optimise(
                objective,
                likelihood=likelihood,
                starts=starts,
                max_iterations=max_iterations,
                gradient_tolerance=gradient_tolerance,
                screen_size=screen_size,
                n_cells=int(np.asarray(n).size),
            )
        finally:
            objective.pool = None


_PARALLEL_MIN_CELLS = 100_000
"""From this many cells and zero-cell groups on, the likelihood's blocks are evaluated on WORKERS threads."""
WORKERS = min(4, os.cpu_count() or 1)
"""Threads of the project's numpy work on large arrays: a large fit's likelihood blocks, and the slices of the
signals UDF (faers.udfs.signal_udf_stats_batch). The machine's cores, at most 4. A full-likelihood evaluation
on all of FAERS (4.5M nonzero cell groups, 2.6M zero-cell groups; 0.14 + 0.06 s on one core) is ~110 blocks."""


def _optimise(
    objective: _Objective,
    *,
    likelihood: Likelihood,
    starts: Sequence[Sequence[float]],
    max_iterations: int,
    gradient_tolerance: float,
    screen_size: int,
    n_cells: int,
) -> PriorFit:
    """The multi-start L-BFGS-B fit of :func:`fit_prior` on a built objective."""
    box = [*_BOX, (-_LOGIT_BOUND, _LOGIT_BOUND)]
    options = {"maxiter": max_iterations, "ftol": LBFGSB_FTOL, "gtol": 1e-12}

    def run(target: _Objective, theta0: np.ndarray) -> tuple[float, Any, float]:
        res = optimize.minimize(target, theta0, jac=True, method="L-BFGS-B", bounds=box, options=options)
        if target is not objective:
            return float(res.fun), res, float("nan")
        return float(res.fun), res, _projected_gradient_norm(res.x, objective(res.x)[1], box)

    thetas = [_pack(Prior.from_sequence(start)) for start in starts]
    big = objective.n.size > screen_size or (objective.zero_e is not None and objective.zero_e.size > screen_size)
    if big:
        # multi-start only picks the basin: screen every start on a random subset of cells, then
        # optimise the best one on the exact full-data likelihood from its screened optimum
        screen = objective.subsample(screen_size)
        screened = sorted((run(screen, theta) for theta in thetas), key=lambda item: item[0])
        thetas = [screened[0][1].x]
    results = [run(objective, theta) for theta in thetas]
    if not results:
        raise ValueError("fit_prior needs at least one start")

    def ok(item: tuple[float, Any, float]) -> bool:
        # L-BFGS-B often ends with a line-search warning at the optimum: judge by the projected gradient
        return bool(np.isfinite(item[0]) and item[0] < 1e299 and item[2] <= gradient_tolerance * (1.0 + abs(item[0])))

    n_ok = sum(1 for item in results if ok(item))
    best_fun, best, best_grad = min(results, key=lambda item: item[0])
    if not ok((best_fun, best, best_grad)):
        # a restart from the best point resets L-BFGS-B's curvature memory (helps on flat ridges)
        restarted = run(objective, best.x)
        if restarted[0] <= best_fun:
            best_fun, best, best_grad = restarted
    # the projected gradient is relative to |negLL|, which the zero cells make huge at FAERS scale: judge the
    # optimum by its Newton decrement (scale-free), polishing it with Newton steps where L-BFGS-B stalled
    theta, polished_fun, decrement = _newton_polish(objective, best.x, box)
    if polished_fun <= best_fun:
        best_fun, best_grad = polished_fun, _projected_gradient_norm(theta, objective(theta)[1], box)
    else:
        theta = best.x
    converged = ok((best_fun, best, best_grad)) and decrement <= NEWTON_TOLERANCE
    boundary = _boundary_kind(theta)
    at_boundary = bool(boundary)
    prior = _ordered(*_unpack(theta))
    if not converged:
        why = "no maximum: the Hessian is not positive definite" if math.isinf(decrement) else best.message
        message = f"did not converge ({why}; Newton decrement {decrement:.3g}); EBGM from this prior is not published"
    elif boundary == "point_mass":
        message = (
            "optimum at the point-mass limit of a component (shape and rate -> inf at a finite mean, "
            "the data show no over-dispersion there): a valid limiting prior, EBGM published"
        )
    elif at_boundary:
        message = (
            f"optimum on the boundary of the parameter space ({boundary}): the likelihood has no "
            "interior maximum, EBGM from this prior is not published"
        )
    else:
        message = f"converged to an interior optimum (Newton decrement {decrement:.2g})"
    return PriorFit(
        alpha1=prior.alpha1,
        beta1=prior.beta1,
        alpha2=prior.alpha2,
        beta2=prior.beta2,
        p=prior.p,
        neg_log_likelihood=best_fun,
        likelihood=likelihood,
        converged=converged,
        at_boundary=at_boundary,
        boundary=boundary,
        method=f"L-BFGS-B, analytic gradient, {len(starts)} starts" + (", screened" if big else ""),
        message=message,
        n_starts=len(starts),
        n_converged_starts=n_ok,
        n_cells=n_cells,
        n_zero_cells=float(np.sum(objective.zero_w)) if objective.zero_w is not None else 0.0,
        iterations=int(best.nit),
        gradient_norm=best_grad,
    )
