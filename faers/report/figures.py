"""The report's Plotly figures, each built from a :class:`~faers.report.data.ReportData` alone.

Every figure returned is a plain ``go.Figure``; :mod:`faers.report.render` embeds them and
:mod:`faers.report.export` writes them as PNG/SVG. Forest plots put one PT per categorical y value, so
the number of PT rows of a figure is the number of distinct y values of its traces (the browser test
counts them that way).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from faers.report.data import OVERALL_PT

FONT = "Inter, 'Segoe UI', 'DejaVu Sans', Arial, sans-serif"
ROW_HEIGHT = 24
"""Pixels per PT row in the forest plots."""
SIGNAL_COLOUR = "#b2182b"
NEUTRAL_COLOUR = "#8c8c8c"
ALL_FOUR_MARK = "★"


@dataclass(frozen=True)
class Method:
    """One disproportionality method as a forest panel."""

    key: str
    label: str
    lower: str
    upper: str
    flag: str
    log: bool
    reference: float


METHODS: tuple[Method, ...] = (
    Method("ror", "ROR (95% CI)", "ror_lower", "ror_upper", "ror_signal", log=True, reference=1.0),
    Method("prr", "PRR (95% CI)", "prr_lower", "prr_upper", "prr_signal", log=True, reference=1.0),
    Method("ic", "IC (IC025–IC975)", "ic025", "ic975", "ic_signal", log=False, reference=0.0),
    Method("ebgm", "EBGM (EB05–EB95)", "eb05", "eb95", "ebgm_signal", log=True, reference=1.0),
)

STRATUM_ORDER: dict[str, tuple[str, ...]] = {
    "sex": ("F", "M"),
    "age_group": ("<18", "18-64", "65-85", ">85"),
    "seriousness": ("serious", "non_serious"),
}
STRATUM_TITLES = {"sex": "Sex", "age_group": "Age group", "seriousness": "Seriousness"}
STRATUM_LABELS = {
    "F": "female",
    "M": "male",
    "non_serious": "non-serious",
    "health_professional": "health professional",
}
STRATUM_COLOURS = {
    "F": "#c51b7d",
    "M": "#2166ac",
    "<18": "#fdae61",
    "18-64": "#66bd63",
    "65-85": "#1a9850",
    ">85": "#006837",
    "serious": "#b2182b",
    "non_serious": "#878787",
}
POPULATION_COLOURS = {"all": "#4a6fa5", "scope": "#d95f02"}
COUNTRY_VARIABLES = ("reporter_country", "country", "occr_country")


def _layout(fig: go.Figure, *, title: str, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 16}},
        height=height,
        template="plotly_white",
        font={"family": FONT, "size": 12, "color": "#222"},
        margin={"l": 10, "r": 10, "t": 70, "b": 90},
        legend={
            "orientation": "h",
            "yref": "container",
            "y": 0.0,
            "yanchor": "bottom",
            "x": 0.0,
            "xanchor": "left",
        },
        hoverlabel={"font": {"family": FONT}},
    )
    return fig


def _num(value: object) -> float | None:
    """A finite float, or None."""
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return number if math.isfinite(number) else None


def _fmt(value: object, digits: int = 2) -> str:
    number = _num(value)
    return "–" if number is None else f"{number:.{digits}f}"


def format_p(value: object) -> str:
    """A p-value as printed in the report: three decimals, '<0.001' below that."""
    number = _num(value)
    if number is None:
        return "–"
    return "<0.001" if number < 0.001 else f"{number:.3f}"


def _tick_labels(rows: pl.DataFrame) -> list[str]:
    """PT labels; PTs positive by all four methods in bold with a star."""
    return [
        f"<b>{pt} {ALL_FOUR_MARK}</b>" if positive else pt
        for pt, positive in zip(rows["pt"], rows["positive_all"], strict=True)
    ]


def _error_bars(rows: pl.DataFrame, estimate: str, lower: str, upper: str) -> dict:
    """Asymmetric error bars (upper - estimate, estimate - lower); missing where a bound is missing."""
    pairs = zip(rows[estimate], rows[lower], rows[upper], strict=True)
    plus, minus = [], []
    for e, lo, u in pairs:
        known = _num(e) is not None
        plus.append(u - e if known and _num(u) is not None else None)
        minus.append(e - lo if known and _num(lo) is not None else None)
    return {
        "type": "data",
        "symmetric": False,
        "array": plus,
        "arrayminus": minus,
        "thickness": 1.4,
        "width": 0,
    }


def _interval_trace(
    rows: pl.DataFrame,
    estimate: str,
    lower: str,
    upper: str,
    *,
    colour: str,
    marker: dict,
    hover: list[str],
    **options: object,
) -> go.Scatter:
    """One forest-plot series: a point per PT at ``estimate`` with its interval (``lower``, ``upper``) as
    asymmetric error bars, both in ``colour``, and ``hover`` as each point's tooltip."""
    return go.Scatter(
        x=rows[estimate].to_list(),
        y=rows["pt"].to_list(),
        mode="markers",
        marker={**marker, "color": colour},
        error_x={**_error_bars(rows, estimate, lower, upper), "color": colour},
        customdata=hover,
        hovertemplate="%{customdata}<extra></extra>",
        **options,
    )


def _reference_line(fig: go.Figure, column: int, value: float) -> None:
    """A dashed vertical line at the null value (1 on a ratio scale, 0 for IC). plotly.js 3 places shapes
    in data coordinates on log axes too (checked: a log10 coordinate of 0 stretched the axis to 1e-60)."""
    fig.add_shape(
        type="line",
        x0=value,
        x1=value,
        y0=0,
        y1=1,
        xref=f"x{column if column > 1 else ''}",
        yref="y domain",  # the shared PT axis: the line belongs to the panel
        line={"color": "#555", "width": 1, "dash": "dash"},
        opacity=0.7,
        layer="above",  # "below" hides it in the first panel, "between" throws in plotly.js 3 (seen)
    )


def _category_axis(fig: go.Figure, pts: Sequence[str], labels: Sequence[str]) -> None:
    """The shared PT axis: first row at the top, tick labels carrying the all-four mark."""
    fig.update_yaxes(
        type="category",
        categoryorder="array",
        categoryarray=list(pts),
        range=[len(pts) - 0.5, -0.5],  # first row at the top, no padding rows
        autorange=False,
        tickmode="array",
        tickvals=list(pts),
        ticktext=list(labels),
        showgrid=True,
        gridcolor="#eee",
        automargin=True,
    )


def forest_figure(rows: pl.DataFrame) -> go.Figure:
    """Forest plot of the four methods side by side (shared PT axis) plus the report counts ``a``.

    ``rows`` is :meth:`ReportData.forest_rows`; ratio scales are logarithmic, IC is linear.
    """
    pts = rows["pt"].to_list()
    fig = make_subplots(
        rows=1,
        cols=len(METHODS) + 1,
        shared_yaxes=True,
        horizontal_spacing=0.012,
        column_widths=[0.232] * len(METHODS) + [0.072],
        subplot_titles=[method.label for method in METHODS] + ["Reports"],
    )
    hover_base = [
        f"<b>{pt}</b><br>a = {a} · expected = {_fmt(e)}<br>methods positive: {n}/4"
        for pt, a, e, n in zip(rows["pt"], rows["a"], rows["expected"], rows["n_methods"], strict=True)
    ]
    for column, method in enumerate(METHODS, start=1):
        flagged = rows[method.flag].fill_null(value=False).to_list()
        for is_signal in (True, False):
            keep = [index for index, flag in enumerate(flagged) if flag == is_signal]
            colour = SIGNAL_COLOUR if is_signal else NEUTRAL_COLOUR
            fig.add_trace(
                _interval_trace(
                    rows[keep],
                    method.key,
                    method.lower,
                    method.upper,
                    colour=colour,
                    marker={
                        "symbol": "diamond" if is_signal else "circle-open",
                        "size": 9 if is_signal else 7,
                        "line": {"width": 1.2, "color": colour},
                    },
                    hover=[
                        f"{hover_base[index]}<br>{method.label}: {_fmt(rows[method.key][index])} "
                        f"({_fmt(rows[method.lower][index])}–{_fmt(rows[method.upper][index])})"
                        for index in keep
                    ],
                    orientation="h",
                    name="signal by this method" if is_signal else "no signal",
                    legendgroup="signal" if is_signal else "none",
                    showlegend=column == 1,
                ),
                row=1,
                col=column,
            )
        fig.update_xaxes(
            type="log" if method.log else "linear",
            dtick=1 if method.log else None,
            showgrid=True,
            gridcolor="#eee",
            zeroline=False,
            row=1,
            col=column,
        )
        _reference_line(fig, column, method.reference)
    counts_column = len(METHODS) + 1
    fig.add_trace(
        go.Scatter(
            x=[0] * len(pts),
            y=pts,
            mode="text",
            text=[str(a) for a in rows["a"]],
            textposition="middle center",
            showlegend=False,
            hoverinfo="skip",
        ),
        row=1,
        col=counts_column,
    )
    fig.update_xaxes(visible=False, range=[-1, 1], row=1, col=counts_column)
    fig.add_trace(  # legend entry only: explains the star of the tick labels
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            marker={"symbol": "star", "size": 10, "color": "#222"},
            name="positive by all four methods (bold PT)",
        )
    )
    _category_axis(fig, pts, _tick_labels(rows))
    _layout(fig, title="Disproportionality: four methods", height=max(360, ROW_HEIGHT * len(pts) + 170))
    return fig


def sex_within_drug_figure(rows: pl.DataFrame, within: pl.DataFrame, tests: pl.DataFrame | None) -> go.Figure:
    """The paper's sex forest plot: per PT, women vs men among the drug's reports (ROR with 95% CI, the
    study's within-drug table) beside the ratio of the sex-specific RORs against the other drugs (the
    subgroup test), on log scales with the null at 1."""
    pts = [pt for pt in rows["pt"] if pt in set(within["pt"])]
    by_pt = within.filter(pl.col("pt").is_in(pts))
    ratios = (
        tests.filter((pl.col("stratum_var") == "sex") & pl.col("pt").is_in(pts))
        if tests is not None
        else pl.DataFrame(schema={"pt": pl.String})
    )
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.03,
        subplot_titles=["Women vs men within the drug: ROR (95% CI)", "Ratio of RORs, F vs M (95% CI)"],
    )
    within_columns = ("ror_female_vs_male", "ror_female_vs_male_lower", "ror_female_vs_male_upper")
    fig.add_trace(
        _interval_trace(
            by_pt,
            *within_columns,
            colour=STRATUM_COLOURS["F"],
            marker={"symbol": "square", "size": 8},
            hover=[
                f"<b>{pt}</b><br>women {f} / men {m} reports<br>ROR {_fmt(r)} ({_fmt(lo)}–{_fmt(hi)})"
                f"<br>{test or 'no test'} p = {format_p(p)}"
                for pt, f, m, r, lo, hi, test, p in by_pt.select(
                    "pt", "female_with_pt", "male_with_pt", *within_columns, "test", "p_value"
                ).iter_rows()
            ],
            name="within-drug ROR (F vs M)",
        ),
        row=1,
        col=1,
    )
    if ratios.height:
        # subgroup_tests orders the pair alphabetically: stratum_1 'F', stratum_2 'M'
        ratio_columns = ("ror_ratio", "ror_ratio_lower", "ror_ratio_upper")
        fig.add_trace(
            _interval_trace(
                ratios,
                *ratio_columns,
                colour=STRATUM_COLOURS["M"],
                marker={"symbol": "diamond", "size": 8},
                hover=[
                    f"<b>{pt}</b><br>ROR ratio {_fmt(r)} ({_fmt(lo)}–{_fmt(hi)}), p = {format_p(p)}"
                    for pt, r, lo, hi, p in ratios.select("pt", *ratio_columns, "p_value").iter_rows()
                ],
                name="ratio of RORs (F vs M)",
            ),
            row=1,
            col=2,
        )
    for column in (1, 2):
        fig.update_xaxes(type="log", showgrid=True, gridcolor="#eee", zeroline=False, row=1, col=column)
        _reference_line(fig, column, 1.0)
    _category_axis(fig, pts, pts)
    _layout(fig, title="Sex: within the drug and against the other drugs", height=max(320, ROW_HEIGHT * len(pts) + 170))
    return fig


def _ordered_strata(variable: str, present: Iterable[str]) -> list[str]:
    known = STRATUM_ORDER.get(variable, ())
    values = set(present)
    return [s for s in known if s in values] + sorted(values - set(known))


def _min_p(tests: pl.DataFrame, variable: str, pts: Sequence[str]) -> dict[str, tuple[float, str]]:
    """Per PT, the smallest p-value of the stratum comparisons of ``variable`` and a hover text of all."""
    part = tests.filter(pl.col("stratum_var") == variable)
    result: dict[str, tuple[float, str]] = {}
    wanted = set(pts)
    for pt, group in part.group_by("pt"):
        name = pt[0]
        if name not in wanted:
            continue
        lines = [
            f"{STRATUM_LABELS.get(s1, s1)} vs {STRATUM_LABELS.get(s2, s2)}: ROR ratio {_fmt(r)} "
            f"({_fmt(lo)}–{_fmt(hi)}), p = {format_p(p)}"
            for s1, s2, r, lo, hi, p in group.select(
                "stratum_1", "stratum_2", "ror_ratio", "ror_ratio_lower", "ror_ratio_upper", "p_value"
            ).iter_rows()
        ]
        values = [v for v in (_num(p) for p in group["p_value"]) if v is not None]
        result[str(name)] = (min(values) if values else math.nan, "<br>".join(lines))
    return result


def subgroup_figure(rows: pl.DataFrame, strata: pl.DataFrame, tests: pl.DataFrame | None) -> go.Figure:
    """ROR (95% CI) per stratum side by side for each PT, one panel per stratifying variable, each followed
    by the p-value of the test of difference between strata (the smallest one where there are several)."""
    variables = [v for v in STRATUM_ORDER if v in set(strata["stratum_var"])] + sorted(
        set(strata["stratum_var"]) - set(STRATUM_ORDER)
    )
    pts = [pt for pt in rows["pt"] if pt in set(strata["pt"])]
    rows = rows.filter(pl.col("pt").is_in(pts))
    widths: list[float] = []
    titles: list[str] = []
    for variable in variables:
        widths += [0.26, 0.07]
        titles += [f"{STRATUM_TITLES.get(variable, variable)}: ROR (95% CI)", "p"]
    fig = make_subplots(
        rows=1,
        cols=2 * len(variables),
        shared_yaxes=True,
        horizontal_spacing=0.01,
        column_widths=widths,
        subplot_titles=titles,
    )
    for index, variable in enumerate(variables):
        column = 2 * index + 1
        part = strata.filter((pl.col("stratum_var") == variable) & pl.col("pt").is_in(pts))
        for stratum in _ordered_strata(variable, part["stratum"].cast(pl.String).to_list()):
            cells = part.filter(pl.col("stratum") == stratum)
            colour = STRATUM_COLOURS.get(stratum, "#555")
            fig.add_trace(
                _interval_trace(
                    cells,
                    "ror",
                    "ror_lower",
                    "ror_upper",
                    colour=colour,
                    marker={"size": 8},
                    hover=[
                        f"<b>{pt}</b> · {STRATUM_LABELS.get(stratum, stratum)}<br>a = {a}<br>"
                        f"ROR {_fmt(r)} ({_fmt(lo)}–{_fmt(hi)})"
                        for pt, a, r, lo, hi in cells.select("pt", "a", "ror", "ror_lower", "ror_upper").iter_rows()
                    ],
                    orientation="h",
                    offsetgroup=f"{variable}:{stratum}",
                    name=STRATUM_LABELS.get(stratum, stratum),
                    legendgroup=f"{variable}:{stratum}",
                ),
                row=1,
                col=column,
            )
        fig.update_xaxes(type="log", dtick=1, showgrid=True, gridcolor="#eee", row=1, col=column)
        _reference_line(fig, column, 1.0)
        p_values = _min_p(tests, variable, pts) if tests is not None else {}
        shown = [pt for pt in pts if pt in p_values]
        fig.add_trace(
            go.Scatter(
                x=[0] * len(shown),
                y=shown,
                mode="text",
                text=[
                    f"<b>{format_p(p_values[pt][0])}</b>" if p_values[pt][0] < 0.05 else format_p(p_values[pt][0])
                    for pt in shown
                ],
                customdata=[p_values[pt][1] for pt in shown],
                hovertemplate="%{customdata}<extra></extra>",
                showlegend=False,
            ),
            row=1,
            col=column + 1,
        )
        fig.update_xaxes(visible=False, range=[-1, 1], row=1, col=column + 1)
    _category_axis(fig, pts, _tick_labels(rows))
    fig.update_layout(scattermode="group", scattergap=0.35)
    _layout(fig, title="Subgroups: ROR by stratum, test of difference", height=max(380, 30 * len(pts) + 190))
    return fig


def _overall(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col("pt").cast(pl.String) == OVERALL_PT) if "pt" in frame.columns else frame


def _case_onsets(tto: pl.DataFrame) -> np.ndarray:
    """Onset in days per case (a case with several onsets counts with its first), sorted."""
    days = (
        tto.drop_nulls("tto_days")
        .group_by("primary_id")
        .agg(pl.col("tto_days").min())["tto_days"]
        .cast(pl.Float64)
        .to_numpy()
    )
    return np.sort(days)


def _bin_start(label: str) -> float:
    """The first number of a bin label ('0-7 d' -> 0, '>365 d' -> 365.5, '<1 d' -> -1); inf if none."""
    match = re.search(r"(<|>)?\s*(\d+(?:\.\d+)?)", label)
    if match is None:
        return math.inf
    value = float(match.group(2))
    return value - 1 if match.group(1) == "<" else value + 0.5 if match.group(1) == ">" else value


def _bins_in_order(bins: pl.DataFrame, tto: pl.DataFrame | None) -> pl.DataFrame:
    """Bins from the earliest onset to the latest: by the shortest onset seen in each bin when the
    per-case table is there, else by the first number of the label."""
    if tto is not None and tto.height:
        first = tto.group_by("tto_bin").agg(start=pl.col("tto_days").min().cast(pl.Float64))
        ordered = bins.join(first, on="tto_bin", how="left")
    else:
        ordered = bins.with_columns(start=pl.col("tto_bin").cast(pl.String).map_elements(_bin_start, pl.Float64))
    return ordered.sort("start", nulls_last=True).drop("start")


def tto_figure(bins: pl.DataFrame | None, summary: pl.DataFrame | None, tto: pl.DataFrame | None) -> go.Figure:
    """Time to onset: cases per bin (left); cumulative share with its median and the fitted Weibull
    curve, whose shape parameter is printed (right)."""
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.09,
        column_widths=[0.45, 0.55],
        subplot_titles=["Cases per onset interval", "Cumulative onset"],
    )
    overall = _overall(summary).row(0, named=True) if summary is not None and _overall(summary).height else {}
    if bins is not None:
        part = _bins_in_order(_overall(bins), tto)
        fig.add_trace(
            go.Bar(
                x=part["tto_bin"].cast(pl.String).to_list(),
                y=part["n"].to_list(),
                text=[str(n) for n in part["n"]],
                customdata=[_fmt(p, 1) for p in part["percent"]],
                textposition="outside",
                textfont={"size": 11},
                cliponaxis=False,
                marker={"color": "#4a6fa5"},
                name="cases per interval",
                showlegend=False,
                hovertemplate="%{x} days: %{y} cases (%{customdata}%)<extra></extra>",
            ),
            row=1,
            col=1,
        )
        fig.update_xaxes(type="category", title_text="days from start of the drug to onset", row=1, col=1)
        tallest = max((n for n in part["n"] if n is not None), default=0)
        fig.update_yaxes(title_text="cases", range=[0, tallest * 1.15 or 1], row=1, col=1)
    onsets = _case_onsets(tto) if tto is not None and tto.height else np.array([])
    if onsets.size:
        share = np.arange(1, onsets.size + 1) / onsets.size
        fig.add_trace(
            go.Scatter(
                x=onsets.tolist(),
                y=share.tolist(),
                mode="lines",
                line={"shape": "hv", "color": "#222", "width": 2},
                name=f"observed (n = {onsets.size})",
                hovertemplate="%{x:.0f} d: %{y:.0%}<extra></extra>",
            ),
            row=1,
            col=2,
        )
    shape, scale = _num(overall.get("weibull_shape")), _num(overall.get("weibull_scale"))
    upper_day = float(np.quantile(onsets, 0.98)) if onsets.size else (scale or 1.0) * 4
    if shape and scale:
        grid = np.linspace(0.0, max(upper_day, 1.0), 200)
        fig.add_trace(
            go.Scatter(
                x=grid.tolist(),
                y=(1.0 - np.exp(-((grid / scale) ** shape))).tolist(),
                mode="lines",
                line={"color": SIGNAL_COLOUR, "width": 2, "dash": "dot"},
                name=f"Weibull fit (shape {shape:.2f}, scale {scale:.1f} d)",
                hovertemplate="%{x:.0f} d: %{y:.0%}<extra>Weibull</extra>",
            ),
            row=1,
            col=2,
        )
    median = _num(overall.get("median"))
    if median is not None:
        fig.add_shape(
            type="line", x0=median, x1=median, y0=0, y1=1, xref="x2", yref="y2",
            line={"color": "#4a6fa5", "width": 1.5, "dash": "dash"},
        )  # fmt: skip
        fig.add_annotation(
            x=median, y=0.5, xref="x2", yref="y2", xanchor="left", showarrow=False, xshift=4,
            text=f"median {median:.0f} d<br>IQR {_fmt(overall.get('q1'), 0)}–{_fmt(overall.get('q3'), 0)} d",
            font={"size": 11, "color": "#4a6fa5"}, bgcolor="rgba(255,255,255,0.8)",
        )  # fmt: skip
    if shape:
        interpretation = overall.get("interpretation") or ""
        fig.add_annotation(
            x=0.98, y=0.05, xref="x2 domain", yref="y2 domain", xanchor="right", yanchor="bottom",
            showarrow=False, align="right", bgcolor="rgba(255,255,255,0.85)", bordercolor="#ccc",
            text=(
                f"Weibull shape β = {shape:.2f} ({_fmt(overall.get('weibull_shape_lower'))}–"
                f"{_fmt(overall.get('weibull_shape_upper'))})<br><i>{interpretation}</i>"
            ),
        )  # fmt: skip
    fig.update_xaxes(title_text="days to onset", range=[0, max(upper_day, 1.0)], row=1, col=2)
    fig.update_yaxes(title_text="share of cases", tickformat=".0%", range=[0, 1.02], row=1, col=2)
    return _layout(fig, title="Time to onset", height=440)


def _characteristic(characteristics: pl.DataFrame, variables: Sequence[str]) -> pl.DataFrame:
    for variable in variables:
        part = characteristics.filter(pl.col("variable") == variable)
        if part.height:
            return part
    return characteristics.clear()


def descriptive_figure(reports_per_year: pl.DataFrame | None, characteristics: pl.DataFrame | None) -> go.Figure:
    """The paper's Figure 2: reports per year (the drug's reports and the scoped subset), sex and age
    distributions, and the top reporting countries."""
    fig = make_subplots(
        rows=2,
        cols=2,
        vertical_spacing=0.16,
        horizontal_spacing=0.1,
        subplot_titles=["Reports per year", "Sex", "Age group", "Top reporting countries"],
    )
    populations: set[str] = set()
    if reports_per_year is not None:
        for population, part in reports_per_year.sort("year").group_by("population", maintain_order=True):
            name = str(population[0])
            populations.add(name)
            fig.add_trace(
                go.Bar(
                    x=part["year"].to_list(),
                    y=part["n"].to_list(),
                    name=_population_label(name),
                    legendgroup=name,
                    marker={"color": POPULATION_COLOURS.get(name, "#777")},
                    hovertemplate="%{x}: %{y} reports<extra>" + _population_label(name) + "</extra>",
                ),
                row=1,
                col=1,
            )
        fig.update_xaxes(dtick=1, tickformat="d", row=1, col=1)
        fig.update_yaxes(title_text="reports", row=1, col=1)
    if characteristics is not None:
        for (row, column), variables in {
            (1, 2): ("sex",),
            (2, 1): ("age_group",),
        }.items():
            part = _characteristic(characteristics, variables)
            order = _ordered_strata(variables[0], part["level"].cast(pl.String).to_list())
            for population, group in part.group_by("population", maintain_order=True):
                name = str(population[0])
                lookup = dict(zip(group["level"].cast(pl.String), group["percent"], strict=True))
                counts = dict(zip(group["level"].cast(pl.String), group["n"], strict=True))
                fig.add_trace(
                    go.Bar(
                        x=[STRATUM_LABELS.get(level, level) for level in order],
                        y=[lookup.get(level) for level in order],
                        customdata=[counts.get(level) for level in order],
                        name=_population_label(name),
                        legendgroup=name,
                        showlegend=name not in populations,
                        marker={"color": POPULATION_COLOURS.get(name, "#777")},
                        hovertemplate="%{x}: %{y:.1f}% (n = %{customdata})<extra>"
                        + _population_label(name)
                        + "</extra>",
                    ),
                    row=row,
                    col=column,
                )
                populations.add(name)
            fig.update_yaxes(title_text="% of reports", row=row, col=column)
        countries = _characteristic(characteristics, COUNTRY_VARIABLES)
        top = countries.filter(pl.col("population") == "all").sort("n", descending=True).head(10)
        if top.height == 0:
            top = countries.sort("n", descending=True).head(10)
        fig.add_trace(
            go.Bar(
                x=top["n"].to_list(),
                y=top["level"].cast(pl.String).to_list(),
                orientation="h",
                marker={"color": POPULATION_COLOURS["all"]},
                name="all reports",
                legendgroup="all",
                showlegend=False,
                hovertemplate="%{y}: %{x} reports<extra></extra>",
            ),
            row=2,
            col=2,
        )
        fig.update_yaxes(autorange="reversed", type="category", row=2, col=2)
        fig.update_xaxes(title_text="reports", row=2, col=2)
    fig.update_layout(barmode="group", bargap=0.2)
    return _layout(fig, title="Descriptive analysis of the reports", height=640)


def _population_label(population: str) -> str:
    return {"all": "all reports of the drug", "scope": "reports in scope"}.get(population, population)
