"""MGPS (DuMouchel 1999): the two-gamma mixture prior, its maximum-likelihood fit, and the posterior.

The model: the count ``n`` of a drug-event cell with expected count ``E`` is Poisson(lambda * E) and
lambda ~ p Gamma(alpha1, beta1) + (1 - p) Gamma(alpha2, beta2) (shape/rate). Marginally ``n`` is a mixture
of two negative binomials NB(size=alpha_i, prob=beta_i / (beta_i + E)).

Two likelihoods are offered (``likelihood=``):

* ``"truncated"``: only cells with n >= 1, each component conditioned on n >= 1 (openEBGM ``negLL`` with
  ``N_star = 1``). Cheap, but on FAERS-like data the low component often collapses (a shape -> 0): the fit
  then sits on the boundary of the parameter space and its EBGMs are not trustworthy.
* ``"full"``: every drug x event cell, including the zero cells (DuMouchel 1999; openEBGM ``negLLzero``).
  The zero cells only enter through ``E = n_drug * n_event / N``, so they are grouped by their margins
  (:class:`Margins`): exact, without data squashing and without materialising the zero cells.

The optimiser is L-BFGS-B on (log alpha1, log beta1, log alpha2, log beta2, logit p) with the analytic
gradient, from several starts (openEBGM's defaults); the best optimum is reported with diagnostics
(converged, at_boundary) so that a caller never publishes EBGM from a failed fit.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

import numpy as np
from scipy import optimize, special

Likelihood = Literal["truncated", "full"]

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


@dataclass(frozen=True)
class Prior:
    """The five hyper-parameters (gamma shape/rate; component 1 has the larger mean after a fit)."""

    alpha1: float
    beta1: float
    alpha2: float
    beta2: float
    p: float

    @classmethod
    def from_sequence(cls, values: Sequence[float]) -> Prior:
        """Build from [alpha1, beta1, alpha2, beta2, p]; raises ValueError on a malformed list."""
        if len(values) != 5:
            raise ValueError(f"an MGPS prior has 5 values [alpha1, beta1, alpha2, beta2, p], got {values!r}")
        alpha1, beta1, alpha2, beta2, p = (float(v) for v in values)
        if min(alpha1, beta1, alpha2, beta2) <= 0 or not 0 < p < 1:
            raise ValueError(f"MGPS prior needs positive shapes/rates and 0 < p < 1, got {values!r}")
        return cls(alpha1, beta1, alpha2, beta2, p)

    def as_array(self) -> np.ndarray:
        return np.array([self.alpha1, self.beta1, self.alpha2, self.beta2, self.p])


@dataclass(frozen=True)
class Margins:
    """What the full likelihood needs besides the nonzero cells: every drug's and event's margin.

    ``drug`` holds n_drug of every drug, ``event`` n_event of every event, ``n_total`` is N;
    ``cell_drug`` / ``cell_event`` are the margins of each nonzero cell (aligned with ``n`` and ``e``).
    """

    drug: np.ndarray
    event: np.ndarray
    n_total: float
    cell_drug: np.ndarray
    cell_event: np.ndarray
    cell_count: np.ndarray | None = None
    """Optional multiplicity of each (cell_drug, cell_event) row: the nonzero cells grouped by margins."""

    def zero_cells(self) -> tuple[np.ndarray, np.ndarray]:
        """Expected counts and multiplicities of the zero cells, grouped by E = n_drug * n_event / N."""
        drug_values, drug_counts = np.unique(np.asarray(self.drug, dtype=np.float64), return_counts=True)
        event_values, event_counts = np.unique(np.asarray(self.event, dtype=np.float64), return_counts=True)
        i = _margin_index(drug_values, self.cell_drug)
        j = _margin_index(event_values, self.cell_event)
        if i is None or j is None:
            raise ValueError("Margins: a cell's n_drug/n_event is not among the drug/event margins")
        n_groups = drug_values.size * event_values.size
        if self.cell_count is None:
            observed = np.bincount(i * event_values.size + j, minlength=n_groups)
        else:
            counts = np.asarray(self.cell_count, dtype=np.float64)
            if counts.shape != i.shape:
                raise ValueError("Margins: cell_count must have the length of cell_drug")
            observed = np.bincount(i * event_values.size + j, weights=counts, minlength=n_groups)
        total = np.multiply.outer(drug_counts, event_counts).ravel()
        zeros = total - observed
        if np.any(zeros < 0):
            raise ValueError("Margins: more nonzero cells than drug x event pairs for some margins")
        keep = np.flatnonzero(zeros > 0)
        expected = np.multiply.outer(drug_values, event_values).ravel()[keep] / float(self.n_total)
        if expected.size == 0:  # every pair observed (a tiny stratum): no zero cells
            return expected, np.zeros(0)
        # pairs of margins with the same product have the same E (bitwise): one group each. The counts
        # are integers, so the order of the sum within a group does not matter (exact)
        order = np.argsort(expected)
        expected = expected[order]
        starts = np.flatnonzero(np.concatenate(([True], expected[1:] != expected[:-1])))
        weights = np.add.reduceat(zeros[keep][order].astype(np.float64), starts) if starts.size else np.zeros(0)
        return expected[starts], weights


@dataclass(frozen=True)
class ZeroCells:
    """The zero cells already grouped by E (what :meth:`Margins.zero_cells` returns), e.g. by DuckDB.

    ``expected`` ascending and distinct, ``weights`` the number of zero cells with that E.
    """

    expected: np.ndarray
    weights: np.ndarray

    def zero_cells(self) -> tuple[np.ndarray, np.ndarray]:
        return self.expected, self.weights


_LOOKUP_LIMIT = 1 << 25
"""Largest integral margin indexed through a lookup table (int32, <= 128 MiB); above it, a binary search."""


def _margin_index(values: np.ndarray, cells: np.ndarray) -> np.ndarray | None:
    """Index of each of ``cells`` in the sorted distinct ``values``; None if one is not among them."""
    cells = np.asarray(cells, dtype=np.float64)
    if cells.size == 0:
        return np.zeros(0, dtype=np.int64)
    if values.size == 0:
        return None
    top = values[-1]
    if values[0] >= 0 and top <= _LOOKUP_LIMIT and np.all(values == np.floor(values)):
        # counts: a lookup table is a gather, where a binary search costs a cache miss per probe
        lookup = np.full(int(top) + 1, -1, dtype=np.int32)
        lookup[values.astype(np.int64)] = np.arange(values.size, dtype=np.int32)
        inside = (cells >= 0) & (cells <= top)
        if not np.all(inside):
            return None
        as_int = cells.astype(np.int64)
        if np.any(as_int != cells):
            return None
        index = lookup[as_int].astype(np.int64)
        return None if np.any(index < 0) else index
    index = np.searchsorted(values, cells)
    if np.any(index >= values.size) or np.any(values[np.minimum(index, values.size - 1)] != cells):
        return None
    return index


@dataclass(frozen=True)
class PriorFit:
    """Result of :func:`fit_prior`; ``usable`` says whether EBGM may be published from it."""

    alpha1: float
    beta1: float
    alpha2: float
    beta2: float
    p: float
    neg_log_likelihood: float
    likelihood: str
    converged: bool
    at_boundary: bool
    boundary: str
    method: str
    message: str
    n_starts: int
    n_converged_starts: int
    n_cells: int
    n_zero_cells: float
    iterations: int
    gradient_norm: float
    fixed: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def usable(self) -> bool:
        """A converged interior (or point-mass limit) optimum, or a prior given by the user."""
        return self.fixed or (self.converged and self.boundary in ("", "point_mass"))

    @property
    def prior(self) -> Prior:
        return Prior(self.alpha1, self.beta1, self.alpha2, self.beta2, self.p)

    def as_row(self) -> dict[str, Any]:
        """One flat row (the columns of the ``mgps_prior`` table)."""
        row = asdict(self)
        row.pop("extra")
        row["is_usable"] = self.usable
        return row


# --------------------------------------------------------------------------------------------------------
# likelihood


# The optimiser works on theta = (log mean1, log shape1, log mean2, log shape2, logit p), mean = alpha/beta.
# A component tending to a point mass (alpha, beta -> inf, alpha/beta fixed) is then one coordinate
# reaching its box edge, where L-BFGS-B converges cleanly, instead of an endless ridge in (alpha, beta).


def _wsum(weights: np.ndarray, values: np.ndarray) -> float:
    """sum(weights * values) without BLAS (whose thread wake-ups cost ms per call on a busy machine)."""
    return float(np.einsum("i,i->", weights, values))


def _unpack(theta: np.ndarray) -> tuple[float, float, float, float, float]:
    mean1, alpha1, mean2, alpha2 = np.exp(theta[:4])
    p = special.expit(theta[4])
    return float(alpha1), float(alpha1 / mean1), float(alpha2), float(alpha2 / mean2), float(p)


def _pack(prior: Prior) -> np.ndarray:
    return np.array(
        [
            math.log(prior.alpha1 / prior.beta1),
            math.log(prior.alpha1),
            math.log(prior.alpha2 / prior.beta2),
            math.log(prior.alpha2),
            special.logit(prior.p),
        ]
    )


def _to_theta_gradient(grad: np.ndarray) -> np.ndarray:
    """Gradient in (log a1, log b1, log a2, log b2, logit p) -> in theta (beta = alpha / mean)."""
    return np.array(
        [-grad[1], grad[0] + grad[1], -grad[3], grad[2] + grad[3], grad[4]],
    )


_BLOCK_ROWS = 1 << 16
"""Cells per block of the likelihood's passes: the temporaries (512 KiB each) stay in cache and their
memory is reused, where whole-array passes stream every temporary through main memory."""


class _Objective:
    """Negative log-likelihood and its gradient in the transformed parameters.

    gammaln/digamma of (alpha + n) are evaluated on the distinct values of n only (counts repeat a lot),
    so an evaluation over millions of cells costs a few vectorised passes of logs.
    """

    def __init__(
        self,
        n: np.ndarray,
        e: np.ndarray,
        weights: np.ndarray | None,
        likelihood: Likelihood,
        zero_e: np.ndarray | None = None,
        zero_w: np.ndarray | None = None,
    ) -> None:
        self.n = n
        self.e = e
        self.log_e = np.log(e)
        self.n_unique, self.n_index = np.unique(n, return_inverse=True)
        self.w = np.ones_like(n) if weights is None else weights
        self.lgamma_n1 = special.gammaln(n + 1.0)
        self.truncated = likelihood == "truncated"
        self.zero_e = zero_e
        self.zero_w = zero_w
        self.pool: ThreadPoolExecutor | None = None

    def subsample(self, size: int, seed: int = 0) -> _Objective:
        """The same likelihood on a random subset of cells, reweighted to the full size (for screening)."""
        rng = np.random.default_rng(seed)

        def pick(m: int) -> tuple[np.ndarray, float]:
            if m <= size:
                return np.arange(m), 1.0
            return np.sort(rng.choice(m, size=size, replace=False)), m / size

        idx, scale = pick(self.n.size)
        sub = _Objective(self.n[idx], self.e[idx], self.w[idx] * scale, "truncated" if self.truncated else "full")
        if self.zero_e is not None and self.zero_w is not None:
            zidx, zscale = pick(self.zero_e.size)
            sub.zero_e, sub.zero_w = self.zero_e[zidx], self.zero_w[zidx] * zscale
        return sub

    def _component(
        self, alpha: float, beta: float, rows: slice, lg: np.ndarray, dg: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """log f_i(n) and its derivatives in log alpha and log beta, for the cells ``rows``.

        ``lg`` / ``dg`` hold gammaln(alpha + n) - gammaln(alpha) and digamma(alpha + n) - digamma(alpha)
        for the distinct n (``n_unique``).
        """
        n, e = self.n[rows], self.e[rows]
        index = self.n_index[rows]
        beta_e = beta + e
        log_beta_e = np.log(beta_e)
        log_prob = math.log(beta) - log_beta_e  # log(beta / (beta + E))
        log_q = self.log_e[rows] - log_beta_e  # log(E / (beta + E))
        logf = lg[index] - self.lgamma_n1[rows] + alpha * log_prob + n * log_q
        d_alpha = dg[index] + log_prob
        d_beta = alpha / beta - (alpha + n) / beta_e
        if self.truncated:
            l0 = alpha * log_prob  # log f(0)
            logf = logf - np.log(-np.expm1(l0))
            with np.errstate(over="ignore"):
                ratio = 1.0 / np.expm1(-l0)  # f0 / (1 - f0); 0 when f0 underflows
            d_alpha = d_alpha + ratio * log_prob
            d_beta = d_beta + ratio * alpha * e / (beta * beta_e)
        return logf, d_alpha * alpha, d_beta * beta

    def _nonzero_part(
        self, alpha1: float, beta1: float, alpha2: float, beta2: float, p: float
    ) -> tuple[float, np.ndarray]:
        """The nonzero cells' share, accumulated over blocks of _BLOCK_ROWS cells."""
        tables = [
            (
                special.gammaln(alpha + self.n_unique) - special.gammaln(alpha),
                special.digamma(alpha + self.n_unique) - special.digamma(alpha),
            )
            for alpha in (alpha1, alpha2)
        ]
        ll, grad = 0.0, np.zeros(5)
        for start in range(0, self.n.size, _BLOCK_ROWS):
            rows = slice(start, start + _BLOCK_ROWS)
            block_ll, block_grad = self._mix(
                p,
                self._component(alpha1, beta1, rows, *tables[0]),
                self._component(alpha2, beta2, rows, *tables[1]),
                self.w[rows],
            )
            ll += block_ll
            grad += block_grad
        return ll, grad

    @staticmethod
    def _mix(
        p: float, g1: tuple[np.ndarray, ...], g2: tuple[np.ndarray, ...], w: np.ndarray
    ) -> tuple[float, np.ndarray]:
        l1 = math.log(p) + g1[0]
        l2 = math.log1p(-p) + g2[0]
        ll = np.logaddexp(l1, l2)
        r1 = np.exp(l1 - ll)  # posterior weight of component 1
        r2 = 1.0 - r1
        w1, w2 = w * r1, w * r2
        grad = np.array(
            [
                _wsum(w1, g1[1]),
                _wsum(w1, g1[2]),
                _wsum(w2, g2[1]),
                _wsum(w2, g2[2]),
                (1.0 - p) * np.sum(w1) - p * np.sum(w2),  # d/d logit p
            ]
        )
        return float(_wsum(w, ll)), grad

    def _zero_part(
        self, alpha1: float, beta1: float, alpha2: float, beta2: float, p: float
    ) -> tuple[float, np.ndarray]:
        """The zero cells' share: log f(0) = alpha log(beta / (beta + E)) per component, by blocks."""
        assert self.zero_e is not None and self.zero_w is not None
        ll, grad = 0.0, np.zeros(5)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for start in range(0, self.zero_e.size, _BLOCK_ROWS):
                z = self.zero_e[start : start + _BLOCK_ROWS]
                zg = []
                for alpha, beta in ((alpha1, beta1), (alpha2, beta2)):
                    beta_z = beta + z
                    log_f0 = alpha * (math.log(beta) - np.log(beta_z))
                    zg.append((log_f0, log_f0, alpha * z / beta_z))
                block_ll, block_grad = self._mix(p, zg[0], zg[1], self.zero_w[start : start + _BLOCK_ROWS])
                ll += block_ll
                grad += block_grad
        return ll, grad

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        alpha1, beta1, alpha2, beta2, p = _unpack(theta)
        has_zero = self.zero_e is not None and self.zero_w is not None and self.zero_e.size > 0
        # the zero cells on a second thread (numpy releases the GIL): the same operations in the same
        # order as on one thread, so the value is bitwise the same
        pending = self.pool.submit(self._zero_part, alpha1, beta1, alpha2, beta2, p) if has_zero and self.pool else None
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            ll, grad = self._nonzero_part(alpha1, beta1, alpha2, beta2, p)
        if has_zero:
            zll, zgrad = pending.result() if pending is not None else self._zero_part(alpha1, beta1, alpha2, beta2, p)
            ll += zll
            grad = grad + zgrad
        if not np.isfinite(ll) or not np.all(np.isfinite(grad)):
            return 1e300, np.zeros(5)
        return -ll, -_to_theta_gradient(grad)


def neg_log_likelihood(
    prior: Prior | Sequence[float],
    n: np.ndarray,
    e: np.ndarray,
    *,
    likelihood: Likelihood = "truncated",
    margins: Margins | None = None,
    weights: np.ndarray | None = None,
) -> float:
    """The negative log-likelihood of ``prior`` (openEBGM ``negLL`` / ``negLLzero``)."""
    prior = prior if isinstance(prior, Prior) else Prior.from_sequence(prior)
    objective = _build_objective(n, e, likelihood=likelihood, margins=margins, weights=weights)
    return objective(_pack(prior))[0]


def _build_objective(
    n: np.ndarray,
    e: np.ndarray,
    *,
    likelihood: Likelihood,
    margins: Margins | ZeroCells | None,
    weights: np.ndarray | None,
) -> _Objective:
    n = np.asarray(n, dtype=np.float64)
    e = np.asarray(e, dtype=np.float64)
    if n.shape != e.shape or n.ndim != 1:
        raise ValueError(f"n and e must be 1-d arrays of one length, got {n.shape} and {e.shape}")
    if n.size == 0:
        raise ValueError("no cells to fit the MGPS prior on")
    if np.any(~np.isfinite(e)) or np.any(e <= 0):
        raise ValueError("every expected count E must be finite and > 0")
    if weights is not None:
        weights = np.asarray(weights, dtype=np.float64)
        if weights.shape != n.shape:
            raise ValueError("weights must have the length of n")
    if likelihood == "truncated":
        if np.any(n < 1):
            raise ValueError("the truncated likelihood takes cells with n >= 1 only")
        return _Objective(n, e, weights, "truncated")
    if likelihood == "full":
        if margins is None:
            raise ValueError("likelihood='full' needs margins= (every drug's and event's n): the zero cells")
        zero_e, zero_w = margins.zero_cells()
        return _Objective(n, e, weights, "full", zero_e, zero_w)
    raise ValueError(f"likelihood must be 'truncated' or 'full', got {likelihood!r}")


# --------------------------------------------------------------------------------------------------------
# fit


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

    The Hessian is the central difference of the analytic gradient (2 evaluations per free coordinate). The
    decrement is inf and the step None when that Hessian is not positive definite: a saddle or a flat ridge,
    not a maximum of the likelihood.
    """
    value, grad = objective(theta)
    free = _free(theta, grad, box)
    if free.size == 0:
        return value, 0.0, np.zeros_like(theta)
    hessian = np.empty((free.size, free.size))
    for column, i in enumerate(free):
        step = np.zeros_like(theta)
        step[i] = _HESSIAN_STEP
        hessian[:, column] = (objective(theta + step)[1][free] - objective(theta - step)[1][free]) / (2 * _HESSIAN_STEP)
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
    parallel = objective.zero_e is not None and min(objective.n.size, objective.zero_e.size) >= _PARALLEL_MIN_CELLS
    with _single_threaded_blas(), ThreadPoolExecutor(max_workers=1) if parallel else contextlib.nullcontext() as pool:
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
"""Above this many cells and zero-cell groups, the zero cells are evaluated on a second thread."""


@contextlib.contextmanager
def _single_threaded_blas() -> Iterator[None]:
    """L-BFGS-B's few BLAS calls on 5-vectors: OpenBLAS thread wake-ups would cost more than the work."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: only a speed-up
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


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
    options = {"maxiter": max_iterations, "ftol": 1e-15, "gtol": 1e-12}

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


def fixed_prior(values: Sequence[float], *, likelihood: str = "fixed") -> PriorFit:
    """A PriorFit for a prior given by the user (var ``mgps_prior``): no fit, always usable."""
    prior = Prior.from_sequence(values)
    return PriorFit(
        alpha1=prior.alpha1,
        beta1=prior.beta1,
        alpha2=prior.alpha2,
        beta2=prior.beta2,
        p=prior.p,
        neg_log_likelihood=float("nan"),
        likelihood=likelihood,
        converged=True,
        at_boundary=False,
        boundary="",
        method="fixed (var mgps_prior)",
        message="prior given by the user, not fitted",
        n_starts=0,
        n_converged_starts=0,
        n_cells=0,
        n_zero_cells=0.0,
        iterations=0,
        gradient_norm=0.0,
        fixed=True,
    )


# --------------------------------------------------------------------------------------------------------
# posterior


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


def unit_gamma_quantile(shape: np.ndarray, prob: np.ndarray) -> np.ndarray:
    """``gammaincinv(shape, prob)`` (the quantile of Gamma(shape, rate 1)), each distinct pair computed once.

    Shapes repeat a lot (alpha + n over integer counts n), and gammaincinv is an iterative solver: on
    the distinct values it is the same call, so the result is bitwise the one of the plain call.
    """
    shape, prob = np.broadcast_arrays(np.asarray(shape, dtype=np.float64), np.asarray(prob, dtype=np.float64))
    if shape.size > 32:
        flat_prob = prob.ravel()
        if np.all(flat_prob == flat_prob[0]):  # one probability (EB05, IC025, ...): distinct shapes
            unique, inverse = np.unique(shape.ravel(), return_inverse=True)
            if unique.size * 2 <= shape.size:
                return special.gammaincinv(unique, flat_prob[0])[inverse].reshape(shape.shape)
    return special.gammaincinv(shape, prob)


_COUNT_TABLE_LIMIT = 1 << 14
"""Largest count whose special-function values :func:`of_counts` tabulates (larger ones are rare)."""

_count_tables: dict[tuple[Any, ...], np.ndarray] = {}


def of_counts(function: Any, offset: float, n: np.ndarray, *args: float) -> np.ndarray:
    """``function(offset + n, *args)`` for counts ``n``, bitwise, each (offset + count) computed once.

    The signal statistics evaluate scipy special functions (gammaln, digamma, gammaincinv) of a constant
    (a prior shape, 0.5) plus a cell count, millions of times over a few thousand distinct counts. For
    integral counts 0 <= n <= _COUNT_TABLE_LIMIT the values come from a per-process table of
    ``function(offset + k, *args)``, k = 0, 1, 2, ...: the same scalar function of the same double, so
    the same bits as the direct call. Larger counts get the direct call, and so does everything when a
    count is not a non-negative integer (or the offset is not finite).
    """
    n = np.asarray(n, dtype=np.float64)
    if n.size == 0 or not math.isfinite(offset) or not n.min() >= 0:  # also False for NaN
        return function(offset + n, *args)
    counts = n.astype(np.int64)
    if not np.array_equal(counts, n):
        return function(offset + n, *args)
    small = counts <= _COUNT_TABLE_LIMIT
    top = int(counts.max()) if small.all() else int(counts[small].max(initial=0))
    key = (function, offset, *args)
    table = _count_tables.get(key)
    if table is None or table.size <= top:
        grown = 2 * table.size if table is not None else 1024
        table = function(offset + np.arange(min(max(top + 1, grown), _COUNT_TABLE_LIMIT + 1), dtype=np.float64), *args)
        if len(_count_tables) >= 64:  # priors change between fits: keep the memo small
            _count_tables.clear()
        _count_tables[key] = table
    if small.all():
        return table[counts]
    out = np.empty(n.shape, dtype=np.float64)
    out[small] = table[counts[small]]
    out[~small] = function(offset + n[~small], *args)
    return out


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


# --------------------------------------------------------------------------------------------------------
# from a cells table (the mgps_prior dbt model, stratified studies)


def parse_prior_setting(value: object) -> list[float] | None:
    """The var ``mgps_prior`` as it reaches a Python model: None/'none'/'' or a 5-list (maybe as text)."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in ("", "none", "null", "~"):
            return None
        import yaml

        value = yaml.safe_load(text)
        if value is None:
            return None
    if not isinstance(value, list | tuple):
        raise ValueError(f"var mgps_prior must be [alpha1, beta1, alpha2, beta2, p] or null, got {value!r}")
    return list(Prior.from_sequence(value).as_array())


def _no_cells(likelihood: Likelihood) -> PriorFit:
    return replace(
        fixed_prior(DEFAULT_STARTS[0], likelihood=likelihood),
        neg_log_likelihood=float("nan"),
        converged=False,
        fixed=False,
        method="none",
        message="no cells with a >= 1: nothing to fit",
    )


def fit_from_cells(
    cells: Any,
    *,
    likelihood: Likelihood = "full",
    fixed: Sequence[float] | None = None,
) -> PriorFit:
    """Fit (or take) the prior from a cells table with columns a, expected, drug, pt, n_drug, n_event, n.

    ``cells`` is anything polars can read (a polars/pyarrow table, a DuckDB relation's arrow table).
    """
    import polars as pl

    if fixed is not None:
        return fixed_prior(fixed)
    frame = cells if isinstance(cells, pl.DataFrame) else pl.from_arrow(cells)
    assert isinstance(frame, pl.DataFrame)
    missing = {"a", "expected", "drug", "pt", "n_drug", "n_event", "n"} - set(frame.columns)
    if missing:
        raise ValueError(f"cells table lacks column(s) {sorted(missing)}")
    frame = frame.filter(pl.col("a") >= 1)
    if frame.height == 0:
        return _no_cells(likelihood)
    # identical cells (same a and E) enter once with a multiplicity: exact
    grouped = frame.group_by("a", "expected").agg(pl.len().alias("multiplicity"))
    n = grouped["a"].cast(pl.Float64).to_numpy()
    e = grouped["expected"].cast(pl.Float64).to_numpy()
    weights = grouped["multiplicity"].cast(pl.Float64).to_numpy()
    margins = None
    if likelihood == "full":
        totals = frame["n"].unique()
        if totals.len() != 1:
            raise ValueError(f"cells table mixes {totals.len()} values of N: fit each stratum on its own")
        margins = Margins(
            drug=frame.select("drug", "n_drug").unique()["n_drug"].cast(pl.Float64).to_numpy(),
            event=frame.select("pt", "n_event").unique()["n_event"].cast(pl.Float64).to_numpy(),
            n_total=float(totals[0]),
            cell_drug=frame["n_drug"].cast(pl.Float64).to_numpy(),
            cell_event=frame["n_event"].cast(pl.Float64).to_numpy(),
        )
    fit = fit_prior(n, e, likelihood=likelihood, margins=margins, weights=weights)
    return replace(fit, n_cells=frame.height)


_GROUPED_CELLS_SQL = """
    select a::double as n, expected::double as e, count(*)::double as w
    from cells
    where a >= 1
    group by a, expected
    order by a, expected
"""
_TOTALS_SQL = "select count(distinct n) as totals, min(n)::double as n from cells where a >= 1"
# Margins.zero_cells in SQL, bitwise the same arrays (tested): every pair of a drug margin value and an
# event margin value has (drugs with it) x (events with it) cells, minus the nonzero cells with those
# margins; E = n_drug * n_event / N in double precision as numpy computes it (the product is exact
# below 2^53), one row per distinct E in ascending order
_ZERO_CELLS_SQL = """
    with counted as (
        select drug, pt, n_drug, n_event, n from cells where a >= 1
    ),
    drug_margins as (
        select n_drug, count(*) as drugs from (select distinct drug, n_drug from counted) group by n_drug
    ),
    event_margins as (
        select n_event, count(*) as events from (select distinct pt, n_event from counted) group by n_event
    ),
    nonzero as (
        select n_drug, n_event, count(*) as cells from counted group by n_drug, n_event
    ),
    margin_pairs as (
        select
            drug_margins.n_drug,
            event_margins.n_event,
            drug_margins.drugs * event_margins.events - coalesce(nonzero.cells, 0) as zeros
        from drug_margins
        cross join event_margins
        left join nonzero
            on drug_margins.n_drug = nonzero.n_drug
            and event_margins.n_event = nonzero.n_event
    )
    select
        margin_pairs.n_drug::double * margin_pairs.n_event::double / totals.n::double as e,
        sum(margin_pairs.zeros)::double as w,
        min(margin_pairs.zeros) as fewest
    from margin_pairs
    cross join (select min(n) as n from counted) as totals
    where margin_pairs.zeros <> 0
    group by e
    order by e
"""


def fit_from_relation(
    cells: Any,
    *,
    likelihood: Likelihood = "full",
    fixed: Sequence[float] | None = None,
) -> PriorFit:
    """:func:`fit_from_cells` on a DuckDB relation (e.g. ``dbt.ref('drug_event_cells')``), same result.

    DuckDB does the grouping: identical (a, E) cells, and the zero cells grouped by E from the drug and
    event margins (``_ZERO_CELLS_SQL``, the same arrays as :meth:`Margins.zero_cells`), so only those
    aggregates reach Python: at FAERS scale a few million rows instead of every cell with its names.
    """
    if fixed is not None:
        return fixed_prior(fixed)

    def fetch(sql: str) -> dict[str, np.ndarray]:
        return {k: np.asarray(v) for k, v in cells.query("cells", sql).fetchnumpy().items()}

    grouped = fetch(_GROUPED_CELLS_SQL)
    if grouped["n"].size == 0:
        return _no_cells(likelihood)
    margins: ZeroCells | None = None
    if likelihood == "full":
        totals = fetch(_TOTALS_SQL)
        if int(totals["totals"][0]) != 1:
            raise ValueError(f"cells table mixes {int(totals['totals'][0])} values of N: fit each stratum on its own")
        zeros = fetch(_ZERO_CELLS_SQL)
        if zeros["fewest"].size and zeros["fewest"].min() < 0:
            raise ValueError("cells: more nonzero cells than drug x event pairs for some margins")
        margins = ZeroCells(expected=zeros["e"], weights=zeros["w"])
    fit = fit_prior(grouped["n"], grouped["e"], likelihood=likelihood, margins=margins, weights=grouped["w"])
    return replace(fit, n_cells=int(grouped["w"].sum()))


def fit_priors_by(
    cells: Any,
    stratum_cols: Sequence[str],
    *,
    likelihood: Likelihood = "full",
    fixed: Sequence[float] | None = None,
) -> Any:
    """One prior per stratum: a polars DataFrame with the stratum columns and the mgps_prior columns.

    ``cells`` holds the stratum columns plus a, expected, drug, pt, n_drug, n_event and n (N of the
    stratum). A stratum whose fit fails still gets a row (converged / at_boundary / is_usable say so).
    """
    import polars as pl

    frame = cells if isinstance(cells, pl.DataFrame) else pl.from_arrow(cells)
    assert isinstance(frame, pl.DataFrame)
    rows = []
    for key, group in frame.group_by(list(stratum_cols), maintain_order=True):
        try:
            row = fit_from_cells(group, likelihood=likelihood, fixed=fixed).as_row()
        except ValueError as error:  # e.g. a stratum too small to fit: recorded, not fatal
            row = {"message": f"no fit: {error}", "is_usable": False, "converged": False}
        rows.append({**dict(zip(stratum_cols, key, strict=True)), **row})
    return pl.DataFrame(rows)
