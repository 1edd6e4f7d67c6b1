"""The study report: Plotly forest plots and tables in one self-contained HTML file.

* ``data``: what the report shows, from a study output folder or from the marts.
* ``figures``: the Plotly figures (forest, subgroups, time to onset, descriptive).
* ``tables``: the HTML tables (signals, characteristics, subgroup tests, seriousness, TTO).
* ``render``: the jinja2 template, plotly.js inlined once.
* ``export``: each figure as PNG/SVG with kaleido and the system Chromium.
* ``cli``: ``run_report``, the ``faers report`` command.
"""

from __future__ import annotations

from faers.report.errors import ReportError
from faers.report.write import write_report, write_study_report

__all__ = ["ReportError", "write_report", "write_study_report"]
