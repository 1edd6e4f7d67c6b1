"""The project's Python functions as Spark pandas UDFs: the Spark counterpart of faers.udfs.register.

``register(session)`` puts them on a SparkSession under the names the macros call (macros/signals/_engine.sql
and the spark__ variants of the models that need Python). Each scalar UDF is the DuckDB UDF itself
(faers.udfs, Arrow arrays in and out): one definition of every formula, vectorised per Arrow batch. Two
aggregate functions stand for the project's Python dbt models, which dbt-spark cannot run in session mode:

* ``gamma_quantile``, ``digamma``, ``trigamma``, ``mgps_qn``, ``mgps_quantile``, ``signal_udf_stats``: the
  functions of faers.udfs (scalar pandas UDFs; the struct of ``signal_udf_stats`` as a Spark struct).
* ``faers_mgps_prior_fit(drug, pt, a, expected, n_drug, n_event, n, likelihood, fixed_prior,
  expected_strata, expected_year_band)``: the MGPS prior fit of model ``mgps_prior_fit`` as a JSON object
  (faers.mgps.fit_from_relation on the cells; expected_strata labelled by faers.mgps.strata_label).
* ``faers_dictionary_matches(kind, value)``: the open drug dictionary's matches
  (faers.drug_dictionary.resolve_names) as a JSON array of [name_key, dictionary_names, ingredient_text];
  rows of kind ``key`` are the names, of kind ``vocabulary`` the known ingredients.

The aggregates see every row of their input in one Python call (no GROUP BY): the cells of drug_event_cells
and the distinct drug-name keys, both small enough for one process at FAERS scale.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import pandas as pd
import pyarrow as pa

from faers import udfs

DOUBLE = "double"
SIGNAL_UDF_STATS_SCHEMA = (
    "ic025_quantile double, ic975_quantile double, psi1 double, psi2 double, qn double, eb05 double, eb95 double"
)


def _arrow(series: pd.Series) -> pa.Array:
    """A numeric column as float64 Arrow (Spark passes a literal such as 1.0 as a DECIMAL: Python Decimals)."""
    return pa.Array.from_pandas(series.astype("float64"), type=pa.float64())


def _pandas(values: pa.Array) -> pd.Series:
    return values.to_pandas().astype("float64")


def _scalar(function: Callable[..., pa.Array]) -> Callable[..., pd.Series]:
    def apply(*columns: pd.Series) -> pd.Series:
        return _pandas(function(*(_arrow(column) for column in columns)))

    return apply


def _signal_udf_stats(*columns: pd.Series) -> pd.DataFrame:
    struct = udfs.signal_udf_stats(*(_arrow(column) for column in columns))
    return pd.DataFrame({field.name: _pandas(struct.field(field.name)) for field in struct.type})


def _json_value(value: Any) -> Any:
    """NaN/inf as None (JSON null, SQL NULL), numpy scalars as Python ones."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def mgps_prior_fit(
    drug: pd.Series,
    pt: pd.Series,
    a: pd.Series,
    expected: pd.Series,
    n_drug: pd.Series,
    n_event: pd.Series,
    n: pd.Series,
    likelihood: pd.Series,
    fixed_prior: pd.Series,
    expected_strata: pd.Series,
    expected_year_band: pd.Series,
) -> str:
    """The prior fit of the cells (one row per drug-event cell) as a JSON object with mgps_prior's columns:
    the cells go into an in-memory DuckDB relation and through faers.mgps.fit_from_relation, the DuckDB
    target's code path, so both targets fit the same grouped arrays."""
    import duckdb

    from faers.mgps import fit_from_relation, parse_prior_setting, strata_label

    setting = likelihood.iloc[0] if len(likelihood) else "full"
    fixed = parse_prior_setting(json.loads(fixed_prior.iloc[0])) if len(fixed_prior) else None
    cells = pa.table(
        {
            "drug": pa.array(drug, pa.string()),
            "pt": pa.array(pt, pa.string()),
            "a": pa.array(a, pa.int64()),
            "expected": pa.array(expected, pa.float64()),
            "n_drug": pa.array(n_drug, pa.int64()),
            "n_event": pa.array(n_event, pa.int64()),
            "n": pa.array(n, pa.int64()),
        }
    )
    with duckdb.connect() as conn:
        fit = fit_from_relation(conn.from_arrow(cells), likelihood=setting, fixed=fixed)
    label = strata_label(expected_strata.iloc[0], expected_year_band.iloc[0]) if len(expected_strata) else ""
    row = {**fit.as_row(), "expected_strata": label}
    return json.dumps({key: _json_value(value) for key, value in row.items()})


def dictionary_matches(kind: pd.Series, value: pd.Series) -> str:
    """faers.drug_dictionary.resolve_names of the ``key`` rows against the ``vocabulary`` rows, as a JSON
    array of [name_key, dictionary_names, ingredient_text]."""
    from faers.drug_dictionary import resolve_names

    keys = value[kind == "key"].tolist()
    vocabulary = value[kind == "vocabulary"].tolist()
    return json.dumps([[m.name_key, m.dictionary_names, m.ingredient_text] for m in resolve_names(keys, vocabulary)])


def register(session: Any) -> None:
    """Register every function of the table above on ``session`` (a pyspark SparkSession); idempotent."""
    from pyspark.sql.functions import pandas_udf

    scalars: tuple[tuple[str, Callable[..., pa.Array]], ...] = (
        ("gamma_quantile", udfs.gamma_quantile),
        ("digamma", udfs.digamma),
        ("trigamma", udfs.trigamma),
        ("mgps_qn", udfs.mgps_qn),
        ("mgps_quantile", udfs.mgps_quantile),
    )
    for name, function in scalars:
        session.udf.register(name, pandas_udf(_scalar(function), DOUBLE))  # type: ignore[call-overload]
    session.udf.register(
        "signal_udf_stats",
        pandas_udf(_signal_udf_stats, SIGNAL_UDF_STATS_SCHEMA),  # type: ignore[call-overload]
    )
    session.udf.register(
        "faers_mgps_prior_fit",
        pandas_udf(mgps_prior_fit, "string"),  # type: ignore[call-overload]
    )
    session.udf.register(
        "faers_dictionary_matches",
        pandas_udf(dictionary_matches, "string"),  # type: ignore[call-overload]
    )
