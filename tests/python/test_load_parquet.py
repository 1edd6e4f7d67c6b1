"""`faers load --format parquet --out DIR`: the raw tables as Parquet partitioned by quarter, with the rows and
line accounting of the DuckDB load (raw.* of the built sample warehouse), a reloaded quarter replaced whole."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from faers_cli import one_line_error, run_faers

from loaders.schema import QUARTER_TABLES


def _parquet(root: Path, table: str) -> str:
    return f"read_parquet('{root}/{table}/*/*.parquet', hive_partitioning = true, union_by_name = true)"


@pytest.fixture(scope="module")
def parquet_dir(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("raw_parquet")
    result = run_faers("load", sample_dir, "--format", "parquet", "--out", out)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "check: loaded + rejected = records" in result.stdout
    assert "Warning" not in result.stderr, result.stderr[-2000:]  # e.g. DuckDB's on an extra copy of the rows
    return out


def test_parquet_holds_the_loaders_rows(parquet_dir: Path, built_warehouse: object) -> None:
    with duckdb.connect(str(built_warehouse.db_path), read_only=True) as conn:  # type: ignore[attr-defined]
        quarters = {row[0] for row in conn.execute("select distinct quarter from raw.load_log").fetchall()}
        for table in QUARTER_TABLES:
            # every column but the time of the load (the warehouse's load ran earlier)
            description = conn.execute(f"select * from raw.{table} limit 0").description
            columns = ", ".join(f'"{row[0]}"' for row in description if row[0] != "loaded_at")
            parquet = _parquet(parquet_dir, table)
            differences = conn.execute(
                f"select count(*) from ((select {columns} from raw.{table} except all select {columns} from {parquet})"
                f" union all (select {columns} from {parquet} except all select {columns} from raw.{table}))"
            ).fetchall()[0][0]
            assert differences == 0, table
            folders = {path.name.removeprefix("quarter=") for path in (parquet_dir / table).iterdir()}
            assert folders == quarters, table  # every loaded quarter, with an empty file where it has no rows
        accounting = conn.execute(
            f"select sum(lines_read), sum(rows_loaded), sum(rows_rejected) from {_parquet(parquet_dir, 'load_log')}"
        ).fetchall()[0]
        assert (
            accounting
            == conn.execute(
                "select sum(lines_read), sum(rows_loaded), sum(rows_rejected) from raw.load_log"
            ).fetchall()[0]
        )


def test_reloading_a_quarter_replaces_its_files(sample_dir: Path, tmp_path: Path) -> None:
    zip_path = sorted(sample_dir.glob("faers_ascii_*.zip"))[0]
    for _ in range(2):
        assert run_faers("load", zip_path, "--format", "parquet", "--out", tmp_path).returncode == 0
    with duckdb.connect() as conn:
        once = conn.execute(f"select count(*), count(distinct line_number) from {_parquet(tmp_path, 'demo')}")
        total, distinct = once.fetchall()[0]
    assert total == distinct > 0  # the second load did not add a second copy


def test_out_needs_the_parquet_format(sample_dir: Path, tmp_path: Path) -> None:
    one_line_error(run_faers("load", sample_dir, "--out", tmp_path), "--out needs --format parquet", code=2)
    one_line_error(run_faers("load", sample_dir, "--format", "csv"), "--format", code=2)
