"""One test per FDA layout variant and row-level quirk of faers_format.md (§1, §2, §6, §10, §12).

Each test writes a small but complete quarter (the real 2026Q2 or restored 2004Q1 excerpt, renamed) with one
member replaced by the quirk, loads it, and checks exact rows, rejects and counts.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

from loaders import LoadReport, TableCounts, load_paths

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "real_samples"))
import fda_zips

REAC_HEADER = b"primaryid$caseid$pt$drug_rec_act\n"
FAERS_ROWS = dict.fromkeys(("demo", "drug", "reac", "outc", "rpsr", "ther", "indi"), 25)
LAERS_ROWS = {"demo": 100, "drug": 386, "reac": 416, "outc": 93, "rpsr": 119, "ther": 145, "indi": 124}
LAERS_REAC_HEADER = b"ISR$PT\r\n"


def load(tmp_path: Path, *zips: Path, chunk_bytes: int | None = None) -> tuple[Path, LoadReport]:
    db = tmp_path / "w.duckdb"
    kwargs = {} if chunk_bytes is None else {"chunk_bytes": chunk_bytes}
    report = load_paths(list(zips), db, progress=False, **kwargs)
    return db, report


def query(db: Path, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute(sql, params or []).fetchall()


def member_counts(report: LoadReport, table: str) -> TableCounts:
    (counts,) = [m.counts for q in report.quarters for m in q.members if m.table == table]
    return counts


def counts_tuple(counts: TableCounts) -> tuple[int, int, int, int, int]:
    """(lines_read, rows_loaded, rows_rejected, lines_blank, lines_joined)."""
    assert counts.balanced
    return (
        counts.lines_read,
        counts.rows_loaded,
        counts.rows_rejected,
        counts.lines_blank,
        counts.lines_joined,
    )


def rejects(db: Path) -> list[tuple[object, ...]]:
    return query(db, "select table_name, line_number, raw_line, reason from raw.rejects order by line_number")


# --- §1 archive and member names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zip_name", "quarter", "renames"),
    [
        ("faers_ascii_2019q1.zip", "2019Q1", {}),
        ("FAERS_ASCII_2019Q1.ZIP", "2019Q1", {}),
        ("faers_ascii_2013q1.zip", "2013Q1", {"ASCII/": "ascii/"}),
        ("faers_ascii_2012q4.zip", "2012Q4", {"ASCII/": "ascii/", "lower": ""}),
        ("faers_ascii_2019q2.zip", "2019Q2", {"ASCII/": ""}),
        ("faers_ascii_2015q1.zip", "2015Q1", {"ASCII/": "asii/"}),
        ("faers_ascii_2018q1.zip", "2018Q1", {"DEMO18Q1.txt": "DEMO18Q1_new.txt"}),
        ("aers_ascii_2008q1.zip", "2008Q1", {"ASCII/": "ascii/", "laers": ""}),
    ],
)
def test_archive_and_member_name_variants(tmp_path: Path, zip_name: str, quarter: str, renames: dict[str, str]) -> None:
    era = "LAERS" if "laers" in renames else "FAERS"
    files = fda_zips.quarter_members(quarter, era=era)
    renamed: dict[str, bytes] = {}
    for name, data in files.items():
        for old, new in renames.items():
            if old not in ("lower", "laers"):
                name = name.replace(old, new)
        renamed[name.lower() if "lower" in renames else name] = data
    renamed.update({"ASCII/ASC_NTS.pdf": b"%PDF-1.4", "ASCII/Thumbs.db": b"\x00\x01", "Readme.pdf": b"%PDF"})
    renamed.update({f"ascii/STAT{quarter[2:4]}Q{quarter[-1]}.TXT": b"\r\n1$2\r\n", "SIZE.TXT": b"1\r\n"})
    path = fda_zips.write_zip(tmp_path / "zips" / zip_name, renamed)
    db, report = load(tmp_path, path.parent)
    assert report.ok, report.failed
    expected = FAERS_ROWS if era == "FAERS" else LAERS_ROWS
    for table, rows in expected.items():
        assert query(db, f"select count(*) from raw.{table} where quarter = ?", [quarter]) == [(rows,)], table
    demo_member = next(name for name in renamed if "demo" in name.lower())
    assert query(db, "select distinct source_file from raw.demo") == [(f"{zip_name}/{demo_member}",)]
    assert query(db, "select count(*) from raw.load_log") == [(7,)]


DELETED_TEXT = b" \n30781401\n10021305\n10021305\n\n12A45\n9999999999\r\n"
"""7 lines: a leading single space (as FDA's lists), 4 case ids (one repeated), 1 blank, 1 non-id."""


@pytest.mark.parametrize(
    ("quarter", "members"),
    [
        ("2019Q1", ["deleted/ADR19Q1DeletedCases.txt", "deleted/AllDeletedCases.txt"]),
        ("2020Q1", ["DELETED/ADR20Q1DeletedCases.txt"]),
        ("2020Q3", ["Deleted/ADR20Q3DeletedCases.txt"]),
        ("2020Q4", ["Deleted/20Q4DeletedCases.txt"]),
        ("2021Q4", ["Deleted/DELETE21Q4.txt"]),
    ],
)
def test_deleted_list_naming_schemes(tmp_path: Path, quarter: str, members: list[str]) -> None:
    path = fda_zips.quarter_zip(tmp_path, quarter, extra=dict.fromkeys(members, DELETED_TEXT))
    db, report = load(tmp_path, path)
    assert report.ok, report.failed
    for member in members:
        rows = query(
            db,
            "select caseid, line_number from raw.deleted where source_file = ? order by line_number",
            [path.name + "/" + member],
        )
        assert rows == [("30781401", 2), ("10021305", 3), ("10021305", 4), ("9999999999", 7)]
    assert query(db, "select distinct line_number, raw_line, reason from raw.rejects") == [
        (6, "12A45", "not a case id (digits expected)")
    ]
    deleted = report.tables["deleted"]
    assert (deleted.lines_read, deleted.rows_loaded, deleted.rows_rejected, deleted.lines_blank) == (
        7 * len(members),
        4 * len(members),
        len(members),
        2 * len(members),
    )


# --- §2 and §3: header handling ----------------------------------------------------------------------------


def test_bom_and_header_whitespace_and_case(tmp_path: Path) -> None:
    reac = b"\xef\xbb\xbf PRIMARYID $CaseID$pt $drug_rec_act\r\n1$2$Nausea$\r\n"
    demo = b"\xef\xbb\xbf" + fda_zips.table_text("2026Q2", "DEMO")
    path = fda_zips.quarter_zip(tmp_path, "2019Q1", overrides={"REAC": reac, "DEMO": demo})
    db, report = load(tmp_path, path)
    assert report.ok, report.failed
    assert query(db, "select primaryid, caseid, pt, drug_rec_act, line_number from raw.reac") == [
        ("1", "2", "Nausea", None, 2)
    ]
    assert query(db, "select count(primaryid) from raw.demo") == [(25,)]


def test_laers_bom_on_header(tmp_path: Path) -> None:
    reac = b"\xef\xbb\xbf" + LAERS_REAC_HEADER + b"4263742$DIARRHOEA$\r\n"
    path = fda_zips.quarter_zip(tmp_path, "2004Q1", era="LAERS", overrides={"REAC": reac})
    db, report = load(tmp_path, path)
    assert report.ok, report.failed
    assert query(db, "select isr, pt from raw.reac") == [("4263742", "DIARRHOEA")]


# --- §2 and §12.4: field counts --------------------------------------------------------------------------


def test_laers_trailing_dollar_rules(tmp_path: Path) -> None:
    reac = LAERS_REAC_HEADER + b"1$A$\r\n2$B\r\n3$C$X\r\n4$D$$\r\n5$E$\r\n"
    indi = b"ISR$DRUG_SEQ$INDI_PT\r\n1$11$HEADACHE\r\n2$22$PAIN$\r\n"
    path = fda_zips.quarter_zip(tmp_path, "2004Q1", era="LAERS", overrides={"REAC": reac, "INDI": indi})
    db, report = load(tmp_path, path)
    assert query(db, "select isr, pt, line_number from raw.reac order by line_number") == [
        ("1", "A", 2),
        ("2", "B", 3),
        ("5", "E", 6),
    ]
    assert query(db, "select isr, drug_seq, indi_pt from raw.indi order by line_number") == [
        ("1", "11", "HEADACHE"),
        ("2", "22", "PAIN"),
    ]
    assert rejects(db) == [
        ("reac", 4, "3$C$X", "3 fields and the last is not empty (LAERS header has 2)"),
        ("reac", 5, "4$D$$", "4 fields, LAERS header has 2 (2 or 3 with an empty last field expected)"),
    ]
    assert counts_tuple(member_counts(report, "reac")) == (5, 3, 2, 0, 0)


def test_faers_extra_empty_trailing_field_is_rejected(tmp_path: Path) -> None:
    # DuckDB's read_csv would silently drop the empty 5th field of line 3; the loader rejects it. Line 4 is
    # one field short, so the chunk's '$' total equals a clean chunk's: the fast path must still catch both.
    reac = REAC_HEADER + b"1$1$A$\n2$2$B$X$\n3$3$C$$\n4$4$D\n5$5$E$Y\n"
    path = fda_zips.quarter_zip(tmp_path, "2019Q1", overrides={"REAC": reac})
    db, report = load(tmp_path, path)
    assert query(db, "select primaryid, pt, drug_rec_act from raw.reac order by line_number") == [
        ("1", "A", None),
        ("5", "E", "Y"),
    ]
    assert rejects(db) == [
        ("reac", 3, "2$2$B$X$", "5 fields, header has 4"),
        ("reac", 4, "3$3$C$$", "5 fields, header has 4"),
        ("reac", 5, "4$4$D", "3 fields, header has 4; re-joining the following lines does not restore it"),
    ]
    assert counts_tuple(member_counts(report, "reac")) == (5, 2, 3, 0, 0)


def test_glued_records_q1_are_rejected(tmp_path: Path) -> None:
    drug = fda_zips.table_text("2004Q1", "DRUG").split(b"\r\n")
    header, first, second, *rest = drug
    glued = first + second  # DRUG11Q2 line 322967: "...$$$$$$7475791$1016572490$SS$DOXORUBICIN..."
    text = b"\r\n".join([header, glued, *rest])
    path = fda_zips.quarter_zip(tmp_path, "2004Q1", era="LAERS", overrides={"DRUG": text})
    db, report = load(tmp_path, path)
    assert rejects(db) == [
        (
            "drug",
            2,
            glued.decode(),
            "25 fields, LAERS header has 12 (12 or 13 with an empty last field expected)",
        )
    ]
    assert counts_tuple(member_counts(report, "drug")) == (385, 384, 1, 0, 0)
    assert query(db, "select min(line_number) from raw.drug") == [(3,)]


def test_dollar_inside_a_value_q2_is_rejected(tmp_path: Path) -> None:
    demo = fda_zips.table_text("2004Q1", "DEMO").split(b"\r\n")
    fields = demo[5].split(b"$")
    fields[9] = b"JP-CUBIST-$E2B0000000182"  # MFR_NUM, as DEMO12Q1 line 105917
    demo[5] = b"$".join(fields)
    drug = fda_zips.table_text("2026Q2", "DRUG").split(b"\r\n")
    drug[3] = drug[3].replace(b"VICTRELIS", b"VICT$RELIS")
    assert b"VICT$RELIS" in drug[3]
    laers = fda_zips.quarter_zip(tmp_path, "2004Q1", era="LAERS", overrides={"DEMO": b"\r\n".join(demo)})
    faers = fda_zips.quarter_zip(tmp_path, "2019Q1", overrides={"DRUG": b"\r\n".join(drug)})
    db, report = load(tmp_path, laers, faers)
    assert report.ok
    assert rejects(db) == [
        ("drug", 4, drug[3].decode(), "21 fields, header has 20"),
        (
            "demo",
            6,
            demo[5].decode(),
            "24 fields, LAERS header has 22 (22 or 23 with an empty last field expected)",
        ),
    ]
    assert query(db, "select quarter, count(*) from raw.demo group by 1 order by 1") == [
        ("2004Q1", 99),
        ("2019Q1", 25),
    ]
    assert query(db, "select quarter, count(*) from raw.drug group by 1 order by 1") == [
        ("2004Q1", 386),
        ("2019Q1", 24),
    ]


@pytest.mark.parametrize("chunk_bytes", [None, 64, 200])
@pytest.mark.parametrize("eol", [b"\n", b"\r\n"])
def test_embedded_line_break_is_rejoined(tmp_path: Path, chunk_bytes: int | None, eol: bytes) -> None:
    lines = fda_zips.table_text("2026Q2", "DRUG").split(b"\r\n")
    broken = lines[1].replace(b"PEGINTERFERON ALFA-2A$", b"PEGINTERFERON" + eol + b" ALFA-2A$", 1)
    assert broken != lines[1]
    text = eol.join([lines[0], broken, *lines[2:]])
    path = fda_zips.quarter_zip(tmp_path, "2019Q1", overrides={"DRUG": text})
    db, report = load(tmp_path, path, chunk_bytes=chunk_bytes)
    assert report.ok
    assert rejects(db) == []
    sql = "select line_number, drugname, prod_ai, dose_freq from raw.drug order by line_number limit 2"
    assert query(db, sql) == [
        (2, "PEGINTERFERON ALFA-2A", "PEGINTERFERON ALFA-2A", "/WK"),
        (4, "COPEGUS", "RIBAVIRIN", "QD"),
    ]
    assert counts_tuple(member_counts(report, "drug")) == (26, 25, 0, 0, 1)


def test_laers_line_starting_with_dollar_is_rejoined_q3(tmp_path: Path) -> None:
    demo = fda_zips.table_text("2004Q1", "DEMO").split(b"\r\n")
    cut = demo[1].index(b"$20031218")
    lines = [demo[0], demo[1][:cut], demo[1][cut:], *demo[2:]]
    path = fda_zips.quarter_zip(tmp_path, "2004Q1", era="LAERS", overrides={"DEMO": b"\r\n".join(lines)})
    db, report = load(tmp_path, path)
    assert rejects(db) == []
    assert query(db, "select isr, event_dt, mfr_dt, fda_dt from raw.demo where line_number = 2") == [
        ("4263742", "20031115", "20031218", "20040102")
    ]
    assert counts_tuple(member_counts(report, "demo")) == (101, 100, 0, 0, 1)


def test_fragments_that_do_not_restore_the_count_are_rejected(tmp_path: Path) -> None:
    reac = REAC_HEADER + b"1$1$A$\n2$2\n$B$X$Y$Z\n3$3$C$\n4\n"
    path = fda_zips.quarter_zip(tmp_path, "2019Q1", overrides={"REAC": reac})
    db, report = load(tmp_path, path)
    note = "; re-joining the following lines does not restore it"
    assert rejects(db) == [
        ("reac", 3, "2$2", "2 fields, header has 4" + note),
        ("reac", 4, "$B$X$Y$Z", "5 fields, header has 4"),
        ("reac", 6, "4", "1 fields, header has 4" + note),
    ]
    assert counts_tuple(member_counts(report, "reac")) == (5, 2, 3, 0, 0)


# --- §2: bytes ------------------------------------------------------------------------------------------


def test_control_bytes_quotes_and_backslashes_are_kept(tmp_path: Path) -> None:
    reac = REAC_HEADER + b'1$1$ASPIRIN\x08$\n2$2$DEL\x7fETE$\n3$3$"VITAMINS" (NOS)$\n4$4$A\\B$\n5$5$N\x00UL$\n'
    path = fda_zips.quarter_zip(tmp_path, "2019Q1", overrides={"REAC": reac})
    db, _ = load(tmp_path, path)
    assert query(db, "select pt from raw.reac order by line_number") == [
        ("ASPIRIN\x08",),
        ("DEL\x7fETE",),
        ('"VITAMINS" (NOS)',),
        ("A\\B",),
        ("N\x00UL",),
    ]


def test_latin1_and_invalid_utf8_never_crash(tmp_path: Path) -> None:
    reac = REAC_HEADER + b"1$1$SOLUCI\xd3N$\n2$2$caf\xc3\xa9$\n3$3$bad \xe2\x82$\n4$4$\xff\xfe$\n"
    laers = LAERS_REAC_HEADER + b"4263742$M\xc9NI\xc8RE$\r\n"
    faers = fda_zips.quarter_zip(tmp_path, "2019Q1", overrides={"REAC": reac})
    legacy = fda_zips.quarter_zip(tmp_path, "2004Q1", era="LAERS", overrides={"REAC": laers})
    db, report = load(tmp_path, faers, legacy)
    assert report.ok, report.failed
    assert query(db, "select pt from raw.reac where quarter = '2019Q1' order by line_number") == [
        ("SOLUCIÓN",),
        ("café",),
        ("bad \u00e2\x82",),
        ("\u00ff\u00fe",),
    ]
    assert query(db, "select pt from raw.reac where quarter = '2004Q1'") == [("MÉNIÈRE",)]


def test_crlf_lf_and_mixed_line_endings_load_the_same(tmp_path: Path) -> None:
    rows = [b"1$1$A$", b"2$2$B$X", b"3$3$C$"]
    variants = {
        "2019Q1": b"\r\n".join([REAC_HEADER.strip(), *rows]) + b"\r\n",
        "2019Q2": b"\n".join([REAC_HEADER.strip(), *rows]) + b"\n",
        "2019Q3": REAC_HEADER.strip() + b"\r\n" + rows[0] + b"\n" + rows[1] + b"\r\n" + rows[2],
    }
    paths = [fda_zips.quarter_zip(tmp_path, q, overrides={"REAC": text}) for q, text in variants.items()]
    db, report = load(tmp_path, *paths)
    assert report.ok
    expected = [("1", "A", None, 2), ("2", "B", "X", 3), ("3", "C", None, 4)]
    for quarter in variants:
        sql = "select primaryid, pt, drug_rec_act, line_number from raw.reac where quarter = ? order by 4"
        assert query(db, sql, [quarter]) == expected


def test_exactly_one_trailing_cr_is_stripped(tmp_path: Path) -> None:
    reac = REAC_HEADER.strip() + b"\r\n1$1$A$X\r\r\n"
    path = fda_zips.quarter_zip(tmp_path, "2019Q1", overrides={"REAC": reac})
    db, _ = load(tmp_path, path)
    assert query(db, "select drug_rec_act from raw.reac") == [("X\r",)]


def test_blank_lines_are_counted_not_loaded(tmp_path: Path) -> None:
    reac = REAC_HEADER + b"1$1$A$\n\n2$2$B$\r\n   \n3$3$C$\n\r\n"
    path = fda_zips.quarter_zip(tmp_path, "2019Q1", overrides={"REAC": reac})
    db, report = load(tmp_path, path)
    assert query(db, "select primaryid, line_number from raw.reac order by 2") == [
        ("1", 2),
        ("2", 4),
        ("3", 6),
    ]
    assert rejects(db) == []
    assert counts_tuple(member_counts(report, "reac")) == (6, 3, 0, 3, 0)
    assert query(
        db,
        "select lines_read, rows_loaded, rows_rejected, lines_blank from raw.load_log where table_name = 'reac'",
    ) == [(6, 3, 0, 3)]


def test_repeated_header_line_is_rejected(tmp_path: Path) -> None:
    reac = REAC_HEADER + b"1$1$A$\n" + REAC_HEADER + b"2$2$B$\n"
    path = fda_zips.quarter_zip(tmp_path, "2019Q1", overrides={"REAC": reac})
    db, report = load(tmp_path, path)
    assert rejects(db) == [("reac", 3, "primaryid$caseid$pt$drug_rec_act", "line repeats the header")]
    assert counts_tuple(member_counts(report, "reac")) == (3, 2, 1, 0, 0)
