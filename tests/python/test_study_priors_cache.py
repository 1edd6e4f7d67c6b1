"""`faers study` keeps the priors of its populations for the next study (faers.study.priors_cache).

Every study runs the command a user runs (`faers study FILE --out DIR --db DB`) on its own copy of the session's
built warehouse, so the copy's cache starts empty: in the first test as a subprocess each (the cache crosses
processes, as from one user's study to the next), in the others in this process (faers_cli.invoke_faers: no
start-up per study). Where the priors came from is in the study's
versions.json (mgps_priors.from: fitted | cache | fixed).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

import duckdb
import polars as pl
import pytest

from faers.study.priors_cache import cache_dir
from tests.python.faers_cli import invoke_faers, run_faers

pytestmark = pytest.mark.slow

STUDY = """\
name: {drug}, every PT
drug: {{generic: {drug}, brands: [{brands}]}}
suspect_roles: [PS]
period: {{first: 2004Q1, last: 2026Q4}}
subgroups: {subgroups}
tto: {{min_cases: 10}}
"""


def _study(folder: Path, drug: str, brands: str = "", subgroups: str = "[sex, seriousness]") -> Path:
    path = folder / f"{drug}_{subgroups.strip('[]').replace(', ', '_')}.yml"
    path.write_text(STUDY.format(drug=drug, brands=brands, subgroups=subgroups))
    return path


Runner = Callable[..., CompletedProcess[str]]


def _run(study: Path, out: Path, db: Path, *flags: str, run: Runner = invoke_faers) -> str:
    """Run the study (by default in this process); return where its priors came from."""
    done = run("study", study, "--out", out, "--db", db, *flags)
    assert done.returncode == 0, done.stdout + done.stderr
    return str(json.loads((out / "versions.json").read_text())["mgps_priors"]["from"])


def _tables(out: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((out / "tables").glob("*.csv"))}


@pytest.fixture
def warehouse(built_warehouse: Any, tmp_path: Path) -> Path:
    db = tmp_path / "copy" / "warehouse.duckdb"
    db.parent.mkdir()
    shutil.copyfile(built_warehouse.db_path, db)
    return db


def test_a_study_of_another_drug_reads_the_priors_the_first_one_fitted(warehouse: Path, tmp_path: Path) -> None:
    # GIVEN a warehouse where some rows of another drug (atorvastatin) carry a brand name of the study drug:
    # the baclofen study counts them as baclofen (its name merge), a study of atorvastatin does not
    with duckdb.connect(str(warehouse)) as conn:
        merged = conn.execute(
            "update fct_case_drug set drug_name = 'LIORESAL' where drug = 'atorvastatin' and role_cod = 'PS' "
            "and primary_id % 3 = 0"
        ).fetchall()[0][0]
    assert merged > 0
    baclofen = _study(tmp_path, "baclofen", "Lioresal, Ozobax")
    atorvastatin = _study(tmp_path, "atorvastatin", "Lipitor")
    # WHEN baclofen is studied, then atorvastatin, then atorvastatin again with --fresh
    assert _run(baclofen, tmp_path / "baclofen", warehouse, run=run_faers) == "fitted"
    assert len(list(cache_dir(warehouse).glob("*.json"))) == 1
    assert _run(atorvastatin, tmp_path / "cached", warehouse, run=run_faers) == "cache"
    assert _run(atorvastatin, tmp_path / "fresh", warehouse, "--fresh", run=run_faers) == "fitted"
    # THEN the study that read the cache wrote exactly the tables of the one that fitted its own priors
    cached, fresh = _tables(tmp_path / "cached"), _tables(tmp_path / "fresh")
    assert cached == fresh and "mgps_priors.csv" in cached and "subgroup_signals.csv" in cached
    # and the priors describe the database, not the study drug: baclofen's fit (with its merge) is the same
    assert _tables(tmp_path / "baclofen")["mgps_priors.csv"] == fresh["mgps_priors.csv"]
    priors = pl.read_csv(tmp_path / "fresh" / "tables" / "mgps_priors.csv")
    assert set(priors["stratum_var"]) == {"overall", "sex", "seriousness"}
    # while the merge did reach baclofen's own cells: its reports include the renamed atorvastatin rows
    signals = pl.read_csv(tmp_path / "baclofen" / "tables" / "signals.csv")
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        mart_reports = conn.execute("select max(a + b) from signals where drug = 'baclofen'").fetchall()[0][0]
    assert (signals["a"] + signals["b"]).max() > mart_reports


def test_another_population_or_a_changed_warehouse_fits_again(warehouse: Path, tmp_path: Path) -> None:
    baclofen = _study(tmp_path, "baclofen", "Lioresal")
    assert _run(baclofen, tmp_path / "first", warehouse) == "fitted"
    # (the same study again reads the cache: edited_again below)
    # GIVEN another population (other strata): its own priors
    assert _run(_study(tmp_path, "baclofen", "Lioresal", "[age_group]"), tmp_path / "ages", warehouse) == "fitted"
    assert len(list(cache_dir(warehouse).glob("*.json"))) == 2
    # GIVEN an entry that cannot be read: fitted again, and the tables are still right
    for entry in cache_dir(warehouse).glob("*.priors.parquet"):
        entry.write_bytes(b"not parquet")
    assert _run(baclofen, tmp_path / "broken", warehouse) == "fitted"
    assert _tables(tmp_path / "broken") == _tables(tmp_path / "first")
    # GIVEN a hand edit of a mart (no dbt build, so the build log is unchanged): the file changed, so no entry
    # of the former file serves it, and storing the new one removes those
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("delete from fct_case_reaction where primary_id % 7 = 0")
    assert _run(baclofen, tmp_path / "edited", warehouse) == "fitted"
    assert _tables(tmp_path / "edited")["signals.csv"] != _tables(tmp_path / "first")["signals.csv"]
    assert len(list(cache_dir(warehouse).glob("*.json"))) == 1
    assert _run(baclofen, tmp_path / "edited_again", warehouse) == "cache"
    assert _tables(tmp_path / "edited_again") == _tables(tmp_path / "edited")


def test_a_fixed_prior_needs_no_background(warehouse: Path, tmp_path: Path) -> None:
    study = _study(tmp_path, "baclofen", "Lioresal")
    study.write_text(study.read_text() + "formula: {mgps_prior: [0.2, 0.1, 2.0, 4.0, 0.3]}\n")
    assert _run(study, tmp_path / "fixed", warehouse) == "fixed"
    assert not cache_dir(warehouse).exists()
    timings = json.loads((tmp_path / "fixed" / "timings.json").read_text())
    assert timings["study_background"] < 0.01  # skipped
    priors = pl.read_csv(tmp_path / "fixed" / "tables" / "mgps_priors.csv")
    assert set(priors["source"]) == {"study file mgps_prior"}
    assert set(priors["stratum_var"]) == {"overall", "sex", "seriousness"}


def test_a_cache_that_cannot_be_written_costs_time_not_the_study(warehouse: Path, tmp_path: Path) -> None:
    # GIVEN a file where the cache folder would go (the folder cannot be made: as on a read-only mount)
    cache_dir(warehouse).write_text("not a folder")
    study = _study(tmp_path, "baclofen", "Lioresal")
    # WHEN a study runs THEN it completes with its fitted priors and says why nothing was cached
    done = invoke_faers("study", study, "--out", tmp_path / "out", "--db", warehouse)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "the priors cache was not written" in " ".join(done.stdout.split())
    versions = json.loads((tmp_path / "out" / "versions.json").read_text())
    assert versions["mgps_priors"] == {"from": "fitted", "cache_entry": None}
    assert cache_dir(warehouse).read_text() == "not a folder"


def test_a_window_snapshot_from_the_cache_reads_the_study_drugs_cases_only(warehouse: Path, tmp_path: Path) -> None:
    # GIVEN a study whose window ends before the warehouse's last quarter (2023Q4): it deduplicates as of 2019Q1
    study = _study(tmp_path, "baclofen", "Lioresal, Ozobax")
    study.write_text(study.read_text().replace("last: 2026Q4", "last: 2019Q1"))
    # WHEN it runs twice: the first counts and fits on the whole snapshot, the second reads the cache and
    # snapshots only the cases that name the study drug
    assert _run(study, tmp_path / "fitted", warehouse) == "fitted"
    assert _run(study, tmp_path / "cached", warehouse) == "cache"
    compiled = (tmp_path / "cached" / "sql" / "study_asof_cases.sql").read_text()
    assert "int_drug_names_normalized" in compiled
    assert "int_drug_names_normalized" not in (tmp_path / "fitted" / "sql" / "study_asof_cases.sql").read_text()
    # THEN both wrote the same tables, and the window is the snapshot's (no report after 2019Q1)
    assert _tables(tmp_path / "cached") == _tables(tmp_path / "fitted")
    reports = pl.read_csv(tmp_path / "cached" / "tables" / "reports.csv")
    assert reports.height > 0 and reports["quarter"].max() <= "2019Q1"
