"""``write_report``: the one entry point that the CLI, ``faers study`` and ``faers demo`` call."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from faers.atomic import atomic_file, staged_dir
from faers.report.data import ReportData, load_marts, load_study
from faers.report.errors import ReportError
from faers.report.render import DEFAULT_MAX_FOREST_ROWS, build_sections, render_html


def load_data(study_dir: Path | None, db_path: Path, *, drug: str | None, scope: str | None) -> ReportData:
    """The report's data: the study folder when given, else the marts of ``db_path`` (``drug`` needed)."""
    if study_dir is not None:
        return load_study(study_dir, drug=drug, scope=scope)
    if not drug:
        raise ReportError("a report from the marts needs a drug (--drug NAME)")
    return load_marts(db_path, drug, scope=scope)


def write_report(
    study_dir: Path | None,
    db_path: Path,
    out: Path,
    *,
    drug: str | None = None,
    scope: str | None = None,
    figure_formats: Sequence[str] = (),
    max_forest_rows: int | None = DEFAULT_MAX_FOREST_ROWS,
) -> Path:
    """Write the self-contained HTML report to ``out`` and return its path.

    With ``study_dir`` (a ``faers study`` output folder) every section is drawn from the study's tables;
    without it the marts of ``db_path`` give the signal forest plots, time to onset and the descriptive
    figures, and the report says which sections need a study. ``figure_formats`` (``'png'``, ``'svg'``)
    also writes each figure to ``<out stem>_figures/`` for a manuscript (needs kaleido and Chromium).
    """
    data = load_data(study_dir, db_path, drug=drug, scope=scope)
    sections = build_sections(data, max_forest_rows=max_forest_rows)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    if figure_formats:
        from faers.report.export import export_figures

        rendered = [figure for section in sections for figure in section.figures]
        folder = out.parent / f"{out.stem}_figures"
        with staged_dir(folder) as stage:
            written = export_figures({f.figure_id: f.figure for f in rendered}, stage, formats=figure_formats)
        for figure in rendered:
            figure.exports = [
                (folder / p.relative_to(stage)).relative_to(out.parent).as_posix()
                for p in written.get(figure.figure_id, [])
            ]
    with atomic_file(out) as partial:  # a Ctrl-C never leaves half a report
        partial.write_text(render_html(data, sections), encoding="utf-8")
    return out


def write_study_report(study_dir: Path, db_path: Path) -> Path:
    """``study_dir/report.html`` from a study folder: the writer ``faers study`` passes to ``run_study``."""
    return write_report(study_dir=study_dir, db_path=db_path, out=study_dir / "report.html")
