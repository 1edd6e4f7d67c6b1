"""DuckDB resource settings shared by every connection of the project: one definition of the defaults.

* ``FAERS_MEMORY_LIMIT`` (e.g. ``6GB``, ``512MiB``): DuckDB's ``memory_limit``, the ceiling of its buffer
  pool; beyond it, sorts, joins and aggregations spill to the temp directory. Default: 60% of the
  machine's RAM, at most 6 GB (DuckDB's own default is 80% of RAM, which on FAERS pushes the build past
  20 GB and a 16 GB laptop into swap). The loader needs little: it uses the smaller of this and 512 MB.
* ``FAERS_TEMP_DIR``: DuckDB's ``temp_directory`` (spill files). Default: ``<warehouse>.tmp`` beside the
  warehouse file (so spills land on the warehouse's disk).

Applied by the dbt-duckdb plugin (``faers.dbt_plugin``, enabled in profiles.yml) to dbt's connection, by
the loader (``loaders.write``), and by ``faers.udfs.connect`` (the study runner and analysts).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MEMORY_LIMIT_ENV = "FAERS_MEMORY_LIMIT"
TEMP_DIR_ENV = "FAERS_TEMP_DIR"

DEFAULT_RAM_SHARE = 0.6
"""Share of physical RAM DuckDB may use by default."""
DEFAULT_MEMORY_CAP = 6 * 10**9
"""Cap of the default: the largest build (all of FAERS) stays within a 16 GB laptop with room to spare."""
LOADER_MEMORY_LIMIT = 512 * 10**6
"""The loader streams batches and keeps no state: more buffer pool only caches written blocks."""

_UNITS = {
    "": 1,
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")


class SettingsError(ValueError):
    """An environment variable holds a value DuckDB cannot use."""


def parse_size(text: str, *, name: str = MEMORY_LIMIT_ENV) -> int:
    """Bytes of a DuckDB size such as ``6GB``, ``512MiB`` or ``1.5GB``; SettingsError naming ``name``."""
    match = _SIZE_RE.match(text)
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in _UNITS:
        raise SettingsError(f"{name}={text!r}: expected a size such as 6GB, 512MB or 4GiB")
    size = int(float(match.group(1)) * _UNITS[unit])
    if size < 16 * 2**20:
        raise SettingsError(f"{name}={text!r}: too small for DuckDB (at least 16MiB)")
    return size


def physical_memory() -> int | None:
    """Bytes of RAM of this machine (None where the OS does not say)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return None


def default_memory_limit() -> int:
    """60% of RAM, at most 6 GB (6 GB where the RAM is unknown)."""
    ram = physical_memory()
    return DEFAULT_MEMORY_CAP if ram is None else min(DEFAULT_MEMORY_CAP, int(ram * DEFAULT_RAM_SHARE))


def _mb(size: int) -> str:
    """A size as whole megabytes, the unit DuckDB parses everywhere."""
    return f"{max(size // 10**6, 16)}MB"


@dataclass(frozen=True)
class DuckDBSettings:
    """The resource settings of one connection."""

    memory_limit: str
    temp_directory: str | None

    def statements(self) -> list[str]:
        """The SET statements that apply them."""
        out = [f"SET memory_limit = '{self.memory_limit}'"]
        if self.temp_directory is not None:
            escaped = self.temp_directory.replace("'", "''")
            out.append(f"SET temp_directory = '{escaped}'")
        return out

    def apply(self, conn: Any) -> None:
        """Run the SET statements on a DuckDB connection."""
        for statement in self.statements():
            conn.execute(statement)


def duckdb_settings(db_path: str | Path | None, *, loader: bool = False) -> DuckDBSettings:
    """The settings for a connection to ``db_path`` (None or ``:memory:``: no temp directory default).

    ``loader=True`` caps the memory limit at LOADER_MEMORY_LIMIT. Raises SettingsError for a bad value.
    """
    text = os.environ.get(MEMORY_LIMIT_ENV, "").strip()
    limit = parse_size(text) if text else default_memory_limit()
    if loader:
        limit = min(limit, LOADER_MEMORY_LIMIT)
    temp = os.environ.get(TEMP_DIR_ENV, "").strip()
    if not temp and db_path is not None and str(db_path) != ":memory:":
        path = Path(db_path).resolve()
        temp = str(path.with_name(path.name + ".tmp"))
    return DuckDBSettings(memory_limit=_mb(limit), temp_directory=temp or None)


def database_file(conn: Any) -> str | None:
    """The file of a connection's main database (None for an in-memory one)."""
    rows = conn.execute("select file from pragma_database_list where name = current_database()").fetchall()
    return rows[0][0] if rows and rows[0][0] else None


def apply_settings(conn: Any, db_path: str | Path | None = None, *, loader: bool = False) -> DuckDBSettings:
    """Apply :func:`duckdb_settings` to ``conn`` (its own database file when ``db_path`` is None)."""
    settings = duckdb_settings(db_path if db_path is not None else database_file(conn), loader=loader)
    settings.apply(conn)
    return settings
