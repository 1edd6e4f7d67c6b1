"""``faers report``: the report of one drug, from a study folder or straight from the marts."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from faers.report.write import write_report
from loaders.paths import warehouse_path


def run_report(
    drug: str,
    out: Path,
    scope: str | None,
    db: Path | None,
    *,
    study: Path | None = None,
    figure_formats: tuple[str, ...] = (),
) -> Path:
    """Write the report and print its path; a bad input raises ReportError (file and line), which the CLI
    ends with as one line."""
    console = Console(stderr=True)
    db_path = (db or warehouse_path()).resolve()
    with console.status(f"report: rendering {drug} from {study or db_path}"):
        path = write_report(study, db_path, out, drug=drug, scope=scope, figure_formats=figure_formats)
    size_mb = path.stat().st_size / 1e6
    summary = f"report: {drug} -> {path} ({size_mb:.1f} MB, self-contained, opens offline)"
    Console(soft_wrap=True).print(summary)
    return path
