"""`faers study` on the synthetic warehouse (session fixture built_warehouse): the planted truth, exactly.

The generator's truth.json is computed from its own records, independently of the SQL. One study run
per module (no scope, so every PT counts; the worked example's SOC scope is run too).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from conftest import warehouse_file

from faers.dbt import run_dbt
from faers.study.run import StudyError, StudyResult, run_study, tto_roles_problem
from faers.study.sql import STEPS, run_step
from faers.udfs import connect
from loaders.paths import PROJECT_DIR

pytestmark = pytest.mark.slow

CONTRACT = {
    "signals": ["pt", "a", "b", "c", "d", "expected", "ror", "ror_lower", "ror_upper", "prr", "prr_lower",
                "prr_upper", "chi2", "ic", "ic025", "ic975", "ebgm", "eb05", "eb95", "ror_mh", "ror_mh_lower",
                "ror_mh_upper", "ror_signal", "prr_signal", "ic_signal", "ebgm_signal", "n_methods", "positive_all",
                "in_scope", "n_as_indication", "indication_bias"],
    "subgroup_signals": ["stratum_var", "stratum", "pt", "a", "b", "c", "d", "expected", "ror", "ror_lower",
                         "ror_upper", "prr", "prr_lower", "prr_upper", "chi2", "ic", "ic025", "ic975", "ebgm",
                         "eb05", "eb95", "ror_mh", "ror_mh_lower", "ror_mh_upper", "n_methods"],
    "subgroup_tests": ["stratum_var", "stratum_1", "stratum_2", "pt", "ror_1", "ror_2", "ror_ratio",
                       "ror_ratio_lower", "ror_ratio_upper", "p_value"],
    "seriousness": ["pt", "serious", "non_serious", "serious_female", "non_serious_female", "serious_male",
                    "non_serious_male", "test", "statistic", "p_value"],
    "characteristics": ["population", "variable", "level", "n", "percent", "missing"],
    "reports_per_year": ["population", "year", "n"],
    "reports": ["primary_id", "case_id", "quarter", "sex", "age_group", "seriousness", "route", "reporter",
                "has_scope_pt"],
    "sex_within_drug": ["pt", "female_with_pt", "female_without_pt", "male_with_pt", "male_without_pt",
                        "correction", "ror_female_vs_male", "ror_female_vs_male_lower", "ror_female_vs_male_upper",
                        "test", "statistic", "p_value"],
    "serious_characteristics": ["variable", "level", "serious_n", "serious_percent", "non_serious_n",
                                "non_serious_percent", "serious_median", "serious_q1", "serious_q3",
                                "non_serious_median", "non_serious_q1", "non_serious_q3", "test", "statistic",
                                "df", "p_value"],
    "settings": ["setting", "value", "source"],
    "co_suspects": ["pt", "rank", "co_suspect", "reports", "pt_reports", "share"],
    "adjustment_effect": ["pt", "a", "expected_unadjusted", "expected", "ror", "ror_mh", "ror_mh_lower",
                          "ror_mh_upper", "n_methods_unadjusted", "n_methods", "positive_unadjusted", "positive"],
    "tto": ["primary_id", "case_id", "pt", "route", "tto_days", "tto_bin"],
    "tto_bins": ["pt", "tto_bin", "n", "percent"],
    "tto_summary": ["pt", "n", "median", "q1", "q3", "weibull_shape", "weibull_shape_lower",
                    "weibull_shape_upper", "weibull_scale", "weibull_scale_lower", "weibull_scale_upper",
                    "interpretation"],
}  # fmt: skip

NO_SCOPE_STUDY = """\
name: Baclofen, every PT
drug: {generic: baclofen, brands: [Lioresal, Gablofen, Ozobax, Lyvispah, Fleqsuvy]}
suspect_roles: [PS]
period: {first: 2004Q1, last: 2026Q4}
tto: {min_cases: 10}
"""


@pytest.fixture(scope="module")
def study_run(built_warehouse: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[StudyResult, Any]:
    folder = tmp_path_factory.mktemp("study")
    study_file = folder / "study.yml"
    study_file.write_text(NO_SCOPE_STUDY)
    return run_study(study_file, folder / "out", built_warehouse.db_path), built_warehouse


def table(result: StudyResult, name: str) -> pl.DataFrame:
    frame = pl.read_parquet(result.out_dir / "tables" / f"{name}.parquet")
    assert frame.equals(pl.read_csv(result.out_dir / "tables" / f"{name}.csv", schema=frame.schema))
    return frame


def test_every_table_in_the_contract_and_the_run_is_repeatable(study_run: tuple[StudyResult, Any]) -> None:
    result, _ = study_run
    for name, columns in CONTRACT.items():
        assert table(result, name).columns == columns, name
    assert table(result, "positive_all_four").columns == CONTRACT["signals"]
    assert table(result, "top_by_ror").columns == CONTRACT["signals"]
    assert (result.out_dir / "study.yml").read_text() == NO_SCOPE_STUDY
    versions = json.loads((result.out_dir / "versions.json").read_text())
    assert {"faers", "dbt-core", "dbt-duckdb", "duckdb", "python", "quarters"} <= set(versions)
    assert versions["quarters"]
    # the compiled SQL that ran is kept next to the tables, and the seconds of each step
    assert (result.out_dir / "sql" / "study_signals.sql").is_file()
    timings = json.loads((result.out_dir / "timings.json").read_text())
    assert list(timings) == [
        "dbt compile", *STEPS[: STEPS.index("study_background") + 1], "study_priors",
        *STEPS[STEPS.index("study_background") + 1 :], "tables",
    ]  # fmt: skip
    assert all(isinstance(value, float) and value >= 0 for value in timings.values())


def test_report_counts_and_cells_are_the_planted_ones(study_run: tuple[StudyResult, Any]) -> None:
    result, warehouse = study_run
    truth = warehouse.truth["signals"]
    signals = table(result, "signals")
    assert result.n_reports == truth["drug_reports"]["baclofen"]
    assert dict(zip(signals["pt"], signals["a"], strict=True)) == truth["cells"]["baclofen"]
    assert (signals["a"] + signals["b"]).unique().to_list() == [truth["drug_reports"]["baclofen"]]
    assert (signals["a"] + signals["b"] + signals["c"] + signals["d"]).unique().to_list() == [truth["n_reports"]]
    assert signals["in_scope"].all()


def test_positive_by_all_four_methods_is_the_planted_list(study_run: tuple[StudyResult, Any]) -> None:
    result, warehouse = study_run
    positive = table(result, "positive_all_four")
    # every planted PT, and nothing else but the PT planted in women only (positive overall too)
    planted = set(warehouse.truth["signals"]["planted_positive"])
    assert planted <= set(positive["pt"]) <= planted | {warehouse.truth["sex_difference"]["pt"]}
    # ordered as the paper orders it: by report count, and the top by ROR
    assert positive["a"].to_list() == sorted(positive["a"].to_list(), reverse=True)
    top = table(result, "top_by_ror")
    assert top["ror"].to_list() == sorted(positive["ror"].to_list(), reverse=True)[: top.height]


def test_overall_numbers_are_the_signals_marts(study_run: tuple[StudyResult, Any]) -> None:
    # Same population and prior as the marts: every statistic equals main.signals for baclofen.
    result, warehouse = study_run
    with duckdb.connect(str(warehouse.db_path), read_only=True) as conn:
        mart = conn.sql("select * from signals where drug = 'baclofen'").pl()
    study = table(result, "signals")
    joined = study.join(mart, on="pt", suffix="_mart")
    assert joined.height == study.height == mart.height
    for column in ("a", "b", "c", "d", "ror", "prr", "chi2", "ic025", "ebgm", "eb05", "n_methods"):
        assert joined[column].equals(joined[f"{column}_mart"], null_equal=True) or (
            (joined[column] - joined[f"{column}_mart"]).abs().max() < 1e-9
        ), column
    priors = table(result, "mgps_priors")
    assert priors.filter(pl.col("stratum_var") == "overall")["source"].to_list() == ["mgps_prior mart"]


def test_sex_difference_lies_in_the_planted_stratum(study_run: tuple[StudyResult, Any]) -> None:
    result, warehouse = study_run
    planted = warehouse.truth["sex_difference"]
    subgroup = table(result, "subgroup_signals").filter(
        (pl.col("stratum_var") == "sex") & (pl.col("pt") == planted["pt"])
    )
    for stratum, cell in planted["cells"].items():
        rows = subgroup.filter(pl.col("stratum") == stratum)
        if cell["a"] == 0:
            assert rows.height == 0  # cells hold a >= 1 only
            continue
        row = rows.row(0, named=True)
        assert row["a"] == cell["a"]
        assert row["a"] + row["b"] == cell["n_drug"]
        assert row["a"] + row["c"] == cell["n_event"]
        assert row["a"] + row["b"] + row["c"] + row["d"] == cell["n"]
    test = (
        table(result, "subgroup_tests")
        .filter((pl.col("stratum_var") == "sex") & (pl.col("pt") == planted["pt"]))
        .row(0, named=True)
    )
    higher = test["stratum_1"] if test["ror_ratio"] > 1 else test["stratum_2"]
    assert higher == planted["stratum"]
    assert test["p_value"] < 0.05
    assert test["ror_ratio_lower"] < test["ror_ratio"] < test["ror_ratio_upper"]
    # no planted difference elsewhere: most PTs of the drug show none
    others = table(result, "subgroup_tests").filter((pl.col("stratum_var") == "sex") & (pl.col("pt") != planted["pt"]))
    assert (others["p_value"] < 0.05).mean() < 0.2
    # each stratum has its own prior
    priors = table(result, "mgps_priors")
    assert set(priors.filter(pl.col("stratum_var") == "sex")["stratum"]) == {"F", "M"}


def _populations(reports: pl.DataFrame, strata: tuple[str, ...]) -> list[tuple[str, str, pl.DataFrame]]:
    """The study's populations, each with its reports: the whole one and each stratum's (a report without the
    variable's value is in none of its strata)."""
    populations = [("overall", "all", reports)]
    for variable in strata:
        for value in reports[variable].drop_nulls().unique().sort():
            populations.append((variable, str(value), reports.filter(pl.col(variable) == value)))
    return populations


def _cells_by(cells: pl.DataFrame, key: str) -> list[tuple[Any, ...]]:
    """Per drug (or PT), whatever its label: its cells, their reports, its margins."""
    aggregates = (pl.len(), pl.col("a").sum(), pl.col("n_drug").max(), pl.col("n_event").max())
    return sorted(cells.group_by(key).agg(*aggregates).drop(key).rows())


def test_background_and_margins_are_every_drugs_counts_in_each_population(study_run: tuple[StudyResult, Any]) -> None:
    # GIVEN the study's own compiled SQL (kept in out/sql), run again up to the background on the warehouse
    result, warehouse = study_run
    steps = STEPS[: STEPS.index("study_background") + 1]
    with connect(warehouse.db_path, read_only=True) as conn:
        for step in steps:
            run_step(conn, step, result.out_dir / "sql" / f"{step}.sql")
        reports = conn.sql("select primary_id, sex, age_group, seriousness from study_reports").pl()
        events = conn.sql("select primary_id, pt from study_events where pt is not null").pl()
        drugs = conn.sql(
            "select distinct primary_id, ingredient as drug from fct_case_drug_ingredient where role_cod = 'PS'"
        ).pl()
        margins = conn.sql("select * from study_margins").pl()
        background = conn.sql("select * from study_background").pl()
    # WHEN every population's counts are computed here, in polars, from the reports, their PTs and their drugs
    strata = ("sex", "age_group", "seriousness")
    populations = _populations(reports, strata)
    assert {(v, s) for v, s, _ in populations} == set(background.select("stratum_var", "stratum").unique().iter_rows())
    for stratum_var, stratum, population in populations:
        ids = population.select("primary_id")
        pop_events, pop_drugs = events.join(ids, on="primary_id"), drugs.join(ids, on="primary_id")
        n_event = pop_events.group_by("pt").len("n_event")
        n_drug = pop_drugs.group_by("drug").len("n_drug")
        cells = (
            pop_drugs.join(pop_events, on="primary_id")
            .group_by("drug", "pt")
            .len("a")
            .join(n_drug, on="drug")
            .join(n_event, on="pt")
        )
        # THEN study_margins holds each PT's reports and the population's size
        got_margins = margins.filter((pl.col("stratum_var") == stratum_var) & (pl.col("stratum") == stratum))
        assert got_margins.select("pt", "n_event", "n").sort("pt").rows() == [
            (pt, count, population.height) for pt, count in n_event.sort("pt").rows()
        ], (stratum_var, stratum)
        # and study_background every drug's cells with their margins (drugs and PTs are ids there: compared by
        # the cells' counts, and by each drug's and each PT's cells)
        got = background.filter((pl.col("stratum_var") == stratum_var) & (pl.col("stratum") == stratum))
        assert got["n"].unique().to_list() == [population.height]
        assert got["expected"].equals(got["n_drug"] * got["n_event"] / got["n"])
        columns = ("a", "n_drug", "n_event")
        assert sorted(got.select(columns).rows()) == sorted(cells.select(columns).rows()), (stratum_var, stratum)
        for key in ("drug", "pt"):
            assert _cells_by(got, key) == _cells_by(cells, key), (stratum_var, stratum, key)


def test_time_to_onset_median_is_the_planted_one(study_run: tuple[StudyResult, Any]) -> None:
    result, warehouse = study_run
    truth = warehouse.truth["tto"]["baclofen"]
    assert truth["roles"] == ["PS"]
    overall = table(result, "tto_summary").filter(pl.col("pt") == "ALL").row(0, named=True)
    assert (overall["n"], overall["median"]) == (truth["n"], truth["median_days"])
    onsets = table(result, "tto").unique("primary_id")
    by_route = onsets.group_by(pl.col("route").str.to_lowercase()).agg(pl.col("tto_days").median())
    assert dict(by_route.iter_rows()) == truth["by_route"]
    assert overall["q1"] <= overall["median"] <= overall["q3"]
    assert overall["weibull_shape_lower"] < overall["weibull_shape"] < overall["weibull_shape_upper"]
    assert overall["interpretation"] in ("early failure", "random failure", "wear-out")
    bins = table(result, "tto_bins").filter(pl.col("pt") == "ALL")
    labels = ["0-30", "31-60", "61-90", "91-120", "121-150", "151-180", "181-360", ">360"]
    assert bins["tto_bin"].to_list() == labels
    assert bins["n"].sum() == truth["n"]
    assert abs(bins["percent"].sum() - 100) < 1e-9
    # a PT gets its own Weibull fit from min_cases reports on
    few = table(result, "tto_summary").filter((pl.col("pt") != "ALL") & (pl.col("n") < 10))
    assert few["weibull_shape"].null_count() == few.height


def test_seriousness_and_characteristics(study_run: tuple[StudyResult, Any]) -> None:
    result, _ = study_run
    seriousness = table(result, "seriousness")
    signals = table(result, "signals")
    counts = dict(zip(signals["pt"], signals["a"], strict=True))
    tests_seen = set()
    for row in seriousness.iter_rows(named=True):
        assert row["serious"] + row["non_serious"] == counts[row["pt"]]
        assert row["serious_female"] + row["serious_male"] <= row["serious"]
        sf, nf, sm, nm = (row[k] for k in ("serious_female", "non_serious_female", "serious_male", "non_serious_male"))
        total = sf + nf + sm + nm
        margins = [(sf + nf) * (sf + sm), (sf + nf) * (nf + nm), (sm + nm) * (sf + sm), (sm + nm) * (nf + nm)]
        if min(margins) == 0:
            assert row["test"] is None and row["p_value"] is None
            continue
        # chi-square only when every expected count is >= 5, else Fisher's exact test
        assert row["test"] == ("fisher" if min(margins) / total < 5 else "chi2")
        assert 0 <= row["p_value"] <= 1
        tests_seen.add(row["test"])
    assert tests_seen == {"chi2", "fisher"}
    characteristics = table(result, "characteristics").filter(pl.col("population") == "all")
    sex = characteristics.filter(pl.col("variable") == "sex")
    assert sex["n"].sum() + sex["missing"][0] == result.n_reports
    assert abs(sex["percent"].sum() - 100) < 1e-9
    per_year = table(result, "reports_per_year").filter(pl.col("population") == "all")
    assert per_year["n"].sum() == result.n_reports


def _routes_by_rule(warehouse_db: Path, names: set[str], levels: tuple[str, ...]) -> dict[str, int]:
    """Reports per route level by analyses/study/README.md's rule, in plain polars: the study population (a PS
    drug row with a drug and a PT), a report's route the one route of its study-drug rows, else of its PS rows."""
    with duckdb.connect(str(warehouse_db), read_only=True) as conn:
        drugs = conn.sql(
            "select primary_id, drug, drug_name, prod_ai, route from fct_case_drug "
            "where role_cod = 'PS' and drug is not null"
        ).pl()
        with_pt = set(
            conn.sql("select distinct primary_id from fct_case_reaction where pt is not null").pl()["primary_id"]
        )
    routes: dict[int, set[str]] = {}
    study_routes: dict[int, set[str]] = {}
    for row in drugs.iter_rows(named=True):
        route = (row["route"] or "").strip().lower()
        is_study = bool(set(row["drug"].lower().split("\\")) & names) or any(
            (row[column] or "").strip().lower() in names for column in ("drug_name", "prod_ai")
        )
        for target in (routes, study_routes) if is_study else (routes,):
            target.setdefault(row["primary_id"], set()).update({route} - {""})
    counts: dict[str, int] = {}
    for primary_id, own in routes.items():
        if primary_id in with_pt:
            chosen = study_routes.get(primary_id, own)
            if len(chosen) == 1 and (route := next(iter(chosen))) in levels:
                counts[route] = counts.get(route, 0) + 1
    return counts


def test_route_strata_count_every_report_with_one_route(built_warehouse: Any, tmp_path: Path) -> None:
    # GIVEN a study with the route subgroups, on the synthetic warehouse where many drug rows lack prod_ai
    study_file = tmp_path / "route.yml"
    study_file.write_text(NO_SCOPE_STUDY + "subgroups: [route]\n")
    # WHEN it runs
    result = run_study(study_file, tmp_path / "out", built_warehouse.db_path)
    # THEN each route stratum's N is the number of population reports with that one route (a report whose rows
    # lack prod_ai counts too: the study-drug match is false for it, not NULL)
    strata = (
        table(result, "subgroup_signals")
        .filter(pl.col("stratum_var") == "route")
        .group_by("stratum")
        .agg((pl.col("a") + pl.col("b") + pl.col("c") + pl.col("d")).unique().alias("n"))
    )
    assert all(len(n) == 1 for n in strata["n"])
    got = {row["stratum"]: row["n"][0] for row in strata.iter_rows(named=True)}
    names = {"baclofen", "lioresal", "gablofen", "ozobax", "lyvispah", "fleqsuvy"}
    want = _routes_by_rule(built_warehouse.db_path, names, ("oral", "intrathecal"))
    assert set(got) == {"oral", "intrathecal"}
    assert got == want


def test_worked_example_runs_with_the_demo_hierarchy(built_warehouse: Any, tmp_path: Path) -> None:
    # studies/baclofen.yml: SOC Nervous system disorders, resolved through the demo seed hierarchy. In a
    # copy of the warehouse every 'Seizure' is reported as the legacy upper-case LLT 'CONVULSION': the
    # study resolves it back to its current PT.
    db_path = warehouse_file(tmp_path, "legacy_terms")
    shutil.copyfile(built_warehouse.db_path, db_path)
    with duckdb.connect(str(db_path)) as conn:
        conn.execute("update fct_case_reaction set pt = 'CONVULSION' where pt = 'Seizure'")
    result = run_study(PROJECT_DIR / "studies" / "baclofen.yml", tmp_path / "baclofen", db_path)
    truth = built_warehouse.truth["signals"]
    signals = table(result, "signals")
    in_scope = set(signals.filter(pl.col("in_scope"))["pt"])
    assert {"Somnolence", "Coma", "Seizure", "Encephalopathy", "Hypotonia"} <= in_scope
    assert "Drug withdrawal syndrome" not in in_scope  # primary SOC: General disorders
    assert "CONVULSION" not in set(signals["pt"])
    seizure = signals.filter(pl.col("pt") == "Seizure").row(0, named=True)
    assert seizure["a"] == truth["cells"]["baclofen"]["Seizure"]
    assert seizure["a"] + seizure["c"] == truth["event_reports"]["Seizure"]
    positive = set(table(result, "positive_all_four")["pt"])
    assert positive == set(truth["planted_positive"]) & in_scope
    assert set(table(result, "tto")["pt"]) <= in_scope
    assert json.loads((result.out_dir / "versions.json").read_text())["meddra"]["version"] == "demo"


def test_terms_resolved_to_one_pt_make_one_event_of_the_report(built_warehouse: Any, tmp_path: Path) -> None:
    # A report with both 'Seizure' and its former PT 'Convulsion' (even primary_ids) has one Seizure event once
    # the terms are resolved; a lone legacy 'CONVULSION' (odd ones) becomes Seizure; every other row stays.
    db_path = warehouse_file(tmp_path, "meeting_terms")
    shutil.copyfile(built_warehouse.db_path, db_path)
    with duckdb.connect(str(db_path)) as conn:
        conn.execute(
            "insert into fct_case_reaction select * replace ('Convulsion' as pt) from fct_case_reaction "
            "where pt = 'Seizure' and primary_id % 2 = 0"
        )
        conn.execute("update fct_case_reaction set pt = 'CONVULSION' where pt = 'Seizure' and primary_id % 2 = 1")
    result = run_study(PROJECT_DIR / "studies" / "baclofen.yml", tmp_path / "baclofen", db_path)
    truth = built_warehouse.truth["signals"]
    seizure = table(result, "signals").filter(pl.col("pt") == "Seizure").row(0, named=True)
    assert seizure["a"] == truth["cells"]["baclofen"]["Seizure"]
    assert seizure["a"] + seizure["c"] == truth["event_reports"]["Seizure"]
    # the step as it ran, against the plain grouping of every resolved row
    with duckdb.connect(str(db_path), read_only=True) as conn:
        events = conn.sql((result.out_dir / "sql" / "study_events.sql").read_text()).pl()
        expected = conn.sql(
            """
            with terms as (
                select lower(llt.llt_name) as term, min(pt.pt_name) as pt
                from meddra_demo.llt inner join meddra_demo.pt on llt.pt_code = pt.pt_code
                group by 1
            )
            select reactions.primary_id, coalesce(terms.pt, reactions.pt) as pt, min(reactions.pt) as reported_pt
            from fct_case_reaction as reactions
            left join terms on lower(reactions.pt) = terms.term
            where reactions.pt is not null
            group by all
            """
        ).pl()
    assert events.sort(events.columns).equals(expected.sort(expected.columns))
    met = events.filter((pl.col("pt") == "Seizure") & (pl.col("primary_id") % 2 == 0))
    assert met.height > 0 and set(met["reported_pt"]) == {"Convulsion"}


def test_soc_scope_without_hierarchy_is_an_error(built_warehouse: Any, tmp_path: Path) -> None:
    db_path = warehouse_file(tmp_path, "no_meddra")
    shutil.copyfile(built_warehouse.db_path, db_path)
    with duckdb.connect(str(db_path)) as conn:
        conn.execute("drop schema if exists meddra_demo cascade")
        conn.execute("drop schema if exists meddra cascade")
    with pytest.raises(StudyError):
        run_study(PROJECT_DIR / "studies" / "baclofen.yml", tmp_path / "out", db_path)
    assert not (tmp_path / "out" / "tables" / "signals.csv").exists()


def test_tto_mart_for_every_role_matches_the_planted_onsets(built_warehouse: Any, tmp_path: Path) -> None:
    # The tto mart follows var suspect_roles: rebuilt with every role it gives the truth's any-role onsets.
    db_path = warehouse_file(tmp_path, "all_roles")
    shutil.copyfile(built_warehouse.db_path, db_path)
    roles = ["PS", "SS", "C", "I"]
    run_dbt(["run", "--select", "tto", "--quiet"], db_path=db_path, dbt_vars={"suspect_roles": roles})
    truth = built_warehouse.truth["tto"]["baclofen"]["any_role"]
    with duckdb.connect(str(db_path), read_only=True) as conn:
        n, median = conn.execute(
            "select count(*), quantile_cont(tto_days, 0.5) from tto where drug = 'baclofen'"
        ).fetchall()[0]
        by_route = conn.execute(
            "select lower(route), quantile_cont(tto_days, 0.5) from tto where drug = 'baclofen' group by 1"
        ).fetchall()
        assert tto_roles_problem(conn, ("PS",)) is not None
        assert tto_roles_problem(conn, ("I", "C", "SS", "PS")) is None
    assert (n, median) == (truth["n"], truth["median_days"])
    assert dict(by_route) == truth["by_route"]


def test_study_roles_must_match_the_tto_mart(built_warehouse: Any, tmp_path: Path) -> None:
    study_file = tmp_path / "study.yml"
    study_file.write_text(NO_SCOPE_STUDY.replace("suspect_roles: [PS]", "suspect_roles: [PS, SS]"))
    with pytest.raises(StudyError):
        run_study(study_file, tmp_path / "out", built_warehouse.db_path)


def test_drug_names_lists_every_raw_name_of_the_study_drug(study_run: tuple[StudyResult, Any]) -> None:
    from faers.drugs import COLUMNS

    result, warehouse = study_run
    names = table(result, "drug_names")
    assert names.columns == list(COLUMNS)
    mapped = names.filter(pl.col("kind") == "mapped")
    with duckdb.connect(str(warehouse.db_path), read_only=True) as conn:
        expected = conn.execute(
            "select drug_name, ingredient, mapping_source, reports from main.drug_name_audit "
            "where list_contains(string_split(ingredient, '\\'), 'baclofen')"
        ).fetchall()
    assert expected
    assert sorted(mapped.select("drug_name", "ingredient", "mapping_source", "reports").rows()) == sorted(expected)
