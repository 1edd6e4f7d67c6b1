"""Adjusted signals through dbt: stratified E and the Mantel-Haenszel ROR, the masked background, co-suspects.

Each var is set on ``dbt run`` (faers.dbt.run_dbt) over a copy of the session's built warehouse, and its effect
is checked in the built tables against a plain-Python computation written here from the definitions (dicts
and loops over the reports, no SQL): E = sum_s n_drug,s n_event,s / N_s over the strata of the report
(a NULL value its own stratum), ROR_MH = sum a_s d_s / N_s / sum b_s c_s / N_s with the Robins-Breslow-
Greenland variance, the masked 2x2 table, and the co-suspect count. The warehouse is the synthetic sample (random
reports), stratified by every allowed variable.
"""

from __future__ import annotations

import math
import shutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from faers.dbt import DbtError, run_dbt
from faers.mgps import fit_from_cells

SIGNAL_MODELS = "drug_event_cells mgps_prior_fit mgps_prior signals"
STRATA = ["sex", "age_group", "report_year", "reporter_country", "occp_cod"]
STRATA_VARS = {"expected_strata": STRATA, "expected_year_band": 3, "mgps_likelihood": "truncated"}
Z = 1.959963984540054


@dataclass(frozen=True)
class Built:
    db_path: Path
    base: Path


def _copy_and_run(source: Path, folder: Path, dbt_vars: dict[str, Any]) -> Path:
    db_path = folder / "warehouse.duckdb"
    shutil.copyfile(source, db_path)
    run_dbt(["run", "--select", SIGNAL_MODELS, "--quiet"], db_path=db_path, dbt_vars=dbt_vars)
    return db_path


@pytest.fixture(scope="module")
def stratified(built_warehouse: Any, tmp_path_factory: pytest.TempPathFactory) -> Built:
    folder = tmp_path_factory.mktemp("strata")
    return Built(_copy_and_run(built_warehouse.db_path, folder, STRATA_VARS), built_warehouse.db_path)


def _read(db_path: Path, query: str) -> pl.DataFrame:
    with duckdb.connect(str(db_path), read_only=True) as conn:
        return conn.sql(query).pl()


def _reports(db_path: Path) -> tuple[dict[int, set[str]], dict[int, set[str]], dict[int, set[str]], dict[int, tuple]]:
    """Per report: its counted drugs (PS ingredients), its PTs, its PS/SS ingredients, its stratum."""
    drugs: dict[int, set[str]] = defaultdict(set)
    co_suspects: dict[int, set[str]] = defaultdict(set)
    events: dict[int, set[str]] = defaultdict(set)
    strata: dict[int, tuple] = {}
    with duckdb.connect(str(db_path), read_only=True) as conn:
        for primary_id, role, ingredient in conn.execute(
            "select primary_id, role_cod, ingredient from fct_case_drug_ingredient"
        ).fetchall():
            if role == "PS":
                drugs[primary_id].add(ingredient)
            if role in ("PS", "SS"):
                co_suspects[primary_id].add(ingredient)
        for primary_id, pt in conn.execute(
            "select primary_id, pt from fct_case_reaction where pt is not null"
        ).fetchall():
            events[primary_id].add(pt)
        for primary_id, sex, age_group, year, country, occupation in conn.execute(
            "select primary_id, sex, age_group, report_year, reporter_country, occp_cod from dim_case"
        ).fetchall():
            region = None if country is None else ("US" if country.upper() in ("US", "USA") else "other")
            band = None if year is None else year // 3 * 3
            strata[primary_id] = (sex, age_group, band, region, occupation)
    counted = {r for r in drugs if r in events}
    return (
        {r: drugs[r] for r in counted},
        {r: events[r] for r in counted},
        {r: co_suspects[r] for r in counted},
        {r: strata.get(r) for r in counted},
    )


def _reference(reports: tuple) -> dict[tuple[str, str], dict[str, float]]:
    """Plain-Python stratified E, MH ROR with its RBG interval and co-suspect count of every (drug, pt)."""
    drugs, events, co_suspects, strata = reports
    size: dict[tuple, int] = defaultdict(int)
    n_drug: dict[tuple, int] = defaultdict(int)
    n_event: dict[tuple, int] = defaultdict(int)
    a_s: dict[tuple[str, str], dict[tuple, int]] = defaultdict(lambda: defaultdict(int))
    co: dict[tuple[str, str], int] = defaultdict(int)
    for report, report_drugs in drugs.items():
        stratum = strata[report]
        size[stratum] += 1
        for drug in report_drugs:
            n_drug[drug, stratum] += 1
        for pt in events[report]:
            n_event[pt, stratum] += 1
            for drug in report_drugs:
                a_s[drug, pt][stratum] += 1
                co[drug, pt] += bool(co_suspects[report] - {drug})
    drug_strata: dict[str, set[tuple]] = defaultdict(set)
    event_strata: dict[str, set[tuple]] = defaultdict(set)
    for drug, stratum in n_drug:
        drug_strata[drug].add(stratum)
    for pt, stratum in n_event:
        event_strata[pt].add(stratum)
    out = {}
    for (drug, pt), per_stratum in a_s.items():
        e = r_sum = s_sum = pr = ps_qr = qs = 0.0
        # a stratum without the drug or without the pt adds 0 to every sum (n_drug,s n_event,s = a_s = 0)
        for stratum in sorted(drug_strata[drug] & event_strata[pt], key=repr):
            n = size[stratum]
            nd, ne, a = n_drug[drug, stratum], n_event[pt, stratum], per_stratum.get(stratum, 0)
            e += nd * ne / n
            b, c = nd - a, ne - a
            d = n - nd - ne + a
            r, s = a * d / n, b * c / n
            p, q = (a + d) / n, (b + c) / n
            r_sum, s_sum, pr, ps_qr, qs = r_sum + r, s_sum + s, pr + p * r, ps_qr + p * s + q * r, qs + q * s
        ror_mh = r_sum / s_sum if s_sum > 0 else math.nan
        if s_sum > 0 and r_sum > 0:
            se = math.sqrt(pr / (2 * r_sum**2) + ps_qr / (2 * r_sum * s_sum) + qs / (2 * s_sum**2))
            lower, upper = math.exp(math.log(ror_mh) - Z * se), math.exp(math.log(ror_mh) + Z * se)
        else:
            lower = upper = math.nan
        out[drug, pt] = {
            "a": sum(per_stratum.values()),
            "expected": e,
            "ror_mh": ror_mh,
            "ror_mh_lower": lower,
            "ror_mh_upper": upper,
            "a_co_suspect": co[drug, pt],
        }
    return out


def _assert_close(got: float | None, want: float, name: str, rtol: float = 1e-12) -> None:
    if math.isnan(want):
        assert got is None, name
    else:
        assert got is not None and math.isclose(got, want, rel_tol=rtol, abs_tol=1e-15), (name, got, want)


def test_stratified_expected_and_mantel_haenszel_ror_match_the_plain_python_reference(stratified: Built) -> None:
    reports = _reports(stratified.db_path)
    reference = _reference(reports)
    signals = _read(
        stratified.db_path,
        "select drug, pt, a, expected, ic, ror, ror_mh, ror_mh_lower, ror_mh_upper, a_co_suspect from signals",
    )
    assert signals.height == len(reference) > 1000
    n_strata = len(set(reports[3].values()))
    assert n_strata > 20  # the sample spreads over many strata, NULL ones included
    for row in signals.iter_rows(named=True):
        want = reference[row["drug"], row["pt"]]
        assert row["a"] == want["a"] and row["a_co_suspect"] == want["a_co_suspect"], row
        for name in ("expected", "ror_mh", "ror_mh_lower", "ror_mh_upper"):
            _assert_close(row[name], want[name], f"{name} {row['drug']}/{row['pt']}")
        # the IC uses the stratified E
        _assert_close(row["ic"], math.log2((row["a"] + 0.5) / (want["expected"] + 0.5)), "ic")
    # ROR and PRR stay crude: bitwise the unstratified build's
    crude = _read(stratified.base, "select drug, pt, ror, prr, expected, ror_mh from signals")
    joined = signals.join(crude, on=["drug", "pt"], suffix="_crude")
    assert joined.height == signals.height
    assert joined.filter(pl.col("ror").ne_missing(pl.col("ror_crude"))).height == 0
    assert joined["ror_mh_crude"].null_count() == joined.height  # NULL without strata
    assert joined.filter(pl.col("expected") != pl.col("expected_crude")).height > joined.height // 2


def test_the_mantel_haenszel_sums_are_the_same_double_every_run(
    stratified: Built, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # the same cells counted again: every mh_* sum must come out bit for bit the same (a plain sum() over the
    # strata differed in the last digits of ~300 of these cells between two runs on 2 threads)
    again = _copy_and_run(stratified.db_path, tmp_path_factory.mktemp("strata_again"), STRATA_VARS)
    columns = "drug, pt, mh_r, mh_s, mh_pr, mh_ps_qr, mh_qs, expected"
    with duckdb.connect(str(stratified.db_path), read_only=True) as conn:
        conn.execute(f"attach '{again}' as again (read_only)")
        n_cells, n_stratified = conn.execute(
            "select count(*), count(*) filter (where mh_ps_qr > 0 and mh_qs > 0) from drug_event_cells"
        ).fetchone()
        assert n_cells > 1000 and n_stratified > n_cells // 2
        for first, second in (("main", "again.main"), ("again.main", "main")):
            differing = conn.execute(
                f"select count(*) from (select {columns} from {first}.drug_event_cells "
                f"except all select {columns} from {second}.drug_event_cells)"
            ).fetchone()[0]
            assert differing == 0, f"{differing} of {n_cells} cells differ between two runs"


def test_the_prior_is_fitted_on_the_stratified_e_and_records_the_strata(stratified: Built) -> None:
    prior = _read(stratified.db_path, "select * from mgps_prior").row(0, named=True)
    assert prior["expected_strata"] == "sex,age_group,report_year/3,reporter_country,occp_cod"
    assert prior["likelihood"] == "truncated"
    cells = _read(stratified.db_path, "select drug, pt, a, expected, n_drug, n_event, n from drug_event_cells")
    refit = fit_from_cells(cells, likelihood="truncated")
    assert refit.as_row()["alpha1"] == pytest.approx(prior["alpha1"], rel=1e-9)
    assert refit.neg_log_likelihood == pytest.approx(prior["neg_log_likelihood"], rel=1e-12)
    assert prior["background_exclude_drugs"] == ""
    assert _read(stratified.base, "select expected_strata, background_exclude_drugs from mgps_prior").row(0) == ("", "")


def test_the_masked_background_leaves_a_and_b_and_drops_the_excluded_reports(
    built_warehouse: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    base = built_warehouse.db_path
    top = _read(base, "select drug from drug_event_cells group by drug order by sum(a) desc, drug limit 2")
    masked = top["drug"].to_list()
    db_path = tmp_path_factory.mktemp("masked") / "warehouse.duckdb"
    shutil.copyfile(base, db_path)
    # given in upper case, in reverse order, with spaces: recorded as the macro reads them
    masking = {
        "background_exclude_drugs": [f" {name.upper()}" for name in reversed(masked)],
        "mgps_likelihood": "truncated",
    }
    run_dbt(
        ["run", "--select", "drug_event_cells mgps_prior_fit mgps_prior", "--quiet"], db_path=db_path, dbt_vars=masking
    )
    drugs, events, _, _ = _reports(base)
    background = [r for r, report_drugs in drugs.items() if not report_drugs & set(masked)]
    got = _read(db_path, "select drug, pt, a, b, c, d, n, expected from drug_event_cells")
    crude = _read(base, "select drug, pt, a, b from drug_event_cells")
    assert got.select("drug", "pt", "a", "b").sort(["drug", "pt"]).equals(crude.sort(["drug", "pt"]))
    checked = 0
    for row in got.sample(n=min(400, got.height), seed=7).iter_rows(named=True):
        others = [r for r in background if row["drug"] not in drugs[r]]
        c = sum(row["pt"] in events[r] for r in others)
        assert (row["c"], row["d"]) == (c, len(others) - c), row
        n = row["a"] + row["b"] + c + len(others) - c
        assert row["n"] == n
        _assert_close(row["expected"], (row["a"] + row["b"]) * (row["a"] + c) / n, "expected")
        checked += 1
    assert checked >= 100
    assert got.filter(pl.col("drug").is_in(masked)).height > 0
    # the prior is fitted on the masked E and records the masked drugs (as it records the strata)
    prior = _read(db_path, "select * from mgps_prior").row(0, named=True)
    assert prior["background_exclude_drugs"] == ",".join(sorted(masked))
    assert prior["expected_strata"] == ""
    cells = _read(db_path, "select drug, pt, a, expected, n_drug, n_event, n from drug_event_cells")
    assert fit_from_cells(cells, likelihood="truncated").neg_log_likelihood == pytest.approx(
        prior["neg_log_likelihood"], rel=1e-12
    )


def test_strata_and_masking_need_the_truncated_likelihood_and_each_other_s_absence(
    built_warehouse: Any, tmp_path: Path
) -> None:
    db_path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_warehouse.db_path, db_path)
    bad_values = {"expected_strata": ["sex"], "background_exclude_drugs": ["baclofen"], "expected_year_band": 0}
    with pytest.raises(DbtError) as error:
        run_dbt(["run", "--select", "drug_event_cells"], db_path=db_path, dbt_vars=bad_values)
    message = str(error.value)
    assert "var expected_year_band: expected an integer >= 1, got 0" in message
    assert "var expected_strata: needs mgps_likelihood: truncated (openEBGM) or a fixed mgps_prior" in message
    assert "vars expected_strata and background_exclude_drugs: set one of them, not both" in message


STRATIFIED_STUDY = """\
name: Stratified baclofen
drug: {generic: baclofen, brands: [Lioresal, Gablofen]}
period: {first: 2004Q1, last: 2026Q4}
subgroups: [sex]
formula: {expected_strata: [sex, age_group, report_year, reporter_country, occp_cod], expected_year_band: 3,
          mgps_likelihood: truncated}
"""


def test_a_study_file_sets_the_strata_and_shows_their_effect_and_the_co_suspects(
    stratified: Built, tmp_path: Path
) -> None:
    from faers.study.run import run_study

    (tmp_path / "study.yml").write_text(STRATIFIED_STUDY)
    result = run_study(tmp_path / "study.yml", tmp_path / "out", stratified.base)

    def table(name: str) -> pl.DataFrame:
        return pl.read_parquet(result.out_dir / "tables" / f"{name}.parquet")

    settings = {row["setting"]: row for row in table("settings").iter_rows(named=True)}
    assert settings["formula.expected_strata"]["value"] == (
        '["sex", "age_group", "report_year", "reporter_country", "occp_cod"]'
    )
    assert settings["formula.expected_strata"]["source"] == "study file"
    assert settings["formula.background_exclude_drugs"]["source"] == "default"
    # the study population is the mart's: its overall E and ror_mh are the stratified mart's (same macro)
    mart = _read(stratified.db_path, "select pt, expected, ror_mh, ror_mh_lower from signals where drug = 'baclofen'")
    signals = table("signals").select("pt", "a", "expected", "n_methods", "ror_mh").join(mart, on="pt")
    assert signals.height > 20
    for row in signals.iter_rows(named=True):
        _assert_close(row["expected"], row["expected_right"], row["pt"])
    # and its Mantel-Haenszel sums are the mart's to the last bit (fixed-point sums: no order of the strata)
    assert signals.filter(pl.col("ror_mh").ne_missing(pl.col("ror_mh_right"))).height == 0
    effect = table("adjustment_effect")
    assert effect.height > 0 and set(effect.columns) >= {"pt", "n_methods_unadjusted", "n_methods", "ror_mh"}
    crude = _read(stratified.base, "select pt, expected, n_methods from signals where drug = 'baclofen'")
    compared = effect.join(crude, on="pt", suffix="_mart")
    assert compared.height == effect.height
    assert compared.filter(pl.col("positive_unadjusted") != (pl.col("n_methods_unadjusted") == 4)).height == 0
    assert compared.filter(pl.col("expected_unadjusted") != pl.col("expected_mart")).height == 0
    # co-suspects: the top ingredients of each positive PT, counted from the reports here
    co = table("co_suspects")
    positive = set(table("positive_all_four")["pt"])
    assert positive and set(co["pt"]) <= positive and co["rank"].max() <= 5
    drugs, events, _, _ = _reports(stratified.base)
    # another drug row (PS/SS) than the study drug's: a row of a product with baclofen, or named as it, is its
    names = {"baclofen", "lioresal", "gablofen"}
    others: dict[int, set[str]] = defaultdict(set)
    rows = _read(
        stratified.base,
        "select i.primary_id, i.ingredient, d.drug, lower(trim(d.drug_name)) as name, lower(trim(d.prod_ai)) as ai "
        "from fct_case_drug_ingredient as i inner join fct_case_drug as d using (primary_id, drug_seq) "
        "where i.role_cod in ('PS', 'SS')",
    )
    for r in rows.iter_rows(named=True):
        if not (names & set(r["drug"].split("\\")) or r["name"] in names or r["ai"] in names):
            others[r["primary_id"]].add(r["ingredient"])
    for row in co.iter_rows(named=True):
        with_pt = [r for r, ds in drugs.items() if "baclofen" in ds and row["pt"] in events[r]]
        assert row["pt_reports"] == len(with_pt)
        assert row["reports"] == sum(row["co_suspect"] in others[r] for r in with_pt), row


MASKED_STUDY = """\
name: Masked baclofen
drug: {{generic: baclofen, brands: [Lioresal, Gablofen]}}
period: {{first: 2004Q1, last: 2026Q4}}
subgroups: []
formula: {{background_exclude_drugs: [{masked}], mgps_likelihood: truncated}}
"""


def test_a_study_file_masks_the_background_and_shows_the_effect_on_each_positive_pt(
    built_warehouse: Any, tmp_path: Path
) -> None:
    """`faers study`'s path (run_study) with background_exclude_drugs: the study's overall 2x2 tables are the
    masked ones counted here from the reports, and adjustment_effect pairs them with the unmasked ones."""
    from faers.study.run import run_study

    base = built_warehouse.db_path
    drugs, events, _, _ = _reports(base)
    # mask the ingredient that shares the most reports with baclofen's PTs (so that c and d move)
    baclofen_pts = {pt for r, ds in drugs.items() if "baclofen" in ds for pt in events[r]}
    shared: dict[str, int] = defaultdict(int)
    for r, ds in drugs.items():
        if "baclofen" not in ds and events[r] & baclofen_pts:
            for drug in ds:
                shared[drug] += 1
    masked = max(sorted(shared), key=lambda drug: shared[drug])
    (tmp_path / "study.yml").write_text(MASKED_STUDY.format(masked=masked.upper()))
    result = run_study(tmp_path / "study.yml", tmp_path / "out", base)

    def table(name: str) -> pl.DataFrame:
        return pl.read_parquet(result.out_dir / "tables" / f"{name}.parquet")

    settings = {row["setting"]: row for row in table("settings").iter_rows(named=True)}
    assert settings["formula.background_exclude_drugs"]["value"] == f'["{masked}"]'  # as matched: lower case
    assert settings["formula.background_exclude_drugs"]["source"] == "study file"
    # the masked 2x2 of every baclofen PT, counted here: a and b over every baclofen report, c and d over
    # the reports without baclofen and without the masked drug as a suspect
    study_reports = [r for r, ds in drugs.items() if "baclofen" in ds]
    background = [r for r, ds in drugs.items() if "baclofen" not in ds and masked not in ds]
    unmasked_others = [r for r, ds in drugs.items() if "baclofen" not in ds]
    signals = table("signals")
    assert signals.height > 20
    moved = 0
    for row in signals.iter_rows(named=True):
        a = sum(row["pt"] in events[r] for r in study_reports)
        c = sum(row["pt"] in events[r] for r in background)
        b, d = len(study_reports) - a, len(background) - c
        assert (row["a"], row["b"], row["c"], row["d"]) == (a, b, c, d), row
        _assert_close(row["expected"], (a + b) * (a + c) / (a + b + c + d), f"expected {row['pt']}")
        _assert_close(row["ror"], a * d / (b * c) if b * c else math.nan, f"ror {row['pt']}")
        moved += c != sum(row["pt"] in events[r] for r in unmasked_others)
    assert moved > 10  # the masked drug's reports left c for many PTs
    # adjustment_effect: each in-scope PT positive by all four methods masked or unmasked, with both n_methods
    unmasked = _read(base, "select pt, expected from signals where drug = 'baclofen'")
    effect = table("adjustment_effect")
    assert effect.height > 0
    in_scope = signals.filter(pl.col("in_scope"))
    joined = effect.join(in_scope, on="pt", how="left", suffix="_masked").join(unmasked, on="pt", suffix="_mart")
    assert joined.height == effect.height and joined["a_masked"].null_count() == 0
    assert joined.filter(pl.col("n_methods") != pl.col("n_methods_masked")).height == 0
    assert joined.filter(pl.col("expected") != pl.col("expected_masked")).height == 0
    assert joined.filter(pl.col("positive") != (pl.col("n_methods") == 4)).height == 0
    assert joined.filter(pl.col("positive_unadjusted") != (pl.col("n_methods_unadjusted") == 4)).height == 0
    assert joined.filter(~(pl.col("positive") | pl.col("positive_unadjusted"))).height == 0
    # the unmasked E is the crude mart's (same reports, no masking)
    for row in joined.iter_rows(named=True):
        _assert_close(row["expected_unadjusted"], row["expected_mart"], f"unmasked expected {row['pt']}")
    # every in-scope PT positive masked is listed (the unmasked side is checked above row by row)
    positive_masked = set(in_scope.filter(pl.col("n_methods") == 4)["pt"])
    assert positive_masked <= set(effect["pt"])
    assert effect.filter(pl.col("ror_mh").is_not_null()).height == 0  # no strata: no Mantel-Haenszel ROR
