"""The warehouse's checkpoints merge no row groups (loaders.storage.keep_row_groups), whoever writes the file.

DuckDB's checkpoint vacuum considers every table at every checkpoint, so each writer is tested on a probe table
it never touches: two bulk inserts of 150,000 rows leave row groups of 122,880 + 27,120 + 122,880 + 27,120
rows, which a vacuum merges into 122,880 + 122,880 + 54,240. Each writer then writes something else and closes
(DuckDB checkpoints on close); the probe must keep its four row groups. Without the policy on that writer's
connection each of these tests fails (checked by removing it)."""

from __future__ import annotations

from pathlib import Path

import duckdb
from faers_cli import run_faers

from faers.dbt import run_dbt
from faers.udfs import connect as analyst_connect
from loaders import load_paths
from loaders.storage import connect_warehouse, storage_version

WRITTEN = [122_880, 27_120, 122_880, 27_120]


def _probe(db_path: Path) -> None:
    """A warehouse file holding the probe table, written and closed without vacuum (set here, not through the
    project's helper, so that each test below checks one writer)."""
    with duckdb.connect(str(db_path), config={"storage_compatibility_version": storage_version()}) as conn:
        conn.execute("SET max_vacuum_tasks = 0")
        conn.execute("create table main.layout_probe (i bigint)")
        for _ in range(2):
            conn.execute("insert into main.layout_probe select range from range(150000)")
    assert _row_groups(db_path) == WRITTEN


def _row_groups(db_path: Path) -> list[int]:
    with duckdb.connect(str(db_path), read_only=True) as conn:
        rows = conn.execute(
            "select sum(count) from pragma_storage_info('main.layout_probe') where column_path = '[0]' "
            "group by row_group_id order by row_group_id"
        ).fetchall()
    return [n for (n,) in rows]


def test_dbt_keeps_the_row_groups(tmp_path: Path) -> None:
    """dbt's connection (faers.dbt_plugin), as `faers build` runs it."""
    db_path = tmp_path / "w.duckdb"
    _probe(db_path)
    run_dbt(["seed", "--select", "country_codes"], db_path=db_path)
    assert _row_groups(db_path) == WRITTEN


def test_the_loader_keeps_the_row_groups(tmp_path: Path, sample_dir: Path) -> None:
    db_path = tmp_path / "w.duckdb"
    _probe(db_path)
    load_paths([sample_dir], db_path, progress=False)
    assert _row_groups(db_path) == WRITTEN


def test_an_analyst_session_keeps_the_row_groups(tmp_path: Path) -> None:
    """faers.udfs.connect, the documented way to open the warehouse with the UDFs."""
    db_path = tmp_path / "w.duckdb"
    _probe(db_path)
    conn = analyst_connect(db_path)
    conn.execute("create table main.scratch as select 1 as x")
    conn.close()
    assert _row_groups(db_path) == WRITTEN


def test_status_counts_the_deleted_rows_the_file_keeps(tmp_path: Path) -> None:
    """`faers status` says how many deleted rows the file still stores (none merged away by a vacuum), where."""
    db_path = tmp_path / "w.duckdb"
    with connect_warehouse(db_path) as conn:
        conn.execute("create table main.fct_case_drug as select range as case_id from range(300000)")
        conn.execute("create table main.dim_case as select range as case_id from range(1000)")
    assert "deleted rows still stored: none" in run_faers("status", "--db", db_path).stdout
    with connect_warehouse(db_path) as conn:
        conn.execute("delete from main.fct_case_drug where case_id % 100 = 0")  # 3,000 rows, 1%
        conn.execute("delete from main.dim_case where case_id < 10")
    result = run_faers("status", "--db", db_path)
    assert (
        "deleted rows still stored: 3,010 of 301,000 (1.0%; most: main.fct_case_drug 3,000 (1.0%), "
        "main.dim_case 10 (1.0%)); `dbt build --full-refresh` writes the marts anew"
    ) in result.stdout
