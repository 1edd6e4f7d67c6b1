"""Download a range of FAERS quarters into a folder: skip complete files, resume partial ones, verify every
zip before it takes its final name, and keep ``manifest.json`` current after each quarter.

A 404 after the last quarter the server has is "not published yet"; a 404 before it is a quarter
"missing" from the server (an error). A zip that fails its CRC check is renamed ``<name>.corrupt`` and
recorded as corrupt: only files with status ``complete`` in the manifest are ever loaded.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from rich.console import Console
from rich.filesize import decimal
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from faers.download.fetch import DownloadError, NotPublishedError, RetryPolicy, discard_partial, fetch
from faers.download.manifest import Manifest, ManifestEntry
from faers.download.quarters import latest_possible
from faers.download.verify import CorruptZipError, sha256_file, verify_zip
from loaders.quarters import DEFAULT_BASE_URL, Quarter

BASE_URL_ENV = "FAERS_BASE_URL"
LOCK_NAME = ".download.lock"
PLAIN = {"markup": False, "highlight": False, "soft_wrap": True}
"""Console.print options for messages holding paths and URLs: no markup, no wrapping inside a path."""


class FolderBusyError(RuntimeError):
    """Another download holds the folder's lock."""


Outcome = Literal["downloaded", "skipped", "not_published", "missing", "corrupt", "failed"]


@dataclass(frozen=True)
class QuarterResult:
    """What happened to one quarter."""

    quarter: Quarter
    outcome: Outcome
    path: Path | None = None
    size: int | None = None
    message: str | None = None


@dataclass
class DownloadReport:
    """Per-quarter results of one download run, in quarter order."""

    results: list[QuarterResult] = field(default_factory=list)
    elapsed: float = 0.0

    def quarters(self, *outcomes: Outcome) -> list[Quarter]:
        """Quarters whose outcome is one of ``outcomes``."""
        return [r.quarter for r in self.results if r.outcome in outcomes]

    @property
    def ok(self) -> bool:
        """True when no quarter is missing, corrupt or failed (not-yet-published ones are fine)."""
        return not self.quarters("missing", "corrupt", "failed")

    @property
    def bytes_downloaded(self) -> int:
        """Bytes of the files fetched in this run."""
        return sum(r.size or 0 for r in self.results if r.outcome == "downloaded")

    def summary(self) -> str:
        """One line: counts per outcome, the quarters that need attention, volume and time."""

        def listed(outcome: Outcome) -> str:
            return quarter_ranges(self.quarters(outcome)) or "none"

        return (
            f"download: {len(self.quarters('downloaded'))} downloaded ({decimal(self.bytes_downloaded)}), "
            f"{len(self.quarters('skipped'))} already complete; "
            f"not published yet: {listed('not_published')}; "
            f"missing: {listed('missing')}; corrupt: {listed('corrupt')}; failed: {listed('failed')} "
            f"[{self.elapsed:,.1f} s]"
        )


def quarter_ranges(quarters: Sequence[Quarter]) -> str:
    """``2019Q1, 2019Q3..2020Q2``: runs of consecutive quarters collapsed into first..last."""
    runs: list[list[Quarter]] = []
    for quarter in sorted(quarters):
        if runs and runs[-1][-1].next() == quarter:
            runs[-1].append(quarter)
        else:
            runs.append([quarter])
    return ", ".join(str(run[0]) if len(run) == 1 else f"{run[0]}..{run[-1]}" for run in runs)


def resolve_base_url(base_url: str | None) -> str:
    """``base_url``, else $FAERS_BASE_URL, else fis.fda.gov; only http(s) addresses are accepted."""
    url = base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"base URL must start with http:// or https://, got {url!r}")
    return url


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on the download folder so that two runs never write the same files."""
    try:
        import fcntl
    except ImportError:  # not POSIX: run unlocked
        yield
        return
    with (folder / LOCK_NAME).open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise FolderBusyError(f"{folder}: another download is running in this folder") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class _Downloader:
    """The per-quarter steps, sharing the folder, manifest, policy and progress display."""

    def __init__(
        self,
        folder: Path,
        base_url: str,
        manifest: Manifest,
        policy: RetryPolicy,
        progress: Progress,
        verify_existing: bool,
    ) -> None:
        self.folder = folder
        self.base_url = base_url
        self.manifest = manifest
        self.policy = policy
        self.progress = progress
        self.verify_existing = verify_existing

    def _warn(self, text: str) -> None:
        self.progress.console.print(text, style="yellow", **PLAIN)

    def entry(self, quarter: Quarter, status: str, **values: object) -> ManifestEntry:
        fields: dict[str, object] = {"size": None, "sha256": None, "downloaded_at": None, "message": None}
        fields.update(values)
        return ManifestEntry(
            quarter=str(quarter),
            url=quarter.url(self.base_url),
            file=quarter.zip_name,
            status=status,  # type: ignore[arg-type]
            **fields,  # type: ignore[arg-type]
        )

    def _keep_existing(self, quarter: Quarter, final: Path) -> QuarterResult | None:
        """A result if ``final`` is already a complete, verified file; else None (download again)."""
        entry = self.manifest.get(quarter)
        size = final.stat().st_size
        recorded = entry is not None and entry.status == "complete" and entry.size == size
        if recorded and not self.verify_existing:
            return QuarterResult(quarter, "skipped", final, size)
        try:
            verify_zip(final)
        except CorruptZipError as exc:
            os.replace(final, final.with_name(final.name + ".corrupt"))
            self._warn(f"{exc}; downloading it again")
            return None
        digest = sha256_file(final)
        if recorded and entry is not None and entry.sha256 not in (None, digest):
            os.replace(final, final.with_name(final.name + ".corrupt"))
            self._warn(f"{final}: SHA-256 differs from the manifest; downloading it again")
            return None
        downloaded_at = entry.downloaded_at if recorded and entry is not None else _now()
        self.manifest.put(self.entry(quarter, "complete", size=size, sha256=digest, downloaded_at=downloaded_at))
        return QuarterResult(quarter, "skipped", final, size)

    def _fetch_verified(self, quarter: Quarter, task: TaskID) -> QuarterResult:
        """Fetch into ``.part``, verify, rename. One fresh retry if a resumed file turns out corrupt."""
        url = quarter.url(self.base_url)
        final = self.folder / quarter.zip_name
        part = final.with_name(final.name + ".part")

        def on_progress(done: int, total: int | None) -> None:
            self.progress.update(task, completed=done, total=total)

        while True:
            result = fetch(url, part, policy=self.policy, on_progress=on_progress)
            self.progress.update(task, description=f"{quarter} verifying CRCs")
            try:
                verify_zip(part)
            except CorruptZipError as exc:
                if result.resumed_from > 0:
                    self._warn(f"{exc}; the resumed file is bad, downloading it afresh")
                    discard_partial(part)
                    continue
                corrupt = final.with_name(final.name + ".corrupt")
                os.replace(part, corrupt)
                discard_partial(part)
                message = f"{exc}; kept as {corrupt.name}"
                self.manifest.put(
                    self.entry(
                        quarter,
                        "corrupt",
                        size=corrupt.stat().st_size,
                        sha256=sha256_file(corrupt),
                        downloaded_at=_now(),
                        message=message,
                    )
                )
                return QuarterResult(quarter, "corrupt", corrupt, corrupt.stat().st_size, message)
            digest = sha256_file(part)
            os.replace(part, final)
            discard_partial(part)
            self.manifest.put(self.entry(quarter, "complete", size=result.size, sha256=digest, downloaded_at=_now()))
            return QuarterResult(quarter, "downloaded", final, result.size)

    def quarter(self, quarter: Quarter, label: str) -> QuarterResult:
        """Bring one quarter's zip up to date; ``label`` names it on the progress bar."""
        final = self.folder / quarter.zip_name
        if final.exists():
            kept = self._keep_existing(quarter, final)
            if kept is not None:
                return kept
        task = self.progress.add_task(label, total=None)
        try:
            return self._fetch_verified(quarter, task)
        except NotPublishedError as exc:
            return QuarterResult(quarter, "not_published", message=str(exc))
        except DownloadError as exc:
            self.manifest.put(self.entry(quarter, "failed", message=str(exc)))
            return QuarterResult(quarter, "failed", message=str(exc))
        finally:
            self.progress.remove_task(task)


def _classify_absent(results: list[QuarterResult]) -> list[QuarterResult]:
    """404s after the last quarter the server has stay "not published yet"; earlier ones are "missing"."""
    present = [i for i, r in enumerate(results) if r.outcome not in ("not_published",)]
    last_present = present[-1] if present else -1
    return [
        QuarterResult(r.quarter, "missing", r.path, r.size, r.message)
        if r.outcome == "not_published" and i < last_present
        else r
        for i, r in enumerate(results)
    ]


def download_quarters(
    quarters: Sequence[Quarter],
    folder: Path,
    *,
    base_url: str | None = None,
    policy: RetryPolicy | None = None,
    progress: bool = True,
    console: Console | None = None,
    verify_existing: bool = False,
    today: dt.date | None = None,
) -> DownloadReport:
    """Bring ``folder`` up to date with FDA's zips for ``quarters`` (see the module docstring).

    Quarters that have not ended on ``today`` are reported as not published without a request.
    ``verify_existing`` re-checks the CRCs and SHA-256 of files already complete.
    """
    started = time.monotonic()
    url = resolve_base_url(base_url)
    folder.mkdir(parents=True, exist_ok=True)
    latest = latest_possible(today)
    results: list[QuarterResult] = []
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with (
        folder_lock(folder),
        Progress(*columns, console=console, disable=not progress, transient=True) as bar,
    ):
        manifest = Manifest.load(folder)
        downloader = _Downloader(folder, url, manifest, policy or RetryPolicy(), bar, verify_existing)
        for index, quarter in enumerate(quarters, start=1):
            if quarter > latest:
                result = QuarterResult(quarter, "not_published", message=f"{quarter} has not ended yet")
            else:
                result = downloader.quarter(quarter, f"{quarter} ({index}/{len(quarters)})")
            results.append(result)
            if progress and result.outcome in ("downloaded", "corrupt", "failed"):
                size = decimal(result.size) if result.size else ""
                bar.console.print(f"{quarter} {result.outcome} {size}", **PLAIN)
        results = _classify_absent(results)
        for result in results:
            if result.outcome in ("not_published", "missing") and result.quarter <= latest:
                manifest.put(downloader.entry(result.quarter, result.outcome, message=result.message))
    return DownloadReport(results, time.monotonic() - started)
