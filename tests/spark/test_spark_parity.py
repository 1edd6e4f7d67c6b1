"""Every mart built by Spark equals the DuckDB build of the same sample: the same tables, the same rows
(every key and text/integer/boolean/date column exact), statistics within 1e-9 relative (EBGM, EB05, EB95
within 1e-6: the posterior quantiles are roots found to that tolerance), and the raw Parquet of
`faers load --format parquet` holds the loader's rows and line accounting."""

from __future__ import annotations

import math

import duckdb
import pyarrow as pa
import pytest
from spark_builds import MARTS, SIGNAL_MARTS, BothTargets

from loaders.schema import QUARTER_TABLES

STATISTICS_RTOL = 1e-9
EB_RTOL = 1e-6
EB_COLUMNS = frozenset({"ebgm", "eb05", "eb95"})


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


def test_spark_builds_every_duckdb_mart(both_targets: BothTargets) -> None:
    assert set(both_targets.duckdb["default"]) == both_targets.spark_main_tables == set(MARTS)


def _assert_equal(expected: pa.Table, actual: pa.Table, mart: str) -> None:
    # the same columns; DuckDB orders a mart with an enforced contract as the contract does (Spark: no contracts)
    assert sorted(actual.column_names) == sorted(expected.column_names)
    actual = actual.select(expected.column_names)
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


@pytest.mark.parametrize(
    ("build", "mart"),
    [("default", mart) for mart in MARTS] + [(build, mart) for build in ("strata", "masked") for mart in SIGNAL_MARTS],
)
def test_mart_equals_duckdb(both_targets: BothTargets, build: str, mart: str) -> None:
    """Each mart of each build (default vars; var expected_strata; var background_exclude_drugs)."""
    _assert_equal(both_targets.duckdb[build][mart], both_targets.spark[build][mart], mart)


def test_signals_carry_statistics(both_targets: BothTargets) -> None:
    """The parity above is not parity of NULLs: the Spark signals have every statistic on most rows."""
    signals = both_targets.spark["default"]["signals"]
    n = signals.num_rows
    assert n > 0
    for column in ("ic025", "ebgm", "eb05"):
        assert signals.column(column).null_count == 0, column
    assert signals.column("ror").null_count < n
    prior = both_targets.spark["default"]["mgps_prior"].to_pylist()
    assert len(prior) == 1 and prior[0]["is_usable"] and prior[0]["converged"] and prior[0]["expected_strata"] == ""


def test_adjusted_builds_adjust(both_targets: BothTargets) -> None:
    """The adjusted builds compared above differ from the default one (so their parity is not the default's):
    the stratified E and the Mantel-Haenszel sums, the masked background, each prior's label."""
    default = both_targets.spark["default"]["drug_event_cells"].to_pydict()
    strata = both_targets.spark["strata"]["drug_event_cells"].to_pydict()
    masked = both_targets.spark["masked"]["drug_event_cells"].to_pydict()
    crude = {(d, p): e for d, p, e in zip(default["drug"], default["pt"], default["expected"], strict=True)}
    stratified = {(d, p): e for d, p, e in zip(strata["drug"], strata["pt"], strata["expected"], strict=True)}
    assert stratified.keys() == crude.keys()
    assert sum(not math.isclose(stratified[key], crude[key], rel_tol=1e-6) for key in crude) > len(crude) // 2
    assert all(value is not None for value in strata["mh_r"]) and all(value is None for value in default["mh_r"])
    assert max(masked["n"]) < max(default["n"])
    assert both_targets.spark["strata"]["mgps_prior"].column("expected_strata").to_pylist() == [
        "sex,age_group,report_year/3,reporter_country,occp_cod"
    ]
    assert both_targets.masked_drugs and all(drug == drug.upper() for drug in both_targets.masked_drugs)


@pytest.mark.parametrize("table", QUARTER_TABLES)
def test_raw_parquet_equals_loader_tables(both_targets: BothTargets, table: str) -> None:
    """Same rows, columns and line accounting as raw.* of the DuckDB load (the Spark build's sources)."""
    root = both_targets.parquet_dir
    with duckdb.connect(str(both_targets.duckdb_path), read_only=True) as conn:
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
