"""FDA layout changes: unknown header columns are kept, missing ones are NULL, only a keyless header fails.

Future layouts are synthesized from the real 2026Q2 excerpt: a column inserted in the middle (DEMO), at the
start (THER) and at the end (REAC), a published column dropped (DRUG), a renamed key. Each loaded value is
compared with the same line loaded from the unmodified excerpt, so a value in the wrong column shows.
"""

from __future__ import annotations

import shutil
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

from faers.dbt import run_dbt
from loaders import LoadReport, load_paths
from loaders.cli import run_load
from loaders.scan import TableScanner, read_layout
from loaders.schema import COLUMNS, PUBLISHED_LAYOUTS, published_columns

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "real_samples"))
import fda_zips
from conftest import BuiltWarehouse


def query(db: Path, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute(sql, params or []).fetchall()


def add_column(text: bytes, position: int, name: bytes) -> bytes:
    """``text`` (a header and CRLF rows) with a new column ``name`` at ``position``; row k's value is
    ``name-k`` (k = physical line number), empty on every third line."""
    lines = text.split(b"\n")
    out = []
    for number, line in enumerate(lines, start=1):
        if not line:
            out.append(line)
            continue
        cr = line.endswith(b"\r")
        fields = line.rstrip(b"\r").split(b"$")
        value = name if number == 1 else (b"" if number % 3 == 0 else name + b"-" + str(number).encode())
        fields.insert(position if position >= 0 else len(fields), value)
        out.append(b"$".join(fields) + (b"\r" if cr else b""))
    return b"\n".join(out)


def drop_column(text: bytes, name: bytes) -> bytes:
    """``text`` without the column ``name`` (header and rows)."""
    lines = text.split(b"\n")
    position = lines[0].rstrip(b"\r").split(b"$").index(name)
    out = []
    for line in lines:
        if not line:
            out.append(line)
            continue
        cr = line.endswith(b"\r")
        fields = line.rstrip(b"\r").split(b"$")
        del fields[position]
        out.append(b"$".join(fields) + (b"\r" if cr else b""))
    return b"\n".join(out)


def future_overrides() -> dict[str, bytes | None]:
    return {
        "DEMO": add_column(fda_zips.table_text("2026Q2", "DEMO"), 5, b"new_mid"),
        "THER": add_column(fda_zips.table_text("2026Q2", "THER"), 0, b"bar_col"),
        "REAC": add_column(fda_zips.table_text("2026Q2", "REAC"), -1, b"foo_col"),
        "DRUG": drop_column(fda_zips.table_text("2026Q2", "DRUG"), b"route"),
    }


@pytest.fixture
def zips(tmp_path: Path) -> tuple[Path, Path]:
    """2026Q4: the excerpt as published; 2027Q1: the same rows in a future layout."""
    today = fda_zips.quarter_zip(tmp_path / "today", "2026Q4")
    future = fda_zips.quarter_zip(tmp_path / "future", "2027Q1", overrides=future_overrides())
    return today, future


def load(db: Path, *paths: Path) -> LoadReport:
    report = load_paths(list(paths), db, progress=False)
    assert report.ok, report.failed
    return report


def rows(db: Path, table: str, quarter: str, columns: tuple[str, ...]) -> list[tuple[object, ...]]:
    names = ", ".join(f'"{c}"' for c in columns)
    return query(db, f"select line_number, {names} from raw.{table} where quarter = ? order by line_number", [quarter])


def test_future_layout_loads_every_value_in_its_column(tmp_path: Path, zips: tuple[Path, Path]) -> None:
    today, future = zips
    db = tmp_path / "w.duckdb"
    report = load(db, today, future)
    for table in ("demo", "drug", "reac", "outc", "rpsr", "ther", "indi"):
        known = tuple(c for c in COLUMNS[table] if c != "route")
        assert rows(db, table, "2027Q1", known) == rows(db, table, "2026Q4", known), table
        assert len(rows(db, table, "2027Q1", known)) == 25
    # the extra columns hold the new values, NULL for the earlier quarter and for empty fields
    for table, name in (("demo", "new_mid"), ("ther", "bar_col"), ("reac", "foo_col")):
        values = rows(db, table, "2027Q1", (name,))
        assert values == [(n, None if n % 3 == 0 else f"{name}-{n}") for n in range(2, 27)], table
        assert query(db, f"select count({name}) from raw.{table} where quarter = '2026Q4'") == [(0,)]
    # a published column missing from the header is NULL (16 of the excerpt's 25 routes are filled)
    assert query(db, "select count(route) from raw.drug where quarter = '2027Q1'") == [(0,)]
    assert query(db, "select count(route) from raw.drug where quarter = '2026Q4'") == [(16,)]
    assert query(db, "select count(*) from raw.rejects") == [(0,)]
    assert query(
        db,
        "select table_name, unknown_columns, missing_columns from raw.load_log where quarter = '2027Q1' "
        "and (unknown_columns is not null or missing_columns is not null) order by table_name",
    ) == [("demo", "new_mid", None), ("drug", None, "route"), ("reac", "foo_col", None), ("ther", "bar_col", None)]
    assert query(
        db, "select count(*) from raw.load_log where unknown_columns is not null or missing_columns is not null"
    ) == [(4,)]
    assert report.warnings == [
        "faers_ascii_2027q1.zip/ASCII/DEMO27Q1.txt, line 1: unknown column(s) new_mid kept as extra VARCHAR "
        "column(s) of raw.demo",
        "faers_ascii_2027q1.zip/ASCII/DRUG27Q1.txt, line 1: column(s) route of the published layout missing from "
        "the header, loaded as NULL",
        "faers_ascii_2027q1.zip/ASCII/REAC27Q1.txt, line 1: unknown column(s) foo_col kept as extra VARCHAR "
        "column(s) of raw.reac",
        "faers_ascii_2027q1.zip/ASCII/THER27Q1.txt, line 1: unknown column(s) bar_col kept as extra VARCHAR "
        "column(s) of raw.ther",
    ]


def snapshot(db: Path) -> dict[str, object]:
    """Every loader table's columns and rows (load_log without its timestamps)."""
    result: dict[str, object] = {}
    with duckdb.connect(str(db), read_only=True) as conn:
        for (table,) in conn.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' order by 1"
        ).fetchall():
            columns = [
                c
                for (c,) in conn.execute(
                    "select column_name from information_schema.columns where table_schema = 'raw' "
                    "and table_name = ? order by ordinal_position",
                    [table],
                ).fetchall()
                if c != "loaded_at"
            ]
            names = ", ".join(f'"{c}"' for c in columns)
            result[table] = (columns, conn.execute(f"select {names} from raw.{table} order by all").fetchall())
    return result


def test_reloading_a_future_layout_changes_nothing(tmp_path: Path, zips: tuple[Path, Path]) -> None:
    today, future = zips
    db = tmp_path / "w.duckdb"
    load(db, today, future)
    before = snapshot(db)
    load(db, future)
    assert snapshot(db) == before
    load(db, today)
    assert snapshot(db) == before


def test_renamed_key_fails_its_quarter_with_file_and_line(tmp_path: Path, zips: tuple[Path, Path]) -> None:
    today, _ = zips
    db = tmp_path / "w.duckdb"
    load(db, today)
    before = snapshot(db)
    demo = fda_zips.table_text("2026Q2", "DEMO").replace(b"primaryid$", b"primary_id$", 1)
    renamed = fda_zips.quarter_zip(tmp_path / "renamed", "2027Q1", overrides={"DEMO": demo})
    report = load_paths([renamed], db, progress=False)
    assert [f.message for f in report.failed] == [
        "faers_ascii_2027q1.zip/ASCII/DEMO27Q1.txt, line 1: unknown layout: a FAERS archive's DEMO header needs "
        "column 'primaryid', found no report key"
    ]
    assert snapshot(db) == before


def test_renamed_column_is_kept_and_its_old_name_is_null(tmp_path: Path) -> None:
    reac = fda_zips.table_text("2026Q2", "REAC").replace(b"$pt$", b"$preferred_term$", 1)
    path = fda_zips.quarter_zip(tmp_path, "2027Q1", overrides={"REAC": reac})
    db = tmp_path / "w.duckdb"
    load(db, path)
    assert query(db, "select count(pt), count(preferred_term) from raw.reac") == [(0, 25)]
    assert query(db, "select unknown_columns, missing_columns from raw.load_log where table_name = 'reac'") == [
        ("preferred_term", "pt")
    ]


@pytest.mark.slow
def test_dbt_build_passes_on_a_warehouse_with_extra_raw_columns(
    built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    """The sample's 2023Q4 reloaded with a new DEMO column (middle) and DRUG column (end): staging selects
    named columns, so ``dbt build`` (every model and test) passes and the marts are those of the build
    without them."""
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse.db_path, db)
    quirks = "select rows_rejected + lines_blank + lines_joined from raw.load_log where quarter = '2023Q4' and "
    assert query(db, quirks + "table_name in ('demo', 'drug')") == [(0,), (0,)]  # no broken line to shift
    source = built_warehouse.sample_dir / "faers_ascii_2023q4.zip"
    with zipfile.ZipFile(source) as zf:
        files = {info.filename: zf.read(info) for info in zf.infolist()}
    for name in files:
        base = name.rsplit("/", 1)[-1].upper()
        if base.startswith("DEMO"):
            files[name] = add_column(files[name], 4, b"next_demo_col")
        elif base.startswith("DRUG"):
            files[name] = add_column(files[name], -1, b"next_drug_col")
    future = fda_zips.write_zip(tmp_path / "future" / source.name, files)
    assert len(load(db, future).warnings) == 2
    assert query(db, "select count(next_demo_col) > 0, count(*) from raw.demo where quarter = '2023Q4'") == query(
        built_warehouse.db_path, "select true, count(*) from raw.demo where quarter = '2023Q4'"
    )
    run_dbt(["build"], db_path=db)
    marts = (
        "select * from main.dim_case order by all",
        "select drug, pt, a, b, c, d from main.drug_event_cells order by all",
        "select count(*) from main.fct_case_drug",
        "select column_name from information_schema.columns where column_name like 'next_%' order by all",
    )
    for sql in marts[:3]:
        assert query(db, sql) == query(built_warehouse.db_path, sql), sql
    assert query(db, marts[3]) == [("next_demo_col",), ("next_drug_col",)]  # in raw only


def test_cli_summary_shows_the_header_warnings(
    tmp_path: Path, zips: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, future = zips
    assert run_load([future], tmp_path / "w.duckdb") == 0
    out = capsys.readouterr().out
    assert "warning faers_ascii_2027q1.zip/ASCII/DEMO27Q1.txt, line 1: unknown column(s) new_mid" in out
    assert "4 header warning(s)" in out


def test_a_warehouse_of_an_older_loader_gets_the_new_load_log_columns(tmp_path: Path, zips: tuple[Path, Path]) -> None:
    _, future = zips
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as conn:
        conn.execute("create schema raw")
        conn.execute(
            "create table raw.load_log (quarter varchar, zip_file varchar, table_name varchar, source_file varchar, "
            "lines_read bigint, rows_loaded bigint, rows_rejected bigint, loaded_at timestamp, lines_blank bigint, "
            "lines_joined bigint)"
        )
        conn.execute("insert into raw.load_log (quarter, table_name) values ('2001Q1', 'demo')")
    load(db, future)
    assert query(
        db, "select quarter, unknown_columns from raw.load_log where table_name = 'demo' order by quarter"
    ) == [("2001Q1", None), ("2027Q1", "new_mid")]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            b"primaryid$caseid$pt$drug rec act",
            "damaged header: column name(s) 'drug rec act' in the REAC header cannot be kept as extra columns",
        ),
        (b"primaryid$caseid$pt$quarter", "damaged header: column name(s) 'quarter' in the REAC header"),
        (b"primaryid$caseid$p\x00t", "damaged header: column name(s) 'p\\x00t' in the REAC header"),
        (b"primaryid$caseid$pt$pt", "repeated column name(s) 'pt' in header"),
        (b"primaryid$$pt", "empty column name in header 'primaryid$$pt' (unknown layout)"),
        ("primaryid$caseid$pt".encode("utf-16"), "UTF-16 text (byte-order mark): FDA's tables are ASCII text"),
    ],
    ids=["space", "lineage-name", "nul", "repeated", "empty", "utf-16"],
)
def test_damaged_header_fails_with_file_and_line(tmp_path: Path, header: bytes, message: str) -> None:
    reac = header + b"\r\n1$1$A$\r\n"
    path = fda_zips.quarter_zip(tmp_path, "2027Q1", overrides={"REAC": reac})
    report = load_paths([path], tmp_path / "w.duckdb", progress=False)
    (failure,) = report.failed
    assert failure.message.startswith(f"faers_ascii_2027q1.zip/ASCII/REAC27Q1.txt, line 1: {message}")
    assert "\n" not in failure.message


def test_a_huge_damaged_header_gives_a_short_message() -> None:
    header = b"primaryid$" + b"caseid " * 200_000
    with pytest.raises(Exception, match="damaged header") as raised:
        read_layout(header, "reac", "FAERS", "x/REAC.txt", quarter="2027Q1")
    assert len(str(raised.value)) < 400


def test_one_column_header_counts_blank_lines_as_blank() -> None:
    """Regression: with no '$' in a row, polars read a blank line as a row of NULL."""
    scanner = TableScanner(read_layout(b"primaryid", "reac", "FAERS", "x/REAC.txt"))
    batch = scanner.scan(b"1\n\n  \n2\r\n", final=True)
    assert (batch.lines, batch.blank, batch.rows, batch.rejects) == (4, 2, 2, [])
    assert [row for frame in batch.frames for row in frame.to_pylist()] == [
        {"primaryid": "1", "line_number": 2},
        {"primaryid": "2", "line_number": 5},
    ]


def test_published_layouts_are_the_raw_columns() -> None:
    """Every raw column is in some published layout and every layout column is a raw column."""
    for table, columns in COLUMNS.items():
        published = {c for era in PUBLISHED_LAYOUTS.values() for _, layout in era[table] for c in layout}
        assert published == set(columns), table
    assert "sex" not in published_columns("FAERS", "demo", "2014Q2")
    assert "sex" in published_columns("FAERS", "demo", "2014Q3")
    assert published_columns("FAERS", "outc", "2012Q4") == ("primaryid", "caseid", "outc_code")
    assert published_columns("LAERS", "demo", "2005Q2")[-1] == "confid"


def test_real_excerpts_load_without_header_warnings(tmp_path: Path) -> None:
    """FDA's own headers of 2004Q1 (LAERS), 2012Q4, 2020Q3, 2022Q4 and 2026Q2 match their quarters' layouts."""
    report = load(tmp_path / "w.duckdb", *fda_zips.build_all(tmp_path / "zips"))
    assert len(report.quarters) == 5
    assert report.warnings == []
