"""The closing summary of ``faers load``: a per-table count table and one summary line."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from loaders.report import LoadReport


def summary_table(report: LoadReport) -> Table:
    """Per raw table: lines read, blank, joined, records, loaded, rejected; loaded + rejected = records."""
    table = Table(
        title="faers load: per raw table",
        title_justify="left",
        caption="check: loaded + rejected = records = lines read - blank - joined",
        caption_justify="left",
    )
    table.add_column("table")
    for header in ("lines read", "blank", "joined", "records", "loaded", "rejected"):
        table.add_column(header, justify="right")
    table.add_column("check")
    for name, counts in report.tables.items():
        if counts.lines_read == 0:
            continue
        table.add_row(
            f"raw.{name}",
            f"{counts.lines_read:,}",
            f"{counts.lines_blank:,}",
            f"{counts.lines_joined:,}",
            f"{counts.records:,}",
            f"{counts.rows_loaded:,}",
            f"{counts.rows_rejected:,}",
            "ok" if counts.balanced else "MISMATCH",
        )
    return table


def summary_line(report: LoadReport) -> str:
    """One line: quarters, rows, rejects, throughput, peak memory, failures."""
    total = report.total
    mb = total.bytes_read / 1e6
    rate = mb / report.seconds if report.seconds > 0 else 0.0
    quarters = ", ".join(q.quarter for q in report.quarters) or "none"
    line = (
        f"faers load: {len(report.quarters)} quarter(s) loaded ({quarters}): "
        f"{total.rows_loaded:,} rows loaded, {total.rows_rejected:,} rejected, "
        f"{total.lines_blank:,} blank, {total.lines_joined:,} joined "
        f"of {total.lines_read:,} lines read; {mb:,.1f} MB in {report.seconds:.1f} s ({rate:,.0f} MB/s); "
        f"peak memory {report.peak_rss_bytes / 2**20:,.0f} MiB"
    )
    if report.warnings:
        line += f"; {len(report.warnings)} header warning(s)"
    if report.failed:
        line += f"; {len(report.failed)} file(s) FAILED"
    return line


def print_summary(report: LoadReport, console: Console) -> None:
    """Print the per-table counts, the notes and failures, then the summary line."""
    if report.quarters:
        console.print(summary_table(report))
    for warning in report.warnings:
        console.print(f"[bold yellow]warning[/bold yellow] {warning}", highlight=False, soft_wrap=True)
    for note in report.notes:
        console.print(f"[dim]note: {note}[/dim]", highlight=False)
    for failure in report.failed:
        console.print(f"[bold red]failed[/bold red] {failure.message}", highlight=False, soft_wrap=True)
    console.print(summary_line(report), highlight=False, soft_wrap=True)
