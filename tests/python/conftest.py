"""Shared fixtures: the synthetic sample, loaded and built once per test session."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass(frozen=True)
class BuiltWarehouse:
    """A DuckDB warehouse built by sample -> load -> ``dbt build``, with the generator's ground truth."""

    db_path: Path
    sample_dir: Path
    truth: dict[str, Any]


BUILD_WITHOUT_DATA_TESTS = ("build", "--exclude-resource-type", "test")
"""`dbt build` of every model, seed and hook, without the data tests (about half of a build's time on a small
world): for tests that compare the built tables. The data tests of a build are run by the session's warehouse
(built_warehouse) and test_incremental_data_tests."""


def warehouse_file(folder: Path, name: str) -> Path:
    """``folder/name/warehouse.duckdb`` (the folder made): the file name of a test's warehouse that dbt builds.
    The name is dbt-duckdb's database, part of dbt's parsed manifest, which faers.dbt keeps per name and vars (in
    the process, and on disk for the run's other processes and workers): warehouses of one name share one parse
    (5-12 s each)."""
    (folder / name).mkdir()
    return folder / name / "warehouse.duckdb"


@pytest.fixture(scope="session", autouse=True)
def _dbt_paths(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep dbt's target/ and logs/ of the test run out of the working tree (and out of a parallel run's way)."""
    base = tmp_path_factory.mktemp("dbt")
    os.environ["DBT_TARGET_PATH"] = str(base / "target")
    os.environ["DBT_LOG_PATH"] = str(base / "logs")
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # the parsed manifests faers.dbt keeps on disk, shared by the run's workers (keyed by vars, warehouse name
        # and project files, written whole then renamed): a parse made by one worker serves the others
        from faers.dbt import MANIFEST_FOLDER, manifest_folder

        shared = tmp_path_factory.getbasetemp().parent / MANIFEST_FOLDER
        shared.mkdir(exist_ok=True)
        folder = manifest_folder()  # in the worker's DBT_TARGET_PATH, set above
        folder.parent.mkdir(parents=True)
        folder.symlink_to(shared, target_is_directory=True)


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default synthetic sample (zips in FDA's layout + truth.json)."""
    from faers.sample import generate

    out = tmp_path_factory.mktemp("sample")
    generate(out)
    return out


@pytest.fixture(scope="session")
def built_warehouse(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    """The default sample loaded into a fresh DuckDB file, built with ``dbt build`` (data tests and, as ``faers
    demo`` builds it, the explorer's tables included). The dbt unit tests and the demo MedDRA seeds' tests (selector
    ``code_checks``) run on it once per suite, in test_golden_gate.py, not once per xdist worker here."""
    from faers.dbt import run_dbt
    from loaders import load_paths

    db_path = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    load_paths([sample_dir], db_path, progress=False)
    run_dbt(["build"], db_path=db_path, dbt_vars={"explorer": True})  # as `faers demo`: with the explorer's tables
    truth = json.loads((sample_dir / "truth.json").read_text())
    return BuiltWarehouse(db_path=db_path, sample_dir=sample_dir, truth=truth)
