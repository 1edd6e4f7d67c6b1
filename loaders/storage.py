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


def keep_row_groups(conn: duckdb.DuckDBPyConnection) -> None:
    """The warehouse's policy for every connection that writes it: DuckDB's checkpoints never merge row groups.

    DuckDB's checkpoint "vacuum" (``max_vacuum_tasks``, a setting of the database instance, not of the file)
    merges runs of adjacent row groups that fit in fewer, rewriting them. It considers every table at every
    checkpoint, changed or not, and works through a table over several checkpoints. In this warehouse it only
    ever found the partial row groups that parallel inserts leave (one per thread per insert: about two per
    quarter in each raw table) and paid for them again and again. Measured on the all-FAERS history (2 cores,
    DuckDB's checkpoint log): the build's last checkpoint spent ~30 s rewriting raw.demo, raw.drug, raw.indi,
    raw.outc, raw.reac and raw.ther, the first ``faers update`` after it another ~32 s (of a 38 s checkpoint
    inside a 152 s update), and every later update a few seconds more.

    Without it, a row group whose rows are all deleted is still dropped at the checkpoint (a reloaded quarter,
    a dropped or replaced table free their blocks); rows deleted here and there (the case marts' changed cases,
    ~1-3% of a mart per quarter) stay in the file, marked deleted, until a full rebuild
    (``dbt build --full-refresh``) writes the table anew. Where this warehouse deletes most of what it just
    wrote (history.signal_snapshots, pruned to former signals), it writes in an order that makes the deleted
    rows whole row groups. The loader (loaders.write), dbt (faers.dbt_plugin), an analyst's session
    (faers.udfs.connect) and every other writer (``connect_warehouse``) apply it."""
    conn.execute("SET max_vacuum_tasks = 0")


def connect_warehouse(path: Path | str) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file for writing, creating it in the configured storage format if it is new; its
    checkpoints keep the row groups as written (``keep_row_groups``)."""
    conn = duckdb.connect(str(path), config={"storage_compatibility_version": storage_version()})
    keep_row_groups(conn)
    return conn
