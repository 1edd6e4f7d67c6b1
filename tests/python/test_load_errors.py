"""Bad files fail their quarter only, with an error naming the file; loads are atomic per quarter."""

from __future__ import annotations

import struct
import subprocess
import sys
import textwrap
import warnings
import zipfile
from pathlib import Path

import duckdb
import pytest

from loaders import LoadReport, load_paths
from loaders.cli import run_load

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "real_samples"
sys.path.insert(0, str(FIXTURES))
import fda_zips  # noqa: E402

COUNTS_SQL = (
    "select 'demo', quarter, count(*) from raw.demo group by quarter union all "
    "select 'drug', quarter, count(*) from raw.drug group by quarter union all "
    "select 'indi', quarter, count(*) from raw.indi group by quarter union all "
    "select 'deleted', quarter, count(*) from raw.deleted group by quarter union all "
    "select 'load_log', quarter, count(*) from raw.load_log group by quarter order by 1, 2"
)


def query(db: Path, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute(sql, params or []).fetchall()


def only_failure(report: LoadReport) -> str:
    (failure,) = report.failed
    return failure.message


@pytest.fixture
def good_2019q1(tmp_path: Path) -> Path:
    return fda_zips.quarter_zip(tmp_path / "good", "2019Q1", extra={"Deleted/DELETE19Q1.txt": b" \n123\n"})


def corrupt(data: bytes) -> bytes:
    """Flip bytes in the middle of the first member's compressed data (the central directory stays)."""
    middle = len(data) // 4
    return data[:middle] + bytes(b ^ 0xFF for b in data[middle : middle + 64]) + data[middle + 64 :]


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (corrupt, "corrupt or truncated zip member"),
        (lambda data: data[: len(data) // 2], "corrupt or truncated zip (File is not a zip file)"),
        (lambda data: b"this is not a zip\r\n", "corrupt or truncated zip (File is not a zip file)"),
    ],
    ids=["corrupt", "truncated", "not-a-zip"],
)
def test_bad_zip_fails_its_quarter_only_and_the_load_goes_on(
    tmp_path: Path, good_2019q1: Path, damage: object, expected: str
) -> None:
    db = tmp_path / "w.duckdb"
    assert load_paths([good_2019q1], db, progress=False).ok
    before = query(db, COUNTS_SQL)
    bad = tmp_path / "bad" / "faers_ascii_2019q1.zip"
    bad.parent.mkdir()
    bad.write_bytes(damage(good_2019q1.read_bytes()))  # type: ignore[operator]
    other = fda_zips.quarter_zip(tmp_path / "other", "2019Q2")
    report = load_paths([bad, other], db, progress=False)
    message = only_failure(report)
    assert message.startswith("faers_ascii_2019q1.zip")
    assert expected in message
    assert [q.quarter for q in report.quarters] == ["2019Q2"]
    after = query(db, COUNTS_SQL)
    assert [row for row in after if row[1] == "2019Q1"] == [row for row in before if row[1] == "2019Q1"]
    assert ("demo", "2019Q2", 25) in after


def test_missing_table_names_the_zip_and_table(tmp_path: Path) -> None:
    path = fda_zips.quarter_zip(tmp_path, "2019Q1", overrides={"THER": None})
    report = load_paths([path], tmp_path / "w.duckdb", progress=False)
    assert only_failure(report) == (
        "faers_ascii_2019q1.zip: missing table(s) THER (no member matching e.g. ascii/THER19Q1.txt)"
    )
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.demo") == [(0,)]


def test_era_layout_mismatch_is_an_unknown_layout(tmp_path: Path) -> None:
    laers_reac = b"ISR$PT\r\n1$A$\r\n"
    path = fda_zips.quarter_zip(tmp_path, "2019Q1", overrides={"REAC": laers_reac})
    report = load_paths([path], tmp_path / "w.duckdb", progress=False)
    assert only_failure(report) == (
        "faers_ascii_2019q1.zip/ASCII/REAC19Q1.txt, line 1: unknown layout: a FAERS archive's REAC header "
        "needs column 'primaryid', found a LAERS header"
    )


def test_empty_member_is_an_error(tmp_path: Path) -> None:
    path = fda_zips.quarter_zip(tmp_path, "2019Q1", overrides={"OUTC": b""})
    report = load_paths([path], tmp_path / "w.duckdb", progress=False)
    assert only_failure(report) == (
        "faers_ascii_2019q1.zip/ASCII/OUTC19Q1.txt, line 1: empty file: no header line (unknown layout)"
    )


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            {"ASCII/DEMO19Q2.txt": b"primaryid\n"},
            "faers_ascii_2019q1.zip/ASCII/DEMO19Q2.txt: member is for 2019Q2 but the zip is 2019Q1",
        ),
        (
            {"Deleted/DELETE18Q4.txt": b"1\n"},
            "faers_ascii_2019q1.zip/Deleted/DELETE18Q4.txt: deleted-case list is for 2018Q4 but the zip is 2019Q1",
        ),
        (
            {"old/DEMO19Q1.txt": b"primaryid\n"},
            "faers_ascii_2019q1.zip: two DEMO members: ASCII/DEMO19Q1.txt, old/DEMO19Q1.txt",
        ),
    ],
    ids=["member-quarter", "deleted-quarter", "two-demo"],
)
def test_member_that_disagrees_with_the_zip(tmp_path: Path, extra: dict[str, bytes], expected: str) -> None:
    path = fda_zips.quarter_zip(tmp_path, "2019Q1", extra=extra)
    report = load_paths([path], tmp_path / "w.duckdb", progress=False)
    assert only_failure(report) == expected


def test_paths_that_are_not_fda_zips(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    fda_zips.quarter_zip(folder, "2019Q1")
    fda_zips.write_zip(folder / "faers_xml_2019q1.zip", {"x.xml": b"<x/>"})
    stray = fda_zips.write_zip(tmp_path / "quarter.zip", {"a": b""})
    duplicate = fda_zips.quarter_zip(tmp_path / "dup", "2019Q1", name="FAERS_ASCII_2019Q1.zip")
    report = load_paths([folder, stray, tmp_path / "missing.zip", duplicate], tmp_path / "w.duckdb", progress=False)
    assert [q.quarter for q in report.quarters] == ["2019Q1"]
    assert [f.message for f in report.failed] == [
        f"{stray}: not an FDA quarterly ASCII zip name (expected faers_ascii_YYYYqN.zip or aers_ascii_YYYYqN.zip)",
        f"{tmp_path / 'missing.zip'}: no such file or folder",
        f"{duplicate}: quarter 2019Q1 is already given by {folder / 'faers_ascii_2019q1.zip'}",
    ]
    assert report.notes == [f"{folder / 'faers_xml_2019q1.zip'}: skipped (not an FDA quarterly ASCII zip name)"]


def test_cli_exit_code_is_1_when_a_file_failed(
    tmp_path: Path, good_2019q1: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = fda_zips.quarter_zip(tmp_path / "bad", "2019Q2", overrides={"INDI": None})
    assert run_load([good_2019q1, bad], tmp_path / "w.duckdb") == 1
    out = capsys.readouterr().out
    assert "faers_ascii_2019q2.zip: missing table(s) INDI" in out
    assert "1 quarter(s) loaded (2019Q1)" in out
    assert "1 file(s) FAILED" in out
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.demo") == [(25,)]


def test_failure_mid_quarter_rolls_back_to_the_previous_load(
    tmp_path: Path, good_2019q1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "w.duckdb"
    assert load_paths([good_2019q1], db, progress=False).ok
    before = query(db, COUNTS_SQL)
    assert ("demo", "2019Q1", 25) in before

    from loaders.write import Warehouse

    original = Warehouse.insert_rows
    calls: list[str] = []

    def failing_insert(self: Warehouse, table: str, *args: object, **kwargs: object) -> None:
        calls.append(table)
        if len(calls) == 3:  # demo and drug are in, reac fails
            raise OSError("disk full (simulated)")
        original(self, table, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Warehouse, "insert_rows", failing_insert)
    smaller = fda_zips.quarter_zip(
        tmp_path / "new",
        "2019Q1",
        overrides={
            "DEMO": fda_zips.table_text("2020Q3", "DEMO"),
            "DRUG": fda_zips.table_text("2020Q3", "DRUG"),
        },
    )
    with pytest.raises(OSError, match="disk full"):
        load_paths([smaller], db, progress=False)
    assert calls == ["demo", "drug", "reac"]
    assert query(db, COUNTS_SQL) == before


KILL_SCRIPT = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from loaders import load_paths
    from loaders.write import Warehouse

    original = Warehouse.insert_rows
    calls = []

    def insert_then_die(self, table, *args, **kwargs):
        original(self, table, *args, **kwargs)
        calls.append(table)
        if len(calls) == 4:  # four tables of the new load written, then the process is killed
            os._exit(9)

    Warehouse.insert_rows = insert_then_die
    load_paths([Path(sys.argv[1])], Path(sys.argv[2]), progress=False)
    """
)


def test_killed_load_leaves_the_quarter_as_it_was(tmp_path: Path, good_2019q1: Path) -> None:
    db = tmp_path / "w.duckdb"
    assert load_paths([good_2019q1], db, progress=False).ok
    before = query(db, COUNTS_SQL)
    smaller = fda_zips.quarter_zip(
        tmp_path / "new", "2019Q1", overrides={"DEMO": fda_zips.table_text("2020Q3", "DEMO")}
    )
    result = subprocess.run([sys.executable, "-c", KILL_SCRIPT, str(smaller), str(db)], check=False)
    assert result.returncode == 9
    assert query(db, COUNTS_SQL) == before


def test_nothing_to_load_is_a_failure(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    fda_zips.write_zip(folder / "faers_xml_2019q1.zip", {"x.xml": b"<x/>"})
    report = load_paths([folder], tmp_path / "w.duckdb", progress=False)
    assert only_failure(report) == "no FDA quarterly ASCII zip found in the paths given"
    assert report.quarters == []


def test_a_member_without_line_breaks_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import loaders.scan

    monkeypatch.setattr(loaders.scan, "MAX_LINE_BYTES", 1000)
    reac = b"primaryid$caseid$pt$drug_rec_act\n" + b"x" * 5000
    path = fda_zips.quarter_zip(tmp_path, "2019Q1", overrides={"REAC": reac})
    report = load_paths([path], tmp_path / "w.duckdb", progress=False, chunk_bytes=256)
    assert only_failure(report) == (
        "faers_ascii_2019q1.zip/ASCII/REAC19Q1.txt: a line longer than 1,000 bytes: not a FAERS text table"
    )
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.demo") == [(0,)]


def test_two_members_of_one_name_fail_the_quarter(tmp_path: Path) -> None:
    """Regression (found by the fuzzer): two deleted-case lists of one name both loaded, under one
    source_file label. A zip holding two members of one name is damaged: which one is FDA's?"""
    files = fda_zips.quarter_members("2019Q1", extra={"Deleted/DELETE19Q1.txt": b"1\n"})
    path = tmp_path / "faers_ascii_2019q1.zip"
    with zipfile.ZipFile(path, "w") as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns of the duplicate name
        for name, data in files.items():
            zf.writestr(name, data)
        zf.writestr("Deleted/DELETE19Q1.txt", b"2\n")
    report = load_paths([path], tmp_path / "w.duckdb", progress=False)
    assert only_failure(report) == (
        "faers_ascii_2019q1.zip: two members named Deleted/DELETE19Q1.txt: a damaged zip (which one is FDA's?)"
    )
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.deleted") == [(0,)]


def test_zip_bomb_is_refused_before_it_is_inflated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import loaders.load

    demo = fda_zips.table_text("2026Q2", "DEMO")
    bomb = demo + b"\r\n" * (2 << 20)  # 4 MiB of blank lines deflate ~1000:1
    path = fda_zips.quarter_zip(tmp_path, "2019Q1", overrides={"DEMO": bomb})
    inflated: list[str] = []
    original = loaders.load._batches
    monkeypatch.setattr(
        loaders.load, "_batches", lambda zf, member, *a: inflated.append(member.table) or original(zf, member, *a)
    )
    report = load_paths([path], tmp_path / "w.duckdb", progress=False)
    (info,) = [i for i in zipfile.ZipFile(path).infolist() if "DEMO" in i.filename]
    assert only_failure(report) == (
        f"faers_ascii_2019q1.zip/ASCII/DEMO19Q1.txt: refused: declared to inflate {info.compress_size:,} -> "
        f"{info.file_size:,} bytes, a compression ratio over 100:1 (zip bomb?)"
    )
    assert inflated == []


def test_member_whose_size_field_lies_fails_its_quarter(tmp_path: Path) -> None:
    path = fda_zips.quarter_zip(tmp_path, "2019Q1")
    data = bytearray(path.read_bytes())
    at = data.index(b"PK\x01\x02")  # the first central-directory entry: ASCII/DEMO19Q1.txt
    (size,) = struct.unpack_from("<I", data, at + 24)
    struct.pack_into("<I", data, at + 24, size - 10)
    path.write_bytes(bytes(data))
    report = load_paths([path], tmp_path / "w.duckdb", progress=False)
    assert only_failure(report).startswith("faers_ascii_2019q1.zip/ASCII/DEMO19Q1.txt: corrupt or truncated zip member")
