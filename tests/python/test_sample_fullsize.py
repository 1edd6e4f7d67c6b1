"""Full-size mode writes one FAERS quarter in FDA's layout, deterministically, and its vectorised truth.json
agrees with an independent (polars) reading of the files. Run small here; the 400k-case default is timed in
benchmarks."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from faers.sample import generate
from faers.sample.fullsize import FULL_SIZE_CASES
from faers.sample.synthetic import drug_vocabulary, pt_vocabulary

N = 6000


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("fullsize")
    generate(out, full_size=True, n_cases=N, seed=5)
    return out, json.loads((out / "truth.json").read_text())


def read_table(archive: zipfile.ZipFile, member: str) -> pl.DataFrame:
    data = archive.read(member)
    assert data.count(b"\r\n") == data.count(b"\n"), "CRLF in 2023Q4"
    return pl.read_csv(io.BytesIO(data), separator="$", quote_char=None, infer_schema=False, empty_string_is_null=False)


def test_vocabulary_sizes_are_realistic() -> None:
    drugs, pts = drug_vocabulary(), pt_vocabulary()
    assert len(drugs) == len(set(drugs)) == 5000 and drugs[0] == "baclofen"
    assert len(pts) == len({p.lower() for p in pts}) == 15000
    assert FULL_SIZE_CASES == 400_000


def test_layout_and_counts(full: tuple[Path, dict[str, Any]]) -> None:
    out, truth = full
    assert truth["mode"] == "full_size" and truth["quarters"] == ["2023Q4"]
    archive = zipfile.ZipFile(out / "faers_ascii_2023q4.zip")
    assert sorted(archive.namelist()) == sorted(
        [f"ASCII/{t}23Q4.txt" for t in ("DEMO", "DRUG", "REAC", "OUTC", "RPSR", "THER", "INDI")]
        + ["Deleted/DELETE23Q4.txt"]
    )
    files = truth["files"]["faers_ascii_2023q4.zip"]
    for table in ("demo", "drug", "reac", "outc", "rpsr", "ther", "indi"):
        data = archive.read(files[table]["member"])
        assert data.count(b"\n") - 1 == files[table]["data_lines"]
    drug = read_table(archive, "ASCII/DRUG23Q4.txt")
    assert drug.columns[:6] == ["primaryid", "caseid", "drug_seq", "role_cod", "drugname", "prod_ai"]
    assert 3.3 < drug.height / N < 4.2, "~3.75 drug rows per report"
    reac = read_table(archive, "ASCII/REAC23Q4.txt")
    assert 2.6 < reac.height / N < 3.4, "~3 reaction rows per report"
    deleted = archive.read("Deleted/DELETE23Q4.txt").decode().split("\n")
    assert deleted[0] == " "


def test_truth_agrees_with_the_files(full: tuple[Path, dict[str, Any]]) -> None:
    out, truth = full
    archive = zipfile.ZipFile(out / "faers_ascii_2023q4.zip")
    deleted = {int(x) for x in archive.read("Deleted/DELETE23Q4.txt").decode().split() if x.isdigit()}
    assert sorted(deleted) == truth["deleted_case_ids"]
    demo = read_table(archive, "ASCII/DEMO23Q4.txt").filter(~pl.col("caseid").cast(pl.Int64).is_in(sorted(deleted)))
    kept = demo.select("primaryid")
    assert sorted(kept["primaryid"].cast(pl.Int64).to_list()) == truth["dedup"]["primary_ids"]

    def of_kept(member: str) -> pl.DataFrame:
        return read_table(archive, member).join(kept, on="primaryid", how="semi")

    marts = truth["marts"]
    assert demo.height == marts["dim_case"]
    assert of_kept("ASCII/DRUG23Q4.txt").height == marts["fct_case_drug"]
    reac = of_kept("ASCII/REAC23Q4.txt").with_columns(pl.col("pt").str.to_lowercase())
    assert reac.unique(["primaryid", "pt"]).height == marts["fct_case_reaction"]
    outc = of_kept("ASCII/OUTC23Q4.txt")
    assert outc.unique(["primaryid", "outc_cod"]).height == marts["fct_case_outcome"]
    assert outc["primaryid"].n_unique() == marts["cases_with_outcome"]
    serious = outc.filter(pl.col("outc_cod").is_in(["DE", "LT", "HO", "DS"]))
    assert serious["primaryid"].n_unique() == marts["serious_cases"]
    assert of_kept("ASCII/THER23Q4.txt").height == marts["fct_case_therapy"]
    assert of_kept("ASCII/INDI23Q4.txt").height == marts["fct_case_indication"]
    sex = demo["sex"].to_list()
    assert marts["sex"] == {
        "F": sex.count("F"),
        "M": sex.count("M"),
        "null": len(sex) - sex.count("F") - sex.count("M"),
    }
    # baclofen cells: kept reports whose PS row is baclofen by the row truth (its names are noisy), and each PT
    rows = pl.read_parquet(out / "drug_truth_2023q4.parquet").with_columns(
        pl.col("primary_id").cast(pl.Utf8), pl.col("drug_seq").cast(pl.Utf8)
    )
    drug = of_kept("ASCII/DRUG23Q4.txt")
    assert drug.height == rows.join(kept, left_on="primary_id", right_on="primaryid", how="semi").height
    baclofen = (
        drug.join(rows, left_on=["primaryid", "drug_seq"], right_on=["primary_id", "drug_seq"])
        .filter((pl.col("role_cod") == "PS") & (pl.col("ingredients") == "baclofen"))
        .select("primaryid")
        .unique()
    )
    assert baclofen.height == truth["signals"]["drug_reports"]["baclofen"]
    cells = reac.join(baclofen, on="primaryid", how="semi").unique(["primaryid", "pt"]).group_by("pt").len()
    expected = {pt.lower(): a for pt, a in truth["signals"]["cells"]["baclofen"].items()}
    assert dict(zip(cells["pt"].to_list(), cells["len"].to_list(), strict=True)) == expected


def test_full_size_is_deterministic(tmp_path: Path) -> None:
    for name in ("a", "b"):
        generate(tmp_path / name, full_size=True, n_cases=2000, seed=9)
    for file in ("faers_ascii_2023q4.zip", "truth.json"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()


def test_full_size_arguments_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="duplicate quarter"):
        generate(tmp_path, full_size=True, quarters=["2019Q1", "2019q1"], n_cases=2000)
    with pytest.raises(ValueError, match="drug noise"):
        generate(tmp_path, full_size=True, n_cases=2000, drug_noise="messy")
    with pytest.raises(ValueError, match="at least 1,000"):
        generate(tmp_path, full_size=True, n_cases=10)


def test_full_size_quarters_of_every_era_load_whole(tmp_path: Path) -> None:
    """LAERS (with and without REPORTER_COUNTRY), 2012Q4's renames and BOM, 2017Q4's LF: every line loads."""
    import duckdb

    from loaders import load_paths

    quarters = ["2005Q2", "2012Q3", "2012Q4", "2017Q4"]
    for quarter in quarters:
        generate(tmp_path / quarter, full_size=True, quarters=[quarter], n_cases=1000, seed=3)
    report = load_paths([tmp_path / q for q in quarters], tmp_path / "w.duckdb", progress=False)
    assert report.ok and report.total.rows_rejected == 0
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as conn:
        for quarter in quarters:
            truth = json.loads((tmp_path / quarter / "truth.json").read_text())
            (stats,) = truth["files"].values()
            for table in ("demo", "drug", "reac", "outc", "rpsr", "ther", "indi"):
                rows = conn.execute(f"select count(*) from raw.{table} where quarter = ?", [quarter]).fetchone()
                assert rows == (stats[table]["data_lines"],), (quarter, table)
        laers = conn.execute(
            'select count(*), count(isr), count("case"), count(reporter_country) from raw.demo '
            "where quarter = '2012Q3'"
        ).fetchone()
        assert laers == (1000, 1000, 1000, 1000)
        upper = conn.execute("select bool_and(drugname = upper(drugname)) from raw.drug where quarter = '2012Q3'")
        assert upper.fetchone() == (True,)
