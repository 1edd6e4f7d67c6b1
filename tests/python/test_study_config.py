"""The study file: the worked example validates; unknown keys and bad values name file:line: key."""

from __future__ import annotations

from pathlib import Path

import pytest

from faers.study.config import StudyFileError, load_study, parse_study
from loaders.paths import PROJECT_DIR

MINIMAL = """\
name: Test study
drug:
  generic: Baclofen
  brands: [Lioresal, GABLOFEN, baclofen]
period: {first: 2004q1, last: 2024Q3}
"""


def test_worked_example_is_valid() -> None:
    study = load_study(PROJECT_DIR / "studies" / "baclofen.yml")
    assert study.generic == "baclofen"
    assert study.scope.soc == ("Nervous system disorders",)
    assert (study.first_quarter, study.last_quarter) == ("2004Q1", "2024Q3")
    assert study.suspect_roles == ("PS",)
    assert study.subgroups == ("sex", "age_group", "seriousness")
    assert study.tables.top_ror == 5


def test_defaults_and_drug_names(tmp_path: Path) -> None:
    study = parse_study(MINIMAL, tmp_path / "s.yml")
    # generic first, lower case, duplicates dropped
    assert study.drug_names == ("baclofen", "lioresal", "gablofen")
    assert study.first_quarter == "2004Q1"
    assert study.scope.is_empty
    assert study.thresholds.min_reports == 3 and study.thresholds.eb05 == 2.0
    assert study.formula.chi2_yates is None and study.formula.ic_variant is None
    assert study.formula.mgps_likelihood is None and study.formula.mgps_prior is None
    assert (study.meddra.hierarchy, study.meddra.soc_membership) == ("licensed", "primary")
    assert study.subgroups == ("sex", "age_group", "seriousness")


def test_formula_meddra_and_strata_settings(tmp_path: Path) -> None:
    study = parse_study(
        MINIMAL + "formula: {ebgm_variant: table2, table2_eb_z: 1.96, mgps_likelihood: truncated,"
        " mgps_prior: [0.2, 0.1, 2, 4, 0.3]}\n"
        + "meddra: demo\nsubgroups: [route, reporter]\nstrata: {route: [Oral, intrathecal]}\n",
        tmp_path / "s.yml",
    )
    assert study.formula.ebgm_variant == "table2" and study.formula.table2_eb_z == 1.96
    assert study.formula.mgps_likelihood == "truncated"
    assert study.formula.mgps_prior == (0.2, 0.1, 2.0, 4.0, 0.3)
    assert study.meddra.hierarchy == "demo" and study.meddra.soc_membership == "primary"
    assert study.subgroups == ("route", "reporter") and study.strata.route == ("oral", "intrathecal")
    study = parse_study(MINIMAL + "meddra: {soc_membership: all}\n", tmp_path / "s.yml")
    assert (study.meddra.hierarchy, study.meddra.soc_membership) == ("licensed", "all")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("colour: red\n", r"s\.yml:6: colour: unknown key"),
        ("scope:\n  smq: [x]\n", r"s\.yml:7: scope\.smq: unknown key"),
        ("thresholds:\n  eb05: high\n", r"s\.yml:7: thresholds\.eb05: expected a number"),
        ("thresholds:\n  min_reports: 2.5\n", r"thresholds\.min_reports: expected an integer"),
        ("suspect_roles: [PS, XX]\n", r"s\.yml:6: suspect_roles: unknown role code"),
        ("subgroups: [sex, race]\n", r"subgroups: unknown subgroup"),
        ("formula:\n  chi2_yates: maybe\n", r"formula\.chi2_yates: expected true or false"),
        ("formula:\n  ic_variant: exact\n", r"formula\.ic_variant: got 'exact'; allowed"),
        ("scope:\n  soc: 3\n", r"scope\.soc: expected a list of non-empty strings"),
        ("tto:\n  min_cases: 1\n", r"tto\.min_cases: expected an integer >= 2"),
        ("formula:\n  ebgm_variant: bayes\n", r"formula\.ebgm_variant: got 'bayes'; allowed"),
        ("formula:\n  mgps_likelihood: partial\n", r"formula\.mgps_likelihood: got 'partial'"),
        ("formula:\n  mgps_prior: [1, 2, 3]\n", r"s\.yml:7: formula\.mgps_prior: expected \[alpha1"),
        ("formula:\n  mgps_prior: [1, 2, 3, 4, 1.5]\n", r"formula\.mgps_prior: .*p < 1"),
        ("meddra: licenced\n", r"s\.yml:6: meddra: got 'licenced'; allowed"),
        ("meddra:\n  soc_membership: some\n", r"s\.yml:7: meddra\.soc_membership: got 'some'"),
        ("strata:\n  route: 5\n", r"strata\.route: expected a list of non-empty strings"),
    ],
)
def test_bad_keys_and_values_name_file_line_and_key(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(StudyFileError, match=message):
        parse_study(MINIMAL + extra, tmp_path / "s.yml")


def test_bad_period_and_missing_keys(tmp_path: Path) -> None:
    with pytest.raises(StudyFileError, match=r"period\.first: expected a quarter such as 2004Q1, got"):
        parse_study(MINIMAL.replace("2004q1", "2004Q5"), tmp_path / "s.yml")
    with pytest.raises(StudyFileError, match="first quarter 2025Q1 is after last quarter 2024Q3"):
        parse_study(MINIMAL.replace("2004q1", "2025Q1"), tmp_path / "s.yml")
    with pytest.raises(StudyFileError, match=r"drug\.generic: required key is missing"):
        parse_study(MINIMAL.replace("  generic: Baclofen\n", ""), tmp_path / "s.yml")
    with pytest.raises(StudyFileError, match=r"s\.yml:2: not valid YAML"):
        parse_study("name: x\n  - broken: [\n", tmp_path / "s.yml")
    with pytest.raises(StudyFileError, match="cannot read the study file"):
        load_study(tmp_path / "missing.yml")


def test_cli_reports_a_bad_study_file_without_a_traceback(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from faers.cli import app

    study_file = tmp_path / "s.yml"
    study_file.write_text(MINIMAL + "colour: red\n")
    result = CliRunner().invoke(app, ["study", str(study_file), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "s.yml:6: colour: unknown key" in " ".join(result.output.split())
    assert not (tmp_path / "out").exists()


def test_drug_unit_reaches_the_study_vars(tmp_path: Path) -> None:
    from faers.study.run import study_vars
    from faers.study.scope import ResolvedScope

    scope = ResolvedScope(pts=(), matches=(), hierarchy=None, version=None)
    assert parse_study(MINIMAL, tmp_path / "s.yml").drug_unit is None
    assert study_vars(parse_study(MINIMAL, tmp_path / "s.yml"), scope)["drug_unit"] == "ingredient"  # the project's
    study = parse_study(MINIMAL + "drug_unit: product\n", tmp_path / "s.yml")
    assert study_vars(study, scope)["drug_unit"] == "product"
    with pytest.raises(StudyFileError, match=r"s\.yml:6: drug_unit: got 'brand'; allowed"):
        parse_study(MINIMAL + "drug_unit: brand\n", tmp_path / "s.yml")


def test_the_study_sets_every_signals_var_and_the_build_the_warehouse_vars(tmp_path: Path) -> None:
    # a study file means the same on every warehouse: the study sets every var of the signals and study scope blocks
    # of dbt_project.yml (its file's value or the project's, never the build's); the build's vars decide the rows of
    # the marts, which a past window rebuilds (study_asof_*), so the build's value of those wins
    from faers.study.run import project_vars, study_vars
    from faers.study.scope import ResolvedScope

    scope = ResolvedScope(pts=(), matches=(), hierarchy=None, version=None)
    study = parse_study(MINIMAL, tmp_path / "s.yml")
    warehouse_block = {
        "faers_min_date", "faers_max_date", "max_age_years", "max_weight_kg", "serious_outcome_codes",
        "incremental_staging", "drug_keep_salts", "drug_learned_min_support", "drug_learned_min_agreement",
        "drug_dictionary_min_agreement", "as_of_quarter", "explorer",
    }  # fmt: skip
    assert set(project_vars()) - set(study_vars(study, scope)) == warehouse_block
    built = {name: project_vars()[name] for name in project_vars()} | {
        "serious_outcome_codes": ["DE", "OT"],
        "z_975": 2.5758293035489,
        "drug_unit": "product",
        "ror_min_a": 9,
    }
    dbt_vars = study_vars(study, scope, built=built)
    assert dbt_vars["serious_outcome_codes"] == ["DE", "OT"]  # the build's
    assert dbt_vars["z_975"] == project_vars()["z_975"] and dbt_vars["drug_unit"] == "ingredient"  # the project's
    assert dbt_vars["ror_min_a"] == study.thresholds.min_reports  # the study file's (its default)
