"""``faers load PATH... [--db FILE]``: the command-line face of ``load_paths`` (the ``faers`` CLI wraps it)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from loaders.load import load_paths
from loaders.paths import warehouse_path
from loaders.report import LoadReport
from loaders.summary import print_summary


def run_load(paths: list[Path], db: Path | None) -> int:
    """Load ``paths`` into ``db`` (default: ``$FAERS_DUCKDB`` or warehouse.duckdb at the repo root) with
    progress bars and the closing summary. Exit code 0 when every file loaded, 1 when any failed."""
    return 0 if load_with_summary(paths, db).ok else 1


def load_with_summary(paths: list[Path], db: Path | None) -> LoadReport:
    """Load ``paths`` into ``db`` (default as in ``run_load``) with progress bars; print the summary."""
    console = Console(stderr=False)
    db_path = (db or warehouse_path()).resolve()
    report = load_paths(paths, db_path, progress=True, console=console)
    print_summary(report, console)
    return report
