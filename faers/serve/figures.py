"""The explorer's Plotly figures as JSON specs (data + layout), drawn in the page by plotly.js served locally.

Only presentation: the numbers come from the page's tables unchanged.
"""

from __future__ import annotations

import math
from typing import Any

from faers.serve.db import Table

SIGNAL_COLOUR = "#b2182b"
NEUTRAL_COLOUR = "#8c8c8c"
FOREST_ROWS = 40
"""PTs in the forest plot: the drug's signals (n_methods >= 1) first, then by a."""


def _layout(title: str, height: int, **extra: Any) -> dict[str, Any]:
    return {
        "title": {"text": title, "x": 0},
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
        "font": {"family": "Inter, 'Segoe UI', 'DejaVu Sans', Arial, sans-serif", "size": 12},
        "plot_bgcolor": "white",
        **extra,
    }


def forest(signals: Table, drug: str) -> dict[str, Any] | None:
    """ROR with its 95% interval per PT (log axis), signals in red; None without a finite ROR."""
    rows = [r for r in signals.records() if r["ror"] is not None and r["ror_lower"] is not None]
    rows = [r for r in rows if all(math.isfinite(r[k]) and r[k] > 0 for k in ("ror", "ror_lower", "ror_upper"))]
    if not rows:
        return None
    rows.sort(key=lambda r: (-(r["n_methods"] or 0), -r["a"], r["pt"]))
    rows = rows[:FOREST_ROWS][::-1]
    pts = [r["pt"] for r in rows]
    trace = {
        "type": "scatter",
        "mode": "markers",
        "x": [r["ror"] for r in rows],
        "y": pts,
        "error_x": {
            "type": "data",
            "symmetric": False,
            "array": [r["ror_upper"] - r["ror"] for r in rows],
            "arrayminus": [r["ror"] - r["ror_lower"] for r in rows],
            "color": "#555",
        },
        "marker": {"color": [SIGNAL_COLOUR if r["n_methods"] else NEUTRAL_COLOUR for r in rows], "size": 8},
        "customdata": [[r["a"], r["n_methods"], r["ror_lower"], r["ror_upper"]] for r in rows],
        "hovertemplate": "%{y}<br>ROR %{x:.3g} (%{customdata[2]:.3g}-%{customdata[3]:.3g})"
        "<br>a = %{customdata[0]}, methods %{customdata[1]}<extra></extra>",
        "name": "ROR (95% CI)",
    }
    layout = _layout(
        f"{drug}: ROR with 95% CI ({len(rows)} PTs; red: signal by at least one method)",
        max(300, 26 * len(rows) + 100),
        xaxis={"type": "log", "title": {"text": "ROR (log scale)"}, "gridcolor": "#eee"},
        yaxis={"automargin": True, "type": "category"},
        shapes=[{"type": "line", "x0": 1, "x1": 1, "yref": "paper", "y0": 0, "y1": 1, "line": {"dash": "dot"}}],
        showlegend=False,
    )
    return {"data": [trace], "layout": layout}


def reports_per_year(per_year: Table, drug: str) -> dict[str, Any] | None:
    rows = [r for r in per_year.records() if r["year"] is not None]
    if not rows:
        return None
    years = [str(r["year"]) for r in rows]
    data = [
        {"type": "bar", "x": years, "y": [r["n"] - r["n_serious"] for r in rows], "name": "non-serious"},
        {
            "type": "bar",
            "x": years,
            "y": [r["n_serious"] for r in rows],
            "name": "serious",
            "marker": {"color": SIGNAL_COLOUR},
        },
    ]
    layout = _layout(
        f"{drug}: reports per year",
        320,
        barmode="stack",
        xaxis={"type": "category"},
        yaxis={"title": {"text": "reports"}},
    )
    return {"data": data, "layout": layout}


def tto_histogram(bins: Table, drug: str, pt: str) -> dict[str, Any] | None:
    rows = bins.records()
    if not rows:
        return None
    data = [{"type": "bar", "x": [r["tto_bin"] for r in rows], "y": [r["n"] for r in rows], "name": "reports"}]
    layout = _layout(
        f"Time to onset: {drug} / {pt}",
        320,
        xaxis={"type": "category", "title": {"text": "days from start of therapy"}},
        yaxis={"title": {"text": "reports"}},
    )
    return {"data": data, "layout": layout}
