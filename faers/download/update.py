"""``faers update``: download what is new, load it, rebuild, and log how the signals changed.

Steps, each safe to interrupt:

1. Download (``download_quarters``) from the earliest quarter in the folder's manifest (2004Q1 for an empty
   folder) to the latest that could be published.
2. Pick the quarters to load: every ``complete`` zip in the manifest whose quarter is not yet in
   ``raw.load_log``. Quarters loaded by hand (``faers load``) since the last update's build count as
   added too. Each one's size and SHA-256 are checked against the manifest first, so a file changed
   or damaged since its download never reaches the warehouse. Corrupt, failed and missing quarters are not
   ``complete`` and are never loaded.
3. Register the build in ``history.builds`` and snapshot ``main.signals`` (``faers.download.changes``).
   If the previous update was interrupted or its build failed, that build is resumed instead: its snapshot
   is still the right "before".
4. ``loaders.load_paths`` the new zips (the loader replaces a quarter in one transaction). If the loader
   rejects a zip, nothing is rebuilt: the build is marked failed and the next update retries.
5. ``dbt build`` of the whole project: deduplication sees every quarter, so a follow-up report in the new
   quarter supersedes its earlier versions in older quarters; the staging tables type only the new quarters
   and the case marts rewrite only the cases that changed (README, "Incremental builds").
6. Append the signal changes to ``main.signal_changes`` and mark the build complete.

With nothing new to load and a completed build, the warehouse is up to date and nothing runs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from faers.builds import EXPLORER_TABLE, table_exists
from faers.download import changes
from faers.download.downloader import PLAIN as _PLAIN
from faers.download.downloader import DownloadReport, download_quarters
from faers.download.fetch import RetryPolicy
from faers.download.manifest import Manifest, ManifestEntry
from faers.download.quarters import resolve_range
from faers.download.verify import sha256_file
from faers.errors import FaersError
from faers.timing import timed
from loaders.paths import warehouse_path
from loaders.quarters import FIRST_QUARTER, QuarterError
from loaders.storage import connect_warehouse


class UpdateError(RuntimeError):
    """A downloaded file no longer matches its manifest entry, or the build failed."""


@dataclass
class UpdateReport:
    """What one ``faers update`` did."""

    download: DownloadReport
    quarters_added: list[str] = field(default_factory=list)
    build_id: int | None = None
    changes: dict[str, int] = field(default_factory=dict)
    previous_signals: bool = False
    elapsed: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    """Seconds per stage of an update that built: download, load, build, change log (the rest is checks)."""

    @property
    def up_to_date(self) -> bool:
        """True when nothing was loaded or rebuilt."""
        return self.build_id is None

    def summary(self) -> str:
        """One line for the end of ``faers update``."""
        if self.up_to_date:
            return f"update: warehouse up to date, no new quarter [{self.elapsed:,.1f} s]"
        added = ", ".join(self.quarters_added) or "none"
        if not self.previous_signals:
            change_text = "first build, no previous signals to compare"
        else:
            change_text = ", ".join(f"{count} {name}" for name, count in self.changes.items())
        stages = ", ".join(f"{name} {seconds:,.1f}" for name, seconds in self.stages.items())
        return (
            f"update: build {self.build_id} added quarters {added}; signal changes: {change_text} "
            f"(main.signal_changes) [{self.elapsed:,.1f} s: {stages}]"
        )


def _check_against_manifest(folder: Path, entry: ManifestEntry) -> Path:
    """The zip of ``entry``, after checking that its size and SHA-256 are still those recorded."""
    path = folder / entry.file
    if not path.exists():
        raise UpdateError(f"{path}: listed as complete in {folder / 'manifest.json'} but absent")
    if path.stat().st_size != entry.size or sha256_file(path) != entry.sha256:
        raise UpdateError(
            f"{path}: differs from {folder / 'manifest.json'} (size or SHA-256); "
            "run `faers download` again to replace it"
        )
    return path


def _start_quarter(manifest: Manifest) -> str:
    """Where an update starts probing: the earliest quarter already downloaded, else 2004Q1."""
    first = next(manifest.complete(), None)
    return first.quarter if first is not None else str(FIRST_QUARTER)


def update_warehouse(
    folder: Path,
    db: Path,
    *,
    base_url: str | None = None,
    from_quarter: str | None = None,
    to_quarter: str = "latest",
    policy: RetryPolicy | None = None,
    min_strength_change: float = changes.DEFAULT_MIN_STRENGTH_CHANGE,
    progress: bool = True,
    console: Console | None = None,
    today: dt.date | None = None,
    dbt_vars: Mapping[str, Any] | None = None,
) -> UpdateReport:
    """Run the update (see the module docstring) and return what it did; ``dbt_vars`` go to its dbt build.

    Raises QuarterError for a bad range, UpdateError for a zip that no longer matches the manifest or that
    the loader rejects, and faers.dbt.DbtError when the build fails (the build is then marked failed and
    the next update resumes it). Only builds run by ``faers update`` are logged: the effect of a hand-run
    ``faers build`` in between is absorbed into the next update's "before" snapshot.
    """
    started = time.monotonic()
    console = console or Console()
    start = from_quarter or _start_quarter(Manifest.load(folder))
    quarters = resolve_range(start, to_quarter, today)
    stages: dict[str, float] = {}
    with timed(stages, "download"):
        download = download_quarters(
            quarters, folder, base_url=base_url, policy=policy, progress=progress, console=console, today=today
        )
    manifest = Manifest.load(folder)
    db.parent.mkdir(parents=True, exist_ok=True)
    with connect_warehouse(db) as conn:
        changes.ensure_tables(conn)
        in_warehouse = changes.loaded_quarters(conn)
        pending = [e for e in manifest.complete() if e.quarter not in in_warehouse]
        built = changes.quarters_of_last_build(conn)
        loaded_by_hand = [] if built is None else [q for q in in_warehouse if q not in built]
        build = changes.unfinished_build(conn)
        if table_exists(conn, "main", EXPLORER_TABLE):  # the explorer's tables stay in step with the marts
            dbt_vars = {"explorer": True, **(dbt_vars or {})}
        if not pending and not loaded_by_hand and build is None and changes.signals_exist(conn):
            return UpdateReport(download, elapsed=time.monotonic() - started)
        paths = [_check_against_manifest(folder, entry) for entry in pending]
        new_quarters = sorted({*loaded_by_hand, *(entry.quarter for entry in pending)})
        if build is None:
            before = [q for q in in_warehouse if q not in loaded_by_hand]
            build = changes.start_build(conn, before, new_quarters)
        else:
            console.print(f"resuming build {build.build_id} ({build.status}) from its signal snapshot", **_PLAIN)
            added = sorted({*build.quarters_added, *new_quarters})
            changes.set_quarters_added(conn, build.build_id, added)
            build = dataclasses.replace(build, quarters_added=added, status="running")
    if paths:
        from loaders import load_paths

        with timed(stages, "load"):
            loaded = load_paths(paths, db, progress=progress, console=console)
        if loaded.failed:
            with connect_warehouse(db) as conn:
                changes.mark_failed(conn, build.build_id)
            failures = "; ".join(failure.message for failure in loaded.failed)
            raise UpdateError(f"loading failed, nothing rebuilt (the next update retries): {failures}")
    try:
        from faers.dbt import run_dbt

        with timed(stages, "build"):
            run_dbt(["build"], db_path=db, dbt_vars=dbt_vars)
    except Exception:
        with connect_warehouse(db) as conn:
            changes.mark_failed(conn, build.build_id)
        raise
    with timed(stages, "change log"), connect_warehouse(db) as conn:
        counts = changes.record_changes(conn, build, min_strength_change=min_strength_change)
    return UpdateReport(
        download,
        quarters_added=build.quarters_added,
        build_id=build.build_id,
        changes=counts,
        previous_signals=build.previous_signals,
        elapsed=time.monotonic() - started,
        stages=stages,
    )


def run_update(
    folder: Path = Path("data/faers"),
    base_url: str | None = None,
    db: Path | None = None,
    *,
    from_quarter: str | None = None,
    progress: bool = True,
    dbt_vars: Mapping[str, Any] | None = None,
) -> UpdateReport:
    """``faers update``: print the download and update summary lines; exit 1 if a quarter is missing,
    corrupt or failed (the quarters that did download are still loaded and built)."""
    console = Console()
    try:
        report = update_warehouse(
            folder,
            db or warehouse_path(),
            base_url=base_url,
            from_quarter=from_quarter,
            progress=progress,
            console=console,
            dbt_vars=dbt_vars,
        )
    except QuarterError as exc:
        raise typer.BadParameter(str(exc), param_hint="--from") from exc
    except ValueError as exc:  # a bad --base-url
        raise typer.BadParameter(str(exc), param_hint="--base-url") from exc
    for result in report.download.results:
        if result.outcome in ("missing", "corrupt", "failed"):
            console.print(f"{result.quarter} {result.outcome}: {result.message}", style="red", **_PLAIN)
    console.print(report.download.summary(), **_PLAIN)
    console.print(report.summary(), **_PLAIN)
    if not report.download.ok:
        raise FaersError(
            "some quarters are missing, corrupt or failed (listed above; the others were loaded and built): "
            "run `faers update` again to retry them"
        )
    return report
