"""The warehouse opens in the DuckDB CLI from PyPI (a 1.x client, as analysts' DuckDB CLI, R and DBeaver are).

The warehouse is written by DuckDB 2.x in the storage format of ``loaders.storage.STORAGE_VERSION``; these tests
run the ``duckdb`` executable of the ``duckdb-cli`` package (dev extra) in a subprocess, on the sample warehouse
the other tests built (sample -> load -> ``dbt build``), and query every table of every schema with it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from loaders.paths import PROJECT_DIR
from loaders.storage import STORAGE_ENV_VAR, STORAGE_VERSION

CLI = Path(sys.executable).with_name("duckdb")


def _cli(db: Path, sql: str) -> subprocess.CompletedProcess[str]:
    assert CLI.exists(), f"{CLI}: the duckdb-cli package of the dev extra is not installed"
    return subprocess.run(
        [str(CLI), "-readonly", "-noheader", "-csv", str(db), "-c", sql],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_cli_is_a_1x_client() -> None:
    result = subprocess.run([str(CLI), "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.startswith("v1."), result.stdout
    assert duckdb.__version__.startswith("2."), "the warehouse writer is DuckDB 2.x"


def test_profiles_default_storage_version_is_the_loaders() -> None:
    profile = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text())
    option = profile["faers"]["outputs"]["dev"]["config_options"]["storage_compatibility_version"]
    assert option == f"{{{{ env_var('{STORAGE_ENV_VAR}', '{STORAGE_VERSION}') }}}}"


@pytest.mark.slow
def test_the_pypi_duckdb_cli_queries_every_table_of_the_built_warehouse(built_warehouse, tmp_path: Path) -> None:
    # GIVEN the sample warehouse built by `faers load` + `dbt build` (a copy: no lock shared with other tests)
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse.db_path, db)
    with duckdb.connect(str(db), read_only=True) as conn:
        tables = conn.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database() order by all"
        ).fetchall()
        expected = {(s, t): conn.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0] for s, t in tables}
    marts = {t for s, t in tables if s == "main"}
    assert {"dim_case", "drug_event_cells", "mgps_prior", "signals", "tto"} <= marts
    # WHEN the 1.x CLI counts the rows of every table and view of every schema, in one session
    sql = " union all ".join(f'select \'{s}.{t}\', count(*) from "{s}"."{t}"' for s, t in tables)
    result = _cli(db, sql)
    # THEN it opens the file and every count is the writer's
    assert result.returncode == 0, result.stderr
    got = {line.split(",")[0]: int(line.split(",")[1]) for line in result.stdout.splitlines()}
    assert got == {f"{s}.{t}": n for (s, t), n in expected.items()}
    # and plain SQL on the marts needs no UDF (the README's example query)
    result = _cli(db, "select pt, a, ror, ic025, eb05, n_methods from signals order by a desc limit 3")
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 3, result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("version", [None, "latest"])
def test_storage_version_setting_decides_who_reads_a_new_file(
    sample_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: str | None
) -> None:
    from faers.dbt import run_dbt
    from loaders import load_paths

    if version is None:
        monkeypatch.delenv(STORAGE_ENV_VAR, raising=False)
    else:
        monkeypatch.setenv(STORAGE_ENV_VAR, version)
    # GIVEN a file created by the loader, and one created by dbt (a seed into a new file)
    loaded, seeded = tmp_path / "loaded.duckdb", tmp_path / "seeded.duckdb"
    load_paths([next(sample_dir.glob("*.zip"))], loaded, progress=False)
    run_dbt(["seed", "--select", "country_codes"], db_path=seeded)
    for db, table in ((loaded, "raw.load_log"), (seeded, "seeds.country_codes")):
        result = _cli(db, f"select count(*) > 0 from {table}")
        if version is None:
            # THEN by default the 1.x CLI reads both
            assert result.returncode == 0 and result.stdout.strip() == "true", (db, result.stderr)
        else:
            # THEN with FAERS_STORAGE_VERSION=latest it cannot: the setting reached both writers
            assert result.returncode != 0 and "version number" in result.stderr, (db, result.stdout)
