"""``faers load PATH... [--db FILE]``: the command-line face of ``load_paths``."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from loaders.load import load_paths
from loaders.summary import print_summary


def run_load(paths: list[Path], db: Path | None) -> int:
    """Load ``paths`` into ``db`` (default: ``$FAERS_DUCKDB`` or warehouse.duckdb at the repo root) with
    progress bars and the closing summary. Exit code 0 when every file loaded, 1 when any failed.

    A LoadError (no zip found, unreadable path) and Ctrl-C end in the CLI's one-line error (faers.cli.main).
    """
    from faers.paths import warehouse_path

    console = Console(stderr=False)
    db_path = (db or warehouse_path()).resolve()
    report = load_paths(paths, db_path, progress=True, console=console)
    print_summary(report, console)
    return 0 if report.ok else 1
