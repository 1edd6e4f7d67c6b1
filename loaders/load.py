"""``load_paths``: stream FDA quarterly ASCII zips into DuckDB schema ``raw``, one transaction per quarter.

Per zip: classify members by regex, check every table header before touching the database, then in one
transaction delete the quarter and stream its members, one after the other (never more than one open), through
the scanner (background thread: inflate, validate, parse) into DuckDB (this thread: one Arrow insert per member).

A bad file (corrupt or truncated zip, missing table, unknown layout, member of another quarter, ...) fails
*that quarter only*: its transaction is rolled back, the error names the file (and line), and the loader
goes on with the other files. Quarters loaded before, in this run or an earlier one, are never touched.
"""

from __future__ import annotations

import logging
import resource
import sys
import time
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import closing
from pathlib import Path

import duckdb
import pyarrow as pa
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)

from loaders.discover import Archive, Failure, Member, classify_members, find_archives
from loaders.errors import LoadError
from loaders.inflate import InflateError, open_member
from loaders.pipeline import prefetch
from loaders.report import LoadReport, MemberReport, QuarterReport, TableCounts
from loaders.scan import (
    DEFAULT_CHUNK_BYTES,
    Batch,
    DeletedScanner,
    Layout,
    Reject,
    TableScanner,
    iter_chunks,
    read_layout,
    row_schema,
)
from loaders.write import Warehouse

log = logging.getLogger(__name__)

_ZIP_ERRORS = (zipfile.BadZipFile, *InflateError, EOFError, OSError, NotImplementedError, RuntimeError)
"""What zipfile raises on a corrupt, truncated, encrypted or unsupported archive."""

MAX_COMPRESSION_RATIO = 100
"""A member whose declared size is more than this many times its compressed size (and over
``RATIO_CHECK_MIN_BYTES``) is refused before it is read: a zip bomb. FDA's text tables compress 3-6 times."""

RATIO_CHECK_MIN_BYTES = 1 << 20
"""Members smaller than this are never refused for their ratio (a tiny member cannot exhaust memory or disk)."""

MAX_HEADER_BYTES = 64 << 10
"""FDA's longest header is about 300 bytes."""

MAX_REJECT_CHARS = 64 << 20
"""Rejected lines are kept until their member is loaded; past this much text the member fails (bounded
memory: a file this broken is not a FAERS table)."""


class _Bars:
    """Progress bars (bytes): one per zip, plus one per member while it loads. A no-op when disabled."""

    def __init__(self, enabled: bool, console: Console | None) -> None:
        self.progress = (
            Progress(
                TextColumn("{task.description}", table_column=None),
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeElapsedColumn(),
                console=console,
            )
            if enabled
            else None
        )

        self.started = False

    def __enter__(self) -> _Bars:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None and self.started:
            self.progress.stop()

    def add(self, description: str, total: int) -> TaskID | None:
        if self.progress is None:
            return None
        if not self.started:
            self.progress.start()
            self.started = True
        return self.progress.add_task(description, total=total)

    def advance(self, task: TaskID | None, nbytes: int) -> None:
        if self.progress is not None and task is not None:
            self.progress.advance(task, nbytes)

    def remove(self, task: TaskID | None) -> None:
        if self.progress is not None and task is not None:
            self.progress.remove_task(task)


def load_paths(
    paths: Sequence[Path],
    db_path: Path,
    *,
    progress: bool = True,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    console: Console | None = None,
) -> LoadReport:
    """Load every quarterly zip named by ``paths`` (zips, or folders of zips) into ``db_path``.

    Each quarter is replaced in one transaction. Failed files are listed in ``LoadReport.failed``; the
    other files are still loaded. Raises LoadError only when the database itself cannot be opened.
    """
    started = time.perf_counter()
    archives, failed, notes = find_archives([Path(p) for p in paths])
    if not archives and not failed:
        failed.append(Failure(", ".join(map(str, paths)), "no FDA quarterly ASCII zip found in the paths given"))
    report = LoadReport(failed=failed, notes=notes)
    with Warehouse(Path(db_path)) as warehouse, _Bars(progress, console) as bars:
        for archive in archives:
            try:
                report.quarters.append(_load_archive(warehouse, archive, bars, chunk_bytes))
            except LoadError as error:
                log.info("failed: %s", error)
                report.failed.append(Failure(str(archive.path), str(error)))
    report.seconds = time.perf_counter() - started
    report.peak_rss_bytes = _peak_rss_bytes()
    return report


def _peak_rss_bytes() -> int:
    """Peak resident memory of this process so far."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _open_zip(archive: Archive) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(archive.path)
    except _ZIP_ERRORS as error:
        raise LoadError(archive.name, f"corrupt or truncated zip ({error})") from error


def _load_archive(warehouse: Warehouse, archive: Archive, bars: _Bars, chunk_bytes: int) -> QuarterReport:
    """Load one zip as one quarter, atomically."""
    started = time.perf_counter()
    with _open_zip(archive) as zf:
        tables, deleted = classify_members(archive, zf.infolist())
        for member in (*tables, *deleted):
            _check_ratio(member)
        layouts = {member.table: _read_header(zf, member, archive) for member in tables}
        members = [*tables, *deleted]
        zip_task = bars.add(f"{archive.quarter} {archive.name}", sum(m.info.file_size for m in members))
        reports: list[MemberReport] = []
        scanned = prefetch(_quarter_batches(zf, members, layouts, chunk_bytes))
        try:
            with closing(scanned), warehouse.quarter(archive.quarter):
                for member in members:
                    member_report = _load_member(
                        warehouse, archive, member, layouts.get(member.table), _until_end(scanned), bars, zip_task
                    )
                    warehouse.log_member(member_report, quarter=archive.quarter, zip_file=archive.name)
                    reports.append(member_report)
        except BaseException:
            bars.remove(zip_task)
            raise
    seconds = time.perf_counter() - started
    quarter = QuarterReport(quarter=archive.quarter, zip_path=archive.path, members=reports, seconds=seconds)
    log.info("%s: %d members, %.1f MB in %.1f s", archive.quarter, len(reports), quarter.bytes_read / 1e6, seconds)
    return quarter


def _check_ratio(member: Member) -> None:
    """Refuse a zip bomb: a member declared to inflate more than ``MAX_COMPRESSION_RATIO`` times."""
    info = member.info
    if info.file_size > RATIO_CHECK_MIN_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
        raise LoadError(
            member.source_file,
            f"refused: declared to inflate {info.compress_size:,} -> {info.file_size:,} bytes, a compression ratio "
            f"over {MAX_COMPRESSION_RATIO}:1 (zip bomb?)",
        )


def _read_header(zf: zipfile.ZipFile, member: Member, archive: Archive) -> Layout:
    """Check a table member's header before the quarter's transaction starts."""
    try:
        with zf.open(member.info) as stream:
            first = stream.readline(MAX_HEADER_BYTES + 1)
    except _ZIP_ERRORS as error:
        raise LoadError(member.source_file, f"corrupt or truncated zip member ({error})") from error
    if not first.strip():
        raise LoadError(member.source_file, "empty file: no header line (unknown layout)", line=1)
    if len(first) > MAX_HEADER_BYTES:
        raise LoadError(member.source_file, f"header line longer than {MAX_HEADER_BYTES:,} bytes", line=1)
    return read_layout(first.rstrip(b"\n"), member.table, archive.era, member.source_file, quarter=archive.quarter)


def _batches(
    zf: zipfile.ZipFile, member: Member, layout: Layout | None, chunk_bytes: int
) -> Iterator[tuple[Batch, int]]:
    """``(batch, bytes consumed)`` for every chunk of one member, the header line skipped."""
    scanner: TableScanner | DeletedScanner = (
        DeletedScanner(member.source_file) if layout is None else TableScanner(layout)
    )
    try:
        with open_member(zf, member.info) as stream:
            chunks = iter_chunks(stream, chunk_bytes, member.source_file)
            if layout is not None:
                first, consumed = next(chunks, (b"", 0))
                cut = first.find(b"\n") + 1
                yield scanner.scan(first[cut:]), consumed
            for chunk, consumed in chunks:
                yield scanner.scan(chunk), consumed
            yield scanner.scan(b"", final=True), 0
            inflated = stream.tell()
    except _ZIP_ERRORS as error:
        raise LoadError(member.source_file, f"corrupt or truncated zip member ({error})") from error
    if inflated != member.info.file_size:
        raise LoadError(
            member.source_file,
            f"corrupt zip member: inflates to {inflated:,} bytes but the zip declares {member.info.file_size:,}",
        )


_END_OF_MEMBER = None


def _quarter_batches(
    zf: zipfile.ZipFile, members: Sequence[Member], layouts: dict[str, Layout], chunk_bytes: int
) -> Iterator[tuple[Batch, int] | None]:
    """Every member's ``(batch, bytes consumed)`` in turn, each member followed by ``_END_OF_MEMBER``: one
    stream for the quarter, so the background scanner reads the next member while DuckDB writes the end of
    the one before (one member open at a time, still)."""
    for member in members:
        yield from _batches(zf, member, layouts.get(member.table), chunk_bytes)
        yield _END_OF_MEMBER


def _until_end(scanned: Iterator[tuple[Batch, int] | None]) -> Iterator[tuple[Batch, int]]:
    """One member's part of the quarter's stream: its batches, up to its end marker."""
    for item in scanned:
        if item is _END_OF_MEMBER:
            return
        yield item


class _MemberRows:
    """Turns a member's Batches into the Arrow row batches DuckDB pulls; keeps counts, rejects and progress
    on the side, and remembers an error raised while DuckDB was pulling (DuckDB re-raises it as its own)."""

    def __init__(self, member: Member, schema: pa.Schema, bars: _Bars, tasks: Sequence[TaskID | None]) -> None:
        self.member = member
        self.schema = schema
        self.bars = bars
        self.tasks = tasks
        self.counts = TableCounts()
        self.rejects: list[Reject] = []
        self.reject_chars = 0
        self.error: BaseException | None = None

    def record_batches(self, batches: Iterator[tuple[Batch, int]]) -> Iterator[pa.RecordBatch]:
        try:
            for batch, consumed in batches:
                self._account(batch, consumed)
                for frame in batch.frames:
                    for record_batch in frame.to_batches():
                        yield (record_batch if record_batch.schema == self.schema else record_batch.cast(self.schema))
        except BaseException as error:
            self.error = error
            raise

    def _account(self, batch: Batch, consumed: int) -> None:
        counts = self.counts
        counts.lines_read += batch.lines
        counts.lines_blank += batch.blank
        counts.lines_joined += batch.joined
        counts.rows_loaded += batch.rows
        counts.rows_rejected += len(batch.rejects)
        counts.bytes_read += consumed
        self.rejects.extend(batch.rejects)
        self.reject_chars += sum(len(r.raw_line) for r in batch.rejects)
        if self.reject_chars > MAX_REJECT_CHARS:
            raise LoadError(
                self.member.source_file,
                f"{counts.rows_rejected:,} rejected lines ({self.reject_chars:,} characters) by line "
                f"{counts.lines_read + 1:,}: not a {self.member.table.upper()} table of this layout?",
            )
        for task in self.tasks:
            self.bars.advance(task, consumed)


def _load_member(
    warehouse: Warehouse,
    archive: Archive,
    member: Member,
    layout: Layout | None,
    batches: Iterator[tuple[Batch, int]],
    bars: _Bars,
    zip_task: TaskID | None,
) -> MemberReport:
    """Stream one member's scanned ``batches`` into ``raw.<table>`` (inside the quarter's transaction), then
    its rejects."""
    columns = ("caseid",) if layout is None else layout.columns
    if layout is not None:
        warehouse.add_columns(member.table, layout.unknown)
    schema = row_schema(columns)
    task = bars.add(f"  {member.info.filename}", member.info.file_size)
    rows = _MemberRows(member, schema, bars, (task, zip_task))
    try:
        reader = pa.RecordBatchReader.from_batches(schema, rows.record_batches(batches))
        try:
            warehouse.insert_rows(
                member.table, columns, reader, quarter=archive.quarter, source_file=member.source_file
            )
        except duckdb.Error:
            if rows.error is not None:
                raise rows.error from None
            raise
        warehouse.insert_rejects(
            rows.rejects, quarter=archive.quarter, table=member.table, source_file=member.source_file
        )
    finally:
        bars.remove(task)
    counts = rows.counts
    if not counts.balanced:
        raise LoadError(
            member.source_file,
            f"internal: {counts.lines_read} lines read but {counts.rows_loaded} loaded + "
            f"{counts.rows_rejected} rejected + {counts.lines_blank} blank + {counts.lines_joined} joined",
        )
    return MemberReport(
        table=member.table,
        source_file=member.source_file,
        counts=counts,
        unknown_columns=() if layout is None else layout.unknown,
        missing_columns=() if layout is None else layout.missing,
    )
