"""One file over HTTP(S): resumable (Range + If-Range), retried with exponential backoff, length-checked.

Only the standard library (urllib). Requests ask for ``Accept-Encoding: identity`` because fis.fda.gov hangs
on gzip (docs/faers_format.md §1.1). Bytes go to ``<name>.part``; a small ``<name>.part.meta`` remembers the
server's validator (ETag / Last-Modified) and length so that a later run resumes only the same version of
the file. The caller verifies the finished ``.part`` and renames it.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from faers import __version__

USER_AGENT = f"faers-warehouse/{__version__} (Python urllib; FAERS quarterly download)"
_CHUNK = 1 << 16
_RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
_CONTENT_RANGE_RE = re.compile(r"^\s*bytes\s+(?:(\d+)-(\d+)|\*)/(\d+|\*)\s*$")

ProgressCallback = Callable[[int, int | None], None]
"""Called with (bytes in the .part file so far, total size if known)."""


class NotPublishedError(Exception):
    """The server answered 404/410: the file does not exist (yet)."""


class DownloadError(Exception):
    """The file could not be fetched: a non-retryable HTTP status, or every retry failed."""


class _IncompleteBody(Exception):
    """The connection ended before the announced length (retryable)."""


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try.

    ``attempts`` bounds consecutive attempts that add no byte (an attempt that makes progress resets the
    count, so a flaky connection still finishes a large file); ``max_attempts`` bounds all attempts.
    The n-th consecutive failure waits ``min(max_backoff, backoff * 2**(n-1))`` seconds, with jitter.
    ``timeout`` applies to the connection and to every read.
    """

    attempts: int = 5
    max_attempts: int = 50
    backoff: float = 2.0
    max_backoff: float = 60.0
    timeout: float = 60.0

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.max_attempts < 1:
            raise ValueError(f"RetryPolicy needs at least one attempt: {self}")
        if self.timeout <= 0 or self.backoff < 0 or self.max_backoff < 0:
            raise ValueError(f"RetryPolicy times must be positive: {self}")


@dataclass(frozen=True)
class FetchResult:
    """What one fetch did."""

    size: int
    resumed_from: int
    attempts: int


def _meta_path(part: Path) -> Path:
    return part.with_name(part.name + ".meta")


def _read_meta(part: Path, url: str) -> dict[str, str | int | None]:
    """The saved validator for ``part``, or {} if absent, unreadable or for another address."""
    try:
        meta = json.loads(_meta_path(part).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) and meta.get("url") == url else {}


def _write_meta(
    part: Path,
    url: str,
    response: http.client.HTTPResponse,
    total: int | None,
    previous: dict[str, str | int | None],
) -> None:
    """Remember the server's validators for ``part`` (a 206 without them keeps the earlier ones)."""
    meta = {
        "url": url,
        "etag": response.headers.get("ETag") or previous.get("etag"),
        "last_modified": response.headers.get("Last-Modified") or previous.get("last_modified"),
        "total": total,
    }
    _meta_path(part).write_text(json.dumps(meta), encoding="utf-8")


def discard_partial(part: Path) -> None:
    """Delete a ``.part`` file and its ``.meta``."""
    part.unlink(missing_ok=True)
    _meta_path(part).unlink(missing_ok=True)


def _strong_validator(meta: dict[str, str | int | None]) -> str | None:
    """An If-Range value: a strong ETag, else Last-Modified (RFC 9110 §13.1.5 forbids weak ETags)."""
    etag = meta.get("etag")
    if isinstance(etag, str) and etag and not etag.startswith("W/"):
        return etag
    last_modified = meta.get("last_modified")
    return last_modified if isinstance(last_modified, str) and last_modified else None


def _parse_content_range(value: str | None, url: str) -> tuple[int | None, int | None]:
    """(first byte, total) from ``bytes a-b/total`` or ``bytes */total``."""
    match = _CONTENT_RANGE_RE.match(value or "")
    if match is None:
        raise DownloadError(f"{url}: unreadable Content-Range {value!r}")
    first = int(match.group(1)) if match.group(1) is not None else None
    total = int(match.group(3)) if match.group(3) != "*" else None
    return first, total


def _content_length(response: http.client.HTTPResponse) -> int | None:
    value = response.headers.get("Content-Length")
    return int(value) if value is not None and value.strip().isdigit() else None


def _attempt(
    url: str,
    part: Path,
    policy: RetryPolicy,
    on_progress: ProgressCallback | None,
) -> int:
    """One request. Returns the final size of ``part`` when it holds the whole file."""
    offset = part.stat().st_size if part.exists() else 0
    meta = _read_meta(part, url) if offset else {}
    if offset and not meta:
        discard_partial(part)  # no record of which version these bytes belong to: start over
        offset = 0
    headers = {"Accept-Encoding": "identity", "User-Agent": USER_AGENT}
    if offset:
        headers["Range"] = f"bytes={offset}-"
        validator = _strong_validator(meta)
        if validator:
            headers["If-Range"] = validator
    request = urllib.request.Request(url, headers=headers)
    try:
        response = urllib.request.urlopen(request, timeout=policy.timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and offset:
            _, total = _parse_content_range(exc.headers.get("Content-Range"), url)
            exc.close()
            if total is not None and total == offset:
                return offset  # the .part already holds every byte
            discard_partial(part)
            raise _IncompleteBody(f"{url}: the partial file does not match the server's (HTTP 416)") from exc
        raise
    with response:
        if response.status == 206:
            first, total = _parse_content_range(response.headers.get("Content-Range"), url)
            if first != offset:
                discard_partial(part)
                raise _IncompleteBody(f"{url}: asked for byte {offset}, server sent from {first}")
            mode = "ab"
        elif response.status == 200:
            offset, total, mode, meta = 0, _content_length(response), "wb", {}
        else:
            raise DownloadError(f"{url}: unexpected HTTP {response.status} {response.reason}")
        _write_meta(part, url, response, total, meta)
        done = offset
        if on_progress:
            on_progress(done, total)
        with part.open(mode) as out:
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                done += len(chunk)
                if on_progress:
                    on_progress(done, total)
    if total is not None and done != total:
        raise _IncompleteBody(f"{url}: connection ended at byte {done} of {total}")
    return done


def fetch(
    url: str,
    part: Path,
    *,
    policy: RetryPolicy | None = None,
    on_progress: ProgressCallback | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchResult:
    """Download ``url`` into ``part``, resuming whatever ``part`` already holds.

    Raises NotPublishedError on 404/410, DownloadError on any other non-retryable status or when the
    retries are exhausted. On success ``part`` holds the whole body (length checked when announced).
    """
    policy = policy or RetryPolicy()
    resumed_from = part.stat().st_size if part.exists() else 0
    failures = 0
    for attempt in range(1, policy.max_attempts + 1):
        before = part.stat().st_size if part.exists() else 0
        try:
            size = _attempt(url, part, policy, on_progress)
            return FetchResult(size=size, resumed_from=resumed_from, attempts=attempt)
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code in (404, 410):
                raise NotPublishedError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
            if exc.code not in _RETRYABLE_STATUS:
                raise DownloadError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
            error: Exception = exc
        except (
            _IncompleteBody,
            urllib.error.URLError,
            http.client.HTTPException,
            ConnectionError,
            TimeoutError,
        ) as exc:
            error = exc
        after = part.stat().st_size if part.exists() else 0
        failures = 0 if after > before else failures + 1
        if failures >= policy.attempts or attempt == policy.max_attempts:
            raise DownloadError(f"{url}: gave up after {attempt} attempts ({failures} without progress): {error}")
        delay = min(policy.max_backoff, policy.backoff * 2 ** max(failures - 1, 0))
        sleep(delay * (0.5 + random.random() / 2))
    raise AssertionError("unreachable: the loop returns or raises")
