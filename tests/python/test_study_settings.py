"""`faers study` with every setting changed from its default, on the sample warehouse: each one took effect.

Run A changes every setting at once (formulas, thresholds, roles, MedDRA membership, strata, table sizes)
and ends its window at 2019Q1, before the warehouse's last quarter (2023Q4): the study is FAERS as published
after 2019Q1, checked against an independent as-of deduplication written here in polars. Run B fixes the
MGPS prior and checks the paper's other outputs (within-drug sex comparison, Table 5, indication bias)
against scipy. The "Table 2" study file is run end to end.
"""

from __future__ import annotations

import io
import json
import math
import shutil
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import polars as pl
import pytest
from conftest import BUILD_WITHOUT_DATA_TESTS
from rich.console import Console
from scipy import stats

from faers.dbt import run_dbt
from faers.study.config import MeddraOptions, Scope
from faers.study.run import StudyError, StudyResult, run_study
from faers.study.scope import is_sample_warehouse, resolve_scope
from faers.study.sql import AS_OF_STEPS, run_step
from faers.udfs import connect
from loaders.paths import PROJECT_DIR

pytestmark = pytest.mark.slow

EVERY_SETTING = """\
name: Every setting changed
drug: {generic: baclofen, brands: [Lioresal, Gablofen, Ozobax, Lyvispah, Fleqsuvy]}
suspect_roles: [PS, SS]
drug_unit: ingredient
period: {first: 2012Q3, last: 2019Q1}
scope: {soc: [Nervous system disorders]}
meddra: {hierarchy: demo, soc_membership: all}
subgroups: [sex, route, reporter]
strata: {route: [intrathecal, oral]}
thresholds: {min_reports: 2, ror_lower: 1.5, prr: 1.5, chi2: 3.0, ic025: 0.5, eb05: 1.5}
formula: {chi2_yates: false, ic_variant: noren_approx, ebgm_variant: table2, table2_eb_z: 1.96,
          mgps_likelihood: truncated}
tables: {top_ror: 3, top_countries: 3, top_indications: 4}
tto: {min_cases: 5}
"""

FIXED_PRIOR = [0.3, 0.2, 2.5, 1.8, 0.15]
FIXED_PRIOR_STUDY = f"""\
name: Fixed MGPS prior
drug: {{generic: baclofen, brands: [Lioresal, Gablofen, Ozobax, Lyvispah, Fleqsuvy]}}
period: {{first: 2004Q1, last: 2026Q4}}
subgroups: [sex]
formula: {{mgps_prior: {FIXED_PRIOR}}}
"""
Z = 1.959963984540054
ADJUSTMENT_KEYS = ("expected_strata", "expected_year_band", "background_exclude_drugs")  # test_adjusted_signals.py


def table(result: StudyResult, name: str) -> pl.DataFrame:
    return pl.read_parquet(result.out_dir / "tables" / f"{name}.parquet")


@pytest.fixture(scope="module")
def every_setting(built_warehouse: Any, tmp_path_factory: pytest.TempPathFactory) -> StudyResult:
    folder = tmp_path_factory.mktemp("every_setting")
    (folder / "study.yml").write_text(EVERY_SETTING)
    return run_study(folder / "study.yml", folder / "out", built_warehouse.db_path)


def as_of_reports(db_path: Path, last: str, first: str, roles: list[str]) -> set[int]:
    """The study drug's reports of an as-of snapshot, computed independently of the SQL (polars)."""
    with duckdb.connect(str(db_path), read_only=True) as conn:
        demo = conn.sql(
            "select primary_id, case_id, quarter, fda_dt, line_number from staging.stg_faers__demo "
            "where primary_id is not null and case_id is not null"
        ).pl()
        deleted = conn.sql("select case_id, quarter from staging.stg_faers__deleted").pl()
        drugs = conn.sql(
            "select d.primary_id, d.quarter, d.role_cod, n.drug, lower(trim(d.drug_name)) as drug_name "
            "from staging.stg_faers__drug d left join intermediate.int_drug_names_normalized n "
            "on d.drug_name is not distinct from n.drug_name and d.prod_ai is not distinct from n.prod_ai"
        ).pl()
        reactions = conn.sql("select distinct primary_id, quarter from staging.stg_faers__reac").pl()
    demo = demo.filter(pl.col("quarter") <= last)
    gone = deleted.filter(pl.col("quarter") <= last)["case_id"].to_list()
    per_report = demo.sort(["quarter", "line_number"], descending=True).unique("primary_id", keep="first")
    per_case = per_report.sort(["fda_dt", "primary_id"], descending=True, nulls_last=True).unique(
        "case_id", keep="first"
    )
    kept = per_case.filter(~pl.col("case_id").is_in(gone) & (pl.col("quarter") >= first)).select(
        "primary_id", "quarter"
    )
    suspects = drugs.filter(pl.col("role_cod").is_in(roles) & pl.col("drug").is_not_null()).join(
        kept, on=["primary_id", "quarter"]
    )
    names = ["baclofen", "lioresal", "gablofen", "ozobax", "lyvispah", "fleqsuvy"]
    with_drug = suspects.filter(pl.col("drug").is_in(names) | pl.col("drug_name").is_in(names))
    with_reaction = reactions.join(kept, on=["primary_id", "quarter"])
    return set(with_drug["primary_id"]) & set(with_reaction["primary_id"])


def test_every_setting_is_recorded_as_set_by_the_study(every_setting: StudyResult) -> None:
    settings = {row["setting"]: row for row in table(every_setting, "settings").iter_rows(named=True)}
    for key, row in settings.items():
        expected = (
            "warehouse"
            if key == "meddra.release"
            else "default"
            if key in ("formula.mgps_prior", *(f"formula.{name}" for name in ADJUSTMENT_KEYS))
            else "study file"
        )
        assert row["source"] == expected, key
    values = {key: json.loads(row["value"]) for key, row in settings.items()}
    assert values["formula.ic_variant"] == "noren_approx" and values["formula.table2_eb_z"] == 1.96
    assert values["suspect_roles"] == ["PS", "SS"] and values["meddra.hierarchy"] == "meddra_demo"


def test_window_is_the_snapshot_after_its_last_quarter(every_setting: StudyResult, built_warehouse: Any) -> None:
    reports = table(every_setting, "reports")
    expected = as_of_reports(built_warehouse.db_path, "2019Q1", "2012Q3", ["PS", "SS"])
    assert set(reports["primary_id"]) == expected
    assert reports["quarter"].max() <= "2019Q1" and reports["quarter"].min() >= "2012Q3"
    with duckdb.connect(str(built_warehouse.db_path), read_only=True) as conn:
        latest = dict(conn.execute("select case_id, quarter from dim_case").fetchall())
    # cases followed up after the window count with their in-window version
    followed_up = reports.filter(
        pl.col("case_id").map_elements(lambda case: latest.get(case, "") > "2019Q1", return_dtype=pl.Boolean)
    )
    assert followed_up.height > 0
    signals = table(every_setting, "signals")
    assert (signals["a"] + signals["b"]).unique().to_list() == [reports.height]


# each case mart of the snapshot and the macro that builds it (macros/warehouse/case_marts.sql), over every report of
# the window's snapshot (snapshot_cases: the warehouse's deduplication as of the window, macro deduplicated_cases
# with every column of the kept DEMO rows); dim_case over those reports' outcomes as the same macros build them
SNAPSHOT_CASES = "select * from ({{ deduplicated_cases(last_quarter='2019Q1') }}) as as_of where quarter >= '2012Q3'"
SNAPSHOT_MARTS = {
    "fct_case_outcome": "{{ case_outcome_rows('snapshot_cases') }}",
    "fct_case_drug": "{{ case_drug_rows('snapshot_cases') }}",
    "fct_case_reaction": "{{ case_reaction_rows('snapshot_cases') }}",
    "fct_case_indication": "{{ case_indication_rows('snapshot_cases') }}",
    "fct_case_therapy": "{{ case_therapy_rows('snapshot_cases') }}",
    "dim_case": "{{ case_rows('snapshot_cases', '(' ~ case_outcome_rows('snapshot_cases') ~ ')') }}",
}


def _compiled_inline(db_path: Path, sql: str) -> str:
    result = run_dbt(
        ["compile", "--quiet", "--inline", sql],
        db_path=db_path,
        dbt_vars={"study_as_of": True},
        parse_with_project_vars=True,
    )
    return str(result.result.results[0].node.compiled_code)


def test_window_snapshot_is_every_mart_rebuilt_for_the_window(every_setting: StudyResult, built_warehouse: Any) -> None:
    # GIVEN each case mart as the as-of study reads it (macro study_source: the marts' rows of the reports they hold
    # in the same version, the rebuilt rows of the others), and as its macro builds it for every report of the
    # window's snapshot (compiled first: dbt opens the warehouse itself)
    db_path = built_warehouse.db_path
    snapshot_cases = _compiled_inline(db_path, SNAPSHOT_CASES)
    queries = {
        mart: (
            _compiled_inline(db_path, f"select * from {{{{ study_source('{mart}') }}}}"),
            _compiled_inline(db_path, rebuild),
        )
        for mart, rebuild in SNAPSHOT_MARTS.items()
    }
    # WHEN the study's own compiled snapshot steps (out/sql) run again on the warehouse
    with connect(db_path, read_only=True) as conn:
        for step in AS_OF_STEPS:
            run_step(conn, step, every_setting.out_dir / "sql" / f"{step}.sql")
        conn.execute(f"create temp table snapshot_cases as {snapshot_cases}")
        row = conn.execute(
            "select (select count(*) from study_asof_rebuilt), (select count(*) from study_asof_dropped), count(*) "
            "from study_asof_cases"
        ).fetchone()
        assert row is not None
        rebuilt, dropped, snapshot = row
        # both kinds of reports are there: those the marts hold in the same version, and those followed up or
        # deleted after the window, which the steps rebuild (the marts' versions of them are dropped)
        assert 0 < rebuilt < snapshot and dropped > 0
        lines = "primary_id, case_id, quarter, source_file, line_number"
        step, reference = f"select {lines} from study_asof_cases", f"select {lines} from snapshot_cases"
        differ = conn.execute(
            f"select count(*) from (({step} except all {reference}) union all ({reference} except all {step}))"
        ).fetchone()
        assert differ == (0,)  # the snapshot's lines are the deduplication's as of the window
        # THEN each mart read is the same rows as the mart rebuilt
        for mart, (read, rebuild) in queries.items():
            counts = conn.execute(
                f"select (select count(*) from ({read})), (select count(*) from ({rebuild})), "
                f"(select count(*) from (({read}) except all ({rebuild}))), "
                f"(select count(*) from (({rebuild}) except all ({read})))"
            ).fetchone()
            assert counts is not None and counts[0] == counts[1] > 0 and counts[2:] == (0, 0), (mart, counts)


BUILD_SERIOUS_CODES = ["DE", "LT", "HO", "DS", "OT"]  # a build that also counts 'other serious' (OT) as serious
PAST_WINDOW_STUDY = """\
name: Past window on a warehouse built with other serious outcomes
drug: {generic: baclofen, brands: [Lioresal, Gablofen, Ozobax, Lyvispah, Fleqsuvy]}
period: {first: 2004Q1, last: 2019Q1}
subgroups: [seriousness]
"""


def test_past_window_rebuilds_the_marts_rows_with_the_builds_vars(built_warehouse: Any, tmp_path: Path) -> None:
    # GIVEN a warehouse built (`dbt build --vars`, its data tests left to the session's warehouse) with other serious
    # outcome codes than the project's
    db_path = tmp_path / "warehouse.duckdb"  # dbt's database name as the session warehouse's: the same parse
    shutil.copyfile(built_warehouse.db_path, db_path)
    # (and with 99% intervals, z_975 = 2.576: a signals var, which the study sets itself)
    built_vars = {"serious_outcome_codes": BUILD_SERIOUS_CODES, "z_975": 2.5758293035489004}
    run_dbt([*BUILD_WITHOUT_DATA_TESTS], db_path=db_path, dbt_vars=built_vars)
    # WHEN a study of a past window runs on it (the reports followed up after 2019Q1 are rebuilt as of it)
    (tmp_path / "study.yml").write_text(PAST_WINDOW_STUDY)
    result = run_study(tmp_path / "study.yml", tmp_path / "out", db_path)
    # THEN every report's seriousness is the build's rule on its own version's outcomes, rebuilt or not
    with duckdb.connect(str(db_path), read_only=True) as conn:
        outcomes = conn.sql("select distinct primary_id, quarter, outc_cod from staging.stg_faers__outc").pl()
        latest = set(conn.sql("select primary_id from dim_case").pl()["primary_id"])
    reports = table(result, "reports").select("primary_id", "quarter", "seriousness")
    per_report = (
        reports.join(outcomes, on=["primary_id", "quarter"], how="left")
        .group_by("primary_id")
        .agg(
            pl.col("seriousness").first(),
            pl.col("outc_cod").is_in(BUILD_SERIOUS_CODES).any().alias("build_rule"),
            pl.col("outc_cod").is_in(["DE", "LT", "HO", "DS"]).any().alias("project_rule"),
        )
    )
    expected = pl.when(pl.col("build_rule")).then(pl.lit("serious")).otherwise(pl.lit("non_serious"))
    assert per_report.filter(pl.col("seriousness") != expected).height == 0
    # and the rule made a difference on reports the study rebuilt (versions the marts no longer hold)
    rebuilt = per_report.filter(~pl.col("primary_id").is_in(list(latest)))
    assert rebuilt.filter(pl.col("build_rule") & ~pl.col("project_rule")).height > 0
    assert json.loads((result.out_dir / "versions.json").read_text())["build_vars"] == built_vars
    # the study's intervals are the project's 95% ones, not the build's
    signals = table(result, "signals").filter((pl.col("b") > 0) & (pl.col("c") > 0) & (pl.col("d") > 0))
    assert signals.height > 0
    a, b, c, d = (signals[name].cast(pl.Float64).to_numpy() for name in "abcd")
    expected = np.exp(np.log(a * d / (b * c)) - Z * np.sqrt(1 / a + 1 / b + 1 / c + 1 / d))
    np.testing.assert_allclose(signals["ror_lower"].to_numpy(), expected, rtol=1e-12)


def test_formulas_and_thresholds_took_effect(every_setting: StudyResult) -> None:
    s = table(every_setting, "signals")
    a, b, c, d, e = (s[k].cast(pl.Float64).to_numpy() for k in ("a", "b", "c", "d", "expected"))
    n = a + b + c + d
    chi2 = n * (a * d - b * c) ** 2 / ((a + b) * (c + d) * (a + c) * (b + d))  # chi2_yates: false
    assert np.allclose(s["chi2"].to_numpy(), chi2, rtol=1e-9, atol=0)
    ic = np.log2((a + 0.5) / (e + 0.5))  # ic_variant: noren_approx
    assert np.allclose(s["ic"].to_numpy(), ic, rtol=1e-12)
    assert np.allclose(s["ic025"].to_numpy(), ic - 3.3 * (a + 0.5) ** -0.5 - 2 * (a + 0.5) ** -1.5, rtol=1e-9)
    ebgm = a / e  # ebgm_variant: table2, table2_eb_z: 1.96
    assert np.allclose(s["ebgm"].to_numpy(), ebgm, rtol=1e-12)
    se = np.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    assert np.allclose(s["eb05"].to_numpy(), np.exp(np.log(ebgm) - 1.96 * se), rtol=1e-9)
    flags = s.with_columns(
        ror_expected=(pl.col("a") >= 2) & (pl.col("ror_lower") > 1.5),
        prr_expected=(pl.col("a") >= 2) & (pl.col("prr") >= 1.5) & (pl.col("chi2") >= 3.0),
        ic_expected=pl.col("ic025") > 0.5,
        ebgm_expected=pl.col("eb05") >= 1.5,
    )
    for method in ("ror", "prr", "ic", "ebgm"):
        assert flags[f"{method}_signal"].equals(flags[f"{method}_expected"].fill_null(False)), method
    priors = table(every_setting, "mgps_priors")
    assert set(priors["likelihood"]) == {"truncated"} and set(priors["source"]) == {"fitted"}
    assert table(every_setting, "top_by_ror").height <= 3


def test_membership_strata_and_sizes_took_effect(every_setting: StudyResult, built_warehouse: Any) -> None:
    scope = table(every_setting, "scope")
    assert "Confusional state" in set(scope["pt"])  # a secondary path into the SOC: soc_membership all
    subgroups = table(every_setting, "subgroup_signals")
    assert set(subgroups["stratum_var"]) == {"sex", "route", "reporter"}
    assert set(subgroups.filter(pl.col("stratum_var") == "route")["stratum"]) == {"intrathecal", "oral"}
    assert {"health_professional", "consumer"} <= set(subgroups.filter(pl.col("stratum_var") == "reporter")["stratum"])
    reports = table(every_setting, "reports")
    sizes = dict(subgroups.select("stratum", pl.col("a") + pl.col("b")).unique().iter_rows())
    assert sizes["intrathecal"] == reports.filter(pl.col("route") == "intrathecal").height
    assert sizes["consumer"] == reports.filter(pl.col("reporter") == "consumer").height
    characteristics = table(every_setting, "characteristics")
    countries = characteristics.filter(pl.col("variable") == "reporter_country")
    assert countries.group_by("population").len()["len"].max() <= 3
    assert characteristics.filter(pl.col("variable") == "indication").group_by("population").len()["len"].max() <= 4
    tto = table(every_setting, "tto_summary").filter(pl.col("pt") != "ALL")
    assert tto.filter(pl.col("n") >= 5)["weibull_shape"].null_count() == 0
    assert tto.filter(pl.col("n") < 5)["weibull_shape"].null_count() == tto.filter(pl.col("n") < 5).height


@pytest.fixture(scope="module")
def fixed_prior(built_warehouse: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[StudyResult, Path]:
    # in a copy, five baclofen reports with Somnolence also give SOMNOLENCE as baclofen's indication; three others
    # give it for a PS row named Lioresal whose names did not map (no drug): not a suspect row, so not the drug's
    folder = tmp_path_factory.mktemp("fixed_prior")
    db_path = folder / "warehouse.duckdb"
    shutil.copyfile(built_warehouse.db_path, db_path)
    with duckdb.connect(str(db_path)) as conn:
        conn.execute(
            "create temp table somnolent as select d.primary_id, d.case_id, min(d.drug_seq) as drug_seq "
            "from fct_case_drug d join fct_case_reaction r on d.primary_id = r.primary_id and r.pt = 'Somnolence' "
            "where d.drug = 'baclofen' and d.role_cod = 'PS' group by all order by d.primary_id limit 8"
        )
        conn.execute(
            "insert into fct_case_indication "
            "select primary_id, case_id, drug_seq, 'SOMNOLENCE' from somnolent order by primary_id limit 5"
        )
        conn.execute(
            "create temp table unmapped as select s.primary_id, s.case_id, max(d.drug_seq) + 1 as drug_seq "
            "from (from somnolent order by primary_id offset 5) s join fct_case_drug d using (primary_id) group by all"
        )
        conn.execute(
            "insert into fct_case_drug by name select primary_id, case_id, drug_seq, 'PS' as role_cod, "
            "'LIORESAL' as drug_name, null as drug, null as mapping_source from unmapped"
        )
        conn.execute("insert into fct_case_indication select primary_id, case_id, drug_seq, 'SOMNOLENCE' from unmapped")
        assert conn.execute("select count(*) from unmapped").fetchone() == (3,)
    (folder / "study.yml").write_text(FIXED_PRIOR_STUDY)
    return run_study(folder / "study.yml", folder / "out", db_path), db_path


def test_fixed_prior_took_effect(fixed_prior: tuple[StudyResult, Path]) -> None:
    result, db_path = fixed_prior
    priors = table(result, "mgps_priors")
    assert set(priors["source"]) == {"study file mgps_prior"}
    assert priors.select("alpha1", "beta1", "alpha2", "beta2", "p").rows() == [tuple(FIXED_PRIOR)] * priors.height
    signals = table(result, "signals").sort("pt")
    from faers.udfs import connect

    conn = connect(db_path)
    try:
        expected = conn.execute(
            "select pt, mgps_quantile(0.05, a, expected, ?, ?, ?, ?, ?) from signals where drug = 'baclofen' "
            "order by pt",
            FIXED_PRIOR,
        ).fetchall()
        mart = dict(conn.execute("select pt, eb05 from signals where drug = 'baclofen'").fetchall())
    finally:
        conn.close()
    assert signals["pt"].to_list() == [pt for pt, _ in expected]
    assert np.allclose(signals["eb05"].to_numpy(), [v for _, v in expected], rtol=1e-9)
    assert any(abs(v - mart[pt]) > 1e-3 for pt, v in zip(signals["pt"], signals["eb05"], strict=True))


def test_indication_bias_flag(fixed_prior: tuple[StudyResult, Path]) -> None:
    """Only the study drug's suspect rows give its indications: the three unmapped Lioresal rows do not count."""
    result, _ = fixed_prior
    flagged = table(result, "signals").filter(pl.col("indication_bias"))
    assert flagged.select("pt", "n_as_indication").rows() == [("Somnolence", 5)]
    characteristics = table(result, "characteristics").filter(
        (pl.col("variable") == "indication") & (pl.col("level").str.to_lowercase() == "somnolence")
    )
    assert characteristics.height > 0
    assert set(characteristics["n"]) == {5}


def test_sex_within_drug_and_table_5_match_scipy(fixed_prior: tuple[StudyResult, Path]) -> None:
    result, db_path = fixed_prior
    reports = table(result, "reports")
    women, men = (reports.filter(pl.col("sex") == s).height for s in ("F", "M"))
    within = table(result, "sex_within_drug")
    assert ((within["female_with_pt"] + within["female_without_pt"]) == women).all()
    assert ((within["male_with_pt"] + within["male_without_pt"]) == men).all()
    for row in within.filter(pl.col("female_with_pt") * pl.col("male_with_pt") > 0).iter_rows(named=True):
        a, b, c, d = (row[k] for k in ("female_with_pt", "female_without_pt", "male_with_pt", "male_without_pt"))
        assert math.isclose(row["ror_female_vs_male"], a * d / (b * c), rel_tol=1e-12)
        upper = math.exp(math.log(a * d / (b * c)) + Z * math.sqrt(1 / a + 1 / b + 1 / c + 1 / d))
        assert math.isclose(row["ror_female_vs_male_upper"], upper, rel_tol=1e-9)
        table_2x2 = np.array([[a, b], [c, d]])
        if row["test"] == "chi2":
            assert math.isclose(row["p_value"], stats.chi2_contingency(table_2x2, correction=False)[1], rel_tol=1e-9)
        else:
            assert math.isclose(row["p_value"], stats.fisher_exact(table_2x2)[1], rel_tol=1e-9)
    # Table 5 against scipy on the study's own reports
    serious = table(result, "serious_characteristics")
    with duckdb.connect(str(db_path), read_only=True) as conn:
        conn.register("reports", reports.to_arrow())
        values = conn.sql(
            "select r.seriousness, r.sex, c.age_years from reports r join dim_case c using (primary_id)"
        ).pl()
    sex = serious.filter(pl.col("variable") == "sex").sort("level")
    crosstab = (
        values.filter(pl.col("sex").is_not_null())
        .group_by("sex", "seriousness").len().pivot(on="seriousness", index="sex", values="len").sort("sex")
    )  # fmt: skip
    assert sex["serious_n"].to_list() == crosstab["serious"].to_list()
    assert sex["non_serious_n"].to_list() == crosstab["non_serious"].to_list()
    observed = crosstab.select("serious", "non_serious").to_numpy()
    assert sex["test"][0] == "chi2"
    assert math.isclose(sex["p_value"][0], stats.chi2_contingency(observed, correction=False)[1], rel_tol=1e-9)
    age = serious.filter(pl.col("variable") == "age_years").row(0, named=True)
    groups = [values.filter((pl.col("seriousness") == g) & pl.col("age_years").is_not_null())["age_years"]
              for g in ("serious", "non_serious")]  # fmt: skip
    expected = stats.mannwhitneyu(groups[0], groups[1], method="asymptotic", use_continuity=True)
    assert age["test"] == "mann_whitney"
    assert math.isclose(age["p_value"], expected.pvalue, rel_tol=1e-9)
    assert math.isclose(age["serious_median"], float(np.median(groups[0])), rel_tol=1e-12)


def test_table2_study_file_end_to_end(built_warehouse: Any, tmp_path: Path) -> None:
    result = run_study(PROJECT_DIR / "studies" / "baclofen_table2.yml", tmp_path / "out", built_warehouse.db_path)
    s = table(result, "signals").filter(pl.col("a") >= 1)
    a, b, c, d, e = (s[k].cast(pl.Float64).to_numpy() for k in ("a", "b", "c", "d", "expected"))
    n = a + b + c + d
    assert np.allclose(s["ic"].to_numpy(), np.log2(a * n / ((a + b) * (a + c))), rtol=1e-12)
    se = np.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    positive_ic = s["ic"].to_numpy() > 0
    ic025 = np.exp(np.log(s["ic"].to_numpy()[positive_ic]) - Z * se[positive_ic])
    assert np.allclose(s["ic025"].to_numpy()[positive_ic], ic025, rtol=1e-9)
    assert np.allclose(s["ebgm"].to_numpy(), a / e, rtol=1e-12)
    assert np.allclose(s["eb05"].to_numpy(), np.exp(np.log(a / e) - 1.64 * se), rtol=1e-9)
    # ROR and PRR are the project's (the signals mart's) numbers
    with duckdb.connect(str(built_warehouse.db_path), read_only=True) as conn:
        mart = conn.sql("select pt, ror, prr, chi2 from signals where drug = 'baclofen'").pl()
    joined = s.join(mart, on="pt", suffix="_mart")
    for column in ("ror", "prr", "chi2"):
        assert ((joined[column] - joined[f"{column}_mart"]).abs() < 1e-9).all(), column


def test_soc_scope_on_real_faers_without_licensed_meddra_stops(built_warehouse: Any, tmp_path: Path) -> None:
    # a warehouse not (only) of `faers sample` zips: one DEMO row without the generator's marker
    db_path = tmp_path / "real.duckdb"
    shutil.copyfile(built_warehouse.db_path, db_path)
    with duckdb.connect(str(db_path)) as conn:
        conn.execute("update raw.demo set lit_ref = 'Smith J. Neurology. 2012' where rowid = (select min(rowid) "
                     "from raw.demo where lit_ref is not null)")  # fmt: skip
    out = io.StringIO()
    with pytest.raises(StudyError) as raised:
        run_study(PROJECT_DIR / "studies" / "baclofen.yml", tmp_path / "out", db_path, console=Console(file=out))
    message = " ".join(str(raised.value).split())
    assert "scope.soc: a SOC scope needs the licensed MedDRA hierarchy" in message
    assert "faers load-meddra" in message and "scope.pt" in message
    assert not (tmp_path / "out" / "tables").exists()
    # `meddra: demo` says the demo hierarchy is meant; a PT list needs no hierarchy (terms kept as given)
    with duckdb.connect(str(db_path), read_only=True) as conn:
        assert not is_sample_warehouse(conn)
        demo = resolve_scope(conn, Scope(soc=("Nervous system disorders",)), MeddraOptions(hierarchy="demo"))
        assert demo.hierarchy == "meddra_demo" and {"Somnolence", "Seizure"} <= set(demo.pts)
        pts = resolve_scope(conn, Scope(pt=("Somnolence", "CONVULSION")))
        assert pts.hierarchy is None and pts.pts == ("CONVULSION", "Somnolence")
    with duckdb.connect(str(built_warehouse.db_path), read_only=True) as conn:
        assert is_sample_warehouse(conn)
