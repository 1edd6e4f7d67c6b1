"""The study's dbt compile on the project's own parse (faers.dbt.run_dbt parse_with_project_vars).

`faers study` compiles analyses/study with the study's vars on a manifest parsed with the project's vars
(so dbt's partial parse of the build serves it, instead of a full parse for every new set of vars). The
compiled SQL must be exactly what a parse with the study's vars compiles, whatever the vars, and a bad
var must still be refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from faers.dbt import DbtError, run_dbt
from faers.study.sql import STEPS

VARIANTS: tuple[dict[str, Any], ...] = (
    {"study_drug": "baclofen", "study_pts": ["somnolence", "coma"], "study_strata": ["sex", "age_group"]},
    # the window as a snapshot (study_source reads the study_asof_* steps), the product unit, more roles, and the
    # study drug's reports only (the priors cache holds the population's margins and priors)
    {
        "study_as_of": True,
        "drug_unit": "product",
        "suspect_roles": ["PS", "SS"],
        "study_strata": ["route", "reporter"],
        "study_reports_drug_only": True,
    },
    # adjusted overall cells (study_cells' drug_event_cells_query, which reads dim_case)
    {"expected_strata": ["sex", "report_year"], "mgps_likelihood": "truncated", "study_meddra_schema": "meddra_demo"},
    {"background_exclude_drugs": ["baclofen"], "mgps_likelihood": "truncated", "ic_variant": "bate"},
)


def _compiled(db: Path, target: Path, dbt_vars: dict[str, Any], *, project_parse: bool) -> dict[str, str]:
    run_dbt(
        ["compile", "--select", "path:analyses/study", "--target-path", str(target), "--quiet"],
        db_path=db,
        dbt_vars=dbt_vars,
        parse_with_project_vars=project_parse,
    )
    folder = target / "compiled" / "faers" / "analyses" / "study"
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.sql"))}


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("compile") / "warehouse.duckdb"
    duckdb.connect(str(db)).close()
    return db


@pytest.mark.parametrize("dbt_vars", VARIANTS)
def test_study_sql_on_the_project_parse_is_the_sql_of_a_parse_with_the_study_vars(
    empty_db: Path, tmp_path: Path, dbt_vars: dict[str, Any]
) -> None:
    # GIVEN a study's vars that differ from the project's
    # WHEN the study SQL is compiled on the project's parse, and on a parse with the study's vars
    fast = _compiled(empty_db, tmp_path / "project_parse", dbt_vars, project_parse=True)
    full = _compiled(empty_db, tmp_path / "vars_parse", dbt_vars, project_parse=False)
    # THEN every step's SQL is the same, character for character, and the vars reached it
    assert set(STEPS) <= set(fast)
    assert fast == full
    if dbt_vars.get("study_as_of"):
        assert "study_asof_fct_case_drug" in fast["study_background"]
    drug_only = bool(dbt_vars.get("study_reports_drug_only"))
    assert ("study_drug_report_ids" in fast["study_reports"]) == drug_only
    assert ("study_drug_suspect_rows" in fast["study_events"]) == drug_only
    # an as-of snapshot of the study drug's cases only
    assert ("int_drug_names_normalized" in fast["study_asof_cases"]) == (
        drug_only and bool(dbt_vars.get("study_as_of"))
    )
    if dbt_vars.get("expected_strata"):
        assert "mh_r" in fast["study_cells"] and "dense_rank()" in fast["study_cells"]


def test_a_bad_study_var_is_refused_on_the_project_parse(empty_db: Path, tmp_path: Path) -> None:
    # GIVEN a var value dbt's validate_vars refuses (the on-run-start hook checks it when the parse has it)
    # WHEN the study SQL is compiled on the project's parse
    # THEN run-operation validate_vars refuses it with dbt's one message naming the var
    with pytest.raises(DbtError, match=r'var chi2_yates: expected true or false, got "maybe"'):
        _compiled(empty_db, tmp_path / "bad", {"chi2_yates": "maybe"}, project_parse=True)
    assert not (tmp_path / "bad" / "compiled").exists()
