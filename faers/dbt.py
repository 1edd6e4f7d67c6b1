"""Run dbt programmatically against the repo's project and profile."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from faers.paths import ENV_VAR, PROJECT_DIR, warehouse_path


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
    result = dbtRunner().invoke(cli_args)
    if not result.success:
        raise DbtError(f"dbt {' '.join(args)} failed on {path}: {result.exception or 'see the log above'}")
    return result
