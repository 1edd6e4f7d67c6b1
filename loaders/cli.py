"""``faers load PATH... [--db FILE]``: the command-line face of ``load_paths`` (the ``faers`` CLI wraps it)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from loaders.load import load_paths
from loaders.parquet import load_parquet
from loaders.paths import warehouse_path
from loaders.report import LoadReport
from loaders.summary import print_summary


def run_load(paths: list[Path], db: Path | None) -> int:
    """Load ``paths`` into ``db`` (default: ``$FAERS_DUCKDB`` or warehouse.duckdb at the repo root) with
    progress bars and the closing summary. Exit code 0 when every file loaded, 1 when any failed."""
    return 0 if load_with_summary(paths, db).ok else 1


def load_with_summary(paths: list[Path], db: Path | None, parquet_dir: Path | None = None) -> LoadReport:
    """Load ``paths`` into ``db`` (default as in ``run_load``) with progress bars; print the summary. With
    ``parquet_dir``, write the raw tables as Parquet there instead (``loaders.parquet``; ``db`` unused)."""
    console = Console(stderr=False)
    if parquet_dir is not None:
        report = load_parquet(paths, parquet_dir.resolve(), progress=True, console=console)
    else:
        report = load_paths(paths, (db or warehouse_path()).resolve(), progress=True, console=console)
    print_summary(report, console)
    return report
