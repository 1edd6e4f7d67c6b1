"""``faers load PATH... [--db FILE]``: the command-line face of ``load_paths``."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from loaders.errors import LoadError
from loaders.load import load_paths
from loaders.summary import print_summary


def run_load(paths: list[Path], db: Path | None) -> int:
    """Load ``paths`` into ``db`` (default: ``$FAERS_DUCKDB`` or warehouse.duckdb at the repo root) with
    progress bars and the closing summary. Exit code 0 when every file loaded, 1 when any failed."""
    from faers.paths import warehouse_path

    console = Console(stderr=False)
    db_path = (db or warehouse_path()).resolve()
    try:
        report = load_paths(paths, db_path, progress=True, console=console)
    except LoadError as error:
        console.print(f"[bold red]faers load:[/bold red] {error}", highlight=False, soft_wrap=True)
        return 1
    except KeyboardInterrupt:
        console.print("faers load: interrupted; the quarter being loaded was rolled back", highlight=False)
        return 130
    print_summary(report, console)
    return 0 if report.ok else 1
