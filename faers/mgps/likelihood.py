"""The negative log-likelihood of the MGPS prior and its analytic gradient.

The count ``n`` of a drug-event cell with expected count ``E`` is Poisson(lambda * E) and
lambda ~ p Gamma(alpha1, beta1) + (1 - p) Gamma(alpha2, beta2) (shape/rate). Marginally ``n`` is a mixture
of two negative binomials NB(size=alpha_i, prob=beta_i / (beta_i + E)).

* ``"truncated"``: only cells with n >= 1, each component conditioned on n >= 1 (openEBGM ``negLL`` with
  ``N_star = 1``).
* ``"full"``: every drug x event cell, including the zero cells (DuMouchel 1999; openEBGM ``negLLzero``).
  The zero cells only enter through ``E = n_drug * n_event / N``, so they are grouped by their margins
  (:class:`Margins`): exact, without data squashing and without materialising the zero cells.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import special

from faers.mgps.prior import Likelihood, Prior


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


_RECENT_EVALUATIONS = 8
"""Evaluations of the likelihood an objective keeps, by theta (insertion order, the oldest dropped first)."""


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
        self._recent: dict[bytes, tuple[float, np.ndarray]] = {}

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

    def _count_tables(self, alpha1: float, alpha2: float) -> list[tuple[np.ndarray, np.ndarray]]:
        """gammaln(alpha + n) - gammaln(alpha) and digamma(alpha + n) - digamma(alpha) on the distinct n, per
        component (what :meth:`_component` looks up)."""
        return [
            (
                special.gammaln(alpha + self.n_unique) - special.gammaln(alpha),
                special.digamma(alpha + self.n_unique) - special.digamma(alpha),
            )
            for alpha in (alpha1, alpha2)
        ]

    def _nonzero_block(
        self,
        start: int,
        params: tuple[float, float, float, float, float],
        tables: list[tuple[np.ndarray, np.ndarray]],
    ) -> tuple[float, np.ndarray]:
        """The share of the nonzero cells ``start .. start + _BLOCK_ROWS``."""
        alpha1, beta1, alpha2, beta2, p = params
        rows = slice(start, start + _BLOCK_ROWS)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return self._mix(
                p,
                self._component(alpha1, beta1, rows, *tables[0]),
                self._component(alpha2, beta2, rows, *tables[1]),
                self.w[rows],
            )

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

    def _zero_block(self, start: int, params: tuple[float, float, float, float, float]) -> tuple[float, np.ndarray]:
        """The share of the zero cells ``start .. start + _BLOCK_ROWS``: log f(0) = alpha log(beta / (beta + E))
        per component."""
        assert self.zero_e is not None and self.zero_w is not None
        alpha1, beta1, alpha2, beta2, p = params
        z = self.zero_e[start : start + _BLOCK_ROWS]
        zg = []
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for alpha, beta in ((alpha1, beta1), (alpha2, beta2)):
                beta_z = beta + z
                log_f0 = alpha * (math.log(beta) - np.log(beta_z))
                zg.append((log_f0, log_f0, alpha * z / beta_z))
            return self._mix(p, zg[0], zg[1], self.zero_w[start : start + _BLOCK_ROWS])

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        # the fit asks again for points already evaluated (L-BFGS-B's end point for the projected gradient and
        # the Newton decrement, the polished point): the last few evaluations are kept, so the same theta is
        # not evaluated twice over the whole table
        key = np.asarray(theta, dtype=np.float64).tobytes()
        if key in self._recent:
            value, grad = self._recent[key]
            return value, grad.copy()
        value, grad = self._evaluate(theta)
        if len(self._recent) >= _RECENT_EVALUATIONS:
            del self._recent[next(iter(self._recent))]
        self._recent[key] = (value, grad)
        return value, grad.copy()

    def _evaluate(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        params = _unpack(theta)
        tables = self._count_tables(params[0], params[2])
        tasks = [
            functools.partial(self._nonzero_block, start, params, tables)
            for start in range(0, self.n.size, _BLOCK_ROWS)
        ]
        n_nonzero = len(tasks)
        if self.zero_e is not None and self.zero_w is not None:
            tasks += [
                functools.partial(self._zero_block, start, params) for start in range(0, self.zero_e.size, _BLOCK_ROWS)
            ]
        # the blocks on the pool's threads (numpy releases the GIL), their shares added in block order as on one
        # thread: the value is bitwise the same whatever the threads
        results = list(self.pool.map(_call, tasks)) if self.pool is not None else [task() for task in tasks]
        ll, grad = _accumulate(results[:n_nonzero])
        if len(results) > n_nonzero:
            zll, zgrad = _accumulate(results[n_nonzero:])
            ll += zll
            grad = grad + zgrad
        if not np.isfinite(ll) or not np.all(np.isfinite(grad)):
            return 1e300, np.zeros(5)
        return -ll, -_to_theta_gradient(grad)


def _call(task: Callable[[], tuple[float, np.ndarray]]) -> tuple[float, np.ndarray]:
    return task()


def _accumulate(shares: Sequence[tuple[float, np.ndarray]]) -> tuple[float, np.ndarray]:
    """The sum of blocks' (log-likelihood, gradient) shares, added in order."""
    ll, grad = 0.0, np.zeros(5)
    for block_ll, block_grad in shares:
        ll += block_ll
        grad += block_grad
    return ll, grad


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
