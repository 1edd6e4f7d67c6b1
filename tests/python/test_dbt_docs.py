"""dbt's own conventions on the sample warehouse: `dbt docs generate`, persisted descriptions, contracts,
exposures and the sources of optional schemas."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from faers.dbt import run_dbt

pytestmark = pytest.mark.slow


def test_docs_generate_on_the_built_warehouse(built_warehouse, tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse.db_path, db)
    # the session warehouse has the explorer
    run_dbt(["docs", "generate"], db_path=db, dbt_vars={"explorer": True}, write_json=True)
    target = Path(os.environ.get("DBT_TARGET_PATH", "target"))
    catalog = json.loads((target / "catalog.json").read_text())
    manifest = json.loads((target / "manifest.json").read_text())
    # the catalog describes the built marts, with the descriptions persisted as DuckDB comments
    signals = catalog["nodes"]["model.faers.signals"]
    assert signals["metadata"]["comment"].startswith("Four disproportionality methods")
    assert signals["columns"]["eb05"]["comment"] == "5% quantile of the MGPS posterior gamma mixture."
    # the three tables analysts query most are under an enforced contract
    for name in ("signals", "drug_event_cells", "mgps_prior"):
        assert manifest["nodes"][f"model.faers.{name}"]["contract"]["enforced"], name
    # exposures and the optional sources are in the project's lineage
    assert {e.split(".")[-1] for e in manifest["exposures"]} == {
        "study_report",
        "drug_report",
        "signal_change_log",
        "signal_explorer",
    }
    assert {"source.faers.meddra.md_hierarchy", "source.faers.rxnorm.rxnconso"} <= set(manifest["sources"])
    freshness = manifest["sources"]["source.faers.faers.load_log"]["freshness"]
    assert freshness["warn_after"] == {"count": 120, "period": "day"}


def test_descriptions_reach_duckdb_clients(built_warehouse) -> None:
    with duckdb.connect(str(built_warehouse.db_path), read_only=True) as conn:
        (table_comment,) = conn.execute(
            "select comment from duckdb_tables() where schema_name = 'main' and table_name = 'dim_case'"
        ).fetchone()
        undocumented = conn.execute(
            "select table_name, column_name from duckdb_columns() "
            "where schema_name = 'main' and table_name in ('signals', 'drug_event_cells', 'mgps_prior') "
            "and coalesce(comment, '') = ''"
        ).fetchall()
    assert table_comment.startswith("One row per FAERS case")
    assert undocumented == []


def test_source_freshness_of_the_load_log(built_warehouse, tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse.db_path, db)
    run_dbt(["source", "freshness", "--select", "source:faers.load_log"], db_path=db)  # just loaded: fresh
    with duckdb.connect(str(db)) as conn:
        conn.execute("update raw.load_log set loaded_at = loaded_at - interval 300 day")
    target = Path(os.environ.get("DBT_TARGET_PATH", "target"))
    with pytest.raises(Exception, match="freshness"):
        run_dbt(["source", "freshness", "--select", "source:faers.load_log"], db_path=db, write_json=True)
    sources = json.loads((target / "sources.json").read_text())["results"]
    assert [r["status"] for r in sources] == ["error"]
