"""Vectorised Python UDFs for what DuckDB lacks (gamma quantiles, digamma, gamma-mixture quantiles).

``register(conn)`` registers them on any DuckDB connection: the dbt plugin calls it, and so can an analyst
(``faers.udfs.connect(path)`` opens a warehouse with them). Every function takes and returns Arrow arrays
(``type='arrow'``: one call per DuckDB vector, numpy/scipy inside). NULL or NaN in gives NULL out; a result
that would be NaN or infinite is NULL too, so no model ever stores inf/NaN.

| SQL function | meaning |
|---|---|
| ``gamma_quantile(p, shape, rate)`` | quantile p of Gamma(shape, rate) (rate, as in the MGPS/IC papers) |
| ``digamma(x)``, ``trigamma(x)`` | psi and psi' |
| ``mgps_quantile(prob, n, e, alpha1, beta1, alpha2, beta2, p)`` | quantile of the MGPS posterior of lambda |
| ``mgps_qn(n, e, alpha1, beta1, alpha2, beta2, p)`` | posterior weight of prior component 1 |
| ``signal_udf_stats(n, e, alpha1, beta1, alpha2, beta2, p)`` | all of the above the signals mart needs, one call |
| ``signal_udf_stats_batch(counts, alpha1, beta1, alpha2, beta2, p)`` | the same for lists of (a, expected) |

``signal_udf_stats`` returns a STRUCT (``SIGNAL_UDF_STATS_TYPE``) with, per row, exactly what the separate
calls return: the IC025/IC975 gamma quantiles (``gamma_quantile(0.025|0.975, n + 0.5, e + 0.5)``),
``digamma(alpha1 + n)``, ``digamma(alpha2 + n)``, ``mgps_qn(...)`` and EB05/EB95 (``mgps_quantile(...)``).
The signals mart uses it so that DuckDB calls one Python function per vector instead of seven (the per-call
overhead dominated) and Qn is computed once instead of three times. ``signal_udf_stats_batch`` takes each row's
(a, expected) pairs as one list (``STRUCT(a, expected)[]``) and returns the list of their structs: the signals
mart hands it all its distinct (a, expected) in a few lists, so one call computes them in slices of
``BATCH_SLICE_ROWS`` on a thread pool (``faers.mgps.fit.WORKERS``: every core, at most 4), rather than DuckDB's
one call per 2,048-row vector on one core at a time (``_serialised``).
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy import special

from faers.mgps import posterior, tables
from faers.mgps.fit import WORKERS


def _combined(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One Arrow array (DuckDB may pass a chunked one)."""
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _np(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Arrow -> float64 numpy, NULL -> NaN."""
    return _combined(values).cast(pa.float64()).to_numpy(zero_copy_only=False)


def _arrow(values: np.ndarray) -> pa.Array:
    """float64 numpy -> Arrow, NaN/inf -> NULL."""
    values = np.asarray(values, dtype=np.float64)
    return pa.array(values, type=pa.float64(), mask=~np.isfinite(values))


def gamma_quantile(p: pa.Array, shape: pa.Array, rate: pa.Array) -> pa.Array:
    """Quantile p of Gamma(shape, rate); NULL outside 0 < p < 1, shape > 0, rate > 0."""
    prob, k, r = _np(p), _np(shape), _np(rate)
    ok = (prob > 0) & (prob < 1) & (k > 0) & (r > 0)
    fill = prob[ok][0] if ok.any() else 0.5  # keeps a constant p constant (one gammaincinv per distinct shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(ok, tables.unit_gamma_quantile(np.where(ok, k, 1.0), np.where(ok, prob, fill)) / r, np.nan)
    return _arrow(out)


def digamma(x: pa.Array) -> pa.Array:
    """psi(x); NULL at the poles (x = 0, -1, -2, ...)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return _arrow(special.digamma(_np(x)))


def trigamma(x: pa.Array) -> pa.Array:
    """psi'(x) (PhViD's trigamma for the Gould 2003 IC variance); NULL at the poles."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return _arrow(special.polygamma(1, _np(x)))


def _constant(values: np.ndarray) -> float | None:
    """The one value of a non-empty column that holds a single finite value, else None."""
    if values.size == 0:
        return None
    first = float(values[0])
    return first if math.isfinite(first) and bool(np.all(values == first)) else None


def _shifted(function: object, alpha: np.ndarray, shape: float | None, n: np.ndarray, *args: float) -> np.ndarray:
    """``function(alpha + n, *args)``; from tables.of_counts' tables when ``alpha`` is one value, ``shape``."""
    if shape is None:
        return function(alpha + n, *args)  # type: ignore[operator]
    return tables.of_counts(function, shape, n, *args)


def _prior_arrays(*columns: pa.Array) -> tuple[np.ndarray, ...]:
    return tuple(_np(column) for column in columns)


def mgps_qn(
    n: pa.Array,
    e: pa.Array,
    alpha1: pa.Array,
    beta1: pa.Array,
    alpha2: pa.Array,
    beta2: pa.Array,
    p: pa.Array,
) -> pa.Array:
    """Posterior weight Qn of component 1 for counts n and expected counts e (prior given per row)."""
    nv, ev, a1, b1, a2, b2, pv = _prior_arrays(n, e, alpha1, beta1, alpha2, beta2, p)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _arrow(posterior.posterior_weight_arrays(nv, ev, a1, b1, a2, b2, pv))


def mgps_quantile(
    prob: pa.Array,
    n: pa.Array,
    e: pa.Array,
    alpha1: pa.Array,
    beta1: pa.Array,
    alpha2: pa.Array,
    beta2: pa.Array,
    p: pa.Array,
) -> pa.Array:
    """Quantile ``prob`` of the MGPS posterior gamma mixture (EB05 = 0.05, EB95 = 0.95)."""
    pr, nv, ev, a1, b1, a2, b2, pv = _prior_arrays(prob, n, e, alpha1, beta1, alpha2, beta2, p)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = posterior.posterior_weight_arrays(nv, ev, a1, b1, a2, b2, pv)
        return _arrow(posterior.mixture_quantile(pr, q, a1 + nv, b1 + ev, a2 + nv, b2 + ev))


SIGNAL_UDF_STATS_TYPE = (
    "STRUCT(ic025_quantile DOUBLE, ic975_quantile DOUBLE, psi1 DOUBLE, psi2 DOUBLE, qn DOUBLE, "
    "eb05 DOUBLE, eb95 DOUBLE)"
)


def signal_udf_stats(
    n: pa.Array,
    e: pa.Array,
    alpha1: pa.Array,
    beta1: pa.Array,
    alpha2: pa.Array,
    beta2: pa.Array,
    p: pa.Array,
) -> pa.StructArray:
    """The UDF-based statistics of one signals row in one call: the same values as the separate UDFs.

    With one prior on every row (the signals mart's case) and integral counts, the special functions of
    (prior shape + count) come from tables.of_counts' tables: bitwise the values of the direct calls.
    """
    nv, ev, a1, b1, a2, b2, pv = _prior_arrays(n, e, alpha1, beta1, alpha2, beta2, p)
    shape, rate = nv + 0.5, ev + 0.5
    ok = (shape > 0) & (rate > 0)  # gamma_quantile's domain (p is a constant inside (0, 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        ic025 = np.where(ok, tables.of_counts(special.gammaincinv, 0.5, nv, 0.025) / rate, np.nan)
        ic975 = np.where(ok, tables.of_counts(special.gammaincinv, 0.5, nv, 0.975) / rate, np.nan)
        s1, s2 = a1 + nv, a2 + nv
        r1, r2 = b1 + ev, b2 + ev
        shape1, shape2 = _constant(a1), _constant(a2)
        psi1, psi2 = _shifted(special.digamma, a1, shape1, nv), _shifted(special.digamma, a2, shape2, nv)
        log_gammas = (_shifted(special.gammaln, a1, shape1, nv), _shifted(special.gammaln, a2, shape2, nv))
        zero = np.zeros_like(nv)  # gammaln(alpha + 0) = gammaln(alpha)
        ratios = (
            log_gammas[0] - _shifted(special.gammaln, a1, shape1, zero),
            log_gammas[1] - _shifted(special.gammaln, a2, shape2, zero),
        )
        q = posterior.posterior_weight_arrays(nv, ev, a1, b1, a2, b2, pv, lgamma_ratios=ratios)
        eb05, eb95 = (
            posterior.mixture_quantile(
                np.full(nv.shape, prob),
                q,
                s1,
                r1,
                s2,
                r2,
                unit_quantiles=(
                    _shifted(special.gammaincinv, a1, shape1, nv, prob),
                    _shifted(special.gammaincinv, a2, shape2, nv, prob),
                ),
                log_gammas=log_gammas,
            )
            for prob in (0.05, 0.95)
        )
    return pa.StructArray.from_arrays(
        [_arrow(v) for v in (ic025, ic975, psi1, psi2, q, eb05, eb95)],
        names=["ic025_quantile", "ic975_quantile", "psi1", "psi2", "qn", "eb05", "eb95"],
    )


BATCH_SLICE_ROWS = 65_536
"""Rows per slice of signal_udf_stats_batch: numpy's passes over a slice stay in the CPU's caches. On the
whole-history warehouse's 4.10M distinct (a, expected): 6.4 s in 65,536-row slices on one thread, 3.2 s on two;
one 4.10M-row call 11.8 s; signal_udf_stats through DuckDB (2,048-row vectors, one at a time) 8.5 s."""
COUNTS_TYPE = "STRUCT(a DOUBLE, expected DOUBLE)[]"


def signal_udf_stats_batch(
    counts: pa.Array | pa.ChunkedArray,
    alpha1: pa.Array,
    beta1: pa.Array,
    alpha2: pa.Array,
    beta2: pa.Array,
    p: pa.Array,
) -> pa.Array:
    """signal_udf_stats of every (a, expected) of each row's list ``counts`` with that row's prior: the list of
    their structs, in the list's order (bitwise signal_udf_stats' values: the same function of the same values).
    A NULL list gives NULL."""
    lists = _combined(counts)
    pairs = lists.flatten()
    rows = pc.list_parent_indices(lists)  # the row of each pair, for its prior
    columns = [pairs.field("a"), pairs.field("expected")]
    columns += [_combined(prior).take(rows) for prior in (alpha1, beta1, alpha2, beta2, p)]
    starts = range(0, len(pairs), BATCH_SLICE_ROWS)

    def one_slice(start: int) -> pa.StructArray:
        return signal_udf_stats(*(column.slice(start, BATCH_SLICE_ROWS) for column in columns))

    if len(starts) > 1:
        with ThreadPoolExecutor(max_workers=min(len(starts), WORKERS)) as pool:
            parts = list(pool.map(one_slice, starts))
    else:
        parts = [one_slice(0)]
    values = pa.concat_arrays(parts)
    offsets = pc.subtract(lists.offsets, lists.offsets[0])
    return pa.ListArray.from_arrays(offsets, values, mask=lists.is_null() if lists.null_count else None)


_UDFS: tuple[tuple[str, object, list[str]], ...] = (
    ("gamma_quantile", gamma_quantile, ["DOUBLE"] * 3),
    ("digamma", digamma, ["DOUBLE"]),
    ("trigamma", trigamma, ["DOUBLE"]),
    ("mgps_qn", mgps_qn, ["DOUBLE"] * 7),
    ("mgps_quantile", mgps_quantile, ["DOUBLE"] * 8),
    ("signal_udf_stats", signal_udf_stats, ["DOUBLE"] * 7),
    ("signal_udf_stats_batch", signal_udf_stats_batch, [COUNTS_TYPE] + ["DOUBLE"] * 5),
)
_RETURN_TYPES = {"signal_udf_stats": SIGNAL_UDF_STATS_TYPE, "signal_udf_stats_batch": f"{SIGNAL_UDF_STATS_TYPE}[]"}


_ONE_CALL_AT_A_TIME = threading.Lock()


def _serialised(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` run by one DuckDB thread at a time. DuckDB calls a Python UDF from each of its threads, one
    call per 2048-row vector; the calls then contend for the GIL (numpy releases it only inside each kernel),
    which cost more than it saved: signal_udf_stats over 2.46M distinct (n, E) took 3.09 s on 2 threads (4.0 s
    of CPU) and 2.77 s with this lock (3.15 s of CPU), 2.5 s on 1 thread (benchmarks/signals.py's data)."""

    @functools.wraps(function)
    def call(*args: Any) -> Any:
        with _ONE_CALL_AT_A_TIME:
            return function(*args)

    return call


def register(conn: duckdb.DuckDBPyConnection) -> None:
    """Register every UDF of the project on ``conn`` (idempotent: re-registering replaces them)."""
    existing = {
        row[0]
        for row in conn.execute(
            "select function_name from duckdb_functions() where function_type = 'scalar'"
        ).fetchall()
    }
    for name, function, parameters in _UDFS:
        if name in existing:
            try:
                conn.remove_function(name)
            except (duckdb.InvalidInputException, duckdb.CatalogException):
                # a built-in of the same name in a future DuckDB: keep the built-in
                continue
        conn.create_function(
            name,
            _serialised(function),  # type: ignore[arg-type]
            parameters,  # type: ignore[arg-type]
            _RETURN_TYPES.get(name, "DOUBLE"),  # type: ignore[arg-type]
            type="arrow",
            null_handling="special",
            side_effects=False,
        )


def connect(path: str | Path = ":memory:", *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB database (e.g. the warehouse) with every UDF registered, the project's memory_limit
    and temp_directory (loaders.settings) and the warehouse's checkpoints (loaders.storage.keep_row_groups): an
    analyst's session."""
    from loaders.settings import apply_settings
    from loaders.storage import keep_row_groups

    conn = duckdb.connect(str(path), read_only=read_only)
    apply_settings(conn, None if str(path) == ":memory:" else path)
    keep_row_groups(conn)
    register(conn)
    return conn
