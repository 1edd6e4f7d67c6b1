"""``faers load PATH... [--db FILE]``: the command-line face of ``load_paths``."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from loaders.load import load_paths
from loaders.report import LoadReport
from loaders.summary import print_summary


def run_load(paths: list[Path], db: Path | None) -> int:
    """Load ``paths`` into ``db`` (default: ``$FAERS_DUCKDB`` or warehouse.duckdb at the repo root) with
    progress bars and the closing summary. Exit code 0 when every file loaded, 1 when any failed."""
    return 0 if _load(paths, db).ok else 1


def load_command(paths: list[Path], db: Path | None) -> None:
    """``faers load``: as ``run_load``; failed files end in one FaersError line naming them (a LoadError
    and Ctrl-C propagate too: the CLI turns each into its one-line message)."""
    from faers.errors import FaersError

    report = _load(paths, db)
    if report.failed:
        named = "; ".join(failure.message for failure in report.failed[:3])
        more = f" and {len(report.failed) - 3} more" if len(report.failed) > 3 else ""
        raise FaersError(
            f"{len(report.failed)} file(s) failed ({named}{more}); the other quarters are loaded: fix or remove "
            "the failed files, then run `faers load` again"
        )


def _load(paths: list[Path], db: Path | None) -> LoadReport:
    from faers.paths import warehouse_path

    console = Console(stderr=False)
    db_path = (db or warehouse_path()).resolve()
    report = load_paths(paths, db_path, progress=True, console=console)
    print_summary(report, console)
    return report
