"""Realistic drug-name noise (``--drug-noise realistic``): the files carry FAERS's real drug-name patterns and
the truth of every drug row agrees with what the files say where they say it (prod_ai), in the default sample
and on the full-size path (several quarters, LAERS included)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from faers.sample import generate, vocab
from faers.sample.drugnames import ProductTable, misspell, noisy_names

# Salt and ester words of FDA's prod_ai, as a reader would strip them (not the generator's list).
SALT_WORDS = {
    "HYDROCHLORIDE",
    "SODIUM",
    "CALCIUM",
    "POTASSIUM",
    "BESYLATE",
    "TARTRATE",
    "BITARTRATE",
    "MESYLATE",
    "ETEXILATE",
    "SULFATE",
    "BISULFATE",
    "PHOSPHATE",
    "FUMARATE",
    "OXALATE",
    "CITRATE",
    "HYCLATE",
    "BROMIDE",
    "ACETATE",
    "PROPIONATE",
    "XINAFOATE",
    "MALEATE",
}
MOIETY = {"valproate": "valproic acid"}


def ingredients_of_prod_ai(prod_ai: str) -> str:
    """FDA's prod_ai as the sorted active moieties joined with '\\'."""
    parts = []
    for part in prod_ai.split("\\"):
        if part.lower() in vocab.DRUG_BY_INGREDIENT:  # DIMETHYL FUMARATE is the ingredient
            parts.append(part.lower())
            continue
        words = part.split()
        while len(words) > 1 and words[-1] in SALT_WORDS:
            words.pop()
        name = " ".join(words).lower()
        parts.append(MOIETY.get(name, name))
    return "\\".join(sorted(parts))


def drug_rows(folder: Path) -> dict[tuple[int, int], dict[str, str]]:
    """Every well-formed DRUG row of the zips in ``folder`` by (primaryid or ISR, drug_seq)."""
    rows: dict[tuple[int, int], dict[str, str]] = {}
    for path in sorted(folder.glob("*.zip")):
        archive = zipfile.ZipFile(path)
        member = next(n for n in archive.namelist() if re.search(r"(?i)/drug\d\dq\d\.txt$", n))
        lines = archive.read(member).lstrip(b"\xef\xbb\xbf").decode("latin-1").replace("\r\n", "\n").split("\n")[:-1]
        cols = [c.strip().lower() for c in lines[0].split("$")]
        laers = path.name.startswith("aers_")
        for line in lines[1:]:
            fields = line.split("$")
            if len(fields) != len(cols) + laers:
                continue  # a planted malformed row
            row = dict(zip(cols, fields[: len(cols)], strict=True))
            row["zip"] = path.name
            rows[(int(row.get("primaryid") or row["isr"]), int(row["drug_seq"]))] = row
    return rows


@pytest.fixture(scope="module")
def realistic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("realistic")
    generate(out, n_cases=2500, drug_noise="realistic")
    return out, json.loads((out / "truth.json").read_text())


def test_default_sample_names_carry_the_real_patterns(realistic: tuple[Path, dict[str, Any]]) -> None:
    out, truth = realistic
    assert truth["drug_noise"] == "realistic"
    rows = drug_rows(out)
    laers = [r for r in rows.values() if r["zip"].startswith("aers_")]
    faers = [r for r in rows.values() if "prod_ai" in r]
    assert laers and all("prod_ai" not in r for r in laers), "LAERS has no prod_ai column"
    assert all(r["drugname"] == r["drugname"].upper() for r in laers), "LAERS names are upper case"
    brands = {b for d in vocab.DRUGS for b in d.brands}
    laers_brand_share = sum(r["drugname"].split(" (")[0] in brands for r in laers) / len(laers)
    assert 0.35 < laers_brand_share < 0.75, laers_brand_share
    blank = sum(r["prod_ai"] == "" for r in faers) / len(faers)
    assert 0.02 < blank < 0.12, blank
    prod_ais = {r["prod_ai"] for r in faers}
    assert {"SERTRALINE HYDROCHLORIDE", "WARFARIN SODIUM", "METFORMIN HYDROCHLORIDE"} & prod_ais
    assert any("\\" in p for p in prod_ais), "combinations in prod_ai"
    names = [r["drugname"] for r in rows.values()]
    patterns = {
        "dose": r"\d+ ?(MG|MCG|IU|MEQ)\b",
        "per ml": r"MCG/ML",
        "form": r"\b(TABLETS?|CAPSULES|INJECTION|PATCH|ORAL SOLUTION)\b",
        "route": r"\b(ORAL|INTRATHECAL|SUBCUTANEOUS|TRANSDERMAL)\b",
        "release": r"\b(XR|ER|SR|CR|XL)$",
        "pharmacopoeia": r"\b(USP|BP|EP)\b",
        "frequency": r"\b(TID|BID|QD|PRN)\b",
        "manufacturer": r"(- [A-Z]+|\([A-Z]+\)|\[[A-Z]+\])$",
        "who code": r"/\d{8}/",
        "punctuation": r"[.,;]$",
        "brand (generic)": r"^[A-Z-]+ \([A-Z ]+\)",
        "combination": r"(/|\\| AND )",
        "unknown": r"^(UNKNOWN|NOT REPORTED|UNSPECIFIED)",
        "lower case": r"^[a-z]",
    }
    counts = {label: sum(bool(re.search(p, n)) for n in names) for label, p in patterns.items()}
    assert all(counts.values()), counts
    assert counts["unknown"] < 0.02 * len(names)


def test_default_sample_truth_agrees_with_prod_ai(realistic: tuple[Path, dict[str, Any]]) -> None:
    out, truth = realistic
    rows = drug_rows(out)
    checked = Counter()
    for primary_id, seq, _role, ingredients in truth["drug_rows"]["rows"]:
        row = rows.get((primary_id, seq))
        if row is None:
            continue  # a re-joined split record
        if row["drugname"].upper().startswith(("UNKNOWN", "NOT REPORTED", "UNSPECIFIED")):
            assert ingredients == ""
            checked["unknown"] += 1
        elif row.get("prod_ai"):
            assert ingredients == ingredients_of_prod_ai(row["prod_ai"]), (row["drugname"], row["prod_ai"])
            checked["prod_ai"] += 1
            checked["combination"] += "\\" in ingredients
    assert checked["prod_ai"] > 1500 and checked["unknown"] > 5 and checked["combination"] > 5, checked
    # the planted signals are counted on the true drugs
    assert truth["signals"]["drug_reports"]["baclofen"] > 150


def test_laers_brands_appear_in_faers_with_prod_ai(realistic: tuple[Path, dict[str, Any]]) -> None:
    """What lets a dictionary learned from FAERS's own prod_ai map the LAERS era."""
    rows = drug_rows(realistic[0]).values()
    brands = {b for d in vocab.DRUGS for b in d.brands} | {b for c in vocab.COMBINATIONS for b in c.brands}
    learned = {r["drugname"] for r in rows if r.get("prod_ai") and r["drugname"] in brands}
    laers = [r["drugname"] for r in rows if r["zip"].startswith("aers_") and r["drugname"] in brands]
    assert len(laers) > 300
    assert sum(name in learned for name in laers) / len(laers) > 0.97


def test_realistic_default_sample_is_deterministic_and_basic_is_unchanged(tmp_path: Path) -> None:
    for name in ("a", "b"):
        generate(tmp_path / name, quarters=["2011Q1", "2016Q2"], n_cases=300, seed=4, drug_noise="realistic")
    generate(tmp_path / "basic", quarters=["2011Q1", "2016Q2"], n_cases=300, seed=4)
    for file in ("aers_ascii_2011q1.zip", "faers_ascii_2016q2.zip", "truth.json"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()
    realistic, basic = drug_rows(tmp_path / "a"), drug_rows(tmp_path / "basic")
    assert realistic.keys() == basic.keys(), "only the drug names and prod_ai differ"
    assert sum(realistic[k]["drugname"] != basic[k]["drugname"] for k in basic) > 0.3 * len(basic)
    with pytest.raises(ValueError, match="drug noise"):
        generate(tmp_path / "c", n_cases=300, drug_noise="messy")


def test_misspellings_are_small_slips() -> None:
    assert {misspell("BACLOFEN", d) for d in range(40)} - {"BACLOFEN"}
    for draw in range(200):
        wrong = misspell("LIORESAL", draw)
        assert wrong != "LIORESAL" and wrong[0] == "L" and abs(len(wrong) - 8) <= 1


def test_noisy_names_keep_the_product_recognisable() -> None:
    """Each name (unknowns and misspellings aside) contains one of its product's generic or brand spellings."""
    import numpy as np

    table = ProductTable([d.ingredient for d in vocab.DRUGS])
    rng = np.random.default_rng(3)
    product = rng.integers(0, len(table.products), 20_000)
    laers = rng.random(20_000) < 0.5
    names = noisy_names(table, product, laers, rng)
    misses = 0
    for name, p, unknown in zip(names.drugname, product, names.unknown, strict=True):
        spellings = (*table.products[p].generics, *table.products[p].brands, table.products[p].salt or "\0")
        if unknown:
            assert name.upper().startswith(("UNKNOWN", "NOT REPORTED", "UNSPECIFIED"))
        elif not any(s in name.upper() for s in spellings):
            misses += 1
    assert 0 < misses < 0.02 * len(product), misses


# --- full-size path: several quarters, both eras -----------------------------------------------------------

QUARTERS = ["2010Q2", "2013Q1", "2019Q1"]
N = 3000


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("history")
    generate(out, full_size=True, quarters=QUARTERS, n_cases=N, seed=8)
    return out, json.loads((out / "truth.json").read_text())


def read_member(path: Path, pattern: str) -> pl.DataFrame:
    archive = zipfile.ZipFile(path)
    member = next(n for n in archive.namelist() if re.search(pattern, n, re.IGNORECASE))
    data = archive.read(member).lstrip(b"\xef\xbb\xbf")
    frame = pl.read_csv(
        io.BytesIO(data), separator="$", quote_char=None, infer_schema=False, truncate_ragged_lines=True
    )
    return frame.with_columns(pl.all().fill_null(""))


def test_full_size_history_layout(history: tuple[Path, dict[str, Any]]) -> None:
    out, truth = history
    assert truth["quarters"] == QUARTERS and truth["drug_noise"] == "realistic"
    assert sorted(p.name for p in out.iterdir()) == [
        "aers_ascii_2010q2.zip",
        "drug_truth_2010q2.parquet",
        "drug_truth_2013q1.parquet",
        "drug_truth_2019q1.parquet",
        "faers_ascii_2013q1.zip",
        "faers_ascii_2019q1.zip",
        "truth.json",
    ]
    laers = zipfile.ZipFile(out / "aers_ascii_2010q2.zip")
    drug = laers.read("ascii/DRUG10Q2.TXT").decode()
    lines = drug.split("\r\n")
    assert lines[0] == "ISR$DRUG_SEQ$ROLE_COD$DRUGNAME$VAL_VBM$ROUTE$DOSE_VBM$DECHAL$RECHAL$LOT_NUM$EXP_DT$NDA_NUM"
    assert all(line.endswith("$") and line.count("$") == 12 for line in lines[1:-1]), "LAERS's trailing $"
    seqs = [int(line.split("$")[1]) for line in lines[1:-1]]
    assert len(set(seqs)) == len(seqs) and min(seqs) > 1_000_000_000, "LAERS DRUG_SEQ is global"
    demo = laers.read("ascii/DEMO10Q2.TXT").decode().split("\r\n")
    assert demo[0].endswith("$CONFID$REPORTER_COUNTRY") and "$UNITED STATES$" in demo[1] + demo[2] + demo[3]
    reac = laers.read("ascii/REAC10Q2.TXT").decode().split("\r\n")[1:-1]
    assert all(line.split("$")[1] == line.split("$")[1].upper() for line in reac)
    q13 = read_member(out / "faers_ascii_2013q1.zip", r"DRUG13Q1")
    assert "prod_ai" not in q13.columns
    q19 = read_member(out / "faers_ascii_2019q1.zip", r"DRUG19Q1")
    assert 0.85 < (q19["prod_ai"] != "").mean() < 0.98


def test_full_size_history_truth_agrees_with_the_files(history: tuple[Path, dict[str, Any]]) -> None:
    out, truth = history
    demos, drugs, reacs = [], [], []
    for quarter in QUARTERS:
        year, q = quarter.split("Q")
        zip_path = next(out.glob(f"*aers_ascii_{year}q{q}.zip"))
        stem = f"{year[2:]}Q{q}"
        demo = read_member(zip_path, f"DEMO{stem}")
        key = "isr" if "isr" in [c.lower() for c in demo.columns] else "primaryid"
        demo = demo.rename({c: c.lower() for c in demo.columns})
        demos.append(
            demo.select(
                pl.col(key).cast(pl.Int64).alias("pid"),
                pl.col("case" if key == "isr" else "caseid").cast(pl.Int64).alias("case_id"),
            )
        )
        drug = read_member(zip_path, f"DRUG{stem}").rename(lambda c: c.lower())
        drugs.append(
            drug.select(
                pl.col(key).cast(pl.Int64).alias("pid"),
                pl.col("drug_seq").cast(pl.Int64),
                "role_cod",
                "drugname",
                (pl.col("prod_ai") if "prod_ai" in drug.columns else pl.lit("")).alias("prod_ai"),
            )
        )
        reac = read_member(zip_path, f"REAC{stem}").rename(lambda c: c.lower())
        reacs.append(reac.select(pl.col(key).cast(pl.Int64).alias("pid"), pl.col("pt").str.to_lowercase()))
    demo, drug, reac = pl.concat(demos), pl.concat(drugs), pl.concat(reacs)
    assert demo["case_id"].n_unique() == demo.height, "no case spans two quarters"
    kept = demo.filter(~pl.col("case_id").is_in(truth["deleted_case_ids"]))
    assert sorted(kept["pid"].to_list()) == truth["dedup"]["primary_ids"]
    assert drug.join(kept, on="pid", how="semi").height == truth["marts"]["fct_case_drug"]
    assert reac.join(kept, on="pid", how="semi").unique().height == truth["marts"]["fct_case_reaction"]
    rows = pl.read_parquet(out / "drug_truth_*.parquet")
    assert rows.height == drug.height and rows.select("primary_id", "drug_seq").is_unique().all()
    joined = drug.join(rows, left_on=["pid", "drug_seq"], right_on=["primary_id", "drug_seq"])
    assert joined.height == drug.height and (joined["role_cod"] == joined["role_cod_right"]).all()
    with_ai = joined.filter(pl.col("prod_ai") != "")
    expected = [ingredients_of_prod_ai(p) for p in with_ai["prod_ai"]]
    assert with_ai["ingredients"].to_list() == expected
    assert (
        joined.filter(pl.col("ingredients") == "")["drugname"].str.contains("UNKNOWN|NOT REPORTED|UNSPECIFIED")
    ).all()
    ps = joined.join(kept, on="pid", how="semi").filter((pl.col("role_cod") == "PS") & (pl.col("ingredients") != ""))
    counts = ps.unique(["pid", "ingredients"]).group_by("ingredients").len()
    assert dict(zip(counts["ingredients"], counts["len"], strict=True)) == truth["signals"]["drug_reports"]
