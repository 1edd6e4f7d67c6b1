"""The DuckDB storage format of the warehouse file: one setting for every place that creates the file.

DuckDB 2.x writes its newest storage format by default, which 1.x clients (the DuckDB CLI, R's duckdb
package, DBeaver's JDBC driver) refuse to open ("Trying to read a database file with version number ...").
A new warehouse file is therefore written with ``storage_compatibility_version`` = ``STORAGE_VERSION``
(``v1.0.0``: storage version 64, which every DuckDB since 0.10 reads). The format is fixed when the file is
created; later connections keep it whatever they ask for.

``FAERS_STORAGE_VERSION`` chooses another one for a new file: a newer ``v1.x.y`` (readable by DuckDB >= that
version; it allows the compression methods added since) or ``latest`` (the running DuckDB's own format,
readable only by that major version and later). profiles.yml reads the same variable with the same default,
so a file that ``dbt build`` creates is written alike.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

STORAGE_VERSION = "v1.0.0"
"""Default ``storage_compatibility_version`` of a new warehouse file (keep profiles.yml's default equal)."""

STORAGE_ENV_VAR = "FAERS_STORAGE_VERSION"


def storage_version() -> str:
    """The storage compatibility version for a new warehouse file: ``$FAERS_STORAGE_VERSION`` or the default."""
    return os.environ.get(STORAGE_ENV_VAR) or STORAGE_VERSION


def connect_warehouse(path: Path | str) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file for writing, creating it in the configured storage format if it is new."""
    return duckdb.connect(str(path), config={"storage_compatibility_version": storage_version()})
