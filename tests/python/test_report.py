"""The study report on the synthetic warehouse: from the marts, from a study folder, in a real
headless Chromium, and as PNG/SVG figures.

Expected values come from the warehouse and the study tables themselves (SQL and polars here), never
from the reporter's own code paths.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path

import duckdb
import markupsafe
import plotly.graph_objects as go
import plotly.offline
import polars as pl
import pytest
import yaml
from typer.testing import CliRunner

from faers.report import ReportError, write_report
from faers.report.data import load_marts, load_study, resolve_drug
from faers.report.render import DEFAULT_MAX_FOREST_ROWS, build_sections
from loaders.paths import PROJECT_DIR

DRUG = "baclofen"
CHROMIUM = Path("/usr/bin/chromium")
PLOTLY_BUNDLE_MARK = plotly.offline.get_plotlyjs()[:200]
# Skipped only on a developer's machine without Chromium; in CI (`make test` installs it) a missing browser fails.
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="needs Debian's chromium at /usr/bin/chromium (`make browser` installs it)",
)


@dataclass(frozen=True)
class StudyRun:
    """``faers study studies/baclofen.yml`` on the synthetic warehouse: its folder and its report."""

    out: Path
    report: Path
    db_path: Path


@pytest.fixture(scope="module")
def study_run(built_warehouse, tmp_path_factory: pytest.TempPathFactory) -> StudyRun:
    """The worked example study, run once for this module (it writes the report itself)."""
    from faers.report import write_study_report
    from faers.study.run import run_study

    out = tmp_path_factory.mktemp("report_study") / "baclofen"
    result = run_study(
        PROJECT_DIR / "studies" / "baclofen.yml", out, built_warehouse.db_path, report=write_study_report
    )
    assert result.report_path is not None, "faers study wrote no report"
    return StudyRun(out=out, report=Path(result.report_path), db_path=built_warehouse.db_path)


@pytest.fixture(scope="module")
def marts_report(built_warehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``faers report --drug baclofen`` without a study (the marts only), through the CLI."""
    from faers.cli import app

    out = tmp_path_factory.mktemp("report_marts") / "baclofen.html"
    result = CliRunner().invoke(
        app, ["report", "--drug", DRUG, "--db", str(built_warehouse.db_path), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.exists() and str(out) in result.output.replace("\n", "")
    return out


@pytest.fixture(scope="module")
def marts_data(built_warehouse):
    """``load_marts`` of baclofen without a scope, once for this module (it runs the study SQL)."""
    return load_marts(built_warehouse.db_path, DRUG)


def _sql(db_path: Path, query: str, params: list | None = None) -> list[tuple]:
    """Expected values, straight from the warehouse."""
    with duckdb.connect(str(db_path), read_only=True) as conn:
        return conn.execute(query, params or []).fetchall()


def _expected_forest_pts(signals: pl.DataFrame, min_reports: int = 3) -> list[str]:
    """PTs of the forest plot, computed here: in scope, a >= min_reports, highest ROR first, capped."""
    rows = signals.filter(pl.col("in_scope") & (pl.col("a") >= min_reports)).sort(
        ["ror", "pt"], descending=[True, False], nulls_last=True
    )
    return rows["pt"].to_list()[:DEFAULT_MAX_FOREST_ROWS]


def _study_min_reports(run: StudyRun) -> int:
    """The study file's thresholds.min_reports (3 when the file leaves the default)."""
    study = yaml.safe_load((run.out / "study.yml").read_text(encoding="utf-8"))
    return int((study.get("thresholds") or {}).get("min_reports", 3))


def _figure(sections, figure_id: str):
    return next(f for s in sections for f in s.figures if f.figure_id == figure_id)


def _y_values(figure) -> list[str]:
    """Distinct PTs on the y axis of a figure, in axis order."""
    return list(figure.figure.layout.yaxis.categoryarray)


# --------------------------------------------------------------------------- marts only


def test_marts_forest_has_every_pt_with_three_reports_sorted_by_ror(built_warehouse, marts_data) -> None:
    # GIVEN the warehouse's signals for baclofen, queried here
    rows = _sql(
        built_warehouse.db_path,
        "select pt, n_methods from main.signals where drug = ? and a >= 3 order by ror desc nulls last, pt limit ?",
        [DRUG, DEFAULT_MAX_FOREST_ROWS],
    )
    assert rows, "the synthetic sample should give baclofen PTs with a >= 3"
    # WHEN the reporter builds its sections from the marts
    sections = build_sections(marts_data)
    forest = _figure(sections, "forest")
    # THEN the forest plot has exactly those PTs, in that order, on every panel
    assert _y_values(forest) == [pt for pt, _ in rows]
    assert forest.pt_rows == len(rows)
    plotted = {y for trace in forest.figure.data if trace.y is not None for y in trace.y if y is not None}
    assert plotted == {pt for pt, _ in rows}
    # and the PTs positive by all four methods carry the star, the others do not
    labels = dict(zip(forest.figure.layout.yaxis.tickvals, forest.figure.layout.yaxis.ticktext, strict=True))
    for pt, n_methods in rows:
        assert ("★" in labels[pt]) == (n_methods == 4), pt
    # and log axes for the ratios, linear for IC
    axes = [forest.figure.layout[f"xaxis{i if i > 1 else ''}"].type for i in range(1, 5)]
    assert axes == ["log", "log", "linear", "log"]


def test_marts_report_is_self_contained_and_has_every_section(marts_report: Path) -> None:
    html = marts_report.read_text(encoding="utf-8")
    assert html.count(PLOTLY_BUNDLE_MARK) == 1, "plotly.js must be inlined exactly once"
    assert not re.search(r"<script[^>]+src=", html), "no external script"
    assert not re.search(r"<link[^>]+href=\"https?:", html), "no external stylesheet"
    for figure in ("forest", "subgroup", "tto", "descriptive"):
        assert f'data-figure="{figure}"' in html, figure
    assert "need a study" not in html


def test_marts_report_renders_the_study_sql_tables(built_warehouse, marts_data) -> None:
    # GIVEN the characteristics the study SQL defines (outcomes and indications are multi-valued rows), and
    # the drug's reports with each outcome, counted here from the marts
    expected = dict(
        _sql(
            built_warehouse.db_path,
            """
            select outc_cod, count(distinct primary_id) from main.fct_case_outcome
            where primary_id in (select primary_id from main.fct_case_drug where drug = ? and role_cod = 'PS')
            group by outc_cod
            """,
            [DRUG],
        )
    )
    # WHEN the marts-only report reads its data
    table = marts_data.characteristics.filter((pl.col("population") == "all") & (pl.col("variable") == "outcome"))
    # THEN its outcome rows are those counts, and the tables a study writes are all there
    assert dict(table.select("level", "n").iter_rows()) == expected
    for name in ("subgroup_signals", "seriousness", "tto_summary", "settings"):
        assert getattr(marts_data, name) is not None, name


def test_brand_name_resolves_to_the_ingredient(built_warehouse) -> None:
    brands = _sql(
        built_warehouse.db_path,
        "select name from seeds.drug_synonyms where ingredient = ? and lower(name) <> ? order by name limit 1",
        [DRUG, DRUG],
    )
    assert brands, "drug_synonyms should list a baclofen brand"
    with duckdb.connect(str(built_warehouse.db_path), read_only=True) as conn:
        assert resolve_drug(conn, brands[0][0].title(), built_warehouse.db_path) == DRUG


def test_unknown_drug_is_a_clear_error(built_warehouse, tmp_path: Path) -> None:
    with pytest.raises(ReportError, match=r"warehouse\.duckdb: drug 'no-such-drug' is not in main\.signals"):
        write_report(None, built_warehouse.db_path, tmp_path / "r.html", drug="no-such-drug")


def test_scope_as_pt_list_restricts_the_forest(built_warehouse) -> None:
    pts = [r[0] for r in _sql(
        built_warehouse.db_path,
        "select pt from main.signals where drug = ? and a >= 3 order by a desc, pt limit 2", [DRUG],
    )]  # fmt: skip
    data = load_marts(built_warehouse.db_path, DRUG, scope="; ".join(pts))
    assert sorted(data.forest_rows()["pt"].to_list()) == sorted(pts)
    populations = set(data.reports_per_year["population"].to_list())
    assert populations == {"all", "scope"}


def test_scope_by_soc_name_matches_the_study_scope(study_run: StudyRun) -> None:
    # GIVEN the study's in-scope PTs (study.yml: soc Nervous system disorders) and the hierarchy, read here
    study_pts = set(pl.read_parquet(study_run.out / "tables" / "signals.parquet").filter("in_scope")["pt"])
    soc_pts = {
        row[0].lower()
        for row in _sql(
            study_run.db_path,
            "select distinct pt_name from meddra_demo.md_hierarchy "
            "where lower(soc_name) = 'nervous system disorders' and is_primary_soc",
        )
    }
    # WHEN the marts-only report is scoped by the bare SOC name
    data = load_marts(study_run.db_path, DRUG, scope="Nervous system disorders")
    scoped = set(data.signals.filter("in_scope")["pt"])
    # THEN it has the study's PTs, every one of them in that SOC
    assert scoped == study_pts
    assert {pt.lower() for pt in scoped} <= soc_pts
    with pytest.raises(ReportError, match="scope"):
        load_marts(study_run.db_path, DRUG, scope="soc:Not a system organ class")


def test_marts_descriptive_counts_match_dim_case(built_warehouse, marts_data) -> None:
    # reports per year of baclofen (suspect role PS), counted here straight from the marts
    expected = dict(
        _sql(
            built_warehouse.db_path,
            """
            select report_year, count(*) from main.dim_case
            where primary_id in (
                select primary_id from main.fct_case_drug where drug = ? and role_cod = 'PS'
            ) and report_year is not null
            group by report_year
            """,
            [DRUG],
        )
    )
    got = dict(marts_data.reports_per_year.filter(pl.col("population") == "all").select("year", "n").iter_rows())
    assert got == expected


def test_cli_report_of_an_unknown_drug_fails_in_one_line(built_warehouse) -> None:
    from faers.cli import app

    bad = CliRunner().invoke(app, ["report", "--drug", "nothing", "--db", str(built_warehouse.db_path)])
    assert bad.exit_code == 1 and "nothing" in bad.output


# --------------------------------------------------------------------------- study folder


def test_study_report_sections_come_from_the_study_tables(study_run: StudyRun) -> None:
    tables = study_run.out / "tables"
    signals = pl.read_parquet(tables / "signals.parquet")
    subgroups = pl.read_parquet(tables / "subgroup_signals.parquet")
    sections = build_sections(load_study(study_run.out))
    forest = _figure(sections, "forest")
    expected = _expected_forest_pts(signals, _study_min_reports(study_run))
    assert _y_values(forest) == expected
    subgroup = _figure(sections, "subgroup")
    assert set(_y_values(subgroup)) == set(expected) & set(subgroups["pt"].to_list())
    strata = {(t.offsetgroup or "").split(":")[0] for t in subgroup.figure.data if t.offsetgroup}
    assert strata == set(subgroups["stratum_var"].unique().to_list())
    html = study_run.report.read_text(encoding="utf-8")
    assert html.count(PLOTLY_BUNDLE_MARK) == 1
    for figure_id in ("forest", "subgroup", "tto", "descriptive"):
        assert f'data-figure="{figure_id}"' in html
    # the footer carries the study file and every version of versions.json
    versions = json.loads((study_run.out / "versions.json").read_text())
    study_lines = (study_run.out / "study.yml").read_text().splitlines()
    assert all(str(markupsafe.escape(line)) in html for line in study_lines if line.strip())
    for key in versions:
        assert f"<th>{key}</th>" in html
    # the TTO figure shows the Weibull shape of the overall row of tto_summary
    summary = pl.read_parquet(tables / "tto_summary.parquet").filter(pl.col("pt") == "ALL")
    assert summary.height == 1 and summary["weibull_shape"][0] is not None
    tto = _figure(sections, "tto").figure
    assert any(f"β = {summary['weibull_shape'][0]:.2f}" in note.text for note in tto.layout.annotations)


def test_bad_study_folder_names_the_file(study_run: StudyRun, tmp_path: Path) -> None:
    # a brand of the study drug is accepted, another drug is not
    assert load_study(study_run.out, drug="Lioresal").drug == DRUG
    with pytest.raises(ReportError, match=r"study\.yml: this is the study of baclofen, not of warfarin"):
        write_report(study_run.out, study_run.db_path, tmp_path / "r.html", drug="warfarin")
    broken = tmp_path / "broken"
    shutil.copytree(study_run.out, broken)
    (broken / "tables" / "subgroup_tests.csv").unlink(missing_ok=True)
    pl.read_parquet(broken / "tables" / "subgroup_tests.parquet").drop("p_value").write_parquet(
        broken / "tables" / "subgroup_tests.parquet"
    )
    with pytest.raises(ReportError, match=r"subgroup_tests\.parquet: missing column\(s\) p_value"):
        write_report(broken, study_run.db_path, tmp_path / "r.html")
    (broken / "study.yml").write_text("name: x\ndrug: [baclofen\nscope: {}\n")
    with pytest.raises(ReportError, match=r"study\.yml:\d+: not valid YAML"):
        write_report(broken, study_run.db_path, tmp_path / "r.html")


# --------------------------------------------------------------------------- a real browser


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


SORT_BY_A = """
(() => {
  const table = document.getElementById('signals-table');
  const header = table.querySelectorAll('thead th')[1];
  header.click(); header.click();   // ascending, then descending
  return Array.from(table.tBodies[0].rows).map((row) => Number(row.cells[1].dataset.sort));
})()
"""


@pytest.mark.browser
@needs_chromium
def test_study_report_in_headless_chromium(study_run: StudyRun, tmp_path: Path) -> None:
    from report_browser import check_report

    # GIVEN the study's own tables, read here
    tables = study_run.out / "tables"
    signals = pl.read_parquet(tables / "signals.parquet")
    subgroup_pts = set(pl.read_parquet(tables / "subgroup_signals.parquet")["pt"].to_list())
    forest_pts = _expected_forest_pts(signals, _study_min_reports(study_run))
    # WHEN a person opens the report (offline, file://) and sorts the signals table by a
    screenshot = tmp_path / "report.png"
    page = check_report(study_run.report, screenshot=screenshot, script=SORT_BY_A)
    # THEN every figure rendered, with one row per expected PT
    assert [f.figure for f in page.figures] == ["forest", "subgroup", "sex-within-drug", "tto", "descriptive"]
    for figure in page.figures:
        assert figure.drawn and figure.width > 600 and figure.height > 300, figure
        assert figure.points > 0, figure
    assert sorted(page.figure("forest").y_categories) == sorted(forest_pts)
    assert sorted(page.figure("subgroup").y_categories) == sorted(set(forest_pts) & subgroup_pts)
    assert page.figure("forest").declared_rows == len(forest_pts)
    # and the console is clean and nothing was fetched from the network
    assert page.console_errors == []
    assert page.external_requests == []
    # and the table sorts on click, by the numbers
    counts = page.script_result
    assert counts == sorted(counts, reverse=True) and len(counts) == signals.filter("in_scope").height
    # and the screenshot of the whole page exists for a person to look at
    width, height = _png_size(screenshot)
    assert width >= 1200 and height > 3000
    shutil.copy(screenshot, study_run.out / "report_screenshot.png")


@pytest.mark.browser
@needs_chromium
def test_marts_report_in_headless_chromium(marts_report: Path, built_warehouse, tmp_path: Path) -> None:
    from report_browser import check_report

    expected = {
        r[0]
        for r in _sql(
            built_warehouse.db_path,
            "select pt from main.signals where drug = ? and a >= 3 order by ror desc nulls last, pt limit ?",
            [DRUG, DEFAULT_MAX_FOREST_ROWS],
        )
    }
    page = check_report(marts_report, screenshot=tmp_path / "marts.png")
    assert [f.figure for f in page.figures] == ["forest", "subgroup", "sex-within-drug", "tto", "descriptive"]
    assert all(f.drawn for f in page.figures)
    assert set(page.figure("forest").y_categories) == expected
    assert page.console_errors == [] and page.external_requests == []


# --------------------------------------------------------------------------- manuscript figures


@pytest.mark.browser
@needs_chromium
def test_figures_export_as_png_and_svg(built_warehouse, tmp_path: Path) -> None:
    pytest.importorskip("kaleido", reason="figure export needs kaleido>=1 (pip install kaleido)")
    out = tmp_path / "paper.html"
    write_report(None, built_warehouse.db_path, out, drug=DRUG, figure_formats=("png", "svg"))
    folder = tmp_path / "paper_figures"
    for figure_id in ("forest", "tto", "descriptive"):
        width, height = _png_size(folder / f"{figure_id}.png")
        assert width >= 1400 * 2 and height > 300 * 2, figure_id
        svg = (folder / f"{figure_id}.svg").read_text(encoding="utf-8")
        assert svg.lstrip().startswith("<svg") and "</svg>" in svg
    assert 'href="paper_figures/forest.svg"' in out.read_text(encoding="utf-8")


class _FlakyKaleido:
    """kaleido's write_fig_from_object_sync as it fails on a busy machine: the images whose name is in
    ``failing`` are not written the first ``failures`` times, and their errors are returned (not raised)."""

    def __init__(self, failing: set[str], failures: int) -> None:
        self.failing = failing
        self.failures = failures
        self.calls: list[list[str]] = []

    def __call__(self, jobs: list[dict]) -> tuple[Exception, ...]:
        self.calls.append([job["path"].name for job in jobs])
        errors = []
        for job in jobs:
            if job["path"].name in self.failing and len(self.calls) <= self.failures:
                errors.append(RuntimeError(f"render of {job['path'].name} timed out"))
            else:
                job["path"].write_bytes(b"image")
        return tuple(errors)


@pytest.mark.parametrize("failures", [1, 2])
def test_figure_export_renders_a_failed_image_once_more(failures: int, tmp_path: Path, monkeypatch) -> None:
    """An image kaleido's Chromium failed to write is rendered once more (only it); twice failed, the error names
    the image and kaleido's reason."""
    kaleido = pytest.importorskip("kaleido", reason="figure export needs kaleido>=1 (pip install kaleido)")
    from faers.report.export import export_figures

    flaky = _FlakyKaleido({"forest.png"}, failures)
    monkeypatch.setattr(kaleido, "write_fig_from_object_sync", flaky)
    monkeypatch.setenv("BROWSER_PATH", "/usr/bin/chromium")
    figures = {"forest": go.Figure(), "tto": go.Figure()}
    if failures == 1:
        written = export_figures(figures, tmp_path)
        assert {path.name for paths in written.values() for path in paths} == {
            "forest.png",
            "forest.svg",
            "tto.png",
            "tto.svg",
        }
        assert all(path.exists() for paths in written.values() for path in paths)
        assert flaky.calls == [["forest.png", "forest.svg", "tto.png", "tto.svg"], ["forest.png"]]
    else:
        with pytest.raises(
            ReportError, match=r"did not write .*forest\.png \(RuntimeError: render of forest\.png timed out\)"
        ):
            export_figures(figures, tmp_path)
        assert flaky.calls == [["forest.png", "forest.svg", "tto.png", "tto.svg"], ["forest.png"]]


@pytest.mark.browser
@needs_chromium
def test_browser_check_sees_console_errors_and_network_requests(tmp_path: Path) -> None:
    """The browser check is not vacuous: a page that logs an error, throws and fetches is caught."""
    from report_browser import check_report

    page_file = tmp_path / "broken.html"
    page_file.write_text(
        "<html><head><title>broken</title></head><body>"
        "<script>console.error('boom'); fetch('http://127.0.0.1:9/x').catch(() => {});"
        "setTimeout(() => { throw new Error('late failure'); }, 0);</script></body></html>",
        encoding="utf-8",
    )
    page = check_report(page_file)
    assert page.figures == []
    assert any("boom" in message for message in page.console_errors)
    assert any("late failure" in message for message in page.console_errors)
    assert "http://127.0.0.1:9/x" in page.external_requests


def test_forest_cap_keeps_the_highest_ror_and_says_so(built_warehouse, marts_data) -> None:
    rows = _sql(
        built_warehouse.db_path,
        "select pt from main.signals where drug = ? and a >= 3 order by ror desc nulls last, pt limit 10",
        [DRUG],
    )
    sections = build_sections(marts_data, max_forest_rows=10)
    assert _y_values(_figure(sections, "forest")) == [pt for (pt,) in rows]
    signals = next(s for s in sections if s.section_id == "signals")
    assert any(note.startswith("Showing the 10 PTs with the highest ROR") for note in signals.notes)


def test_characteristics_table_of_a_variable_without_values_shows_its_missing_count_only() -> None:
    # the study SQL gives a variable no report has a value of one row of NULL level (macro characteristics_rows),
    # as on FDA's excerpts where no paroxetine report has an age: the header row says how many are missing
    from faers.report.tables import characteristics_table

    rows = [
        ("all", "sex", "F", 6, 85.7, 0),
        ("all", "sex", "M", 1, 14.3, 0),
        ("all", "age_group", None, 0, None, 7),
        ("scope", "sex", "F", 2, 100.0, 0),
        ("scope", "age_group", None, 0, None, 2),
    ]
    columns = ["population", "variable", "level", "n", "percent", "missing"]
    table = characteristics_table(pl.DataFrame(rows, schema=columns, orient="row"))
    texts = [[cell.text for cell in row] for row in table.rows]
    assert texts[-1] == ["Age group", "missing 7", "missing 2"]
    assert not any("None" in text for row in texts for text in row)
    assert [row[0].strip("\u2003") for row in texts[1:3]] == ["female", "male"]
