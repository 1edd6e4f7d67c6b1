"""The study's SQL: ``analyses/study/*.sql`` compiled by dbt with the study's vars, then executed as is.

``faers study`` does not keep a second copy of the SQL: it runs ``dbt compile --select path:analyses/study``
with the study's vars into a private target folder and executes the compiled files in order, each as a
temp table named after its file. An analyst who runs ``dbt compile --vars ...`` gets the same SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from faers.dbt import run_dbt

AS_OF_STEPS: tuple[str, ...] = (
    "study_asof_cases",
    "study_asof_rebuilt",
    "study_asof_dropped",
    "study_asof_fct_case_outcome",
    "study_asof_dim_case",
    "study_asof_fct_case_drug",
    "study_asof_fct_case_reaction",
    "study_asof_fct_case_indication",
    "study_asof_fct_case_therapy",
    "study_asof_tto",
)
"""The window's snapshot (empty tables when the marts are that snapshot already: var study_as_of false): its cases,
those of them the marts do not hold in the same version, the marts' reports it does not keep, and the marts' rows of
the former."""

STEPS: tuple[str, ...] = (
    *AS_OF_STEPS,
    "study_drug_suspect_rows",
    "study_events",
    "study_reports",
    "study_drug_case_drugs",
    "study_indications",
    "study_margins",
    "study_cells",
    "study_background",
    # study_priors is written by faers.study.stats between these two steps (study_background is skipped when
    # the priors need no fit: a fixed prior, or the priors cache holds them)
    "study_signals",
    "study_co_suspects",
    "study_subgroup_tests",
    "study_seriousness",
    "study_sex_within_drug",
    "study_serious_characteristics",
    "study_reports_per_year",
    "study_characteristics",
    "study_tto",
    "study_tto_summary",
)


class StudySqlError(RuntimeError):
    """A compiled study step is missing or failed; the message names the step and its compiled file."""


def compile_steps(dbt_vars: Mapping[str, Any], db_path: Path, target_dir: Path) -> dict[str, Path]:
    """``dbt compile`` the study analyses with ``dbt_vars``; return step -> compiled SQL file."""
    run_dbt(
        ["compile", "--select", "path:analyses/study", "--target-path", str(target_dir), "--quiet"],
        db_path=db_path,
        dbt_vars=dbt_vars,
        parse_with_project_vars=True,  # the build's parse (partial parse), not a full parse per study's vars
    )
    compiled = target_dir / "compiled" / "faers" / "analyses" / "study"
    files = {step: compiled / f"{step}.sql" for step in STEPS}
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise StudySqlError(f"dbt compile did not produce {', '.join(missing)}")
    return files


def run_step(conn: duckdb.DuckDBPyConnection, step: str, sql_file: Path) -> int:
    """Create temp table ``step`` from its compiled SQL; return its row count."""
    sql = sql_file.read_text(encoding="utf-8")
    try:
        conn.execute(f"create or replace temp table {step} as\n{sql}")
    except duckdb.Error as exc:
        raise StudySqlError(f"study step {step} failed ({sql_file}): {exc}") from exc
    return int(conn.execute(f"select count(*) from {step}").fetchall()[0][0])


def create_temp_table(conn: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    """Temp table ``name`` from a frame: a step's table that Python computed (study_priors) or read from the priors
    cache (study_priors, study_margins)."""
    conn.register("_study_frame", frame.to_arrow())
    conn.execute(f"create or replace temp table {name} as select * from _study_frame")
    conn.unregister("_study_frame")
