"""Where things are: the dbt project (the repo root) and the warehouse file."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
"""The repo root: dbt_project.yml, profiles.yml, models/, macros/, seeds/ live here."""

ENV_VAR = "FAERS_DUCKDB"


def warehouse_path() -> Path:
    """The DuckDB file named by FAERS_DUCKDB, default ``warehouse.duckdb`` at the repo root."""
    value = os.environ.get(ENV_VAR)
    return Path(value).resolve() if value else PROJECT_DIR / "warehouse.duckdb"
