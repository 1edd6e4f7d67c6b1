"""``faers load`` on real FDA excerpts of five quarters, zipped as FDA publishes them.

Expected counts were taken independently of the loader (awk over the excerpt files: data lines per file,
all with the header's field count; see tests/fixtures/real_samples/PROVENANCE.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

from loaders import LoadReport, load_paths
from loaders.cli import run_load

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "real_samples"))
import fda_zips

EXPECTED: dict[str, dict[str, int]] = {
    "2004Q1": {"demo": 100, "drug": 386, "reac": 416, "outc": 93, "rpsr": 119, "ther": 145, "indi": 124},
    "2012Q4": {"demo": 9, "drug": 10, "reac": 10, "outc": 10, "rpsr": 10, "ther": 10, "indi": 10},
    "2020Q3": {"demo": 10, "drug": 10, "reac": 10, "outc": 10, "rpsr": 10, "ther": 10, "indi": 10},
    "2022Q4": {"demo": 23, "drug": 20, "reac": 115, "outc": 1206, "rpsr": 60, "ther": 49, "indi": 58},
    "2026Q2": {"demo": 25, "drug": 25, "reac": 25, "outc": 25, "rpsr": 25, "ther": 25, "indi": 25},
}
DELETED = {"2022Q4": (3625, 3624), "2026Q2": (25, 24)}
"""Quarter -> (lines in the list, case ids): the first line of each real list is a single space."""


@pytest.fixture(scope="module")
def zips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("real_zips")
    fda_zips.build_all(folder)
    return folder


@pytest.fixture(scope="module")
def loaded(zips: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, LoadReport]:
    db = tmp_path_factory.mktemp("real_db") / "warehouse.duckdb"
    return db, load_paths([zips], db, progress=False)


def query(db: Path, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute(sql, params or []).fetchall()


def test_five_real_quarters_load_with_exact_counts(loaded: tuple[Path, LoadReport]) -> None:
    db, report = loaded
    assert report.ok, report.failed
    assert [q.quarter for q in report.quarters] == list(EXPECTED)
    for quarter, tables in EXPECTED.items():
        for table, rows in tables.items():
            assert query(db, f"select count(*) from raw.{table} where quarter = ?", [quarter]) == [(rows,)], (
                quarter,
                table,
            )
    assert query(db, "select count(*) from raw.rejects") == [(0,)]
    totals = report.tables
    for table in ("demo", "drug", "reac", "outc", "rpsr", "ther", "indi"):
        expected = sum(tables[table] for tables in EXPECTED.values())
        counts = totals[table]
        assert (counts.lines_read, counts.rows_loaded, counts.rows_rejected, counts.lines_blank) == (
            expected,
            expected,
            0,
            0,
        )
        assert counts.balanced
    deleted = totals["deleted"]
    assert (deleted.lines_read, deleted.rows_loaded, deleted.lines_blank, deleted.rows_rejected) == (
        3650,
        3648,
        2,
        0,
    )


def test_deleted_lists_load_case_ids_and_skip_the_leading_space(loaded: tuple[Path, LoadReport]) -> None:
    db, _ = loaded
    for quarter, (lines, ids) in DELETED.items():
        rows = query(
            db,
            "select count(*), count(distinct caseid), min(line_number), max(line_number), "
            "bool_and(regexp_full_match(caseid, '[0-9]+')) from raw.deleted where quarter = ?",
            [quarter],
        )
        assert rows == [(ids, ids, 2, lines, True)]
    assert query(db, "select count(*) from raw.deleted where quarter in ('2004Q1', '2012Q4', '2020Q3')") == [(0,)]


def test_laers_2004q1_restored_layout(loaded: tuple[Path, LoadReport]) -> None:
    db, _ = loaded
    row = query(
        db,
        'select isr, "case", i_f_cod, foll_seq, image, fda_dt, confid, primaryid, source_file, line_number '
        "from raw.demo where quarter = '2004Q1' and line_number = 2",
    )
    assert row == [
        (
            "4263742",
            "4061110",
            "I",
            None,
            "4263742-7",
            "20040102",
            None,
            None,
            "aers_ascii_2004q1.zip/ascii/DEMO04Q1.TXT",
            2,
        )
    ]
    # The trailing '$' of LAERS rows adds no column; INDI (no trailing '$') loads all its rows.
    assert query(db, "select isr, pt from raw.reac where quarter = '2004Q1' and line_number = 2") == [
        ("4263742", "DIARRHOEA")
    ]
    assert query(db, "select count(*) from raw.indi where quarter = '2004Q1' and indi_pt is not null") == [(124,)]
    assert query(db, "select count(*) from raw.drug where quarter = '2004Q1' and drug_seq is null") == [(0,)]


def test_2012q4_transition_quirks(loaded: tuple[Path, LoadReport]) -> None:
    db, _ = loaded
    # drug12q4.txt starts with a UTF-8 BOM before 'primaryid'.
    assert query(db, "select count(primaryid) from raw.drug where quarter = '2012Q4'") == [(10,)]
    # 'lot_nbr' (later lot_num) and 'outc_code' (later outc_cod) are kept as published.
    assert query(db, "select count(lot_num) from raw.drug where quarter = '2012Q4'") == [(0,)]
    assert query(db, "select count(outc_code), count(outc_cod) from raw.outc where quarter = '2012Q4'") == [(10, 0)]
    assert query(db, "select count(outc_code), count(outc_cod) from raw.outc where quarter = '2020Q3'") == [(0, 10)]
    # DEMO header '$ rept_dt$': the column name is stripped.
    assert query(db, "select count(rept_dt), count(gndr_cod), count(sex) from raw.demo where quarter = '2012Q4'") == [
        (9, 9, 0)
    ]


def test_last_line_without_newline_and_crlf(loaded: tuple[Path, LoadReport]) -> None:
    db, _ = loaded
    # DEMO22Q4.txt lacks a final newline: its last line (24) still loads, whole.
    assert query(db, "select max(line_number) from raw.demo where quarter = '2022Q4'") == [(24,)]
    # 2026Q2 is CRLF: no value keeps a CR.
    for table in ("demo", "drug", "reac", "outc", "rpsr", "ther", "indi"):
        assert query(
            db,
            f"select count(*) from raw.{table} where quarter = '2026Q2' and "
            f"contains(concat_ws('|', *columns(* exclude (line_number))), chr(13))",
        ) == [(0,)]


def test_load_log_has_one_row_per_member(loaded: tuple[Path, LoadReport]) -> None:
    db, _ = loaded
    rows = query(
        db,
        "select quarter, count(*), sum(lines_read), sum(rows_loaded), sum(rows_rejected), sum(lines_blank) "
        "from raw.load_log group by quarter order by quarter",
    )
    assert rows == [
        ("2004Q1", 7, 1383, 1383, 0, 0),
        ("2012Q4", 7, 69, 69, 0, 0),
        ("2020Q3", 7, 70, 70, 0, 0),
        ("2022Q4", 8, 1531 + 3625, 1531 + 3624, 0, 1),
        ("2026Q2", 8, 175 + 25, 175 + 24, 0, 1),
    ]


def test_reload_is_idempotent(zips: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    first = load_paths([zips], db, progress=False)
    counts_sql = (
        "select 'demo', quarter, count(*) from raw.demo group by quarter union all "
        "select 'drug', quarter, count(*) from raw.drug group by quarter union all "
        "select 'deleted', quarter, count(*) from raw.deleted group by quarter union all "
        "select 'load_log', quarter, count(*) from raw.load_log group by quarter order by 1, 2"
    )
    before = query(db, counts_sql)
    second = load_paths([zips / "faers_ascii_2022q4.zip", zips], db, progress=False)
    assert first.ok and second.ok
    assert [q.quarter for q in second.quarters] == list(EXPECTED)
    assert query(db, counts_sql) == before
    assert ("drug", "2022Q4", 20) in before


def test_cli_run_load_prints_summary_and_uses_faers_duckdb(
    zips: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "env.duckdb"
    monkeypatch.setenv("FAERS_DUCKDB", str(db))
    assert run_load([zips / "faers_ascii_2020q3.zip"], None) == 0
    out = capsys.readouterr().out
    assert "faers load: 1 quarter(s) loaded (2020Q3): 70 rows loaded, 0 rejected" in out
    assert "raw.demo" in out
    assert query(db, "select count(*) from raw.demo") == [(10,)]


def test_progress_bars_per_zip_in_bytes(zips: Path, tmp_path: Path) -> None:
    import io

    from rich.console import Console

    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=150, color_system=None)
    report = load_paths([zips / "faers_ascii_2026q2.zip"], tmp_path / "p.duckdb", progress=True, console=console)
    assert report.ok
    text = out.getvalue()
    total_kb = sum(m.counts.bytes_read for m in report.quarters[0].members) / 1000
    assert "2026Q2 faers_ascii_2026q2.zip" in text
    assert f"{total_kb:.1f}/{total_kb:.1f} kB" in text
