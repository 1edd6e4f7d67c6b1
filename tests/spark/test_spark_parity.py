"""Every mart built by Spark equals the DuckDB build of the same sample: the same tables, the same rows
(every key and text/integer/boolean/date column exact), statistics within 1e-9 relative (EBGM, EB05, EB95
within 1e-6: the posterior quantiles are roots found to that tolerance), and the raw Parquet of
`faers load --format parquet` holds the loader's rows and line accounting."""

from __future__ import annotations

import math

import duckdb
import pyarrow as pa
import pytest

from loaders.schema import QUARTER_TABLES

STATISTICS_RTOL = 1e-9
EB_RTOL = 1e-6
EB_COLUMNS = frozenset({"ebgm", "eb05", "eb95"})


def _duckdb_marts(path: object) -> dict[str, pa.Table]:
    with duckdb.connect(str(path), read_only=True) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'main' order by 1"
            ).fetchall()
        ]
        return {name: conn.execute(f"select * from main.{name}").to_arrow_table() for name in names}


def _spark_table(spark: object, name: str) -> pa.Table:
    frame = spark.table(f"main.{name}")  # type: ignore[attr-defined]
    return frame.toArrow()


def _is_float(kind: pa.DataType) -> bool:
    return pa.types.is_floating(kind) or pa.types.is_decimal(kind)


def _normalised(value: object) -> object:
    if isinstance(value, list | tuple):
        return tuple(_normalised(v) for v in value)
    return value


def _rows(table: pa.Table, exact: list[str], floats: list[str]) -> list[tuple[tuple[object, ...], tuple[object, ...]]]:
    exact_values = [table.column(name).to_pylist() for name in exact]
    float_values = [table.column(name).cast(pa.float64()).to_pylist() for name in floats]
    rows = [
        (tuple(_normalised(column[i]) for column in exact_values), tuple(column[i] for column in float_values))
        for i in range(table.num_rows)
    ]
    return sorted(rows, key=lambda row: tuple((v is None, str(v)) for v in row[0]))


def _close(left: float | None, right: float | None, rtol: float) -> bool:
    if left is None or right is None or math.isnan(left) or math.isnan(right):
        return (left is None or math.isnan(left)) and (right is None or math.isnan(right))
    return math.isclose(left, right, rel_tol=rtol, abs_tol=rtol * 1e-3)


@pytest.fixture(scope="module")
def marts(both_targets: object) -> dict[str, pa.Table]:
    return _duckdb_marts(both_targets.duckdb_path)  # type: ignore[attr-defined]


def test_spark_builds_every_duckdb_mart(both_targets: object, marts: dict[str, pa.Table]) -> None:
    spark = both_targets.spark  # type: ignore[attr-defined]
    spark_marts = {row.tableName for row in spark.sql("show tables in main").collect()}
    assert set(marts) == spark_marts
    assert {"dim_case", "fct_case_drug", "drug_event_cells", "mgps_prior", "signals"} <= spark_marts


MARTS = [
    "dim_case",
    "drug_name_audit",
    "fct_case_drug",
    "fct_case_drug_ingredient",
    "fct_case_indication",
    "fct_case_outcome",
    "fct_case_reaction",
    "fct_case_report_source",
    "fct_case_therapy",
    "drug_event_cells",
    "mgps_prior_fit",
    "mgps_prior",
    "signals",
    "tto",
]


@pytest.mark.parametrize("mart", MARTS)
def test_mart_equals_duckdb(both_targets: object, marts: dict[str, pa.Table], mart: str) -> None:
    expected = marts[mart]
    actual = _spark_table(both_targets.spark, mart)  # type: ignore[attr-defined]
    assert actual.column_names == expected.column_names
    assert actual.num_rows == expected.num_rows > 0
    floats = [f.name for f in expected.schema if _is_float(f.type)]
    exact = [name for name in expected.column_names if name not in floats]
    expected_rows = _rows(expected, exact, floats)
    actual_rows = _rows(actual, exact, floats)
    mismatched_keys = [(e[0], a[0]) for e, a in zip(expected_rows, actual_rows, strict=True) if e[0] != a[0]]
    assert not mismatched_keys, f"{mart}: {len(mismatched_keys)} rows differ, first {mismatched_keys[0]}"
    for index, name in enumerate(floats):
        rtol = EB_RTOL if name in EB_COLUMNS else STATISTICS_RTOL
        bad = [
            (e[0], e[1][index], a[1][index])
            for e, a in zip(expected_rows, actual_rows, strict=True)
            if not _close(e[1][index], a[1][index], rtol)
        ]
        assert not bad, f"{mart}.{name}: {len(bad)} values differ beyond {rtol}, first {bad[0]}"


def test_signals_carry_statistics(both_targets: object) -> None:
    """The parity above is not parity of NULLs: the Spark signals have every statistic on most rows."""
    spark = both_targets.spark  # type: ignore[attr-defined]
    row = spark.sql(
        "select count(*) as n, count(ror) as ror, count(ic025) as ic025, count(ebgm) as ebgm, "
        "count(eb05) as eb05 from main.signals"
    ).collect()[0]
    assert row.n > 0 and row.ic025 == row.n and row.ebgm == row.n and row.eb05 == row.n and row.ror > 0
    prior = spark.sql("select is_usable, converged from main.mgps_prior").collect()
    assert len(prior) == 1 and prior[0].is_usable and prior[0].converged


@pytest.mark.parametrize("table", QUARTER_TABLES)
def test_raw_parquet_equals_loader_tables(both_targets: object, table: str) -> None:
    """Same rows, columns and line accounting as raw.* of the DuckDB load (the Spark build's sources)."""
    root = both_targets.parquet_dir  # type: ignore[attr-defined]
    with duckdb.connect(str(both_targets.duckdb_path), read_only=True) as conn:  # type: ignore[attr-defined]
        # every column but the time of the load (two loads of the same zips differ only there)
        columns = [row[0] for row in conn.execute(f"select * from raw.{table} limit 0").description]
        columns = [column for column in columns if column != "loaded_at"]
        listed = ", ".join(f'"{c}"' for c in columns)
        parquet = f"read_parquet('{root}/{table}/*/*.parquet', hive_partitioning = true, union_by_name = true)"
        differences = conn.execute(
            f"select count(*) from ((select {listed} from raw.{table} except all select {listed} from {parquet}) "
            f"union all (select {listed} from {parquet} except all select {listed} from raw.{table}))"
        ).fetchall()[0][0]
        counts = conn.execute(f"select (select count(*) from raw.{table}), (select count(*) from {parquet})").fetchall()
    assert differences == 0
    assert counts[0][0] == counts[0][1]
