"""Special functions of (a constant + a cell count), each distinct argument computed once, bitwise.

The signal statistics evaluate scipy special functions over millions of cells but few distinct counts:
:func:`of_counts` keeps per-count tables, :func:`unit_gamma_quantile` solves each distinct shape once.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import special


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
