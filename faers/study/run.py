"""``faers study FILE --out DIR``: every table of the study (CSV and Parquet), the report, and what was used.

Steps: validate the study file -> resolve the MedDRA scope -> ``dbt compile`` analyses/study with the
study's vars -> run the compiled SQL step by step on one DuckDB connection (temp tables) -> the Python
steps in between (per-stratum MGPS priors, p-values, Fisher/chi-square, Weibull) -> write
``DIR/tables/<name>.csv|.parquet``, ``DIR/study.yml``, ``DIR/versions.json``, ``DIR/timings.json`` (seconds per step)
-> the HTML report (written by the ``report`` callback that the CLI passes).
"""

from __future__ import annotations

import json
import platform
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import yaml
from rich.console import Console
from rich.progress import Progress

from faers.atomic import staged_dir
from faers.builds import built_vars, require_complete_build
from faers.dbt import DbtError
from faers.drugs import DrugsError, drug_names
from faers.errors import FaersError
from faers.study import priors_cache, sql, stats
from faers.study.config import StudyConfig, load_study
from faers.study.scope import ResolvedScope, ScopeError, resolve_scope
from faers.timing import timed
from faers.udfs import connect
from faers.vars import built_suspect_roles
from loaders.paths import PROJECT_DIR, warehouse_path

SIGNAL_COLUMNS = (
    "pt", "a", "b", "c", "d", "expected", "ror", "ror_lower", "ror_upper", "prr", "prr_lower", "prr_upper",
    "chi2", "ic", "ic025", "ic975", "ebgm", "eb05", "eb95", "ror_mh", "ror_mh_lower", "ror_mh_upper",
)  # fmt: skip
FLAG_COLUMNS = (
    "ror_signal", "prr_signal", "ic_signal", "ebgm_signal", "n_methods", "positive_all", "in_scope",
    "n_as_indication", "indication_bias",
)  # fmt: skip
TTO_SUMMARY_COLUMNS = (
    "pt", "n", "median", "q1", "q3", "weibull_shape", "weibull_shape_lower", "weibull_shape_upper",
    "weibull_scale", "weibull_scale_lower", "weibull_scale_upper", "interpretation",
)  # fmt: skip
STUDY_MARTS = ("dim_case", "fct_case_drug", "fct_case_reaction", "fct_case_outcome", "fct_case_indication", "tto")
"""The marts the study SQL (analyses/study) reads."""
CHARACTERISTIC_ORDER = (
    "sex", "age_group", "weight_band", "reporter_country", "occp_cod", "outcome", "indication",
)  # fmt: skip


PRIORS_FROM = {
    "fitted": "MGPS priors fitted",
    "cache": "MGPS priors and margins from the priors cache",
    "fixed": "the study file's MGPS prior",
}
"""The one-line summary's words for StudyResult.priors_from."""


class StudyError(FaersError):
    """A study that cannot run on this warehouse (bad scope, roles the tto mart lacks, no warehouse)."""

    def __init__(self, message: str, *, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class StudyResult:
    """What a study run wrote, and the headline numbers (also in the one-line summary)."""

    out_dir: Path
    tables: dict[str, Path] = field(default_factory=dict)
    report_path: Path | None = None  # set once the report is written
    n_reports: int = 0
    n_scope_reports: int = 0
    n_positive_all: int = 0
    scope: ResolvedScope | None = None
    step_seconds: dict[str, float] = field(default_factory=dict)  # written to timings.json
    priors_from: str = ""  # where the MGPS priors came from: fitted | cache | fixed (versions.json)
    priors_entry: Path | None = None  # the priors cache entry read or written


def project_vars() -> dict[str, Any]:
    """The vars of dbt_project.yml: the project defaults a study file may override."""
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return dict(project.get("vars") or {})


FORMULA_VARS = (
    "chi2_yates", "ic_variant", "ebgm_variant", "table2_eb_z", "mgps_likelihood", "mgps_prior",
    "expected_strata", "expected_year_band", "background_exclude_drugs",
)  # fmt: skip


def formula_setting(study: StudyConfig, name: str) -> Any:
    """The effective value of a formula setting: the study file's, else the project default (dbt var)."""
    value = getattr(study.formula, name)
    if value is None:
        return project_vars().get(name)
    return list(value) if isinstance(value, tuple) else value


def drug_unit_setting(study: StudyConfig) -> str:
    """The study's drug unit: the study file's, else the project default (not the build's: a study file means the
    same on every warehouse; `faers report` writes the build's unit into the study it runs)."""
    return str(study.drug_unit or project_vars().get("drug_unit"))


def study_vars(
    study: StudyConfig,
    scope: ResolvedScope,
    *,
    as_of: bool = False,
    drug_only: bool = False,
    built: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The dbt vars of a study (the keys of the "study scope" block of dbt_project.yml). ``as_of``: the
    warehouse holds quarters after the study's last one, so the study deduplicates as of it. ``drug_only``:
    the population's margins and priors come from the priors cache, so study_reports needs only the study
    drug's reports. ``built``: the vars the marts were built with (faers.builds.built_vars). The study sets every
    var of the signals and study scope blocks itself (the study file's value, else the project's), so a study file
    means the same on every warehouse; the build's vars decide the others (the warehouse and drug-name blocks,
    e.g. serious_outcome_codes), so that the mart rows a past window rebuilds (study_asof_*) are built as the
    marts' own rows were."""
    return {
        **(built or {}),
        "study_as_of": as_of,
        "study_reports_drug_only": drug_only,
        "suspect_roles": list(study.suspect_roles),
        "study_drug": study.generic.lower(),
        "study_drug_names": list(study.drug_names),
        "study_first_quarter": study.first_quarter,
        "study_last_quarter": study.last_quarter,
        "study_pts": [pt.lower() for pt in scope.pts],
        "study_strata": list(study.subgroups),
        # the signals mart's own threshold and variant vars (macro signal_columns reads them)
        "ror_min_a": study.thresholds.min_reports,
        "ror_lower_threshold": study.thresholds.ror_lower,
        "prr_min_a": study.thresholds.min_reports,
        "prr_threshold": study.thresholds.prr,
        "prr_chi2_threshold": study.thresholds.chi2,
        "ic025_threshold": study.thresholds.ic025,
        "eb05_threshold": study.thresholds.eb05,
        "z_975": project_vars().get("z_975"),  # not a study file setting: the project's, never the build's
        **{name: formula_setting(study, name) for name in FORMULA_VARS},
        "study_meddra_schema": scope.hierarchy,
        "study_route_levels": list(study.strata.route),
        "drug_unit": drug_unit_setting(study),
        "study_top_countries": study.tables.top_countries,
        "study_top_indications": study.tables.top_indications,
    }


ReportWriter = Callable[[Path, Path], Path]
"""Writes the report of a study folder: ``(study_dir, db_path) -> report path`` (faers.report.write_study_report)."""


def run_study(
    file: Path,
    out: Path,
    db: Path | None,
    *,
    console: Console | None = None,
    report: ReportWriter | None = None,
    fresh: bool = False,
) -> StudyResult:
    """Run the study in ``file`` on the warehouse ``db``; write everything into ``out``.

    The priors of the study's populations come from the priors cache when an earlier study of the same
    warehouse build and population stored them (faers.study.priors_cache); ``fresh`` fits them again and
    replaces the entry.

    ``report`` (the layer above passes ``faers.report.write_study_report``; the study never imports the report)
    writes ``out/report.html`` inside the same staged folder, so tables and report appear together or not at all.
    """
    console = console or Console()
    study = load_study(file)
    db_path = (db or warehouse_path()).resolve()
    if not db_path.is_file():
        raise StudyError(f"warehouse {db_path} does not exist: run `faers load`, then `faers build`")
    with connect(db_path, read_only=True) as conn:
        require_complete_build(conn, db_path, marts=STUDY_MARTS)
        built = built_vars(conn) or {}
        as_of = last_loaded_quarter(conn) > study.last_quarter
        problem = None if as_of else tto_roles_problem(conn, study.suspect_roles)
        if problem:
            raise StudyError(f"{file}: {problem}")
        try:
            scope = resolve_scope(conn, study.scope, study.meddra)
        except ScopeError as exc:
            raise StudyError(f"{file}: {exc}") from exc
        quarters = [r[0] for r in conn.execute("select distinct quarter from dim_case order by 1").fetchall()]
        fixed = formula_setting(study, "mgps_prior") is not None
        key = None if fixed else priors_cache.priors_key(conn, db_path, prior_settings(study, scope, as_of=as_of))
    cache = _Cache(fixed, key, None if key is None or fresh else priors_cache.load(db_path, key))
    out = out.resolve()
    result = StudyResult(out_dir=out, scope=scope)
    with staged_dir(out) as stage:  # everything is written here, then moved into `out` at the very end
        _run_steps(study, scope, db_path, stage, result, console, file, as_of=as_of, cache=cache, built=built)
        shutil.copyfile(file, stage / "study.yml")
        versions = _versions(quarters, scope, db_path) | {
            "build_vars": built,
            "mgps_priors": {"from": result.priors_from, "cache_entry": str(result.priors_entry or "") or None},
        }
        (stage / "versions.json").write_text(json.dumps(versions, indent=2) + "\n")
        timings = {step: round(value, 3) for step, value in result.step_seconds.items()}
        (stage / "timings.json").write_text(json.dumps(timings, indent=2) + "\n")
        if report is not None:
            written = report(stage, db_path)
            result.report_path = out / written.name
    result.tables = {name: out / "tables" / path.name for name, path in result.tables.items()}
    console.print(
        f"study {study.name!r}: {result.n_reports:,} reports of {study.generic}, {result.n_scope_reports:,} "
        f"in scope ({len(scope.pts) or 'all'} PTs), {result.n_positive_all} PTs positive by all four "
        f"methods; {PRIORS_FROM.get(result.priors_from, 'MGPS priors')}; tables in {out / 'tables'}"
        + (f"; report {result.report_path}" if result.report_path else "")
    )
    return result


def _run_steps(
    study: StudyConfig,
    scope: ResolvedScope,
    db_path: Path,
    out: Path,
    result: StudyResult,
    console: Console,
    file: Path,
    *,
    as_of: bool,
    cache: _Cache,
    built: Mapping[str, Any],
) -> None:
    """Compile and run the study SQL and the Python steps; write the tables and the SQL into ``out``. ``built``: the
    vars the marts were built with (study_vars)."""
    tables_dir = out / "tables"
    tables_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="faers_study_") as tmp, Progress(console=console) as progress:
        task = progress.add_task(f"study {study.name}", total=len(sql.STEPS) + 3)
        seconds = result.step_seconds
        try:
            progress.update(task, description="dbt compile analyses/study")
            cached = cache.background
            fit = cached is None and not cache.fixed  # else study_background feeds nothing
            # the adjusted overall cells (study_cells) count every drug: they need the whole population
            drug_only = cached is not None and not is_adjusted(study)
            with timed(seconds, "dbt compile"):
                dbt_vars = study_vars(study, scope, as_of=as_of, drug_only=drug_only, built=built)
                files = sql.compile_steps(dbt_vars, db_path, Path(tmp))
                shutil.copytree(next(iter(files.values())).parent, out / "sql", dirs_exist_ok=True)
            progress.advance(task)
            with connect(db_path, read_only=True) as conn:
                for step, sql_file in files.items():
                    progress.update(task, description=step)
                    with timed(seconds, step):
                        if step == "study_margins" and cached is not None:
                            sql.create_temp_table(conn, step, cached.margins)
                        elif step != "study_background" or fit:
                            sql.run_step(conn, step, sql_file)
                    progress.advance(task)
                    if step == "study_background":
                        progress.update(task, description="MGPS prior per stratum")
                        with timed(seconds, "study_priors"):
                            priors = _priors(conn, study, db_path, cache, result, console)
                        progress.advance(task)
                with timed(seconds, "tables"):
                    frames = _tables(conn, study)
                    result.n_reports = _count(conn, "select count(*) from study_reports where is_study_drug")
                    result.n_scope_reports = _count(
                        conn, "select count(*) from study_reports where is_study_drug and has_scope_pt"
                    )
                    frames["drug_names"] = drug_names(conn, study.drug_names)
        except (DbtError, sql.StudySqlError, DrugsError) as exc:
            raise StudyError(f"{file}: {exc}", exit_code=1) from exc
        progress.update(task, description="writing tables")
        frames["mgps_priors"] = priors
        frames["settings"] = effective_settings(study, scope, file)
        frames["scope"] = pl.DataFrame(
            [m.__dict__ for m in scope.matches],
            schema={"level": pl.String, "term": pl.String, "pt": pl.String, "via": pl.String},
        )
        for name, frame in frames.items():
            frame.write_csv(tables_dir / f"{name}.csv")
            frame.write_parquet(tables_dir / f"{name}.parquet")
            result.tables[name] = tables_dir / f"{name}.csv"
        progress.advance(task)
    result.n_positive_all = frames["positive_all_four"].height


def last_loaded_quarter(conn: duckdb.DuckDBPyConnection) -> str:
    """The last quarter loaded into the warehouse (raw.load_log; the marts' quarters without it)."""
    for query in ("select max(quarter) from raw.load_log", "select max(quarter) from dim_case"):
        try:
            row = conn.execute(query).fetchall()
        except duckdb.Error:
            continue
        if row and row[0][0]:
            return str(row[0][0])
    return ""


def tto_roles_problem(conn: duckdb.DuckDBPyConnection, roles: tuple[str, ...]) -> str | None:
    """Why the tto mart cannot serve a study with ``roles`` (None when it can).

    The mart holds onsets of the drugs in the suspect_roles it was built with (recorded in its table
    comment); a study only filters it, so it must ask for the same roles.
    """
    exists = conn.execute(
        "select count(*) from duckdb_tables() where schema_name = 'main' and table_name = 'tto'"
    ).fetchall()[0][0]
    if not exists:
        return "the warehouse has no tto mart (nor, probably, the other marts): run `faers build` first"
    recorded = built_suspect_roles(conn, "tto")
    if recorded is None:
        return None
    built = sorted(recorded)
    if built != sorted(roles):
        return (
            f"suspect_roles: the study asks for {sorted(roles)} but the tto mart was built with {built}; "
            f"rebuild it with the study's roles (dbt build --vars '{{suspect_roles: {sorted(roles)}}}') "
            "or use the build's roles in the study"
        )
    return None


def _count(conn: duckdb.DuckDBPyConnection, query: str) -> int:
    return int(conn.execute(query).fetchall()[0][0])


def prior_settings(study: StudyConfig, scope: ResolvedScope, *, as_of: bool) -> dict[str, Any]:
    """The study settings its priors depend on (faers.study.priors_cache): the population's, not the drug's.

    The study drug's names count only with a route stratum (a report's route is that of its study-drug rows).
    """
    by_route = "route" in study.subgroups
    dbt_vars = study_vars(study, scope, as_of=as_of)
    return {
        "study_as_of": as_of,
        "study_first_quarter": study.first_quarter,
        "study_last_quarter": study.last_quarter,
        "suspect_roles": sorted(study.suspect_roles),
        "drug_unit": drug_unit_setting(study),
        "study_strata": list(study.subgroups),
        "study_route_levels": sorted(name.lower() for name in study.strata.route) if by_route else None,
        "study_drug_names": sorted(dbt_vars["study_drug_names"]) if by_route else None,
        "study_meddra_schema": scope.hierarchy,
        **{name: dbt_vars[name] for name in ("mgps_likelihood", "expected_strata", "expected_year_band")},
        "background_exclude_drugs": dbt_vars["background_exclude_drugs"],
    }


@dataclass(frozen=True)
class _Cache:
    """The study's entry of the priors cache: whether the study file fixes the prior (then nothing is fitted or
    cached), its key (None: nothing to cache, a fixed prior or no build log) and what it held (None: not there
    yet, or --fresh)."""

    fixed: bool
    key: dict[str, Any] | None
    background: priors_cache.Background | None


def _priors(
    conn: duckdb.DuckDBPyConnection,
    study: StudyConfig,
    db_path: Path,
    cache: _Cache,
    result: StudyResult,
    console: Console,
) -> pl.DataFrame:
    """The study's priors (temp table study_priors): the cache's, a fixed one, or fitted (then stored with the
    margins)."""
    if cache.background is not None and cache.key is not None:
        sql.create_temp_table(conn, "study_priors", cache.background.priors)
        result.priors_from, result.priors_entry = "cache", priors_cache.entry_file(db_path, cache.key)
        return cache.background.priors
    priors = _fit_priors(conn, study)
    if cache.key is None:
        result.priors_from = "fixed" if cache.fixed else "fitted"
        return priors
    margins = conn.sql("select * from study_margins").pl()
    result.priors_from = "fitted"
    try:
        result.priors_entry = priors_cache.store(db_path, cache.key, priors_cache.Background(priors, margins))
    except OSError as error:  # a cache that cannot be written costs the next study time, not this one its tables
        console.print(f"[yellow]warning:[/] the priors cache was not written ({error}); the next study fits again")
    return priors


def _fit_priors(conn: duckdb.DuckDBPyConnection, study: StudyConfig) -> pl.DataFrame:
    """Per-stratum priors with the study's likelihood (or its fixed prior); the overall one is the signals
    mart's when the populations and the settings are identical."""
    likelihood = formula_setting(study, "mgps_likelihood")
    fixed = formula_setting(study, "mgps_prior")
    mart = stats.mart_prior(conn)
    same = mart is not None and not mart.fixed and mart.likelihood == likelihood and fixed is None
    # the mart's prior was fitted on the crude E: an adjusted study (or a stratified or masked mart) fits its own
    same = same and not is_adjusted(study) and stats.mart_adjustments(conn) == ("", "")
    use_mart = mart if same and stats.overall_matches_mart(conn) else None
    return stats.fit_stratum_priors(conn, likelihood, use_mart, tuple(fixed) if fixed else None)


def is_adjusted(study: StudyConfig) -> bool:
    """The study's overall signals use a stratified E or a masked background (formula keys)."""
    return bool(formula_setting(study, "expected_strata") or formula_setting(study, "background_exclude_drugs"))


SETTING_KEYS = (
    "suspect_roles", "drug_unit", "period.first", "period.last", "subgroups", "strata.route",
    "meddra.hierarchy", "meddra.soc_membership", "meddra.release",
    "thresholds.min_reports", "thresholds.ror_lower", "thresholds.prr", "thresholds.chi2", "thresholds.ic025",
    "thresholds.eb05",
    *(f"formula.{name}" for name in FORMULA_VARS),
)  # fmt: skip


def effective_settings(study: StudyConfig, scope: ResolvedScope, file: Path) -> pl.DataFrame:
    """Every setting the study ran with (setting, value as JSON, source: 'study file' or 'default')."""
    given = yaml.safe_load(file.read_text(encoding="utf-8")) or {}

    def in_file(dotted: str) -> bool:
        node: Any = given
        for part in dotted.split("."):
            if isinstance(node, str) and dotted.startswith("meddra."):  # `meddra: demo` shorthand
                return part == "hierarchy"
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]
        return True

    values: dict[str, Any] = {
        "suspect_roles": list(study.suspect_roles),
        "drug_unit": drug_unit_setting(study),
        "period.first": study.first_quarter,
        "period.last": study.last_quarter,
        "subgroups": list(study.subgroups),
        "strata.route": list(study.strata.route),
        "meddra.hierarchy": scope.hierarchy,
        "meddra.soc_membership": study.meddra.soc_membership,
        "meddra.release": scope.version,
        **{f"thresholds.{key}": getattr(study.thresholds, key) for key in study.thresholds.__dataclass_fields__},
        **{f"formula.{name}": formula_setting(study, name) for name in FORMULA_VARS},
    }
    rows = [
        {
            "setting": key,
            "value": json.dumps(values[key]),
            "source": "warehouse" if key == "meddra.release" else ("study file" if in_file(key) else "default"),
        }
        for key in SETTING_KEYS
    ]
    return pl.DataFrame(rows, schema={"setting": pl.String, "value": pl.String, "source": pl.String})


def _tables(conn: duckdb.DuckDBPyConnection, study: StudyConfig) -> dict[str, pl.DataFrame]:
    """Every output table, in the contract's columns and order, from the temp tables of the steps."""
    signals_all = conn.sql("select * from study_signals").pl()
    signals = (
        signals_all.filter(pl.col("stratum_var") == "overall")
        .select(*SIGNAL_COLUMNS, *FLAG_COLUMNS)
        .sort(["a", "pt"], descending=[True, False])
    )
    positive = signals.filter(pl.col("positive_all") & pl.col("in_scope"))
    subgroup_signals = (
        signals_all.filter(~pl.col("stratum_var").is_in(["overall", "unadjusted"]) & pl.col("in_scope"))
        .select("stratum_var", "stratum", *SIGNAL_COLUMNS, "n_methods")
        .sort(["stratum_var", "stratum", "a", "pt"], descending=[False, False, True, False])
    )
    tests = conn.sql("select * from study_subgroup_tests").pl()
    subgroup_tests = tests.with_columns(stats.two_sided_p(tests["z"]).alias("p_value")).select(
        "stratum_var", "stratum_1", "stratum_2", "pt", "ror_1", "ror_2", "ror_ratio", "ror_ratio_lower",
        "ror_ratio_upper", "p_value",
    ).sort(["stratum_var", "pt", "stratum_1", "stratum_2"])  # fmt: skip
    seriousness = _seriousness(conn.sql("select * from study_seriousness").pl())
    sex_within_drug = stats.with_two_by_two_tests(
        conn.sql("select * from study_sex_within_drug").pl(),
        ("female_with_pt", "female_without_pt", "male_with_pt", "male_without_pt"),
    ).sort([pl.col("female_with_pt") + pl.col("male_with_pt"), "pt"], descending=[True, False])
    serious_characteristics = stats.serious_characteristics_p_values(
        conn.sql("select * from study_serious_characteristics").pl()
    )
    characteristics = (
        conn.sql("select * from study_characteristics").pl()
        .with_columns(
            pl.col("variable").replace_strict(
                {v: i for i, v in enumerate(CHARACTERISTIC_ORDER)}, default=len(CHARACTERISTIC_ORDER)
            ).alias("_order")
        )
        .sort(["population", "_order", "level_rank"], nulls_last=True)
        .select("population", "variable", "level", "n", "percent", "missing")
    )  # fmt: skip
    tto = conn.sql(
        "select primary_id, case_id, pt, route, tto_days, tto_bin from study_tto order by primary_id, pt"
    ).pl()
    tto_rows = conn.sql("select * from study_tto_summary").pl()
    tto_bins = (
        tto_rows.filter(pl.col("row_kind") == "bin")
        .sort([pl.col("pt") != "ALL", "pt", "bin_order"])
        .select("pt", "tto_bin", "n", "percent")
    )
    summary = tto_rows.filter(pl.col("row_kind") == "summary").select("pt", "n", "median", "q1", "q3")
    tto_summary = (
        stats.weibull_columns(tto, summary, study.tto.min_cases)
        .sort([pl.col("pt") != "ALL", pl.col("n"), "pt"], descending=[False, True, False])  # ties by PT: a stable order
        .select(*TTO_SUMMARY_COLUMNS)
    )
    positive_pts = positive["pt"].to_list()
    co_suspects = (
        conn.sql("select * from study_co_suspects").pl()
        .filter(pl.col("pt").is_in(positive_pts) & (pl.col("rank") <= study.tables.top_co_suspects))
        .sort(["pt_reports", "pt", "rank"], descending=[True, False, False])
        .select("pt", "rank", "co_suspect", "reports", "pt_reports", "share")
    )  # fmt: skip
    reports = conn.sql(
        "select primary_id, case_id, quarter, sex, age_group, seriousness, route, reporter, has_scope_pt "
        "from study_reports where is_study_drug order by primary_id"
    ).pl()
    return {
        "reports": reports,
        "signals": signals,
        "positive_all_four": positive.sort(["a", "pt"], descending=[True, False]),
        "top_by_ror": positive.sort(["ror", "pt"], descending=[True, False]).head(study.tables.top_ror),
        "subgroup_signals": subgroup_signals,
        "subgroup_tests": subgroup_tests,
        "seriousness": seriousness,
        "sex_within_drug": sex_within_drug,
        "serious_characteristics": serious_characteristics,
        "characteristics": characteristics,
        "reports_per_year": conn.sql(
            "select population, year, n from study_reports_per_year order by population, year"
        ).pl(),
        "tto": tto,
        "tto_bins": tto_bins,
        "tto_summary": tto_summary,
        "co_suspects": co_suspects,
        "adjustment_effect": _adjustment_effect(signals_all),
    }


ADJUSTMENT_COLUMNS = (
    "pt", "a", "expected_unadjusted", "expected", "ror", "ror_mh", "ror_mh_lower", "ror_mh_upper",
    "n_methods_unadjusted", "n_methods", "positive_unadjusted", "positive",
)  # fmt: skip


def _adjustment_effect(signals_all: pl.DataFrame) -> pl.DataFrame:
    """Per in-scope PT positive by all four methods with or without the adjustment (stratified E or masked
    background): E and n_methods unadjusted vs adjusted, and the Mantel-Haenszel ROR. Empty for a study
    without an adjustment (no 'unadjusted' rows)."""
    columns = ("pt", "a", "expected", "ror", "ror_mh", "ror_mh_lower", "ror_mh_upper", "n_methods", "in_scope")
    adjusted = signals_all.filter(pl.col("stratum_var") == "overall").select(columns)
    crude = signals_all.filter(pl.col("stratum_var") == "unadjusted").select(
        "pt", pl.col("expected").alias("expected_unadjusted"), pl.col("n_methods").alias("n_methods_unadjusted")
    )
    joined = adjusted.join(crude, on="pt", how="inner").with_columns(
        (pl.col("n_methods_unadjusted") == 4).alias("positive_unadjusted"), (pl.col("n_methods") == 4).alias("positive")
    )
    return (
        joined.filter(pl.col("in_scope") & (pl.col("positive_unadjusted") | pl.col("positive")))
        .sort(["a", "pt"], descending=[True, False])
        .select(ADJUSTMENT_COLUMNS)
    )


def _seriousness(counts: pl.DataFrame) -> pl.DataFrame:
    """Add the sex x seriousness test per PT (chi-square, or Fisher when an expected count is < 5)."""
    columns = ("serious_female", "non_serious_female", "serious_male", "non_serious_male")
    return stats.with_two_by_two_tests(counts, columns).sort(
        [pl.col("serious") + pl.col("non_serious"), "pt"], descending=[True, False]
    )


def _versions(quarters: list[str], scope: ResolvedScope, db_path: Path) -> dict[str, Any]:
    def version(package: str) -> str | None:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return None

    return {
        "faers": version("faers-warehouse"),
        "dbt-core": version("dbt-core"),
        "dbt-duckdb": version("dbt-duckdb"),
        "duckdb": duckdb.__version__,
        "python": platform.python_version(),
        "quarters": quarters,
        "meddra": {"hierarchy": scope.hierarchy, "version": scope.version} if scope.hierarchy else None,
        "warehouse": str(db_path),
    }
