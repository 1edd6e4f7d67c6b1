"""The synthetic generator writes FDA's exact layout, deterministically, with every quirk and a truth.json
that agrees with its files. Expected names and headers below are copied from docs/faers_format.md §1-§6,
not computed with the generator's own layout module."""

from __future__ import annotations

import json
import re
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from faers.cli import app
from faers.sample import SampleTruth, generate
from faers.sample.layout import deleted_member_path, header, member_path
from loaders.quarters import Quarter, QuarterError

DEFAULT_ZIPS = {
    "aers_ascii_2012q2.zip",
    "aers_ascii_2012q3.zip",
    "faers_ascii_2012q4.zip",
    "faers_ascii_2014q3.zip",
    "faers_ascii_2017q4.zip",
    "faers_ascii_2018q1.zip",
    "faers_ascii_2019q1.zip",
    "faers_ascii_2023q4.zip",
}
SERIOUS = {"DE", "LT", "HO", "DS"}  # dbt var serious_outcome_codes
TABLE_RE = re.compile(r"(?i)(DEMO|DRUG|REAC|OUTC|RPSR|THER|INDI)\d{2}Q[1-4][A-Z0-9_]*\.TXT$")

# faers_format.md §3, verbatim.
LAERS_DEMO = (
    "ISR$CASE$I_F_COD$FOLL_SEQ$IMAGE$EVENT_DT$MFR_DT$FDA_DT$REPT_COD$MFR_NUM$MFR_SNDR$AGE$AGE_COD$GNDR_COD$E_SUB"
    "$WT$WT_COD$REPT_DT$OCCP_COD$DEATH_DT$TO_MFR$CONFID$REPORTER_COUNTRY"
)
HEADERS = {
    ("laers", "demo"): LAERS_DEMO,
    (
        "laers",
        "drug",
    ): "ISR$DRUG_SEQ$ROLE_COD$DRUGNAME$VAL_VBM$ROUTE$DOSE_VBM$DECHAL$RECHAL$LOT_NUM$EXP_DT$NDA_NUM",
    ("laers", "reac"): "ISR$PT",
    ("laers", "outc"): "ISR$OUTC_COD",
    ("laers", "rpsr"): "ISR$RPSR_COD",
    ("laers", "ther"): "ISR$DRUG_SEQ$START_DT$END_DT$DUR$DUR_COD",
    ("laers", "indi"): "ISR$DRUG_SEQ$INDI_PT",
    (
        "2012q4",
        "demo",
    ): "primaryid$caseid$caseversion$i_f_code$event_dt$mfr_dt$init_fda_dt$fda_dt$rept_cod$mfr_num"
    "$mfr_sndr$age$age_cod$gndr_cod$e_sub$wt$wt_cod$ rept_dt$to_mfr$occp_cod$reporter_country$occr_country",
    (
        "2012q4",
        "drug",
    ): "\ufeffprimaryid$caseid$drug_seq$role_cod$drugname$val_vbm$route$dose_vbm$cum_dose_chr"
    "$cum_dose_unit$dechal$rechal$lot_nbr$exp_dt$nda_num$dose_amt$dose_unit$dose_form$dose_freq",
    ("2012q4", "reac"): "primaryid$caseid$pt",
    ("2012q4", "outc"): "primaryid$caseid$outc_code",
    (
        "modern",
        "demo",
    ): "primaryid$caseid$caseversion$i_f_code$event_dt$mfr_dt$init_fda_dt$fda_dt$rept_cod$auth_num"
    "$mfr_num$mfr_sndr$lit_ref$age$age_cod$age_grp$sex$e_sub$wt$wt_cod$rept_dt$to_mfr$occp_cod$reporter_country"
    "$occr_country",
    (
        "modern",
        "drug",
    ): "primaryid$caseid$drug_seq$role_cod$drugname$prod_ai$val_vbm$route$dose_vbm$cum_dose_chr"
    "$cum_dose_unit$dechal$rechal$lot_num$exp_dt$nda_num$dose_amt$dose_unit$dose_form$dose_freq",
    ("modern", "reac"): "primaryid$caseid$pt$drug_rec_act",
    ("faers", "outc"): "primaryid$caseid$outc_cod",
    ("faers", "rpsr"): "primaryid$caseid$rpsr_cod",
    ("faers", "ther"): "primaryid$caseid$dsg_drug_seq$start_dt$end_dt$dur$dur_cod",
    ("faers", "indi"): "primaryid$caseid$indi_drug_seq$indi_pt",
}


def expected_header(zip_name: str, table: str) -> str:
    if zip_name.startswith("aers_"):
        return HEADERS[("laers", table)]
    era = "2012q4" if "2012q4" in zip_name else "modern"
    return HEADERS.get((era, table)) or HEADERS[("faers", table)]


def read_members(folder: Path) -> dict[str, dict[str, bytes]]:
    return {
        path.name: {info.filename: zipfile.ZipFile(path).read(info) for info in zipfile.ZipFile(path).infolist()}
        for path in sorted(folder.glob("*.zip"))
    }


def table_of(member: str) -> str | None:
    match = TABLE_RE.search(member)
    return match.group(1).lower() if match else None


def split_lines(data: bytes) -> list[bytes]:
    """Physical lines (terminator removed: LF, and one CR before it)."""
    assert data.endswith(b"\n"), "every FDA file ends with a line terminator"
    return [line[:-1] if line.endswith(b"\r") else line for line in data[:-1].split(b"\n")]


@pytest.fixture(scope="module")
def members(sample_dir: Path) -> dict[str, dict[str, bytes]]:
    return read_members(sample_dir)


@pytest.fixture(scope="module")
def truth(sample_dir: Path) -> dict[str, Any]:
    return json.loads((sample_dir / "truth.json").read_text())


# --- determinism ------------------------------------------------------------------------------------------


def test_same_seed_same_bytes_and_other_seed_other_bytes(tmp_path: Path) -> None:
    # GIVEN three runs, two with the same seed
    args = {"quarters": ["2012Q3", "2012Q4", "2019Q1"], "n_cases": 300}
    generate(tmp_path / "a", seed=7, **args)
    generate(tmp_path / "b", seed=7, **args)
    generate(tmp_path / "c", seed=8, **args)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == [
        "aers_ascii_2012q3.zip",
        "faers_ascii_2012q4.zip",
        "faers_ascii_2019q1.zip",
        "truth.json",
    ]
    # THEN the same seed gives byte-identical files, another seed different zips
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    for name in names[:-1]:
        assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "c" / name).read_bytes(), name


def test_zip_timestamps_are_fixed(members: dict[str, dict[str, bytes]], sample_dir: Path) -> None:
    for path in sample_dir.glob("*.zip"):
        stamps = {info.date_time for info in zipfile.ZipFile(path).infolist()}
        assert len(stamps) == 1, path.name


# --- layout -----------------------------------------------------------------------------------------------


def test_zip_names_and_member_paths(members: dict[str, dict[str, bytes]]) -> None:
    assert set(members) == DEFAULT_ZIPS
    assert set(members["aers_ascii_2012q2.zip"]) == {
        *(f"ascii/{t}12Q2.TXT" for t in ("DEMO", "DRUG", "REAC", "OUTC", "RPSR", "THER", "INDI")),
        "ascii/STAT12Q2.TXT",
        "SIZE12Q2.TXT",
    }
    assert set(members["faers_ascii_2012q4.zip"]) == {
        f"ascii/{t}12q4.txt" for t in ("demo", "drug", "reac", "outc", "rpsr", "ther", "indi")
    }
    assert "ascii/DEMO14Q3.txt" in members["faers_ascii_2014q3.zip"]
    assert "ascii/DEMO18Q1_new.txt" in members["faers_ascii_2018q1.zip"]
    assert "ascii/DRUG18Q1.txt" in members["faers_ascii_2018q1.zip"]
    assert {"deleted/ADR19Q1DeletedCases.txt", "deleted/AllDeletedCases.txt"} <= set(members["faers_ascii_2019q1.zip"])
    assert {"ASCII/DEMO23Q4.txt", "Deleted/DELETE23Q4.txt"} <= set(members["faers_ascii_2023q4.zip"])
    for name in DEFAULT_ZIPS - {"faers_ascii_2019q1.zip", "faers_ascii_2023q4.zip"}:
        assert not any("elet" in m.lower() for m in members[name]), f"no deleted list before 2019Q1: {name}"


@pytest.mark.parametrize(
    ("quarter", "expected"),
    [
        ("2019Q4", "deleted/ADR19Q4DeletedCases.txt"),
        ("2020Q1", "DELETED/ADR20Q1DeletedCases.txt"),
        ("2020Q3", "Deleted/ADR20Q3DeletedCases.txt"),
        ("2020Q4", "Deleted/20Q4DeletedCases.txt"),
        ("2021Q3", "Deleted/21Q3DeletedCases.txt"),
        ("2021Q4", "Deleted/DELETE21Q4.txt"),
        ("2026Q2", "Deleted/DELETE26Q2.txt"),
    ],
)
def test_deleted_list_naming_per_period(quarter: str, expected: str) -> None:
    assert deleted_member_path(Quarter.parse(quarter)) == expected


def test_layout_of_other_quarters() -> None:
    assert member_path(Quarter.parse("2013Q3"), "demo") == "ASCII/DEMO13Q3.txt"
    assert member_path(Quarter.parse("2013Q1"), "drug") == "ascii/DRUG13Q1.txt"
    assert member_path(Quarter.parse("2020Q2"), "reac") == "ASCII/REAC20Q2.txt"
    assert header(Quarter.parse("2005Q2"), "demo") == LAERS_DEMO.removesuffix("$REPORTER_COUNTRY")
    assert header(Quarter.parse("2013Q1"), "drug") == HEADERS[("2012q4", "drug")][1:].replace("lot_nbr", "lot_num")
    assert header(Quarter.parse("2013Q1"), "outc") == "primaryid$caseid$outc_cod"


def test_header_lines_are_fdas(members: dict[str, dict[str, bytes]]) -> None:
    seen = 0
    for zip_name, files in members.items():
        for member, data in files.items():
            table = table_of(member)
            if table is None:
                continue
            first = split_lines(data)[0].decode("utf-8")
            assert first == expected_header(zip_name, table), f"{zip_name}/{member}"
            seen += 1
    assert seen == 7 * len(DEFAULT_ZIPS)


def test_bom_only_in_drug12q4(members: dict[str, dict[str, bytes]]) -> None:
    for files in members.values():
        for member, data in files.items():
            assert data.startswith(b"\xef\xbb\xbf") == (member == "ascii/drug12q4.txt"), member


def test_line_terminators(members: dict[str, dict[str, bytes]]) -> None:
    for zip_name, files in members.items():
        for member, data in files.items():
            if "elet" in member.lower():
                assert b"\r" not in data, f"deleted lists are LF: {member}"
            elif zip_name == "faers_ascii_2017q4.zip":
                assert b"\r" not in data, f"2017Q4 is LF-only: {member}"
            else:
                assert data.count(b"\n") == data.count(b"\r\n") > 0, f"CRLF: {zip_name}/{member}"


def test_field_counts_trailing_dollar_and_malformed_rows(
    members: dict[str, dict[str, bytes]], truth: dict[str, Any]
) -> None:
    for zip_name, files in members.items():
        laers = zip_name.startswith("aers_")
        for member, data in files.items():
            table = table_of(member)
            if table is None:
                continue
            lines = split_lines(data)
            n_cols = lines[0].count(b"$") + 1
            trailing = laers and table != "indi"
            bad = []
            for line in lines[1:]:
                if trailing:
                    ok = line.endswith(b"$") and line.count(b"$") + 1 == n_cols + 1
                else:
                    ok = line.count(b"$") + 1 == n_cols
                    if laers:
                        assert not line.endswith(b"$") or line.count(b"$") + 1 == n_cols, "INDI has no trailing $"
                if not ok:
                    bad.append(line)
            stats = truth["files"][zip_name][table]
            # a split record is two bad fragments whose concatenation is a good line
            assert len(bad) == stats["malformed"] + 2 * stats["split_records"], f"{zip_name}/{member}: {bad[:3]}"


def test_deleted_lists_shape(members: dict[str, dict[str, bytes]], truth: dict[str, Any]) -> None:
    for zip_name in ("faers_ascii_2019q1.zip", "faers_ascii_2023q4.zip"):
        data = members[zip_name]["deleted/ADR19Q1DeletedCases.txt" if "2019" in zip_name else "Deleted/DELETE23Q4.txt"]
        lines = split_lines(data)
        assert lines[0] == b" ", "the first line is a single space"
        ids = [line.decode() for line in lines[1:]]
        assert all(i.isdigit() for i in ids)
        assert len(ids) > len(set(ids)), "duplicates inside a list"
        assert {int(i) for i in ids} <= set(truth["deleted_case_ids"])


# --- quirks -----------------------------------------------------------------------------------------------


def all_rows(members: dict[str, dict[str, bytes]], table: str) -> list[tuple[str, dict[str, str]]]:
    """(zip name, row as {column: value}) for the well-formed rows of a table, decoded latin-1."""
    rows = []
    for zip_name, files in members.items():
        for member, data in files.items():
            if table_of(member) != table:
                continue
            lines = split_lines(data)
            cols = [c.strip().lower() for c in lines[0].decode("utf-8").lstrip("\ufeff").split("$")]
            for line in lines[1:]:
                values = line.decode("latin-1").split("$")
                if zip_name.startswith("aers_") and table != "indi":
                    values = values[:-1]
                if len(values) == len(cols):
                    rows.append((zip_name, dict(zip(cols, values, strict=True))))
    return rows


def test_quirks_present(members: dict[str, dict[str, bytes]]) -> None:
    demo = all_rows(members, "demo")
    drug = all_rows(members, "drug")
    ther = all_rows(members, "ther")
    reac = all_rows(members, "reac")
    laers_drug = b"".join(d for n, f in members.items() if n.startswith("aers_") for m, d in f.items() if "DRUG" in m)
    laers_demo = b"".join(d for n, f in members.items() if n.startswith("aers_") for m, d in f.items() if "DEMO" in m)
    assert b"\x08" in laers_drug, "0x08 control bytes in LAERS DRUG"
    assert re.search(rb"[\xc0-\xff]", laers_demo), "latin-1 bytes in LAERS DEMO"
    assert any("?" in row["mfr_sndr"] for n, row in demo if n.startswith("faers_")), "? for non-ASCII in FAERS"
    assert {row["age_cod"] for _, row in demo} >= {"DEC", "YR", "MON", "WK", "DY", "HR"}
    assert {row["wt_cod"] for _, row in demo} >= {"KG", "LBS"}
    assert {row["age"] for _, row in demo} >= {"U", "163/6"}, "junk ages"
    assert any(row["wt"] == "3912" for _, row in demo), "a junk weight"
    sexes = {row.get("sex", row.get("gndr_cod")) for _, row in demo}
    assert sexes >= {"F", "M", "UNK", ""}
    assert any(row["drugname"] == '"VITAMINS" (NOS)' for n, row in drug if "2012q4" in n)
    names = {row["drugname"] for _, row in drug}
    for name in ("LIORESAL", "GABLOFEN", "Baclofen Intrathecal"):
        assert name in names
    assert any(re.fullmatch(r"BACLOFEN \d+ ?MG", n) for n in names), "dose strings in names"
    assert {row["route"] for n, row in drug if n.startswith("faers_")} >= {"Oral", "Intrathecal"}
    assert any(row.get("prod_ai") == "BACLOFEN" for _, row in drug)
    starts = [row["start_dt"] for _, row in ther]
    assert any(len(s) == 4 for s in starts) and any(len(s) == 6 for s in starts)
    assert any(s.endswith("0231") or s == "00000000" or s[4:6] == "13" for s in starts), "invalid dates"
    event_lengths = {len(row["event_dt"]) for n, row in demo if n.startswith("faers_")}
    assert event_lengths >= {0, 4, 6, 8}
    q4_ids = [row["primaryid"] for n, row in demo if "2012q4" in n]
    assert len(q4_ids) > len(set(q4_ids)), "a primaryid with two DEMO rows in 2012Q4"
    pts_per_report: dict[tuple[str, str], list[str]] = defaultdict(list)
    for n, row in reac:
        pts_per_report[(n, row.get("primaryid", row.get("isr", "")))].append(row["pt"].lower())
    assert any(len(p) > len(set(p)) for p in pts_per_report.values()), "a PT repeated in one report"
    drugs_per_report: dict[tuple[str, str], list[str]] = defaultdict(list)
    for n, row in drug:
        drugs_per_report[(n, row.get("primaryid", row.get("isr", "")))].append(row["role_cod"])
    assert any("PS" not in roles for roles in drugs_per_report.values()), "a report without a PS drug"


# --- truth.json -------------------------------------------------------------------------------------------


def test_truth_keys_and_file_counts(members: dict[str, dict[str, bytes]], truth: dict[str, Any]) -> None:
    for key in (
        "seed",
        "quarters",
        "n_cases_generated",
        "files",
        "deleted_case_ids",
        "dedup",
        "marts",
        "signals",
        "tto",
        "sex_difference",
    ):
        assert key in truth
    assert truth["seed"] == 42 and truth["n_cases_generated"] >= 5000
    assert set(truth["files"]) == DEFAULT_ZIPS
    for zip_name, tables in truth["files"].items():
        for table, stats in tables.items():
            if table == "deleted":
                for per in stats["per_member"]:
                    data = members[zip_name][per["member"]]
                    assert per["data_lines"] == len(split_lines(data))
                continue
            data = members[zip_name][stats["member"]]
            assert stats["data_lines"] == len(split_lines(data)) - 1, f"{zip_name}/{table}"
            assert stats["bytes"] == len(data)


def test_truth_roundtrip(sample_dir: Path) -> None:
    loaded = SampleTruth.read(sample_dir / "truth.json")
    assert loaded.as_dict() == json.loads((sample_dir / "truth.json").read_text())


def _mini_warehouse(members: dict[str, dict[str, bytes]]) -> dict[str, Any]:
    """An independent reading of the files: parse, re-join split rows, skip malformed ones, FDA dedup."""
    demo: list[tuple[str, int, int, str, str]] = []  # (quarter zip, case, primary, fda_dt, sex)
    children: dict[str, dict[tuple[str, int], list[dict[str, str]]]] = {}
    deleted: set[int] = set()
    for zip_name, files in members.items():
        laers = zip_name.startswith("aers_")
        for member, data in files.items():
            if "elet" in member.lower():
                deleted |= {int(x) for x in data.decode().split() if x.isdigit()}
                continue
            table = table_of(member)
            if table is None:
                continue
            lines = split_lines(data)
            cols = [c.strip().lower() for c in lines[0].decode("utf-8").lstrip("\ufeff").split("$")]
            want = len(cols) + (1 if laers and table != "indi" else 0)
            pending = b""
            for line in lines[1:]:
                line = pending + line
                pending = b""
                n = line.count(b"$") + 1
                if n < want and table == "demo":
                    pending = line
                    continue
                if n != want:
                    continue
                row = dict(zip(cols, line.decode("latin-1").split("$")[: len(cols)], strict=True))
                key = int(row.get("primaryid") or row["isr"])
                if table == "demo":
                    case = int(row.get("caseid") or row["case"])
                    sex = row.get("sex", row.get("gndr_cod", ""))
                    demo.append((zip_name, case, key, row["fda_dt"], sex))
                else:
                    children.setdefault(table, defaultdict(list))[(zip_name, key)].append(row)
    best: dict[int, tuple[str, int, int, str, str]] = {}
    for rec in demo:
        cur = best.get(rec[1])
        if cur is None or (rec[3], rec[2], rec[0]) > (cur[3], cur[2], cur[0]):
            best[rec[1]] = rec
    kept = [rec for case, rec in best.items() if case not in deleted]
    keys = [(rec[0], rec[2]) for rec in kept]

    def rows(table: str, key: tuple[str, int]) -> list[dict[str, str]]:
        return children.get(table, {}).get(key, [])

    return {
        "primary_ids": sorted(rec[2] for rec in kept),
        "fct_case_drug": sum(len(rows("drug", k)) for k in keys),
        "fct_case_reaction": sum(len({r["pt"].lower() for r in rows("reac", k)}) for k in keys),
        "fct_case_outcome": sum(len({r.get("outc_cod", r.get("outc_code")) for r in rows("outc", k)}) for k in keys),
        "fct_case_indication": sum(len(rows("indi", k)) for k in keys),
        "fct_case_therapy": sum(len(rows("ther", k)) for k in keys),
        "serious_cases": sum(
            1 for k in keys if {r.get("outc_cod", r.get("outc_code")) for r in rows("outc", k)} & SERIOUS
        ),
        "cases_with_outcome": sum(1 for k in keys if rows("outc", k)),
        "drug_rows": sorted((k[1], int(r["drug_seq"])) for k in keys for r in rows("drug", k)),
        "sex": {
            s: sum(1 for rec in kept if (rec[4] if rec[4] in ("F", "M") else "null") == s) for s in ("F", "M", "null")
        },
        "deleted": sorted(deleted),
    }


def test_truth_agrees_with_an_independent_reading_of_the_files(
    members: dict[str, dict[str, bytes]], truth: dict[str, Any]
) -> None:
    mini = _mini_warehouse(members)
    assert mini["deleted"] == truth["deleted_case_ids"]
    assert mini["primary_ids"] == truth["dedup"]["primary_ids"]
    assert truth["dedup"]["n_cases"] == len(truth["dedup"]["primary_ids"]) == truth["marts"]["dim_case"]
    for key in (
        "fct_case_drug",
        "fct_case_reaction",
        "fct_case_outcome",
        "fct_case_indication",
        "fct_case_therapy",
        "serious_cases",
        "cases_with_outcome",
        "sex",
    ):
        assert mini[key] == truth["marts"][key], key
    drug_rows = truth["drug_rows"]
    assert drug_rows["columns"] == ["primary_id", "drug_seq", "role_cod", "ingredients"]
    assert sorted((pid, seq) for pid, seq, _, _ in drug_rows["rows"]) == mini["drug_rows"]


def test_dedup_plants_are_exercised(truth: dict[str, Any]) -> None:
    kept = set(truth["dedup"]["primary_ids"])
    deleted = set(truth["deleted_case_ids"])
    assert truth["n_cases_generated"] > truth["dedup"]["n_cases"] > 0.9 * truth["n_cases_generated"]
    assert any(pid < 10_000_000 for pid in kept), "LAERS ISRs survive dedup"
    assert any(pid >= 1_000_000_000 for pid in kept) or any(pid >= 100_000_000 for pid in kept)
    assert len(deleted) >= 10


# --- CLI and errors ---------------------------------------------------------------------------------------


def test_cli_sample(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["sample", "--out", str(tmp_path), "--quarters", "2012Q3,2023Q4", "--cases", "200", "--seed", "3"],
    )
    assert result.exit_code == 0, result.output
    assert "faers sample: 2 zip(s)" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "aers_ascii_2012q3.zip",
        "faers_ascii_2023q4.zip",
        "truth.json",
    ]


def test_cli_sample_drug_noise(tmp_path: Path) -> None:
    args = ["sample", "--out", str(tmp_path), "--quarters", "2012Q3,2019Q1", "--cases", "200", "--seed", "3"]
    result = CliRunner().invoke(app, [*args, "--drug-noise", "realistic"])
    assert result.exit_code == 0, result.output
    truth = json.loads((tmp_path / "truth.json").read_text())
    assert truth["drug_noise"] == "realistic" and truth["drug_rows"]["rows"]
    result = CliRunner().invoke(app, [*args[:2], str(tmp_path / "other"), *args[3:], "--drug-noise", "messy"])
    assert result.exit_code == 2 and "drug noise must be one of basic, realistic" in result.output


def test_bad_arguments_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(QuarterError, match="2019Q5"):
        generate(tmp_path, quarters=["2019Q5"])
    with pytest.raises(QuarterError, match="2003Q4"):
        generate(tmp_path, quarters=["2003Q4"])
    with pytest.raises(ValueError, match="duplicate"):
        generate(tmp_path, quarters=["2019Q1", "2019q1"])
    result = CliRunner().invoke(app, ["sample", "--out", str(tmp_path), "--quarters", "2019Q9"])
    assert result.exit_code == 2
    generate(tmp_path / "x", quarters=["2019Q1"], n_cases=60)
    with pytest.raises(FileExistsError, match=re.escape("faers_ascii_2019q1.zip")):
        generate(tmp_path / "x", quarters=["2019Q2"], n_cases=60)


# --- drug names (basic noise) ---------------------------------------------------------------------

DRUGNAME_RE = re.compile(
    r"^(?P<alias>.+?)(?: \d+(?:\.\d+)? ?(?:MG|MCG|G|ML|MG/ML|MCG/ML|IU|MEQ|%)"
    r"(?: (?:TABLET|TABLETS|CAPSULE|INJECTION|ORAL SOLUTION|SOLUTION|CREAM|PATCH))?)?\.?$"
)


def test_basic_drug_names_map_with_the_generators_synonym_rows() -> None:
    """The basic drug noise writes ALIAS [STRENGTH] [FORM] ["."], every alias and prod_ai one of
    vocab.synonym_rows() (which seeds/drug_synonyms.csv must cover, test_warehouse_seeds.py)."""
    from faers.sample import vocab
    from faers.sample.cases import build_sample

    synonyms = dict(vocab.synonym_rows())
    checked = 0
    for report in build_sample(n_cases=600, seed=11).all_reports():
        for row in report.drugs:
            match = DRUGNAME_RE.match(row.drugname.upper())
            assert match is not None, row.drugname
            assert synonyms[match.group("alias")] == row.ingredient, row.drugname
            assert row.prod_ai == "" or synonyms[row.prod_ai] == row.ingredient, row.prod_ai
            checked += 1
    assert checked > 1000


@pytest.mark.parametrize(
    "quarters",
    [
        ["2004Q1", "2005Q3"],
        ["2012Q3", "2013Q3", "2020Q1", "2020Q3", "2021Q1", "2022Q1"],
        ["2017Q4", "2018Q1", "2019Q2"],
    ],
)
def test_other_quarter_sets_are_consistent(tmp_path: Path, quarters: list[str]) -> None:
    truth = generate(tmp_path, quarters=quarters, n_cases=400, seed=3).as_dict()
    found = read_members(tmp_path)
    mini = _mini_warehouse(found)
    assert mini["primary_ids"] == truth["dedup"]["primary_ids"]
    assert mini["deleted"] == truth["deleted_case_ids"]
    for key in ("fct_case_drug", "fct_case_reaction", "fct_case_outcome", "fct_case_therapy", "sex"):
        assert mini[key] == truth["marts"][key], key
    for zip_name, files in found.items():
        for member, data in files.items():
            table = table_of(member)
            if table is not None:
                stats = truth["files"][zip_name][table]
                assert stats["member"] == member and stats["data_lines"] == len(split_lines(data)) - 1
