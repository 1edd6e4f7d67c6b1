"""``faers download`` against a real HTTP server on 127.0.0.1 (test_download_server.FaersServer): FDA's
names for both eras, skip/resume/retry, CRC verification before a file takes its final name, the manifest,
404s as "not published yet" or "missing", a slow and a stalled server."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_download_server import FaersServer, Fault, corrupt, quarter_zip
from typer.testing import CliRunner

from faers.cli import app
from faers.download import (
    DownloadReport,
    Quarter,
    QuarterError,
    RetryPolicy,
    download_quarters,
    fetch,
    latest_possible,
    resolve_range,
)
from faers.download.downloader import FolderBusyError, folder_lock, quarter_ranges
from faers.download.manifest import Manifest, ManifestError

FAST = RetryPolicy(attempts=3, backoff=0.01, max_backoff=0.05, timeout=5.0)
TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def server() -> Iterator[FaersServer]:
    """A running FaersServer for one test."""
    with FaersServer() as running:
        yield running


def _serve(server: FaersServer, *quarters: Quarter) -> dict[Quarter, bytes]:
    served = {}
    for quarter in quarters:
        served[quarter] = quarter_zip(quarter)
        server.serve(quarter.zip_name, served[quarter])
    return served


def _download(server: FaersServer, folder: Path, quarters: list[Quarter], policy: RetryPolicy = FAST) -> DownloadReport:
    return download_quarters(quarters, folder, base_url=server.base_url, policy=policy, progress=False, today=TODAY)


def _outcomes(report: DownloadReport) -> dict[str, str]:
    return {str(r.quarter): r.outcome for r in report.results}


def test_zip_names_follow_fdas_two_eras() -> None:
    assert Quarter(2004, 1).zip_name == "aers_ascii_2004q1.zip"
    assert Quarter(2012, 3).zip_name == "aers_ascii_2012q3.zip"
    assert Quarter(2012, 4).zip_name == "faers_ascii_2012q4.zip"
    assert Quarter.parse("2019q1").url() == "https://fis.fda.gov/content/Exports/faers_ascii_2019q1.zip"
    assert (
        Quarter(2019, 1).url("http://h/x") == Quarter(2019, 1).url("http://h/x/") == "http://h/x/faers_ascii_2019q1.zip"
    )
    assert Quarter(2019, 4).next() == Quarter(2020, 1)
    assert Quarter(2020, 1).previous() == Quarter(2019, 4)
    assert Quarter(2020, 1).end == dt.date(2020, 3, 31)
    assert Quarter(2020, 4).end == dt.date(2020, 12, 31)


def test_summary_collapses_runs_of_quarters() -> None:
    quarters = [Quarter(2019, 1), Quarter(2019, 3), Quarter(2019, 4), Quarter(2020, 1), Quarter(2021, 1)]
    assert quarter_ranges(quarters) == "2019Q1, 2019Q3..2020Q1, 2021Q1"
    assert quarter_ranges([]) == ""


def test_latest_is_the_last_quarter_that_has_ended() -> None:
    assert latest_possible(dt.date(2026, 11, 26)) == Quarter(2026, 3)
    assert latest_possible(dt.date(2026, 1, 1)) == Quarter(2025, 4)
    assert latest_possible(dt.date(2026, 3, 31)) == Quarter(2025, 4)
    quarters = resolve_range("2004Q1", "latest", today=dt.date(2026, 11, 26))
    assert (quarters[0], quarters[-1], len(quarters)) == (Quarter(2004, 1), Quarter(2026, 3), 91)
    assert resolve_range("2012Q3", "2013q1") == [Quarter(2012, 3), Quarter(2012, 4), Quarter(2013, 1)]


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2003Q4", "2004Q2", "nothing before 2004Q1"),
        ("2019Q3", "2019Q1", "comes before"),
        ("2019-1", "latest", "not a quarter"),
        ("2019Q5", "latest", "not a quarter"),
        ("2099Q1", "2099Q2", "has not ended"),
    ],
)
def test_bad_ranges_are_refused(start: str, end: str, message: str) -> None:
    with pytest.raises(QuarterError, match=message):
        resolve_range(start, end, today=TODAY)


def test_downloads_verifies_and_records_every_file(server: FaersServer, tmp_path: Path) -> None:
    # GIVEN three quarters either side of the LAERS/FAERS boundary
    quarters = [Quarter(2012, 3), Quarter(2012, 4), Quarter(2013, 1)]
    served = _serve(server, *quarters)
    # WHEN they are downloaded
    report = _download(server, tmp_path, quarters)
    # THEN each file is byte-identical, recorded with its size and SHA-256, and nothing is left over
    assert report.ok and _outcomes(report) == dict.fromkeys(map(str, quarters), "downloaded")
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert [f["quarter"] for f in manifest["files"]] == ["2012Q3", "2012Q4", "2013Q1"]
    for entry, quarter in zip(manifest["files"], quarters, strict=True):
        data = (tmp_path / quarter.zip_name).read_bytes()
        assert data == served[quarter]
        assert entry["file"] == quarter.zip_name
        assert entry["url"] == server.base_url + quarter.zip_name
        assert entry["size"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["status"] == "complete"
        assert dt.datetime.fromisoformat(entry["downloaded_at"]).tzinfo is not None
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == sorted(
        [q.zip_name for q in quarters] + ["manifest.json"]
    )
    assert {hit.accept_encoding for hit in server.hits} == {"identity"}
    assert "3 downloaded" in report.summary() and "0 already complete" in report.summary()


def test_complete_files_are_skipped_without_a_request(server: FaersServer, tmp_path: Path) -> None:
    quarters = [Quarter(2019, 1), Quarter(2019, 2)]
    _serve(server, *quarters)
    _download(server, tmp_path, quarters)
    requests_after_first_run = len(server.hits)

    again = _download(server, tmp_path, quarters)

    assert _outcomes(again) == {"2019Q1": "skipped", "2019Q2": "skipped"}
    assert len(server.hits) == requests_after_first_run


def test_dropped_connection_is_resumed_with_a_range_request(server: FaersServer, tmp_path: Path) -> None:
    quarter = Quarter(2019, 1)
    served = _serve(server, quarter)
    server.fault(quarter.zip_name, Fault(drop_after=64 * 1024, drops=2))

    report = _download(server, tmp_path, [quarter])

    assert _outcomes(report) == {"2019Q1": "downloaded"}
    assert (tmp_path / quarter.zip_name).read_bytes() == served[quarter]
    hits = server.hits_for(quarter.zip_name)
    assert [(h.range, h.status) for h in hits] == [
        (None, 200),
        (f"bytes={64 * 1024}-", 206),
        (f"bytes={128 * 1024}-", 206),
    ]
    assert all(h.if_range == f'"{quarter.zip_name}-v1"' for h in hits[1:])


def test_interrupted_run_resumes_in_the_next_run(server: FaersServer, tmp_path: Path) -> None:
    # GIVEN a run that stops after the connection drops (one attempt allowed)
    quarter = Quarter(2019, 2)
    served = _serve(server, quarter)
    server.fault(quarter.zip_name, Fault(drop_after=48 * 1024, drops=1))
    first = _download(server, tmp_path, [quarter], RetryPolicy(max_attempts=1, timeout=5.0))
    assert _outcomes(first) == {"2019Q2": "failed"} and not first.ok
    part = tmp_path / (quarter.zip_name + ".part")
    assert part.stat().st_size == 48 * 1024
    assert not (tmp_path / quarter.zip_name).exists()
    assert Manifest.load(tmp_path).get(quarter).status == "failed"
    # WHEN the next run starts
    second = _download(server, tmp_path, [quarter])
    # THEN it asks only for the missing bytes and finishes the file
    assert _outcomes(second) == {"2019Q2": "downloaded"}
    assert server.hits_for(quarter.zip_name)[-1].range == f"bytes={48 * 1024}-"
    assert (tmp_path / quarter.zip_name).read_bytes() == served[quarter]
    assert not part.exists()
    assert Manifest.load(tmp_path).get(quarter).status == "complete"


def test_a_finished_part_file_is_completed_without_refetching(server: FaersServer, tmp_path: Path) -> None:
    # GIVEN a run interrupted after the last byte arrived but before the rename
    quarter = Quarter(2019, 4)
    served = _serve(server, quarter)
    part = tmp_path / (quarter.zip_name + ".part")
    fetch(server.base_url + quarter.zip_name, part, policy=FAST)
    # WHEN the next run starts
    report = _download(server, tmp_path, [quarter])
    # THEN the server confirms the length (416) and the file is verified and kept, not fetched again
    assert [h.status for h in server.hits_for(quarter.zip_name)] == [200, 416]
    assert _outcomes(report) == {"2019Q4": "downloaded"}
    assert (tmp_path / quarter.zip_name).read_bytes() == served[quarter]


def test_a_republished_file_is_fetched_whole_not_spliced(server: FaersServer, tmp_path: Path) -> None:
    # GIVEN half of version 1 on disk, and FDA has since republished the quarter (new ETag)
    quarter = Quarter(2019, 3)
    server.serve(quarter.zip_name, quarter_zip(quarter, seed=1), version=1)
    server.fault(quarter.zip_name, Fault(drop_after=32 * 1024, drops=1))
    _download(server, tmp_path, [quarter], RetryPolicy(max_attempts=1, timeout=5.0))
    version_2 = quarter_zip(quarter, seed=2)
    server.serve(quarter.zip_name, version_2, version=2)
    # WHEN the download resumes
    report = _download(server, tmp_path, [quarter])
    # THEN If-Range made the server send the whole new file, and that is what we keep
    last = server.hits_for(quarter.zip_name)[-1]
    assert (last.range, last.if_range, last.status) == ("bytes=32768-", f'"{quarter.zip_name}-v1"', 200)
    assert _outcomes(report) == {"2019Q3": "downloaded"}
    assert (tmp_path / quarter.zip_name).read_bytes() == version_2


def test_corrupt_zip_is_rejected_and_never_takes_the_final_name(server: FaersServer, tmp_path: Path) -> None:
    good, bad = Quarter(2019, 1), Quarter(2019, 2)
    _serve(server, good)
    server.serve(bad.zip_name, corrupt(quarter_zip(bad)))

    report = _download(server, tmp_path, [good, bad])

    assert _outcomes(report) == {"2019Q1": "downloaded", "2019Q2": "corrupt"}
    assert not report.ok
    assert not (tmp_path / bad.zip_name).exists()
    assert not (tmp_path / (bad.zip_name + ".part")).exists()
    assert (tmp_path / (bad.zip_name + ".corrupt")).exists()
    entry = Manifest.load(tmp_path).get(bad)
    assert entry is not None and entry.status == "corrupt" and "README.doc" in (entry.message or "")
    assert [e.quarter for e in Manifest.load(tmp_path).complete()] == ["2019Q1"]


def test_a_corrupted_local_file_is_replaced(server: FaersServer, tmp_path: Path) -> None:
    quarter = Quarter(2019, 1)
    served = _serve(server, quarter)
    (tmp_path / quarter.zip_name).write_bytes(corrupt(served[quarter]))  # e.g. damaged on disk

    report = _download(server, tmp_path, [quarter])

    assert _outcomes(report) == {"2019Q1": "downloaded"}
    assert (tmp_path / quarter.zip_name).read_bytes() == served[quarter]


def test_html_error_page_with_status_200_is_not_a_zip(server: FaersServer, tmp_path: Path) -> None:
    quarter = Quarter(2019, 1)
    server.serve(quarter.zip_name, b"<html><body>Service unavailable</body></html>")

    report = _download(server, tmp_path, [quarter])

    assert _outcomes(report) == {"2019Q1": "corrupt"}
    assert "not a readable zip" in (report.results[0].message or "")


def test_404s_are_not_published_after_the_last_quarter_and_missing_before(server: FaersServer, tmp_path: Path) -> None:
    _serve(server, Quarter(2019, 1), Quarter(2019, 3))
    quarters = resolve_range("2019Q1", "2020Q1", today=TODAY)

    report = _download(server, tmp_path, quarters)

    assert _outcomes(report) == {
        "2019Q1": "downloaded",
        "2019Q2": "missing",
        "2019Q3": "downloaded",
        "2019Q4": "not_published",
        "2020Q1": "not_published",
    }
    assert not report.ok
    assert "not published yet: 2019Q4..2020Q1;" in report.summary()
    assert "missing: 2019Q2" in report.summary()
    manifest = Manifest.load(tmp_path)
    assert manifest.get(Quarter(2019, 4)).status == "not_published"
    assert manifest.get(Quarter(2019, 2)).status == "missing"


def test_quarters_not_ended_yet_are_not_requested(server: FaersServer, tmp_path: Path) -> None:
    quarters = [Quarter(2026, 3), Quarter(2026, 4), Quarter(2027, 1)]
    report = _download(server, tmp_path, quarters)
    assert _outcomes(report) == dict.fromkeys(["2026Q3", "2026Q4", "2027Q1"], "not_published")
    assert report.ok
    assert [hit.name for hit in server.hits] == ["faers_ascii_2026q3.zip"]


def test_slow_server_finishes(server: FaersServer, tmp_path: Path) -> None:
    quarter = Quarter(2019, 1)
    served = _serve(server, quarter)
    server.fault(quarter.zip_name, Fault(chunk_delay=0.03))  # ~15 chunks: under half a second in all

    report = _download(server, tmp_path, [quarter], RetryPolicy(attempts=2, backoff=0.01, timeout=2.0))

    assert _outcomes(report) == {"2019Q1": "downloaded"}
    assert (tmp_path / quarter.zip_name).read_bytes() == served[quarter]
    assert len(server.hits_for(quarter.zip_name)) == 1


def test_stalled_server_times_out_and_is_retried(server: FaersServer, tmp_path: Path) -> None:
    quarter = Quarter(2019, 2)
    served = _serve(server, quarter)
    server.fault(quarter.zip_name, Fault(stall=1.5, stalls=1))

    report = _download(server, tmp_path, [quarter], RetryPolicy(attempts=3, backoff=0.01, timeout=0.5))

    assert _outcomes(report) == {"2019Q2": "downloaded"}
    assert (tmp_path / quarter.zip_name).read_bytes() == served[quarter]
    assert len(server.hits_for(quarter.zip_name)) == 2


def test_server_errors_are_retried_then_reported(server: FaersServer, tmp_path: Path) -> None:
    flaky, broken, forbidden = Quarter(2019, 1), Quarter(2019, 2), Quarter(2019, 3)
    _serve(server, flaky, broken, forbidden)
    server.fault(flaky.zip_name, Fault(status=503, statuses=2))
    server.fault(broken.zip_name, Fault(status=500, statuses=100))
    server.fault(forbidden.zip_name, Fault(status=403, statuses=100))

    report = _download(server, tmp_path, [flaky, broken, forbidden])

    assert _outcomes(report) == {"2019Q1": "downloaded", "2019Q2": "failed", "2019Q3": "failed"}
    assert len(server.hits_for(flaky.zip_name)) == 3
    assert len(server.hits_for(broken.zip_name)) == FAST.attempts
    assert len(server.hits_for(forbidden.zip_name)) == 1  # 403 is not worth retrying
    assert "HTTP 403" in (report.results[2].message or "")


def test_two_runs_never_share_a_folder(server: FaersServer, tmp_path: Path) -> None:
    with folder_lock(tmp_path), pytest.raises(FolderBusyError, match="another download"):
        _download(server, tmp_path, [Quarter(2019, 1)])
    assert server.hits == []


def test_bad_manifest_is_reported_with_its_path(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text('{"version": 1,\n "files": [}\n')
    with pytest.raises(ManifestError, match=r"manifest\.json:2"):
        Manifest.load(tmp_path)


def test_cli_downloads_and_exits_non_zero_on_a_corrupt_file(server: FaersServer, tmp_path: Path) -> None:
    _serve(server, Quarter(2019, 1))
    runner = CliRunner()
    args = [
        "download",
        "--from",
        "2019Q1",
        "--to",
        "2019Q1",
        "--dir",
        str(tmp_path),
        "--base-url",
        server.base_url,
    ]

    ok = runner.invoke(app, args)
    assert ok.exit_code == 0, ok.output
    assert "download: 1 downloaded" in ok.output

    server.serve(Quarter(2019, 2).zip_name, corrupt(quarter_zip(Quarter(2019, 2))))
    bad = runner.invoke(app, [*args[:4], "2019Q2", *args[5:]])
    assert bad.exit_code == 1
    assert "corrupt: 2019Q2" in bad.output

    refused = runner.invoke(app, ["download", "--from", "1999Q1", "--dir", str(tmp_path)])
    assert refused.exit_code == 2
    assert "2004Q1" in refused.output
