"""The MGPS priors and margins of a study's populations, kept between studies of the same warehouse state.

Each population's prior (the whole one and each stratum) is fitted on every drug's cells of that population
(analyses/study/study_background.sql): on all of FAERS that background is ~37M cells and most of a study's
time; its margins (study_margins: the reports of each population and of each PT in it) need every report of
the population. Neither depends on the study drug, so a study stores both here, and a later study of any
drug with the same population reads them and counts only its drug's reports (var study_reports_drug_only).

An entry is found only by a key that holds everything they depend on:

* the warehouse: its latest complete build (audit.builds: its invocation id) and its file's size and
  modification time (with its WAL's), so a build, an update, a load or any hand edit of the file starts new
  keys (a study, a report or the explorer only read it: they leave both alone);
* the study's population settings: period and as-of snapshot, suspect roles, drug unit, strata (with the
  route levels, and the study drug's names when route is a stratum: a report's route is that of its
  study-drug rows), the adjustment settings, the MGPS likelihood;
* the MedDRA hierarchy the study resolves terms with (its schema and a checksum of its LLT -> PT links);
* a checksum of the code that computes them (the study SQL, the macros, dbt_project.yml's var defaults,
  faers.mgps, faers.study.stats), so a changed definition never reads an old result.

Entries live beside the warehouse file, in ``<warehouse stem>.study_cache/`` (per entry: its key as JSON, the
priors and the margins as Parquet); storing an entry removes those of other states of the warehouse.
``faers study --fresh`` counts and fits again and replaces the entry.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from faers.builds import read_state
from loaders.paths import PROJECT_DIR

FORMAT = 1
"""Bumped when an entry's layout changes."""

CODE_GLOBS = (
    "dbt_project.yml", "analyses/study/*.sql", "macros/**/*.sql", "faers/mgps/*.py", "faers/study/stats.py",
)  # fmt: skip
"""The code the priors come from (relative to the project): its checksum is part of every key."""


def cache_dir(db_path: Path) -> Path:
    """``<warehouse stem>.study_cache/`` beside the warehouse file."""
    return db_path.with_name(f"{db_path.stem}.study_cache")


def code_checksum() -> str:
    """sha256 of the files of CODE_GLOBS (path and content, in path order)."""
    digest = hashlib.sha256()
    for pattern in CODE_GLOBS:
        for path in sorted(PROJECT_DIR.glob(pattern)):
            digest.update(path.relative_to(PROJECT_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def latest_build(conn: duckdb.DuckDBPyConnection) -> str | None:
    """The invocation id of the warehouse's latest complete build (full or partial); None without a build log."""
    state = read_state(conn)
    if state is None:
        return None
    return next((build.invocation_id for build in reversed(state.builds) if build.is_complete), None)


def hierarchy_checksum(conn: duckdb.DuckDBPyConnection, schema: str | None) -> str | None:
    """A checksum of the hierarchy's LLT -> PT links (what study_events resolves terms with); None without one."""
    if schema not in ("meddra", "meddra_demo"):
        return None
    try:
        row = conn.execute(
            f"select count(*), sum(hash(lower(llt.llt_name), pt.pt_name)) from {schema}.llt as llt "
            f"inner join {schema}.pt as pt on llt.pt_code = pt.pt_code"
        ).fetchall()[0]
    except duckdb.CatalogException:
        return None
    return f"{row[0]}:{row[1]}"


def file_state(db_path: Path) -> list[list[int]]:
    """Size and modification time (ns) of the warehouse file and of its WAL (when there is one)."""
    state = []
    for path in (db_path, db_path.with_name(db_path.name + ".wal")):
        if path.exists():
            stat = path.stat()
            state.append([stat.st_size, stat.st_mtime_ns])
    return state


def priors_key(conn: duckdb.DuckDBPyConnection, db_path: Path, settings: dict[str, Any]) -> dict[str, Any] | None:
    """The key of a study's priors (``settings``: the population settings, see the module docstring), or
    None when the warehouse has no complete build to tie it to (then nothing is cached)."""
    build = latest_build(conn)
    if build is None:
        return None
    return {
        "format": FORMAT,
        "build": build,
        "file": file_state(db_path),
        "code": code_checksum(),
        "hierarchy": hierarchy_checksum(conn, settings.get("study_meddra_schema")),
        **settings,
    }


def _entry(db_path: Path, key: dict[str, Any]) -> Path:
    text = json.dumps(key, sort_keys=True, default=str)
    return cache_dir(db_path) / hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Background:
    """What a study's populations share whatever the drug: the prior of each population (temp table
    study_priors) and its margins (temp table study_margins: n and each PT's n_event)."""

    priors: pl.DataFrame
    margins: pl.DataFrame


PARTS = ("priors", "margins")


def entry_file(db_path: Path, key: dict[str, Any]) -> Path:
    """The key file (JSON) of the entry of ``key``; its parts are ``<entry>.priors.parquet`` and
    ``<entry>.margins.parquet``."""
    return _entry(db_path, key).with_suffix(".json")


def load(db_path: Path, key: dict[str, Any]) -> Background | None:
    """The background stored under ``key``, or None (no entry, another key, or a part that cannot be read)."""
    entry = _entry(db_path, key)
    try:
        if json.loads(entry.with_suffix(".json").read_text(encoding="utf-8")) != json.loads(
            json.dumps(key, default=str)
        ):
            return None
        return Background(*(pl.read_parquet(entry.with_suffix(f".{part}.parquet")) for part in PARTS))
    except (OSError, ValueError, pl.exceptions.PolarsError):
        return None


def store(db_path: Path, key: dict[str, Any], background: Background) -> Path:
    """Store ``background`` under ``key`` (each file written whole, then renamed into place; the key last, so an
    entry is complete when its key is there); remove the entries of other states of the warehouse (another build
    or file state: no key can reach them again). Returns the entry's key file."""
    folder = cache_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    entry = _entry(db_path, key)
    state = json.loads(json.dumps([key["build"], key["file"]]))
    keep = {entry.name}
    for key_file in folder.glob("*.json"):
        try:
            stored = json.loads(key_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if [stored.get("build"), stored.get("file")] == state:
            keep.add(key_file.name.split(".")[0])
    for path in folder.iterdir():  # another state's entries, and parts without a key (a key is written last)
        if path.name.split(".")[0] not in keep and not path.name.endswith(".partial"):
            path.unlink(missing_ok=True)
    for part, frame in zip(PARTS, (background.priors, background.margins), strict=True):
        partial = entry.with_suffix(f".{part}.{os.getpid()}.partial")
        frame.write_parquet(partial)
        os.replace(partial, entry.with_suffix(f".{part}.parquet"))
    partial = entry.with_suffix(f".{os.getpid()}.partial")
    partial.write_text(json.dumps(key, sort_keys=True, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(partial, entry.with_suffix(".json"))
    return entry.with_suffix(".json")
