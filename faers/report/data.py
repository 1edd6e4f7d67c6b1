"""What the report shows, read from a study output folder or straight from the marts.

A study folder (``faers study``) holds every table of the report; without one the reporter reads the
marts of the DuckDB file (``main.signals``, ``main.dim_case``, ``main.fct_case_drug``, ``main.tto``) and
fills only what those allow. Either way the result is one :class:`ReportData` that the figures and
tables render; nothing here draws.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import yaml

from faers.builds import require_complete_build, table_exists
from faers.report.errors import ReportError
from faers.study.config import MeddraOptions, Scope
from faers.study.scope import ScopeError, choose_hierarchy, resolve_scope
from faers.study.tto import fit_weibull
from faers.vars import built_suspect_roles

SIGNAL_COLUMNS: tuple[str, ...] = (
    "pt", "a", "b", "c", "d", "expected",
    "ror", "ror_lower", "ror_upper", "prr", "prr_lower", "prr_upper", "chi2",
    "ic", "ic025", "ic975", "ebgm", "eb05", "eb95",
    "ror_signal", "prr_signal", "ic_signal", "ebgm_signal", "n_methods",
)  # fmt: skip
"""Columns of ``main.signals`` (less ``drug``) that the report uses."""

STUDY_TABLES: dict[str, tuple[str, ...]] = {
    "signals": (*SIGNAL_COLUMNS, "positive_all", "in_scope"),
    "subgroup_signals": (
        "stratum_var", "stratum", "pt", "a", "ror", "ror_lower", "ror_upper", "n_methods",
    ),
    "subgroup_tests": (
        "stratum_var", "stratum_1", "stratum_2", "pt", "ror_1", "ror_2",
        "ror_ratio", "ror_ratio_lower", "ror_ratio_upper", "p_value",
    ),
    "seriousness": ("pt", "serious", "non_serious", "test", "statistic", "p_value"),
    "characteristics": ("population", "variable", "level", "n", "percent", "missing"),
    "reports_per_year": ("population", "year", "n"),
    "sex_within_drug": (
        "pt", "female_with_pt", "male_with_pt", "ror_female_vs_male", "ror_female_vs_male_lower",
        "ror_female_vs_male_upper", "test", "p_value",
    ),
    "serious_characteristics": (
        "variable", "level", "serious_n", "serious_percent", "non_serious_n", "non_serious_percent",
        "serious_median", "serious_q1", "serious_q3", "non_serious_median", "non_serious_q1", "non_serious_q3",
        "test", "p_value",
    ),
    "settings": ("setting", "value", "source"),
    "co_suspects": ("pt", "rank", "co_suspect", "reports", "pt_reports", "share"),
    "tto": ("primary_id", "case_id", "pt", "tto_days", "tto_bin"),
    "tto_bins": ("pt", "tto_bin", "n", "percent"),
    "tto_summary": (
        "pt", "n", "median", "q1", "q3", "weibull_shape", "weibull_shape_lower",
        "weibull_shape_upper", "weibull_scale", "interpretation",
    ),
}  # fmt: skip
"""Each study table the report reads, with the columns it needs (the study writes more)."""

MIN_FOREST_REPORTS = 3
"""By default a PT enters the forest plots with at least this many reports of the drug (a >= 3)."""

OVERALL_PT = "ALL"
"""``pt`` value of the overall rows of ``tto_bins`` and ``tto_summary``."""


@dataclass(frozen=True)
class ReportData:
    """Everything one report renders. Tables that the source cannot give are ``None``."""

    drug: str
    """Active ingredient (lower case), after brand resolution."""
    source: str
    """``'study'`` or ``'marts'``."""
    signals: pl.DataFrame
    """One row per PT of the drug, :data:`SIGNAL_COLUMNS` plus ``positive_all`` and ``in_scope``."""
    scope: str | None = None
    study_dir: Path | None = None
    db_path: Path | None = None
    subgroup_signals: pl.DataFrame | None = None
    subgroup_tests: pl.DataFrame | None = None
    seriousness: pl.DataFrame | None = None
    characteristics: pl.DataFrame | None = None
    reports_per_year: pl.DataFrame | None = None
    sex_within_drug: pl.DataFrame | None = None
    """Within the drug's reports, women vs men per PT (study_sex_within_drug)."""
    serious_characteristics: pl.DataFrame | None = None
    """Table 5: serious vs non-serious reports side by side, with the tests (study_serious_characteristics)."""
    settings: pl.DataFrame | None = None
    co_suspects: pl.DataFrame | None = None
    """Every setting the study ran with (setting, value, source)."""
    tto: pl.DataFrame | None = None
    tto_bins: pl.DataFrame | None = None
    tto_summary: pl.DataFrame | None = None
    study_text: str | None = None
    """The study file (study.yml) verbatim, for the footer."""
    versions: dict[str, Any] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    """Section id -> why that section is missing or partial."""
    min_reports: int = MIN_FOREST_REPORTS
    """A PT enters the forest plots from this many reports (the study's ``thresholds.min_reports``)."""

    def forest_rows(self) -> pl.DataFrame:
        """PTs of the forest plots: in scope, ``a >= min_reports``, sorted by ROR (highest first), then PT."""
        return self.signals.filter(pl.col("in_scope") & (pl.col("a") >= self.min_reports)).sort(
            ["ror", "pt"], descending=[True, False], nulls_last=True
        )


# --------------------------------------------------------------------------- study folder


def _read_table(study_dir: Path, name: str) -> pl.DataFrame | None:
    """``tables/<name>.parquet`` (or ``.csv``) of a study folder, checked for the columns the report needs."""
    tables = study_dir / "tables"
    parquet, csv = tables / f"{name}.parquet", tables / f"{name}.csv"
    path = parquet if parquet.exists() else csv if csv.exists() else None
    if path is None:
        return None
    try:
        frame = pl.read_parquet(path) if path == parquet else pl.read_csv(path, infer_schema_length=None)
    except (pl.exceptions.PolarsError, OSError) as error:
        raise ReportError(f"{path}: cannot be read ({error})") from error
    missing = [column for column in STUDY_TABLES[name] if column not in frame.columns]
    if missing:
        raise ReportError(f"{path}: missing column(s) {', '.join(missing)} (has {', '.join(frame.columns)})")
    return frame


def _study_file(study_dir: Path) -> tuple[str | None, dict[str, Any]]:
    """The study file's text and its parsed mapping (empty when absent)."""
    path = study_dir / "study.yml"
    if not path.exists():
        return None, {}
    text = path.read_text(encoding="utf-8")
    try:
        parsed = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise ReportError(f"{where}: not valid YAML ({getattr(error, 'problem', error)})") from error
    if not isinstance(parsed, dict):
        raise ReportError(f"{path}:1: expected a mapping at the top level, got {type(parsed).__name__}")
    return text, parsed


def _versions(study_dir: Path) -> dict[str, Any]:
    path = study_dir / "versions.json"
    if not path.exists():
        return {}
    try:
        parsed = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ReportError(f"{path}:{error.lineno}: not valid JSON ({error.msg})") from error
    if not isinstance(parsed, dict):
        raise ReportError(f"{path}:1: expected a JSON object, got {type(parsed).__name__}")
    return parsed


def _describe(value: Any) -> str | None:
    """A study-file value (a name, a list, a mapping) as one readable line."""
    if value is None or value == "" or value == [] or value == {}:
        return None
    if isinstance(value, dict):
        parts = [f"{key}: {_describe(item)}" for key, item in value.items() if _describe(item)]
        return "; ".join(parts) or None
    if isinstance(value, list | tuple):
        return ", ".join(str(_describe(item)) for item in value)
    return str(value)


def _study_drug(study: dict[str, Any]) -> str | None:
    value = study.get("drug")
    if isinstance(value, dict):
        value = value.get("generic") or value.get("ingredient") or value.get("name")
    return str(value).strip().lower() if value else None


def load_study(study_dir: Path, *, drug: str | None = None, scope: str | None = None) -> ReportData:
    """Read a ``faers study`` output folder. ``drug``/``scope`` override the study file's labels."""
    study_dir = study_dir.resolve()
    if not study_dir.is_dir():
        raise ReportError(f"{study_dir}: study folder not found")
    text, study = _study_file(study_dir)
    tables = {name: _read_table(study_dir, name) for name in STUDY_TABLES}
    signals = tables.pop("signals")
    if signals is None:
        raise ReportError(f"{study_dir / 'tables'}: no signals.parquet or signals.csv (run `faers study` first)")
    studied = _study_drug(study)
    drug_entry = study.get("drug")
    brands = drug_entry.get("brands") or [] if isinstance(drug_entry, dict) else []
    names = {studied, *(str(brand).lower() for brand in brands)} - {None}
    if drug and studied and drug.strip().lower() not in names:
        raise ReportError(f"{study_dir / 'study.yml'}: this is the study of {studied}, not of {drug}")
    name = (studied or drug or "").strip().lower()
    if not name:
        raise ReportError(f"{study_dir / 'study.yml'}: no drug named (key `drug`) and none given")
    notes = {
        section: f"the study folder has no {table} table"
        for section, table in (
            ("subgroups", "subgroup_signals"),
            ("tto", "tto_summary"),
            ("descriptive", "reports_per_year"),
            ("characteristics", "characteristics"),
        )
        if tables[table] is None
    }
    thresholds = study.get("thresholds") if isinstance(study.get("thresholds"), dict) else {}
    return ReportData(
        drug=name,
        source="study",
        min_reports=int(thresholds.get("min_reports", MIN_FOREST_REPORTS)),
        signals=_finite(signals),
        scope=scope or _describe(study.get("scope")),
        study_dir=study_dir,
        study_text=text,
        versions=_versions(study_dir),
        notes=notes,
        **tables,
    )


# --------------------------------------------------------------------------- marts


def resolve_drug(conn: duckdb.DuckDBPyConnection, name: str, db_path: Path) -> str:
    """The ingredient of ``name`` as ``main.signals`` spells it: the name itself or a brand's ingredient."""
    wanted = name.strip().lower()
    known = conn.execute("select count(*) from main.signals where drug = ?", [wanted]).fetchall()
    if known[0][0]:
        return wanted
    schemas = [
        row[0]
        for row in conn.execute(
            "select table_schema from information_schema.tables where table_name = 'drug_synonyms' "
            "order by table_schema <> 'main', table_schema <> 'seeds', table_schema"
        ).fetchall()
    ]
    for schema in schemas:
        rows = conn.execute(
            f"select distinct lower(ingredient) from {schema}.drug_synonyms where lower(trim(name)) = ?",
            [wanted],
        ).fetchall()
        if len(rows) == 1:
            return str(rows[0][0])
        if len(rows) > 1:
            choices = ", ".join(sorted(str(r[0]) for r in rows))
            raise ReportError(f"{db_path}: brand '{name}' maps to several ingredients ({choices})")
    raise ReportError(f"{db_path}: drug '{name}' is not in main.signals (as an ingredient or a known brand)")


SCOPE_LEVELS = ("soc", "hlgt", "hlt", "pt")


def parse_scope(conn: duckdb.DuckDBPyConnection, text: str) -> Scope:
    """A ``--scope`` as a study scope.

    ``soc:NAME``, ``hlgt:NAME``, ``hlt:NAME`` or ``pt:A;B`` name the level; a bare single name is looked
    up as a SOC, then an HLGT, then an HLT of the MedDRA hierarchy in the warehouse; anything else is a PT
    list separated by ';' (or ',' when there is no ';').
    """

    level, _, rest = text.partition(":")
    if rest and level.strip().lower() in SCOPE_LEVELS:
        names = tuple(name.strip() for name in rest.split(";") if name.strip())
        return Scope(**{level.strip().lower(): names})
    separator = ";" if ";" in text else ","
    names = tuple(name.strip() for name in text.split(separator) if name.strip())
    schema, _ = choose_hierarchy(conn, MeddraOptions())
    if len(names) == 1 and schema is not None:
        for level in ("soc", "hlgt", "hlt"):
            hit = conn.execute(
                f"select count(*) from {schema}.md_hierarchy where lower({level}_name) = lower(?)", [names[0]]
            ).fetchall()
            if hit[0][0]:
                return Scope(**{level: names})
    return Scope(pt=names)


def _scope_pts(conn: duckdb.DuckDBPyConnection, scope: str | None) -> list[str] | None:
    """The PTs of ``--scope`` (None without a scope), resolved like a study's scope."""
    if not scope:
        return None

    try:
        resolved = resolve_scope(conn, parse_scope(conn, scope))
    except ScopeError as error:
        raise ReportError(f"--scope {scope!r}: {error}") from error
    return list(resolved.pts)


def _suspect_roles(conn: duckdb.DuckDBPyConnection, db_path: Path) -> list[str]:
    """The ``suspect_roles`` the signals were built with (drug_event_cells' record), so counts use the same
    drug roles as the signals, whatever ``--vars`` the build had."""

    roles = built_suspect_roles(conn, "drug_event_cells")
    if not roles:
        raise ReportError(
            f"{db_path}: main.drug_event_cells does not record the suspect_roles it was built with "
            "(built by an older version): run `faers build`"
        )
    return roles


def _finite(frame: pl.DataFrame) -> pl.DataFrame:
    """Non-finite statistics (an infinite ROR when c = 0) become nulls: nothing to draw."""
    return frame.with_columns(
        pl.when(pl.col(column).is_finite()).then(pl.col(column)).otherwise(None).alias(column)
        for column, dtype in frame.schema.items()
        if dtype.is_float()
    )


def load_marts(db_path: Path, drug: str, *, scope: str | None = None) -> ReportData:
    """Read what the report needs for ``drug`` from the marts of the warehouse at ``db_path``."""
    db_path = db_path.resolve()
    if not db_path.exists():
        raise ReportError(f"{db_path}: warehouse not found (run `faers build` first)")
    with duckdb.connect(str(db_path), read_only=True) as conn:
        require_complete_build(conn, db_path, marts=("signals", "dim_case", "fct_case_drug"))
        ingredient = resolve_drug(conn, drug, db_path)
        pts = _scope_pts(conn, scope)
        columns = ", ".join(SIGNAL_COLUMNS)
        signals = conn.sql(f"select {columns} from main.signals where drug = ? order by pt", params=[ingredient]).pl()
        signals = signals.with_columns(
            positive_all=pl.col("n_methods") == 4,
            in_scope=pl.col("pt").is_in(pts) if pts else pl.lit(value=True),
        )
        if pts:
            unknown = sorted(set(pts) - set(signals["pt"].to_list()))
            if len(unknown) == len(pts):
                raise ReportError(
                    f"--scope: none of the PTs ({', '.join(pts)}) is reported with {ingredient} in {db_path}"
                )
        roles = _suspect_roles(conn, db_path)
        cases = _drug_cases(conn, ingredient, roles, pts)
        tto = None
        if table_exists(conn, "main", "tto"):
            tto = conn.sql(
                "select primary_id, case_id, tto_days, tto_bin from main.tto where drug = ? and tto_days is not null",
                params=[ingredient],
            ).pl()
    notes = {
        "subgroups": "Subgroup forest plots (sex, age group, seriousness) need a study: run `faers study`.",
        "seriousness": "The seriousness comparison needs a study: run `faers study`.",
        "tto": "Time to onset of every report of the drug (all PTs); per-PT onsets need a study.",
    }
    return ReportData(
        drug=ingredient,
        source="marts",
        signals=_finite(signals),
        scope=scope,
        db_path=db_path,
        characteristics=_characteristics(cases),
        reports_per_year=(
            cases.group_by("population", "report_year")
            .agg(n=pl.len())
            .rename({"report_year": "year"})
            .drop_nulls("year")
            .sort("population", "year")
        ),
        tto=tto,
        tto_bins=_tto_bins(tto) if tto is not None and tto.height else None,
        tto_summary=_tto_overall(tto) if tto is not None and tto.height else None,
        notes=notes,
    )


def _drug_cases(conn: duckdb.DuckDBPyConnection, drug: str, roles: list[str], pts: list[str] | None) -> pl.DataFrame:
    """One row per case with the drug in a suspect role (population 'all'), repeated for the scope."""
    cases = conn.sql(
        """
        select
            dim_case.primary_id,
            dim_case.sex,
            dim_case.age_group,
            nullif(upper(trim(dim_case.reporter_country)), 'COUNTRY NOT SPECIFIED') as reporter_country,
            dim_case.occp_cod,
            dim_case.is_serious,
            dim_case.report_year
        from main.dim_case
        where dim_case.primary_id in (
            select fct_case_drug.primary_id
            from main.fct_case_drug
            where fct_case_drug.drug = ? and list_contains(?, fct_case_drug.role_cod)
        )
        """,
        params=[drug, roles],
    ).pl()
    everyone = cases.with_columns(population=pl.lit("all"))
    if not pts:
        return everyone
    scoped = conn.sql(
        "select distinct primary_id from main.fct_case_reaction where list_contains(?, pt)", params=[pts]
    ).pl()
    return pl.concat([everyone, cases.join(scoped, on="primary_id").with_columns(population=pl.lit("scope"))])


def _characteristics(cases: pl.DataFrame) -> pl.DataFrame:
    """The characteristics table (population, variable, level, n, percent, missing) from case rows."""
    frame = cases.with_columns(
        seriousness=pl.when(pl.col("is_serious")).then(pl.lit("serious")).otherwise(pl.lit("non_serious"))
    )
    parts = []
    for variable in ("sex", "age_group", "seriousness", "reporter_country", "occp_cod"):
        counts = (
            frame.group_by("population")
            .agg(missing=pl.col(variable).is_null().sum())
            .join(
                frame.drop_nulls(variable).group_by("population", variable).agg(n=pl.len()),
                on="population",
            )
            .with_columns(
                percent=100.0 * pl.col("n") / pl.col("n").sum().over("population"),
                variable=pl.lit(variable),
                level=pl.col(variable).cast(pl.String),
            )
        )
        parts.append(counts.select("population", "variable", "level", "n", "percent", "missing"))
    return pl.concat(parts).sort("population", "variable", "n", descending=[False, False, True])


def _tto_bins(tto: pl.DataFrame) -> pl.DataFrame:
    """Overall counts per TTO bin, bins ordered by their shortest onset."""
    return (
        tto.group_by("tto_bin")
        .agg(n=pl.len(), first_day=pl.col("tto_days").min())
        .sort("first_day")
        .with_columns(pt=pl.lit(OVERALL_PT), percent=100.0 * pl.col("n") / pl.col("n").sum())
        .select("pt", "tto_bin", "n", "percent")
    )


def _tto_overall(tto: pl.DataFrame) -> pl.DataFrame:
    """The overall ``tto_summary`` row: each report once, n, median, quartiles and the study's Weibull
    fit (:func:`faers.study.tto.fit_weibull`, the same maximum likelihood as ``faers study``)."""

    days = tto.unique("primary_id")["tto_days"].cast(pl.Float64)
    fit = fit_weibull(days.to_numpy())
    return pl.DataFrame(
        {
            "pt": [OVERALL_PT],
            "n": [days.len()],
            "median": [days.median()],
            "q1": [days.quantile(0.25, interpolation="linear")],
            "q3": [days.quantile(0.75, interpolation="linear")],
            "weibull_shape": [fit.shape if fit else None],
            "weibull_shape_lower": [fit.shape_lower if fit else None],
            "weibull_shape_upper": [fit.shape_upper if fit else None],
            "weibull_scale": [fit.scale if fit else None],
            "weibull_scale_lower": [fit.scale_lower if fit else None],
            "weibull_scale_upper": [fit.scale_upper if fit else None],
            "interpretation": [fit.interpretation if fit else None],
        },
        schema_overrides={"interpretation": pl.String} | {"weibull_shape": pl.Float64, "weibull_scale": pl.Float64},
    )
