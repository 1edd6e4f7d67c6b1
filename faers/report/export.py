"""Each report figure as PNG/SVG for a manuscript, rendered by kaleido in the system Chromium (offline)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from faers.report.errors import ReportError

FORMATS = ("png", "svg", "pdf")
PNG_SCALE = 3
"""PNG pixel density: 3x the layout size, about 300 dpi at the printed width of a journal column."""
EXPORT_WIDTH = 1400
ATTEMPTS = 2
"""Renders per image: kaleido's Chromium now and then fails one image of a batch on a busy machine (the forest plot's
PNG once in a CI run of 2026-12-06, the other images written). The images it did not write are rendered once more,
in a fresh browser; an image that fails twice is an error naming kaleido's reasons."""


def chromium_path() -> str | None:
    """The browser kaleido drives: ``$BROWSER_PATH``, else Debian's ``/usr/bin/chromium`` or one on PATH."""
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def export_figures(
    figures: Mapping[str, go.Figure], folder: Path, *, formats: Sequence[str] = ("png", "svg")
) -> dict[str, list[Path]]:
    """Write ``<folder>/<figure id>.<format>`` for every figure and format; return the paths per figure.

    One Chromium serves every image. Raises :class:`ReportError` when kaleido or a browser is missing, or when an
    image is still not written after :data:`ATTEMPTS` renders.
    """
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ReportError(f"figure format(s) {', '.join(unknown)} not supported (use {', '.join(FORMATS)})")
    try:
        import kaleido
    except ImportError as error:
        raise ReportError(
            "figure export needs kaleido: pip install 'faers-warehouse[figures]' (make setup installs it)"
        ) from error
    browser = chromium_path()
    if browser is None:
        raise ReportError("figure export needs Chromium (apt-get install chromium) or BROWSER_PATH")
    os.environ.setdefault("BROWSER_PATH", browser)
    folder.mkdir(parents=True, exist_ok=True)
    jobs: list[dict[str, Any]] = []
    written: dict[str, list[Path]] = {}
    for figure_id, figure in figures.items():
        for fmt in formats:
            path = folder / f"{figure_id}.{fmt}"
            opts = {"format": fmt, "width": EXPORT_WIDTH, "height": figure.layout.height or 600}
            if fmt == "png":
                opts["scale"] = PNG_SCALE
            jobs.append({"fig": figure, "path": path, "opts": opts})
            written.setdefault(figure_id, []).append(path)
    pending = jobs
    reasons: list[str] = []
    for _ in range(ATTEMPTS):
        # kaleido returns the errors of the images it could not render (it raises none of them)
        errors = kaleido.write_fig_from_object_sync(pending) or ()
        reasons = [f"{type(error).__name__}: {error}" for error in errors]
        pending = [job for job in pending if not job["path"].exists()]
        if not pending:
            return written
    missing = ", ".join(str(job["path"]) for job in pending)
    raise ReportError(f"kaleido did not write {missing}" + (f" ({'; '.join(reasons)})" if reasons else ""))
