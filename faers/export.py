"""``faers export --to DIR``: every mart of the warehouse as Parquet, for people who use other tools.

Each table of schema ``main`` becomes ``DIR/<table>.parquet``, except the case-level marts (``dim_case`` and every
mart with a ``primary_id``: the fact tables and ``tto``), which grow with every quarter loaded: they are written
partitioned by the case's quarter (``dim_case.quarter``), Hive-style, as ``DIR/<table>/quarter=2019Q1/*.parquet``
(read them back with ``read_parquet('DIR/<table>/**/*.parquet', hive_partitioning = true)`` in DuckDB,
``pyarrow.dataset`` or ``arrow::open_dataset`` in R). The warehouse is opened read-only; plain SQL on the marts
needs no UDF, so the export runs without the project's Python functions.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

CASE_TABLE = "dim_case"
PARTITION_COLUMN = "quarter"


class ExportError(RuntimeError):
    """The warehouse cannot be read or holds no marts (the message names the file)."""


@dataclass(frozen=True)
class ExportedTable:
    """One mart written as Parquet."""

    table: str
    path: Path
    rows: int
    partitioned: bool


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def export_marts(db_path: Path, out: Path) -> list[ExportedTable]:
    """Write every table of schema ``main`` of the warehouse at ``db_path`` under ``out`` (replacing earlier files)."""
    if not db_path.is_file():
        raise ExportError(f"{db_path}: no such warehouse file (run `faers load` and `faers build` first)")
    try:
        conn = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as error:
        raise ExportError(f"{db_path}: cannot open the DuckDB file: {error}") from error
    with conn:
        columns: dict[str, list[str]] = {}
        for table, column in conn.execute(
            "select table_name, column_name from duckdb_columns() "
            "where database_name = current_database() and schema_name = 'main' "
            "and table_name in (select table_name from duckdb_tables() "
            "where database_name = current_database() and schema_name = 'main') "
            "order by table_name, column_index"
        ).fetchall():
            columns.setdefault(table, []).append(column)
        if not columns:
            raise ExportError(f"{db_path}: no marts in schema main (run `faers build` first)")
        out.mkdir(parents=True, exist_ok=True)
        exported = []
        for table, names in columns.items():
            exported.append(_export_table(conn, table, names, out, case_marts=CASE_TABLE in columns))
    return exported


def _export_table(
    conn: duckdb.DuckDBPyConnection, table: str, names: list[str], out: Path, *, case_marts: bool
) -> ExportedTable:
    source = f"main.{_quote(table)}"
    (rows,) = conn.execute(f"select count(*) from {source}").fetchone()  # type: ignore[misc]
    if PARTITION_COLUMN in names and table == CASE_TABLE:
        query = f"select * from {source}"
    elif case_marts and "primary_id" in names and PARTITION_COLUMN not in names:
        listed = ", ".join(f"t.{_quote(name)}" for name in names)
        query = (
            f"select {listed}, cases.{PARTITION_COLUMN} from {source} as t "
            f"left join main.{_quote(CASE_TABLE)} as cases using (primary_id)"
        )
    else:
        path = out / f"{table}.parquet"
        conn.execute(f"copy (select * from {source}) to {_literal(path)} (format parquet, compression zstd)")
        return ExportedTable(table, path, rows, partitioned=False)
    path = out / table
    if path.exists():
        shutil.rmtree(path)
    conn.execute(
        f"copy ({query}) to {_literal(path)} "
        f"(format parquet, compression zstd, partition_by ({PARTITION_COLUMN}), write_partition_columns false)"
    )
    return ExportedTable(table, path, rows, partitioned=True)


def run_export(*, to: Path, db: Path | None) -> list[ExportedTable]:
    """``faers export``: export, then print one line (a bad warehouse exits 1 with a one-line error)."""
    from rich.console import Console

    from loaders.paths import warehouse_path

    console = Console()
    db_path = (db or warehouse_path()).resolve()
    try:
        exported = export_marts(db_path, to.resolve())
    except ExportError as error:
        console.print(f"[red]export: {error}[/red]", soft_wrap=True)
        raise SystemExit(1) from error
    partitioned = sum(item.partitioned for item in exported)
    rows = sum(item.rows for item in exported)
    console.print(
        f"export: {len(exported)} marts ({rows:,} rows) from {db_path} to {to.resolve()} as Parquet, "
        f"{partitioned} partitioned by quarter",
        soft_wrap=True,
    )
    return exported
