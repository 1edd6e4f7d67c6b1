"""Run dbt programmatically against the repo's project and profile."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from faers.paths import ENV_VAR, PROJECT_DIR, warehouse_path

WAREHOUSE_SELECTION: tuple[str, ...] = (
    "drug_synonyms",
    "country_codes",
    "path:models/staging",
    "int_cases_deduplicated",
    "int_drug_names_normalized",
    "int_terms_canonical",
    "int_terms_resolved",
    "path:models/marts/core",
    "path:tests/warehouse",
)
"""dbt selection of the warehouse alone (seeds, staging, dedup, core marts and their business-rule tests),
without signals and study models; use with ``--indirect-selection cautious``."""


class DbtError(RuntimeError):
    """dbt finished with errors or failing tests."""


def run_dbt(
    args: Sequence[str],
    *,
    db_path: Path | None = None,
    dbt_vars: Mapping[str, Any] | None = None,
) -> Any:
    """Run ``dbt <args>`` in-process on the repo's project; raise DbtError if it fails.

    The warehouse is ``db_path`` (default: FAERS_DUCKDB / warehouse.duckdb). Returns dbt's result object.
    """
    from dbt.cli.main import dbtRunner

    path = (db_path or warehouse_path()).resolve()
    os.environ[ENV_VAR] = str(path)
    cli_args = [
        *args,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
    ]
    if dbt_vars:
        cli_args += ["--vars", json.dumps(dict(dbt_vars))]
    try:
        result = dbtRunner().invoke(cli_args)
    finally:
        release_dbt_connection()
    if not result.success:
        raise DbtError(f"dbt {' '.join(args)} failed on {path}: {result.exception or 'see the log above'}")
    return result


def release_dbt_connection() -> None:
    """Close the DuckDB database that dbt-duckdb keeps open in-process after ``dbtRunner().invoke``.

    Until it is closed, opening the same file again in this process (read-only, or with other settings)
    fails with "Can't open a connection to same database file with a different configuration".
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        environment = DuckDBConnectionManager._ENV
        if environment is not None:
            environment.close()
            DuckDBConnectionManager._ENV = None
