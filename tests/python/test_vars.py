"""Every var reaches what reads it, through the user's paths, and a bad value stops the run with one line.

The session's warehouse (conftest ``built_warehouse``, default vars) is copied, then only the models a var
acts on are rebuilt with non-default values (``dbt run --select ...`` through faers.dbt.run_dbt, the
``faers build --vars`` command, a ``faers study`` file), and each effect is asserted in the built tables
against an independent computation. Several vars share one run where their effects are independent.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import polars as pl
import pytest
import yaml
from scipy import special
from typer.testing import CliRunner

from faers import mgps
from faers.dbt import DbtError, parsed_manifest, run_dbt
from faers.vars import built_suspect_roles, parse_vars_option, var_rules

pytestmark = pytest.mark.slow

LN2 = np.log(2.0)
GIVEN_PRIOR = [4.34517277063726, 5.06144832983206, 0.0172037774096705, 0.0581314932419083, 0.889136856024814]

# Run A: the MGPS likelihood (Python model), chi-square, the IC variant with its z, and every threshold.
VARS_A: dict[str, Any] = {
    "mgps_likelihood": "truncated",
    "chi2_yates": False,
    "ic_variant": "bate",
    "z_975": 2.2,
    "ror_min_a": 4,
    "ror_lower_threshold": 1.5,
    "prr_min_a": 5,
    "prr_threshold": 2.5,
    "prr_chi2_threshold": 6,
    "ic025_threshold": -0.5,
    "eb05_threshold": 6.0,  # the sample's EB05 signals lie between 4.3 and 18.4
}
# Run B: the cells' drug roles, a given prior (Python model), the other IC variant, the Table 2 EBGM and its z.
VARS_B: dict[str, Any] = {
    "suspect_roles": ["PS", "SS"],
    "mgps_prior": GIVEN_PRIOR,
    "ic_variant": "gould",
    "ebgm_variant": "table2",
    "table2_eb_z": 1.0,
}


@dataclass(frozen=True)
class Variant:
    """A copy of the session warehouse after a rebuild with ``dbt_vars``; ``base`` is the untouched one."""

    db_path: Path
    base: Path
    dbt_vars: dict[str, Any]


def _copy(source: Path, folder: Path) -> Path:
    target = folder / "warehouse.duckdb"
    shutil.copyfile(source, target)
    return target


def _read(db_path: Path, query: str, params: list[Any] | None = None) -> pl.DataFrame:
    with duckdb.connect(str(db_path), read_only=True) as conn:
        return conn.sql(query, params=params or []).pl()


def _columns(frame: pl.DataFrame, *names: str) -> list[np.ndarray]:
    return [frame[name].cast(pl.Float64).to_numpy() for name in names]


def _close(got: pl.Series, expected: np.ndarray, rtol: float = 1e-12) -> None:
    """Equal within ``rtol`` where defined, NULL exactly where the expected value is not finite."""
    values = got.cast(pl.Float64).fill_null(np.nan).to_numpy()
    defined = np.isfinite(expected)
    assert np.array_equal(np.isnan(values), ~defined), got.name
    np.testing.assert_allclose(values[defined], expected[defined], rtol=rtol, atol=1e-15, err_msg=got.name)


@pytest.fixture(scope="module")
def run_a(built_warehouse: Any, tmp_path_factory: pytest.TempPathFactory) -> Variant:
    db_path = _copy(built_warehouse.db_path, tmp_path_factory.mktemp("vars_a"))
    run_dbt(["run", "--select", "mgps_prior_fit mgps_prior signals", "--quiet"], db_path=db_path, dbt_vars=VARS_A)
    return Variant(db_path, built_warehouse.db_path, VARS_A)


@pytest.fixture(scope="module")
def run_b(built_warehouse: Any, tmp_path_factory: pytest.TempPathFactory) -> Variant:
    db_path = _copy(built_warehouse.db_path, tmp_path_factory.mktemp("vars_b"))
    run_dbt(
        ["run", "--select", "drug_event_cells tto mgps_prior_fit mgps_prior signals", "--quiet"],
        db_path=db_path,
        dbt_vars=VARS_B,
    )
    return Variant(db_path, built_warehouse.db_path, VARS_B)


# ------------------------------------------------------------------------------------- Python model vars


def test_mgps_likelihood_reaches_the_prior_fit(run_a: Variant) -> None:
    prior = _read(run_a.db_path, "select * from main.mgps_prior").row(0, named=True)
    base = _read(run_a.base, "select likelihood, neg_log_likelihood from main.mgps_prior").row(0, named=True)
    with duckdb.connect(str(run_a.db_path), read_only=True) as conn:
        cells = conn.sql("select drug, pt, a, expected, n_drug, n_event, n from main.drug_event_cells")
        fit = mgps.fit_from_relation(cells, likelihood="truncated")
    assert (prior["likelihood"], prior["n_zero_cells"], prior["fixed"]) == ("truncated", 0, False)
    assert base["likelihood"] == "full"
    assert prior["neg_log_likelihood"] == pytest.approx(fit.neg_log_likelihood, rel=1e-12)
    assert prior["neg_log_likelihood"] != pytest.approx(base["neg_log_likelihood"], rel=1e-3)
    values = [prior[k] for k in ("alpha1", "beta1", "alpha2", "beta2", "p")]
    np.testing.assert_allclose(values, fit.prior.as_array(), rtol=1e-12)


def test_the_signals_use_the_truncated_prior(run_a: Variant) -> None:
    row = _read(run_a.db_path, "select alpha1, beta1, alpha2, beta2, p, is_usable from main.mgps_prior").row(0)
    assert row[5], "the truncated fit on the sample must be usable for this test"
    prior = mgps.Prior(*row[:5])
    signals = _read(run_a.db_path, "select a, expected, ebgm, eb05 from main.signals")
    a, e = _columns(signals, "a", "expected")
    _close(signals["ebgm"], mgps.ebgm(a, e, prior), 1e-9)
    _close(signals["eb05"], mgps.posterior_quantile(0.05, a, e, prior), 1e-8)


def test_mgps_prior_var_skips_the_fit(run_b: Variant) -> None:
    prior = _read(run_b.db_path, "select * from main.mgps_prior").row(0, named=True)
    assert (prior["likelihood"], prior["fixed"], prior["is_usable"]) == ("fixed", True, True)
    assert [prior[k] for k in ("alpha1", "beta1", "alpha2", "beta2", "p")] == GIVEN_PRIOR


def test_every_config_key_a_python_model_reads_is_one_dbt_passes_it(built_warehouse: Any) -> None:
    # dbt hands a Python model only the keys it found as dbt.config.get("<literal>") calls when parsing
    # (it skips calls inside `or`/`if` expressions: how var mgps_likelihood was lost); each must also be set
    # in the model's YAML config, where the var is rendered.
    manifest = parsed_manifest(built_warehouse.db_path, {"explorer": True})  # as manifest.json has it
    nodes = [node.to_dict(omit_none=True) for node in manifest.nodes.values()]
    models = [n for n in nodes if n["resource_type"] == "model" and n["language"] == "python"]
    assert models
    for node in models:
        read = set(re.findall(r"""dbt\.config\.get\(\s*["'](\w+)["']""", node["raw_code"]))
        assert set(node["config"].get("config_keys_used") or ()) == read, node["name"]  # absent: reads no key
        assert all(key in node["config"] for key in read), node["name"]


# ---------------------------------------------------------------------------------------- signals vars


def test_chi2_without_yates_and_z_975_reach_the_statistics(run_a: Variant) -> None:
    signals = _read(run_a.db_path, "select * from main.signals order by drug, pt")
    base = _read(run_a.base, "select chi2, ror_lower from main.signals order by drug, pt")
    a, b, c, d = _columns(signals, "a", "b", "c", "d")
    n = a + b + c + d
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = n * (a * d - b * c) ** 2 / ((a + b) * (c + d) * (a + c) * (b + d))
        ror = np.where(b * c > 0, a * d / (b * c), np.nan)
        ror_lower = np.exp(np.log(ror) - 2.2 * np.sqrt(1 / a + 1 / b + 1 / c + 1 / d))
    _close(signals["chi2"], pearson)
    _close(signals["ror_lower"], ror_lower)
    assert (signals["chi2"] > base["chi2"]).sum() > 0  # Yates' correction only ever lowers it
    assert (signals["ror_lower"] < base["ror_lower"]).sum() > 0


def test_ic_variant_bate_with_z_975(run_a: Variant) -> None:
    signals = _read(run_a.db_path, "select a, b, c, d, ic, ic025, ic975 from main.signals")
    a, b, c, d = _columns(signals, "a", "b", "c", "d")
    n, ci, cj = a + b + c + d, a + b, a + c
    g = (n + 2) ** 2 / ((ci + 1) * (cj + 1))
    mean = np.log2((a + 1) * (n + 2) ** 2 / ((n + g) * (ci + 1) * (cj + 1)))
    variance = (
        (n - a + g - 1) / ((a + 1) * (1 + n + g))
        + (n - ci + 1) / ((ci + 1) * (3 + n))
        + (n - cj + 1) / ((cj + 1) * (3 + n))
    ) / LN2**2
    _close(signals["ic"], mean, 1e-10)
    _close(signals["ic025"], mean - 2.2 * np.sqrt(variance), 1e-10)
    _close(signals["ic975"], mean + 2.2 * np.sqrt(variance), 1e-10)


def test_ic_variant_gould(run_b: Variant) -> None:
    signals = _read(run_b.db_path, "select a, b, c, d, ic, ic025 from main.signals")
    a, b, c, d = _columns(signals, "a", "b", "c", "d")
    n = a + b + c + d
    p1, p2, q1, q2, r1 = 1 + a + b, 1 + n - a - b, 1 + a + c, 1 + n - a - c, 1 + a
    r2 = n - a - 1 + (2 + n) ** 2 / (q1 * p1)
    psi, tri = special.digamma, lambda x: special.polygamma(1, x)
    mean = (psi(r1) - psi(r1 + r2) - (psi(p1) - psi(p1 + p2) + psi(q1) - psi(q1 + q2))) / LN2
    variance = (tri(r1) - tri(r1 + r2) + tri(p1) - tri(p1 + p2) + tri(q1) - tri(q1 + q2)) / LN2**2
    _close(signals["ic"], mean, 1e-9)
    _close(signals["ic025"], mean - 1.959963984540054 * np.sqrt(variance), 1e-9)


def test_ebgm_variant_table2_with_its_z(run_b: Variant) -> None:
    signals = _read(run_b.db_path, "select a, b, c, d, expected, ebgm, eb05, eb95 from main.signals")
    a, b, c, d, e = _columns(signals, "a", "b", "c", "d", "expected")
    se = np.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    with np.errstate(divide="ignore"):
        _close(signals["ebgm"], a / e)
        _close(signals["eb05"], np.exp(np.log(a / e) - 1.0 * se))
        _close(signals["eb95"], np.exp(np.log(a / e) + 1.0 * se))


def test_flags_follow_every_threshold(run_a: Variant) -> None:
    signals = _read(run_a.db_path, "select * from main.signals order by drug, pt").with_columns(
        pl.col(pl.Float64).fill_nan(None)
    )
    base = _read(run_a.base, "select * from main.signals order by drug, pt")
    t = run_a.dbt_vars
    expected = signals.select(
        ror=((pl.col("a") >= t["ror_min_a"]) & (pl.col("ror_lower") > t["ror_lower_threshold"])).fill_null(False),
        prr=(
            (pl.col("a") >= t["prr_min_a"])
            & (pl.col("prr") >= t["prr_threshold"])
            & (pl.col("chi2") >= t["prr_chi2_threshold"])
        ).fill_null(False),
        ic=(pl.col("ic025") > t["ic025_threshold"]).fill_null(False),
        ebgm=(pl.col("eb05") >= t["eb05_threshold"]).fill_null(False),
    )
    for method in ("ror", "prr", "ic", "ebgm"):
        flags = signals[f"{method}_signal"]
        assert (flags == expected[method]).all(), method
        assert (flags != base[f"{method}_signal"]).any(), f"{method}: the thresholds changed no flag"
    n_methods = sum(expected[m].cast(pl.Int32) for m in ("ror", "prr", "ic", "ebgm"))
    assert (signals["n_methods"] == n_methods).all()


def test_suspect_roles_reach_the_cells_and_are_recorded(run_b: Variant) -> None:
    recount = """
        with drugs as (
            select distinct primary_id, drug from main.fct_case_drug
            where role_cod in ('PS', 'SS') and drug is not null
        ),
        events as (select distinct primary_id, pt from main.fct_case_reaction where pt is not null),
        counted as (select distinct primary_id from drugs intersect select distinct primary_id from events)
        select drug, pt, count(*) as a, (select count(*) from counted) as n
        from drugs inner join events using (primary_id)
        group by all order by drug, pt
    """
    cells = _read(run_b.db_path, "select drug, pt, a, n from main.drug_event_cells order by drug, pt")
    expected = _read(run_b.db_path, recount)
    assert cells.equals(expected.cast(cells.schema))  # type: ignore[arg-type]
    base_n = _read(run_b.base, "select max(n) as n from main.drug_event_cells")["n"][0]
    assert cells["n"][0] > base_n
    with duckdb.connect(str(run_b.db_path), read_only=True) as conn:
        assert built_suspect_roles(conn, "drug_event_cells") == ["PS", "SS"]
    with duckdb.connect(str(run_b.base), read_only=True) as conn:
        assert built_suspect_roles(conn, "drug_event_cells") == ["PS"]
        assert built_suspect_roles(conn, "tto") == ["PS"]


def test_the_report_counts_with_the_roles_of_the_build(run_b: Variant) -> None:
    from faers.report.data import load_marts

    query = """
        select count(*) as n from main.dim_case
        where report_year is not null and primary_id in (
            select primary_id from main.fct_case_drug where drug = 'baclofen' and list_contains(?, role_cod)
        )
    """
    with_ss, ps_only = (_read(run_b.db_path, query, [roles])["n"][0] for roles in (["PS", "SS"], ["PS"]))
    assert with_ss > ps_only  # else this test could not tell the roles apart

    def reports(db_path: Path) -> int:
        per_year = load_marts(db_path, "baclofen").reports_per_year
        return per_year.filter(per_year["population"] == "all")["n"].sum()

    assert reports(run_b.db_path) == with_ss
    assert reports(run_b.base) == ps_only


# ------------------------------------------------------------------------------------ the faers commands


def test_faers_build_vars_reach_the_python_model(run_a: Variant, tmp_path: Path) -> None:
    from faers.cli import app

    db_path = _copy(run_a.base, tmp_path)
    result = CliRunner().invoke(
        app,
        [
            "build",
            "--db",
            str(db_path),
            "--select",
            "mgps_prior_fit mgps_prior",
            "--vars",
            "{mgps_likelihood: truncated}",
        ],
    )
    assert result.exit_code == 0, result.output
    built = _read(db_path, "select likelihood, neg_log_likelihood from main.mgps_prior").row(0)
    expected = _read(run_a.db_path, "select likelihood, neg_log_likelihood from main.mgps_prior").row(0)
    assert built == expected


def test_faers_build_refuses_malformed_vars_in_one_line(tmp_path: Path) -> None:
    from faers.cli import app

    for text in ("[chi2_yates]", "{chi2_yates: [", "just text"):
        result = CliRunner().invoke(app, ["build", "--db", str(tmp_path / "w.duckdb"), "--vars", text])
        assert result.exit_code == 2, text
        output = result.output.strip()
        assert output.startswith("faers build: --vars:") and "\n" not in output, result.output
    assert parse_vars_option(" {a: 1, b: [x]} ") == {"a": 1, "b": ["x"]}
    assert parse_vars_option(None) == {}


def test_faers_study_formula_key_reaches_the_study_signals(built_warehouse: Any, tmp_path: Path) -> None:
    from faers.study.run import run_study

    study_file = tmp_path / "study.yml"
    study_file.write_text(
        "name: Baclofen without Yates\n"
        "drug: {generic: baclofen}\n"
        "period: {first: 2004Q1, last: 2026Q4}\n"
        "subgroups: [sex]\n"
        "thresholds: {chi2: 3.5}\n"
        "formula: {chi2_yates: false}\n"
    )
    result = run_study(study_file, tmp_path / "out", built_warehouse.db_path)
    signals = pl.read_parquet(result.out_dir / "tables" / "signals.parquet")
    a, b, c, d = _columns(signals, "a", "b", "c", "d")
    n = a + b + c + d
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = n * (a * d - b * c) ** 2 / ((a + b) * (c + d) * (a + c) * (b + d))
        yates = n * np.maximum(np.abs(a * d - b * c) - n / 2, 0) ** 2 / ((a + b) * (c + d) * (a + c) * (b + d))
    _close(signals["chi2"], pearson)
    assert (np.abs(pearson - yates) > 1e-6 * np.abs(pearson))[np.isfinite(pearson)].any()
    prr_expected = (
        (signals["a"] >= 3) & (signals["prr"].fill_nan(None) >= 2) & (signals["chi2"].fill_nan(None) >= 3.5)
    ).fill_null(False)
    assert (signals["prr_signal"] == prr_expected).all()


# --------------------------------------------------------------------------------------------- validation


def _dbt_error(db_path: Path, dbt_vars: dict[str, Any]) -> str:
    with pytest.raises(DbtError) as caught:
        run_dbt(["build", "--select", "mgps_prior_fit mgps_prior"], db_path=db_path, dbt_vars=dbt_vars)
    return str(caught.value)


def test_every_bad_value_is_named_with_its_allowed_values_in_one_line(built_warehouse: Any, tmp_path: Path) -> None:
    db_path = _copy(built_warehouse.db_path, tmp_path)
    bad = {
        "ic_variant": "noren2",
        "ebgm_variant": "bayes",
        "mgps_likelihood": "zero_truncated",
        "chi2_yates": "yes",
        "ror_lower_threshold": -1,
        "prr_min_a": 2.5,
        "eb05_threshold": "2",
        "mgps_prior": [1.0, 2.0, 3.0],
        "suspect_roles": ["PS", "XX"],
        "z_975": 0,
        "serious_outcome_codes": [],
        "faers_min_date": "1901-13-01",
        "incremental_staging": "false",
        "as_of_quarter": "2019Q5",
    }
    message = _dbt_error(db_path, bad)
    lines = [line.strip() for line in message.splitlines() if line.strip().startswith("var ")]
    assert len(lines) == 1, message  # every problem on one line
    expected = {
        "ic_variant": 'expected one of noren, noren_approx, bate, gould, table2, got "noren2"',
        "ebgm_variant": 'expected one of mgps, table2, got "bayes"',
        "mgps_likelihood": 'expected one of full, truncated, got "zero_truncated"',
        "chi2_yates": 'expected true or false, got "yes"',
        "ror_lower_threshold": "expected a number >= 0, got -1",
        "prr_min_a": "expected an integer >= 1, got 2.5",
        "eb05_threshold": 'expected a number >= 0, got "2"',
        "mgps_prior": "expected null or [alpha1, beta1, alpha2, beta2, p] with shapes and rates > 0 and 0 < p < 1, "
        "got [1.0, 2.0, 3.0]",
        "suspect_roles": 'expected a non-empty list of PS, SS, C, I, DN, got ["PS", "XX"]',
        "z_975": "expected a number > 0, got 0",
        "serious_outcome_codes": "expected a non-empty list of DE, LT, HO, DS, CA, RI, OT, got []",
        "faers_min_date": "expected a date 'YYYY-MM-DD', got \"1901-13-01\"",
        "incremental_staging": 'expected true or false, got "false"',
        "as_of_quarter": "expected null or a quarter 'YYYYQn', got \"2019Q5\"",
    }
    problems = lines[0].split("; ")
    assert sorted(problems) == sorted(f"var {name}: {text}" for name, text in expected.items())
    # nothing ran: the prior is the session build's
    assert _read(db_path, "select likelihood from main.mgps_prior")["likelihood"][0] == "full"


def test_a_prior_with_a_non_positive_value_or_p_out_of_range_is_refused(built_warehouse: Any, tmp_path: Path) -> None:
    db_path = _copy(built_warehouse.db_path, tmp_path)
    prior = [1.0, -2.0, 3.0, 4.0, 1.5]
    message = _dbt_error(db_path, {"mgps_prior": prior})
    expected = (
        "var mgps_prior: expected null or [alpha1, beta1, alpha2, beta2, p] with shapes and rates > 0 and "
        f"0 < p < 1, got {prior}"
    )
    assert expected in [line.strip() for line in message.splitlines()], message


def test_the_rules_are_one_definition_for_dbt_and_python() -> None:
    from loaders.paths import PROJECT_DIR

    rules = var_rules()
    project = (PROJECT_DIR / "dbt_project.yml").read_text()
    project_vars = yaml.safe_load(project)["vars"]
    assert set(rules) == {name for name in project_vars if not name.startswith("study_")}
    for name, rule in rules.items():  # dbt_project.yml's comment lists the allowed values
        if rule["kind"] in ("one_of", "list_of"):
            assert " | ".join(rule["values"]) in project or ", ".join(rule["values"]) in project, name


def test_faers_update_passes_its_vars_to_the_build(tmp_path: Path) -> None:
    from test_download_server import FaersServer

    from faers.cli import app
    from faers.sample import generate
    from loaders.quarters import Quarter

    quarter = Quarter(2019, 1)
    generate(tmp_path / "sample", quarters=[str(quarter)], n_cases=100, seed=11)
    folder, db = tmp_path / "downloads", tmp_path / "w.duckdb"
    with FaersServer() as server:
        server.serve(quarter.zip_name, (tmp_path / "sample" / quarter.zip_name).read_bytes())
        args = ["--dir", str(folder), "--base-url", server.base_url, "--db", str(db), "--from", "2019Q1"]
        result = CliRunner().invoke(app, ["update", *args, "--vars", "{ic_variant: noren2}"])
    # the quarter is loaded, then its build stops on the var before any model runs, and is marked failed
    assert result.exit_code != 0
    said = f"{result.output}\n{result.exception}"
    assert 'var ic_variant: expected one of noren, noren_approx, bate, gould, table2, got "noren2"' in said, said
    with duckdb.connect(str(db), read_only=True) as conn:
        assert conn.execute("select status from history.builds").fetchall() == [("failed",)]
        assert conn.execute("select count(*) from duckdb_tables() where table_name = 'signals'").fetchone() == (0,)
