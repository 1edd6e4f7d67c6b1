"""A real HTTP server on 127.0.0.1 that serves FAERS zips the way fis.fda.gov does, plus the faults the
downloader must survive: a connection dropped mid-file, a stalled or slow body, error statuses, 404s.

``test_download.py`` and ``test_update.py`` import ``FaersServer`` and ``quarter_zip`` from here; the tests
at the bottom check the server itself (Range, If-Range, 416), so a broken fixture cannot hide a bug.
"""

from __future__ import annotations

import io
import random
import re
import socket
import threading
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from loaders.quarters import Quarter

PREFIX = "/content/Exports/"
_CHUNK = 16 * 1024
_RANGE_RE = re.compile(r"^bytes=(\d+)-$")


@dataclass
class Fault:
    """Misbehaviour for one file. Each counter applies to that many requests, then the file is served
    normally. Delays are bounded by the tests that set them."""

    drop_after: int = 0  # close the connection after this many body bytes ...
    drops: int = 0  # ... on this many requests
    stall: float = 0.0  # pause before the first body byte ...
    stalls: int = 0  # ... on this many requests
    chunk_delay: float = 0.0  # pause between 16 KiB chunks on every request (a slow server)
    status: int = 0  # answer this HTTP status ...
    statuses: int = 0  # ... on this many requests


@dataclass
class Hit:
    """One request as the server saw it."""

    name: str
    range: str | None
    if_range: str | None
    accept_encoding: str | None
    status: int = 0


@dataclass
class _State:
    files: dict[str, bytes] = field(default_factory=dict)
    etags: dict[str, str] = field(default_factory=dict)
    faults: dict[str, Fault] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # silence the per-request log
        return

    def do_GET(self) -> None:
        state = self.server.state
        name = self.path[len(PREFIX) :] if self.path.startswith(PREFIX) else ""
        hit = Hit(name, self.headers.get("Range"), self.headers.get("If-Range"), self.headers.get("Accept-Encoding"))
        with state.lock:
            state.hits.append(hit)
            data = state.files.get(name)
            fault = state.faults.setdefault(name, Fault())
            status_now = fault.status if fault.statuses > 0 else 0
            fault.statuses -= bool(status_now)
            drop_now = fault.drop_after if fault.drops > 0 else 0
            fault.drops -= bool(drop_now)
            stall_now = fault.stall if fault.stalls > 0 else 0.0
            fault.stalls -= bool(stall_now)
        if data is None or status_now:
            hit.status = 404 if data is None else status_now
            self._empty(hit.status)
            return
        etag = state.etags[name]
        start, status = 0, 200
        match = _RANGE_RE.match(self.headers.get("Range") or "")
        if match and self.headers.get("If-Range") in (None, etag):
            start, status = int(match.group(1)), 206
            if start >= len(data):
                hit.status = 416
                self._empty(416, {"Content-Range": f"bytes */{len(data)}"})
                return
        hit.status = status
        body = data[start:]
        self.send_response(status)
        self.send_header("Content-Type", "application/zip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        self._body(body, drop_now, stall_now, fault.chunk_delay)

    def _empty(self, status: int, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _body(self, body: bytes, drop_after: int, stall: float, chunk_delay: float) -> None:
        try:
            self.wfile.flush()
            time.sleep(stall)
            limit = drop_after or len(body)
            for offset in range(0, limit, _CHUNK):
                self.wfile.write(body[offset : min(offset + _CHUNK, limit)])
                self.wfile.flush()
                time.sleep(chunk_delay)
            if drop_after:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
        except (ConnectionError, OSError):  # the client gave up (its timeout): nothing to send to
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: _State


class FaersServer:
    """``with FaersServer() as server: server.serve(name, data); server.base_url``."""

    def __init__(self) -> None:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.state = _State()
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        """The folder address to pass as ``base_url`` (like https://fis.fda.gov/content/Exports/)."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}{PREFIX}"

    @property
    def hits(self) -> list[Hit]:
        """Every request so far."""
        with self._httpd.state.lock:
            return list(self._httpd.state.hits)

    def hits_for(self, name: str) -> list[Hit]:
        """The requests for one file."""
        return [hit for hit in self.hits if hit.name == name]

    def serve(self, name: str, data: bytes, *, version: int = 1) -> None:
        """Serve ``data`` under ``name``; a new ``version`` changes the ETag (a republished file)."""
        with self._httpd.state.lock:
            self._httpd.state.files[name] = data
            self._httpd.state.etags[name] = f'"{name}-v{version}"'

    def fault(self, name: str, fault: Fault) -> None:
        """Make ``name`` misbehave as described."""
        with self._httpd.state.lock:
            self._httpd.state.faults[name] = fault

    def __enter__(self) -> FaersServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def quarter_zip(quarter: Quarter, *, rows: int = 6000, seed: int = 0) -> bytes:
    """A small zip in FDA's layout for ``quarter`` (LAERS or FAERS names and headers), with random
    content so that it does not compress away: a few hundred KB, enough to drop a connection mid-file."""
    rng = random.Random(f"{quarter}-{seed}")
    yy, q = f"{quarter.year % 100:02d}", quarter.q
    if quarter.is_laers:
        folder, suffix, header, tail = "ascii", "TXT", "ISR$CASE$I_F_COD$FDA_DT", "$"
    else:
        folder, suffix, header, tail = "ASCII", "txt", "primaryid$caseid$caseversion$fda_dt", ""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.doc", "FAERS quarterly data extract\r\n" * 20, zipfile.ZIP_STORED)
        for table in ("DEMO", "DRUG", "REAC"):
            lines = [header]
            for _ in range(rows):
                case = rng.randrange(10**7, 10**8)
                lines.append(f"{case}1${case}$1${quarter.year}{rng.randrange(1, 13):02d}01{tail}")
            archive.writestr(f"{folder}/{table}{yy}Q{q}.{suffix}", "\r\n".join(lines) + "\r\n")
    return buffer.getvalue()


def corrupt(data: bytes) -> bytes:
    """``data`` with one byte flipped inside the first member (stored, so its CRC check fails)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.infolist()[0]
    header_end = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    position = header_end + info.compress_size // 2
    return data[:position] + bytes([data[position] ^ 0xFF]) + data[position + 1 :]


@pytest.fixture
def server() -> Iterator[FaersServer]:
    """A running FaersServer for one test."""
    with FaersServer() as running:
        yield running


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read(), dict(exc.headers)


def test_server_serves_ranges_and_honours_if_range(server: FaersServer) -> None:
    data = quarter_zip(Quarter(2019, 1), rows=200)
    server.serve("faers_ascii_2019q1.zip", data)
    url = server.base_url + "faers_ascii_2019q1.zip"

    status, body, headers = _get(url)
    assert (status, body) == (200, data)
    status, body, headers = _get(url, {"Range": "bytes=100-"})
    assert (status, body) == (206, data[100:])
    assert headers["Content-Range"] == f"bytes 100-{len(data) - 1}/{len(data)}"
    status, body, _ = _get(url, {"Range": "bytes=100-", "If-Range": '"stale"'})
    assert (status, body) == (200, data)
    status, _, headers = _get(url, {"Range": f"bytes={len(data)}-"})
    assert (status, headers["Content-Range"]) == (416, f"bytes */{len(data)}")
    assert _get(server.base_url + "faers_ascii_2030q1.zip")[0] == 404


def test_server_drops_the_connection_mid_file(server: FaersServer) -> None:
    data = quarter_zip(Quarter(2019, 1))
    server.serve("faers_ascii_2019q1.zip", data)
    server.fault("faers_ascii_2019q1.zip", Fault(drop_after=50_000, drops=1))
    with urllib.request.urlopen(server.base_url + "faers_ascii_2019q1.zip", timeout=5) as response:
        first = response.read(len(data))
    assert len(first) == 50_000 < len(data)
    assert _get(server.base_url + "faers_ascii_2019q1.zip")[1] == data


def test_generated_zips_are_valid_and_corruption_breaks_a_crc() -> None:
    for quarter in (Quarter(2012, 3), Quarter(2012, 4)):
        data = quarter_zip(quarter)
        assert len(data) > 100_000
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert archive.testzip() is None
        with zipfile.ZipFile(io.BytesIO(corrupt(data))) as archive:
            assert archive.testzip() == "README.doc"
