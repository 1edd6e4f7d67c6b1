"""``faers download``: every FAERS quarter from FDA into one folder, resumable and verified."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from faers.download.downloader import PLAIN as _PLAIN
from faers.download.downloader import DownloadReport, download_quarters
from faers.download.quarters import resolve_range
from faers.errors import FaersError
from loaders.quarters import QuarterError


def run_download(
    from_quarter: str = "2004Q1",
    to_quarter: str = "latest",
    folder: Path = Path("data/faers"),
    base_url: str | None = None,
    *,
    progress: bool = True,
) -> DownloadReport:
    """Download FDA's quarterly ASCII zips ``from_quarter``..``to_quarter`` into ``folder``.

    Prints one summary line. Exits with status 1 (``typer.Exit``) if a quarter is missing on the server,
    corrupt or could not be fetched; quarters not published yet are reported but are not an error.
    """
    console = Console()
    try:
        quarters = resolve_range(from_quarter, to_quarter)
    except QuarterError as exc:
        raise typer.BadParameter(str(exc), param_hint="--from/--to") from exc
    try:
        report = download_quarters(quarters, folder, base_url=base_url, progress=progress, console=console)
    except ValueError as exc:  # a bad --base-url
        raise typer.BadParameter(str(exc), param_hint="--base-url") from exc
    for result in report.results:
        if result.outcome in ("missing", "corrupt", "failed"):
            console.print(f"{result.quarter} {result.outcome}: {result.message}", style="red", **_PLAIN)
    console.print(report.summary(), **_PLAIN)
    if not report.ok:
        raise FaersError(
            "some quarters are missing, corrupt or failed (listed above): run `faers download` again to retry them"
        )
    return report
