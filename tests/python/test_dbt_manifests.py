"""dbt's parsed manifest kept on disk between `faers` processes (faers.dbt: faers_manifests/ of dbt's target path).

Each `faers` command is a new process. A command whose vars were parsed by an earlier one loads that parse from
disk instead of asking dbt to parse (dbt re-parses the whole project whenever the vars differ from its last
parse). What a parse decides must come back with it: var incremental_staging turns staging into views at parse
time, so a manifest served for the wrong vars would build a table.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import BuiltWarehouse
from faers_cli import run_faers

from faers.dbt import manifest_folder

STAGING_AS_VIEWS = "{incremental_staging: false}"


def _table_type(db: Path, name: str) -> str:
    with duckdb.connect(str(db), read_only=True) as conn:
        row = conn.execute(
            "select table_type from information_schema.tables where table_schema = 'staging' and table_name = ?", [name]
        ).fetchone()
    assert row is not None, f"{name} was not built in {db}"
    return str(row[0])


def test_a_later_process_with_the_same_vars_reuses_the_parse(
    built_warehouse: BuiltWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_warehouse.db_path, db)  # built: the data tests of one staging table have their tables
    manifests = manifest_folder()  # in the DBT_TARGET_PATH set above, as the `faers` processes below see it
    log = tmp_path / "logs" / "dbt.log"

    def build(*vars_args: str) -> tuple[str, int, int]:
        done = run_faers("build", "--db", db, "--select", "stg_faers__outc", *vars_args)
        assert done.returncode == 0, done.stdout + done.stderr
        parses = log.read_text().count("Performance info: ")  # each `dbt parse` logs where it wrote perf_info.json
        return _table_type(db, "stg_faers__outc"), parses, len(list(manifests.glob("*.msgpack")))

    # a parse per new set of vars, each kept
    assert build("--vars", STAGING_AS_VIEWS) == ("VIEW", 1, 1)
    assert build() == ("BASE TABLE", 2, 2)
    # the first vars again, in a new process: dbt does not parse, and staging is a view again
    assert build("--vars", STAGING_AS_VIEWS) == ("VIEW", 2, 2)


def test_a_changed_project_file_is_parsed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kept manifest never outlives the files it was parsed from: an edited model is parsed again."""
    import faers.dbt
    from loaders.paths import PROJECT_DIR

    project = tmp_path / "project"  # a copy of the project's dbt files, one of them edited below
    project.mkdir()
    for name in ("dbt_project.yml", "profiles.yml", "selectors.yml"):
        shutil.copy2(PROJECT_DIR / name, project / name)
    not_dbt = shutil.ignore_patterns("python", "spark", "fixtures", "__pycache__")  # tests/: pytest's, not dbt's
    for folder in faers.dbt.PROJECT_FOLDERS:
        if (PROJECT_DIR / folder).is_dir():
            shutil.copytree(PROJECT_DIR / folder, project / folder, ignore=not_dbt)
    monkeypatch.setattr(faers.dbt, "PROJECT_DIR", project)
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    db = tmp_path / "warehouse.duckdb"

    def materialized() -> str:
        faers.dbt._manifests.clear()  # as a new process: the manifest kept on disk, if any
        listed = faers.dbt.run_dbt(
            ["ls", "--select", "stg_faers__outc", "--output", "json", "--output-keys", "config"], db_path=db
        ).result
        return str(json.loads(listed[0])["config"]["materialized"])

    assert materialized() == "incremental"
    assert materialized() == "incremental"  # from disk
    (kept,) = faers.dbt.manifest_folder().glob("*.msgpack")
    kept.write_bytes(kept.read_bytes()[:1000])  # a damaged file (a full disk, a killed copy) is parsed again
    assert materialized() == "incremental"
    assert len(kept.read_bytes()) > 1000  # and written whole again
    model = project / "models" / "staging" / "faers" / "stg_faers__outc.sql"
    model.write_text(model.read_text() + "\n{{ config(materialized='view') }}\n")  # the last config() wins
    assert materialized() == "view"
