"""What the report shows, read from a study output folder or straight from the marts.

A study folder (``faers study``) holds every table of the report; without one the reporter runs the same
study SQL on the marts (the project's defaults over every loaded quarter) and reads its folder. Either way
every table comes from SQL and the Python steps of ``faers.study``; the result is one :class:`ReportData`
that the figures and tables render. Nothing here computes a statistic or draws.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import yaml
from rich.console import Console

from faers.builds import built_vars, require_complete_build
from faers.drugs import name_ingredients
from faers.errors import FaersError
from faers.report.errors import ReportError
from faers.study.config import MeddraOptions, Scope
from faers.study.run import last_loaded_quarter, run_study
from faers.study.scope import choose_hierarchy
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
    """The drug of ``name`` as ``main.signals`` spells it: the name itself, else what the warehouse maps the name
    to (faers.drugs.name_ingredients: a brand or raw name as FDA publishes it, e.g. PAXIL), else a brand of the
    drug_synonyms seed (a name no DRUG row carries)."""
    wanted = name.strip().lower()

    def in_signals(drug: str) -> bool:
        return bool(conn.execute("select count(*) from main.signals where drug = ?", [drug]).fetchall()[0][0])

    if in_signals(wanted):
        return wanted
    mapped = name_ingredients(conn, wanted)
    if mapped and in_signals("\\".join(mapped)):  # one ingredient, or drug_unit 'product' (the set is the drug)
        return "\\".join(mapped)
    present = [drug for drug in mapped if in_signals(drug)]  # drug_unit 'ingredient': each is a drug
    if len(present) == 1:
        return present[0]
    if present:
        choices = ", ".join(present)
        raise ReportError(f"{db_path}: '{name}' is a combination ({choices}): give one of its ingredients")
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
    """The report of ``drug`` straight from the marts: the study SQL (analyses/study, ``faers study``) run with
    the project's defaults over every loaded quarter, with the suspect roles and drug unit the marts were built
    with. Every table is the one a study would write; nothing is computed here."""
    db_path = db_path.resolve()
    if not db_path.exists():
        raise ReportError(f"{db_path}: warehouse not found (run `faers build` first)")
    with duckdb.connect(str(db_path), read_only=True) as conn:
        require_complete_build(conn, db_path, marts=("signals", "dim_case", "fct_case_drug"))
        ingredient = resolve_drug(conn, drug, db_path)
        study = {
            "name": f"{ingredient}: every loaded quarter, project defaults",
            "drug": {"generic": ingredient},
            "suspect_roles": _suspect_roles(conn, db_path),
            "period": _loaded_period(conn),
            **_built_drug_unit(conn),
        }
        if scope:
            study["scope"] = _scope_block(conn, scope, ingredient, db_path)
    with tempfile.TemporaryDirectory(prefix="faers_report_") as tmp:
        file = Path(tmp) / "study.yml"
        file.write_text(yaml.safe_dump(study, sort_keys=False), encoding="utf-8")
        try:
            run_study(file, Path(tmp) / "study", db_path, console=Console(stderr=True, quiet=True))
        except FaersError as error:
            raise ReportError(f"report of {ingredient} from {db_path}: {error}") from error
        data = load_study(Path(tmp) / "study", scope=scope)
    return replace(data, source="marts", study_dir=None, study_text=None, db_path=db_path)


def _loaded_period(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every quarter of the marts: from the first case's quarter to the last loaded quarter."""
    first = conn.execute("select min(quarter) from main.dim_case").fetchall()[0][0]
    return {"first": str(first), "last": last_loaded_quarter(conn)}


def _built_drug_unit(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """``drug_unit`` of the last complete build when it set one (else the study takes the project default)."""
    unit = (built_vars(conn) or {}).get("drug_unit")
    return {"drug_unit": str(unit)} if unit else {}


def _scope_block(conn: duckdb.DuckDBPyConnection, text: str, drug: str, db_path: Path) -> dict[str, list[str]]:
    """``--scope`` as the study file's ``scope`` block; a PT list none of whose PTs the drug has is an error."""
    parsed = parse_scope(conn, text)
    pts = [pt.strip().lower() for pt in parsed.pt]
    if pts and not (parsed.soc or parsed.hlgt or parsed.hlt):
        known = conn.execute(
            "select count(*) from main.signals where drug = ? and list_contains(?, lower(pt))", [drug, pts]
        ).fetchall()[0][0]
        if not known:
            raise ReportError(f"--scope: none of the PTs ({', '.join(parsed.pt)}) is reported with {drug} in {db_path}")
    return {level: list(getattr(parsed, level)) for level in SCOPE_LEVELS if getattr(parsed, level)}
