"""DuckDB memory_limit / temp_directory (loaders.settings) reach dbt's, the loader's and the analysts' connections."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from loaders import settings
from loaders.settings import MEMORY_LIMIT_ENV, TEMP_DIR_ENV, SettingsError, parse_size

SHOW = "select current_setting('memory_limit') as memory_limit, current_setting('temp_directory') as temp_directory"


def _as_duckdb_prints(limit: str) -> str:
    """How DuckDB reports ``memory_limit`` after ``SET memory_limit = limit``."""
    with duckdb.connect() as conn:
        conn.execute(f"SET memory_limit = '{limit}'")
        return str(conn.execute("select current_setting('memory_limit')").fetchone()[0])  # type: ignore[index]


def test_parse_size_and_errors() -> None:
    assert parse_size("6GB") == 6 * 10**9
    assert parse_size("512MiB") == 512 * 2**20
    assert parse_size(" 1.5 gb ") == 1_500_000_000
    for bad in ("lots", "6 parsecs", "-1GB", "1KB"):
        with pytest.raises(SettingsError, match=MEMORY_LIMIT_ENV):
            parse_size(bad)


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(MEMORY_LIMIT_ENV, raising=False)
    monkeypatch.delenv(TEMP_DIR_ENV, raising=False)
    ram = settings.physical_memory()
    expected = settings.DEFAULT_MEMORY_CAP if ram is None else min(settings.DEFAULT_MEMORY_CAP, int(0.6 * ram))
    db = tmp_path / "w.duckdb"
    chosen = settings.duckdb_settings(db)
    assert chosen.memory_limit == f"{expected // 10**6}MB"
    assert chosen.temp_directory == str(tmp_path.resolve() / "w.duckdb.tmp")
    assert settings.duckdb_settings(db, loader=True).memory_limit == "512MB"
    assert settings.duckdb_settings(":memory:").temp_directory is None


def test_dbt_connection_gets_the_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Through `dbt show` (the profile's connection, as `faers build` opens it)."""
    from faers.dbt import run_dbt

    spill = tmp_path / "spill here"
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "700MB")
    monkeypatch.setenv(TEMP_DIR_ENV, str(spill))
    result = run_dbt(["show", "--inline", SHOW], db_path=tmp_path / "w.duckdb")
    row = result.result.results[0].agate_table.rows[0]
    assert row["memory_limit"] == _as_duckdb_prints("700MB")
    assert row["temp_directory"] == str(spill)

    # without the variables: the default limit, spills beside the warehouse file
    monkeypatch.delenv(MEMORY_LIMIT_ENV)
    monkeypatch.delenv(TEMP_DIR_ENV)
    result = run_dbt(["show", "--inline", SHOW], db_path=tmp_path / "w.duckdb")
    row = result.result.results[0].agate_table.rows[0]
    assert row["memory_limit"] == _as_duckdb_prints(settings.duckdb_settings(None).memory_limit)
    assert row["temp_directory"] == str((tmp_path / "w.duckdb.tmp").resolve())


def test_loader_connection_gets_the_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from loaders.write import Warehouse

    monkeypatch.setenv(TEMP_DIR_ENV, str(tmp_path / "spill"))
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "300MB")  # below the loader's 512 MB: taken as is
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        assert warehouse.conn.execute(SHOW).fetchone() == (_as_duckdb_prints("300MB"), str(tmp_path / "spill"))
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "4GB")  # above: the loader keeps 512 MB
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        assert warehouse.conn.execute(SHOW).fetchone()[0] == _as_duckdb_prints("512MB")  # type: ignore[index]


def test_bad_value_is_a_load_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_dir: Path
) -> None:
    from loaders import load_paths
    from loaders.errors import LoadError

    monkeypatch.setenv(MEMORY_LIMIT_ENV, "plenty")
    with pytest.raises(LoadError, match=f"w.duckdb.*{MEMORY_LIMIT_ENV}='plenty'"):
        load_paths([sample_dir], tmp_path / "w.duckdb", progress=False)


def test_analyst_connection_gets_the_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from faers.udfs import connect

    monkeypatch.setenv(MEMORY_LIMIT_ENV, "1GB")
    monkeypatch.delenv(TEMP_DIR_ENV, raising=False)
    with connect(tmp_path / "a.duckdb") as conn:
        assert conn.execute(SHOW).fetchone() == (_as_duckdb_prints("1GB"), str(tmp_path.resolve() / "a.duckdb.tmp"))
