"""``faers export --to DIR``: every mart as Parquet, read back equal to the warehouse."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from faers.cli import app

pytestmark = pytest.mark.slow


def test_export_writes_every_mart_and_reads_back_equal(built_warehouse, tmp_path: Path) -> None:
    # GIVEN the sample warehouse (a copy) WHEN `faers export --to DIR` runs, twice (the second replaces the first)
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse.db_path, db)
    out = tmp_path / "parquet"
    for _ in range(2):
        result = CliRunner().invoke(app, ["export", "--to", str(out), "--db", str(db)])
        assert result.exit_code == 0, result.output
    assert "partitioned by quarter" in result.output
    with duckdb.connect(str(db), read_only=True) as conn:
        marts = [
            name
            for (name,) in conn.execute(
                "select table_name from duckdb_tables() where schema_name = 'main' order by 1"
            ).fetchall()
        ]
        assert {"dim_case", "fct_case_drug", "signals", "mgps_prior", "tto"} <= set(marts)
        for table in marts:
            columns = [c for (c,) in conn.execute(f"select column_name from (describe main.{table})").fetchall()]
            listed = ", ".join(f'"{c}"' for c in columns)
            single, folder = out / f"{table}.parquet", out / table
            # THEN each mart is one file, or (case-level marts) one folder per case quarter
            assert single.is_file() != folder.is_dir(), table
            if folder.is_dir():
                source = f"read_parquet('{folder}/**/*.parquet', hive_partitioning = true)"
                quarters = {p.name for p in folder.iterdir()}
                (expected,) = conn.execute(
                    "select count(distinct quarter) from main.dim_case"
                    + (f" where primary_id in (select primary_id from main.{table})" if table != "dim_case" else "")
                ).fetchone()
                assert len(quarters) == expected and all(q.startswith("quarter=") for q in quarters), table
            else:
                source = f"read_parquet('{single}')"
            # and its rows are the warehouse's, value for value (both directions, duplicates counted)
            for left, right in ((f"main.{table}", source), (source, f"main.{table}")):
                (extra,) = conn.execute(
                    f"select count(*) from (select {listed} from {left} except all select {listed} from {right})"
                ).fetchone()
                assert extra == 0, (table, left)
    assert {p.name for p in out.iterdir()} == {name + ("" if (out / name).is_dir() else ".parquet") for name in marts}


def test_export_of_a_missing_warehouse_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["export", "--to", str(tmp_path / "out"), "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "none.duckdb: no such warehouse file" in result.output
    assert "Traceback" not in result.output
