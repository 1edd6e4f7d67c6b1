"""Assemble the report: figures and tables into one self-contained HTML file (plotly.js inlined once)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import plotly
import plotly.graph_objects as go
import plotly.offline
import polars as pl

from faers import __version__
from faers.report import figures, tables
from faers.report.data import ReportData

TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT_MAX_FOREST_ROWS = 120
"""Forest plots beyond this many PTs show the PTs with the highest ROR; the signals table keeps all."""


@dataclass
class RenderedFigure:
    """A figure ready for the template: its div (no plotly.js), and how many PT rows it draws."""

    figure_id: str
    figure: go.Figure
    pt_rows: int | None = None
    exports: list[str] = field(default_factory=list)

    @property
    def html(self) -> str:
        height = self.figure.layout.height
        return self.figure.to_html(
            full_html=False,
            include_plotlyjs=False,
            div_id=f"plot-{self.figure_id}",
            default_width="100%",
            default_height=f"{height}px" if height else "100%",
            config={
                "displaylogo": False,
                "responsive": True,
                "toImageButtonOptions": {"format": "svg", "filename": self.figure_id},
            },
        )


@dataclass
class Section:
    """One titled part of the report."""

    section_id: str
    title: str
    lead: str = ""
    notes: list[str] = field(default_factory=list)
    figures: list[RenderedFigure] = field(default_factory=list)
    tables: list[tables.Table] = field(default_factory=list)


def build_sections(data: ReportData, *, max_forest_rows: int | None = DEFAULT_MAX_FOREST_ROWS) -> list[Section]:
    """Every section of the report, in reading order."""
    rows = data.forest_rows()
    shown = rows.head(max_forest_rows) if max_forest_rows else rows
    sections = [_signals_section(data, rows, shown), _subgroup_section(data, shown), _seriousness_section(data)]
    sections += [_tto_section(data), _descriptive_section(data), _characteristics_section(data)]
    if data.co_suspects is not None and data.co_suspects.height:
        co_suspects = Section(
            "co-suspects",
            "Co-suspect drugs",
            lead="For each PT positive by all four methods, the other suspect ingredients (PS or SS) most often "
            f"reported with {data.drug} and the PT: a signal may ride on a co-prescribed drug.",
        )
        co_suspects.tables.append(tables.co_suspects_table(data.co_suspects))
        sections.append(co_suspects)
    if data.settings is not None:
        settings = Section("settings", "Settings", lead="Every setting the study ran with (study file or default).")
        settings.tables.append(tables.settings_table(data.settings))
        sections.append(settings)
    sections.append(
        Section(
            "signals-list",
            "Signals table",
            lead="Every PT reported with the drug"
            + (" in scope" if data.scope else "")
            + ". Click a column header to sort; PTs positive by all four methods in bold.",
            tables=[tables.signals_table(data.signals)],
        )
    )
    return sections


def _signals_section(data: ReportData, rows: pl.DataFrame, shown: pl.DataFrame) -> Section:
    section = Section(
        "signals",
        "Disproportionality",
        lead=(
            f"PTs with at least {data.min_reports} reports of {data.drug}, sorted by ROR. ROR and PRR with "
            "95% confidence intervals, IC with its 95% credibility interval (IC025–IC975) and EBGM with its "
            "90% interval (EB05–EB95); ratio scales are logarithmic. The dashed line is the null value "
            "(1, or 0 for IC). Filled diamonds are signals by that method; "
            f"{figures.ALL_FOUR_MARK} marks PTs positive by all four."
        ),
    )
    if shown.height < rows.height:
        section.notes.append(
            f"Showing the {shown.height} PTs with the highest ROR of {rows.height}; the signals table lists all."
        )
    if shown.height:
        section.figures.append(RenderedFigure("forest", figures.forest_figure(shown), pt_rows=shown.height))
    else:
        section.notes.append(f"No PT has {data.min_reports} or more reports with {data.drug} in scope.")
    return section


def _subgroup_section(data: ReportData, shown: pl.DataFrame) -> Section:
    section = Section(
        "subgroups",
        "Subgroups",
        lead=(
            "ROR (95% CI) of each PT within each stratum, side by side; the p column is the test of "
            "difference between strata (the smallest p where a variable has more than two strata; hover "
            "for every comparison; p < 0.05 in bold)."
        ),
    )
    if data.subgroup_signals is None:
        section.notes.append(data.notes.get("subgroups", "no subgroup table"))
        return section
    pts = [pt for pt in shown["pt"] if pt in set(data.subgroup_signals["pt"])]
    if not pts:
        section.notes.append("No PT of the forest plot has stratified estimates.")
        return section
    figure = figures.subgroup_figure(shown, data.subgroup_signals, data.subgroup_tests)
    section.figures.append(RenderedFigure("subgroup", figure, pt_rows=len(pts)))
    if data.subgroup_tests is not None:
        section.tables.append(tables.subgroup_tests_table(data.subgroup_tests, pts))
    if data.sex_within_drug is not None and data.sex_within_drug.height:
        within_pts = [pt for pt in shown["pt"] if pt in set(data.sex_within_drug["pt"])]
        figure = figures.sex_within_drug_figure(shown, data.sex_within_drug, data.subgroup_tests)
        section.figures.append(RenderedFigure("sex-within-drug", figure, pt_rows=len(within_pts)))
        section.tables.append(tables.sex_within_drug_table(data.sex_within_drug, within_pts))
    return section


def _seriousness_section(data: ReportData) -> Section:
    section = Section("seriousness", "Seriousness", lead="Serious and non-serious reports per PT, with the test.")
    if data.seriousness is None or data.seriousness.height == 0:
        section.notes.append(data.notes.get("seriousness", "the study folder has no seriousness table"))
    else:
        section.tables.append(tables.seriousness_table(data.seriousness))
    if data.serious_characteristics is not None and data.serious_characteristics.height:
        section.notes.append(
            "Serious vs non-serious reports of the drug (Table 5): categorical variables by Pearson's χ² "
            "(Fisher's exact test for a 2x2 table with an expected count below 5), age and weight by the "
            "Mann-Whitney U test."
        )
        section.tables.append(tables.serious_characteristics_table(data.serious_characteristics))
    return section


def _tto_section(data: ReportData) -> Section:
    section = Section(
        "tto",
        "Time to onset",
        lead=(
            "Days from the start of the drug to the event. Left: cases per interval. Right: the cumulative "
            "share of cases, its median, and the fitted Weibull distribution; a shape β < 1 means the "
            "hazard falls with time (early reactions), β ≈ 1 constant, β > 1 rising (late reactions)."
        ),
    )
    if data.tto_bins is None and data.tto is None:
        missing = f"No report of {data.drug} has both a full start date and a full event date."
        section.notes.append(data.notes.get("tto", missing))
        return section
    section.figures.append(RenderedFigure("tto", figures.tto_figure(data.tto_bins, data.tto_summary, data.tto)))
    if data.tto_summary is not None:
        section.tables.append(tables.tto_summary_table(data.tto_summary))
    return section


def _descriptive_section(data: ReportData) -> Section:
    section = Section(
        "descriptive",
        "Descriptive analysis",
        lead="Reports of the drug per year (all, and those in scope), sex and age group of the patients "
        "(percent of reports with the value known), and the countries that report most.",
    )
    if data.reports_per_year is None and data.characteristics is None:
        section.notes.append(data.notes.get("descriptive", "no descriptive tables"))
        return section
    figure = figures.descriptive_figure(data.reports_per_year, data.characteristics)
    section.figures.append(RenderedFigure("descriptive", figure))
    return section


def _characteristics_section(data: ReportData) -> Section:
    section = Section("characteristics", "Characteristics of the reports")
    if data.characteristics is None:
        section.notes.append(data.notes.get("characteristics", "no characteristics table"))
    else:
        section.tables.append(tables.characteristics_table(data.characteristics))
    return section


def _version_text(value: object) -> str:
    """A versions.json value on one line: lists joined by commas, mappings as ``key value`` pairs."""
    if isinstance(value, list | tuple):
        return ", ".join(_version_text(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key} {_version_text(item)}" for key, item in value.items()) or "none"
    return value if isinstance(value, str) else json.dumps(value)


def _versions(data: ReportData) -> list[tuple[str, str]]:
    rows = [(str(key), _version_text(value)) for key, value in data.versions.items()]
    rows.append(("report generator", f"faers-warehouse {__version__}, plotly {plotly.__version__}"))
    return rows


def _report_counts(data: ReportData) -> dict[str, int]:
    """Reports of the drug per population ('all', 'scope'), summed over the years."""
    if data.reports_per_year is None:
        return {}
    totals = data.reports_per_year.group_by("population").agg(pl.col("n").sum())
    return {str(population): int(n) for population, n in totals.iter_rows()}


def render_html(data: ReportData, sections: Sequence[Section]) -> str:
    """The report as one HTML document with plotly.js inlined once in its head."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    title = f"{data.drug.capitalize()}: FAERS disproportionality report"
    return environment.get_template("report.html.j2").render(
        title=title,
        drug=data.drug,
        scope=data.scope,
        source_label=(
            f"study folder {data.study_dir}"
            if data.study_dir
            else f"marts of {data.db_path} (the study SQL with the project's defaults, every loaded quarter)"
        ),
        n_pts=data.signals.filter(pl.col("in_scope")).height,
        n_reports=_report_counts(data),
        n_forest=data.forest_rows().height,
        n_all_four=data.forest_rows().filter(pl.col("positive_all")).height,
        min_reports=data.min_reports,
        sections=sections,
        plotlyjs=plotly.offline.get_plotlyjs(),
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        study_dir=data.study_dir,
        db_path=data.db_path,
        versions=_versions(data),
        versions_generator=__version__,
        study_text=data.study_text,
    )
