"""The golden gate: the signal macros, as the signals mart runs them, against the independent reference.

The reference seeds (seeds/reference) and the singular tests that use them (tests/golden) are test fixtures:
selector ``golden`` runs them on a scratch database, and the default selector ``production`` (a user's
``dbt build`` / ``faers build``) leaves them out.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest

from faers.dbt import DbtError, run_dbt

GATES = {"assert_signal_macros_match_reference", "assert_mgps_posterior_matches_reference"}
REFERENCE_SEEDS = {"signals_reference", "mgps_priors_reference"}


def _results() -> dict[str, str]:
    """Node name -> status of the last dbt invocation (target/run_results.json)."""
    run_results = Path(os.environ.get("DBT_TARGET_PATH", "target")) / "run_results.json"
    return {r["unique_id"].split(".")[2]: r["status"] for r in json.loads(run_results.read_text())["results"]}


@pytest.mark.slow
def test_golden_selector_seeds_the_reference_and_every_gate_passes(tmp_path: Path) -> None:
    run_dbt(["build", "--selector", "golden"], db_path=tmp_path / "warehouse.duckdb", write_json=True)
    results = _results()
    assert {name: results[name] for name in GATES} == dict.fromkeys(GATES, "pass")
    assert {name: results[name] for name in REFERENCE_SEEDS} == dict.fromkeys(REFERENCE_SEEDS, "success")
    assert set(results.values()) <= {"pass", "success"}  # and the seeds' own schema tests


@pytest.mark.slow
def test_the_gate_fails_when_a_formula_is_off(tmp_path: Path) -> None:
    # GIVEN a wrong normal quantile for the Woolf/PRR/Bate/Gould intervals WHEN the gate runs THEN it fails
    with pytest.raises(DbtError):
        run_dbt(
            ["build", "--selector", "golden"],
            db_path=tmp_path / "warehouse.duckdb",
            dbt_vars={"z_975": 1.96},
            write_json=True,
        )
    results = _results()
    assert results["assert_signal_macros_match_reference"] == "fail"
    assert results["assert_mgps_posterior_matches_reference"] == "pass"


@pytest.mark.slow
def test_a_production_build_holds_no_reference_rows(built_warehouse) -> None:
    # the session warehouse was built by plain `dbt build` (default selector production)
    with duckdb.connect(str(built_warehouse.db_path), read_only=True) as conn:
        tables = {name for (name,) in conn.execute("select table_name from duckdb_tables()").fetchall()}
    assert "signals" in tables
    assert not tables & (REFERENCE_SEEDS | GATES)


@pytest.mark.slow
def test_code_checks_pass_on_the_session_warehouse(built_warehouse) -> None:
    # the dbt unit tests and the demo MedDRA seeds' tests (selector code_checks: they check code and shipped files,
    # so a user's build leaves them out) on the warehouse built as `faers demo` builds it
    checks = ["test", "--selector", "code_checks"]
    result = run_dbt(checks, db_path=built_warehouse.db_path, dbt_vars={"explorer": True})
    ran = [(r.node.resource_type, r.node.original_file_path, str(r.status)) for r in result.result.results]
    checks_ran = [(kind, path, status) for kind, path, status in ran if kind in ("test", "unit_test")]
    assert any(kind == "unit_test" for kind, _, _ in checks_ran)
    assert any(kind == "test" and path.startswith("seeds/meddra_demo") for kind, path, _ in checks_ran)
    assert {status for _, _, status in checks_ran} == {"pass"}


@pytest.mark.slow
def test_the_production_selector_leaves_the_unit_tests_to_ci(tmp_path: Path) -> None:
    # GIVEN every dbt unit test of the project and what selector `unit` (which `make test` runs) selects
    db = tmp_path / "warehouse.duckdb"
    every_unit_test = set(run_dbt(["ls", "--select", "resource_type:unit_test"], db_path=db).result)
    assert every_unit_test
    assert set(run_dbt(["ls", "--selector", "unit"], db_path=db).result) == every_unit_test
    # WHEN a user builds (default selector production) THEN no unit test runs, and the signals mart does
    production = set(run_dbt(["ls", "--selector", "production"], db_path=db).result)
    assert not production & every_unit_test
    assert "faers.marts.signals.signals" in production
    # AND the explorer's tables are opt-in (var explorer, `faers build --explorer`): not in a default build
    assert not {node for node in production if ".explorer." in node}
    # AND selector code_checks (`make test`) holds the unit tests and the demo MedDRA seeds' tests, none of them in
    # a user's build, while the seeds themselves are built and the seeds users extend keep their tests
    code_checks = set(run_dbt(["ls", "--selector", "code_checks"], db_path=db).result)
    seed_checks = code_checks - every_unit_test
    assert seed_checks and all(".meddra_demo." in node for node in seed_checks)
    assert not production & code_checks
    assert "faers.meddra_demo.meddra_demo_pt" in production
    assert {node for node in production if "drug_synonyms" in node} - {"faers.drug_synonyms"}
