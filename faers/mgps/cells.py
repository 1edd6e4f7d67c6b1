"""The prior fit from a cells table: a polars/arrow table, or a DuckDB relation grouped by SQL.

The tables have drug_event_cells' columns (a, expected, drug, pt, n_drug, n_event, n): the mgps_prior dbt
model fits on the relation, the study on each stratum's relation (faers.study.stats.fit_stratum_priors).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from faers.mgps.fit import DEFAULT_STARTS, fit_prior
from faers.mgps.likelihood import Margins, ZeroCells
from faers.mgps.prior import Likelihood, PriorFit, fixed_prior


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
    grouped = frame.group_by("a", "expected").agg(pl.len().alias("multiplicity")).sort("a", "expected")  # reproducible
    n = grouped["a"].cast(pl.Float64).to_numpy()
    e = grouped["expected"].cast(pl.Float64).to_numpy()
    weights = grouped["multiplicity"].cast(pl.Float64).to_numpy()
    margins = None
    if likelihood == "full":
        totals = frame["n"].unique()
        if totals.len() != 1:
            raise ValueError(f"cells table mixes {totals.len()} values of N: fit each stratum on its own")
        margins = Margins(
            drug=frame.select("drug", "n_drug").unique().sort("drug")["n_drug"].cast(pl.Float64).to_numpy(),
            event=frame.select("pt", "n_event").unique().sort("pt")["n_event"].cast(pl.Float64).to_numpy(),
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
