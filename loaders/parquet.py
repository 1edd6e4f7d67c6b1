"""Raw tables as Parquet, partitioned by quarter: ``faers load --format parquet --out DIR``.

The one loader (``loaders.load.load_paths``) loads the zips into a scratch DuckDB file, which DuckDB then
copies out as ``DIR/<table>/quarter=YYYYQN/*.parquet`` for every loader table (``loaders.schema``:
the seven data tables, ``deleted``, ``rejects`` and ``load_log``): the same columns, rows and line
accounting as ``raw.*`` in a warehouse file. The ``quarter`` column lives in the folder name (Hive
partitioning), which Spark and DuckDB (``read_parquet(..., hive_partitioning = true)``) both read back.

A quarter is replaced whole: its folders are deleted from every table before the new files are written, so
loading a quarter again (a corrected FDA zip) never leaves files of the old load behind. Every loaded quarter
has a folder in every table, with an empty file when the quarter has no row of it (an era without a table,
no rejects), so that each table is readable (its schema known) even when it has no rows at all.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
from rich.console import Console

from loaders.load import load_paths
from loaders.paths import PROJECT_DIR
from loaders.report import LoadReport
from loaders.schema import QUARTER_TABLES, qualified

ENV_VAR = "FAERS_RAW_PARQUET"
"""Where the Spark target reads the raw Parquet tables (profiles.yml, macro register_raw_parquet)."""


def partition_dir(out_dir: Path, table: str, quarter: str) -> Path:
    """``DIR/<table>/quarter=<quarter>``."""
    return out_dir / table / f"quarter={quarter}"


def export_quarters(conn: duckdb.DuckDBPyConnection, out_dir: Path, quarters: Sequence[str]) -> None:
    """Write ``quarters`` of every loader table of ``conn`` (schema raw) under ``out_dir``, replacing them."""
    if not quarters:
        return
    for table in QUARTER_TABLES:
        for quarter in quarters:
            shutil.rmtree(partition_dir(out_dir, table, quarter), ignore_errors=True)
        (out_dir / table).mkdir(parents=True, exist_ok=True)
        selected = f"select * from {qualified(table)} where quarter in (select unnest(?::varchar[]))"
        conn.execute(
            f"copy ({selected}) to '{out_dir / table}' "
            "(format parquet, partition_by (quarter), overwrite_or_ignore, filename_pattern 'part_{uuid}')",
            [list(quarters)],
        )
        empty = conn.sql(f"{selected.replace('select *', 'select * exclude (quarter)', 1)} limit 0", params=[[]])
        schema = empty.to_arrow_table().schema
        for quarter in quarters:
            folder = partition_dir(out_dir, table, quarter)
            if not folder.is_dir():
                folder.mkdir(parents=True)
                pq.write_table(schema.empty_table(), folder / "part_empty.parquet")


def load_parquet(
    paths: Sequence[Path], out_dir: Path, *, progress: bool = True, console: Console | None = None
) -> LoadReport:
    """Load the zips of ``paths`` with the loader into a scratch DuckDB file, then write their quarters as
    Parquet under ``out_dir`` (``export_quarters``). The report is the loader's (line accounting per member)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".faers-load-", dir=out_dir) as scratch:
        db_path = Path(scratch) / "load.duckdb"
        report = load_paths(paths, db_path, progress=progress, console=console)
        loaded = [quarter.quarter for quarter in report.quarters]
        if loaded:
            with duckdb.connect(str(db_path)) as conn:
                export_quarters(conn, out_dir, loaded)
    return report


def raw_parquet_dir() -> Path:
    """The folder named by FAERS_RAW_PARQUET, default ``raw_parquet`` at the repo root."""
    value = os.environ.get(ENV_VAR)
    return Path(value).resolve() if value else PROJECT_DIR / "raw_parquet"
