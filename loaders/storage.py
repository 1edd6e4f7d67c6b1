"""The DuckDB storage format of the warehouse file: one setting for every place that creates the file.

DuckDB 2.x writes its newest storage format by default, which 1.x clients (the DuckDB CLI, R's duckdb
package, DBeaver's JDBC driver) refuse to open ("Trying to read a database file with version number ...").
A new warehouse file is therefore written with ``storage_compatibility_version`` = ``STORAGE_VERSION``
(``v1.4.0``: the format of DuckDB 1.4, the long-term-support release, read by every DuckDB since 1.4). The
format is fixed when the file is created; later connections keep it whatever they ask for.

Why not ``v1.0.0`` (read by every DuckDB since 0.10, the default until 2026-12): it lacks the string
compression added in 1.3, and writing it costs far more CPU. Measured on the same rows (2 cores, DuckDB 2.0.1;
``CREATE TABLE AS`` of stg_faers__drug's typing of two full-size quarters, then CHECKPOINT): v1.0.0 17.5 s,
v1.2.0 17.7 s, v1.3.0 13.1 s, v1.4.0 12.2 s, v1.5.0 12.0 s, latest 12.0 s; file 243 MB (v1.0.0) vs 213 MB
(v1.3.0 on). ``faers load`` of one full-size quarter (benchmarks/load.py): 1.36x DuckDB's read_csv in v1.0.0,
1.05x in v1.4.0 (read_csv writes DuckDB's latest format).

``FAERS_STORAGE_VERSION`` chooses another one for a new file: an older ``v1.x.y`` (e.g. ``v1.0.0`` for a client
older than DuckDB 1.4), a newer one, or ``latest`` (the running DuckDB's own format, readable only by that
major version and later). profiles.yml reads the same variable with the same default,
so a file that ``dbt build`` creates is written alike.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

STORAGE_VERSION = "v1.4.0"
"""Default ``storage_compatibility_version`` of a new warehouse file (keep profiles.yml's default equal)."""

STORAGE_ENV_VAR = "FAERS_STORAGE_VERSION"


def storage_version() -> str:
    """The storage compatibility version for a new warehouse file: ``$FAERS_STORAGE_VERSION`` or the default."""
    return os.environ.get(STORAGE_ENV_VAR) or STORAGE_VERSION


def connect_warehouse(path: Path | str, *, vacuum: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file for writing, creating it in the configured storage format if it is new.

    ``vacuum=False``: this connection's checkpoints do not vacuum. The vacuum merges the partial row groups
    that each parallel insert leaves (one per thread) by rewriting them and every row group after them: for a
    connection that appends many rows and deletes none, about as much CPU as the inserts (raw.drug of a LAERS
    quarter: insert 0.39 s, checkpoint 0.45 s with vacuum, 0.00 s without; docs/scaling.md)."""
    conn = duckdb.connect(str(path), config={"storage_compatibility_version": storage_version()})
    if not vacuum:
        conn.execute("SET max_vacuum_tasks = 0")
    return conn
