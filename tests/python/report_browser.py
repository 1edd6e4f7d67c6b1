"""Open a report in headless Chromium as a person would, and say what rendered (test helper).

Playwright (dev extra) drives the system Chromium (``/usr/bin/chromium``, Debian's package: Playwright's own
browser download is never used). It loads the file, waits until every Plotly figure has drawn, reads each
figure's traces from the graph divs, collects console errors, uncaught exceptions and every request that would
leave the machine, and saves a full-page screenshot.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import ConsoleMessage, Error, Request, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:", "chrome:", "devtools:")

FIGURES_JS = """
() => {
  const out = [];
  for (const holder of document.querySelectorAll('figure.plot')) {
    const gd = holder.querySelector('.js-plotly-plot');
    const svg = gd ? gd.querySelector('svg.main-svg') : null;
    const box = gd ? gd.getBoundingClientRect() : {width: 0, height: 0};
    const ys = new Set();
    let points = 0;
    for (const trace of (gd && gd.data) || []) {
      for (const y of trace.y || []) {
        if (typeof y === 'string') { ys.add(y); }
      }
      points += (trace.x || []).filter((x) => x !== null && x !== undefined).length;
    }
    out.push({
      figure: holder.dataset.figure,
      declared_rows: holder.dataset.ptRows === undefined ? null : Number(holder.dataset.ptRows),
      drawn: Boolean(gd && gd._fullLayout && svg),
      traces: gd && gd.data ? gd.data.length : 0,
      points: points,
      y_categories: Array.from(ys),
      width: Math.round(box.width),
      height: Math.round(box.height),
    });
  }
  return JSON.stringify(out);
}
"""
READY_JS = """
() => {
  const holders = document.querySelectorAll('figure.plot');
  return Array.from(holders).every((h) => {
    const gd = h.querySelector('.js-plotly-plot');
    return gd && gd._fullLayout && gd.querySelector('svg.main-svg');
  }) && document.readyState === 'complete';
}
"""


@dataclass(frozen=True)
class FigureCheck:
    """One figure as the browser drew it."""

    figure: str
    declared_rows: int | None
    drawn: bool
    traces: int
    points: int
    y_categories: list[str]
    width: int
    height: int


@dataclass
class PageCheck:
    """What a person opening the report would have seen."""

    title: str
    figures: list[FigureCheck]
    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    screenshot: Path | None = None
    load_seconds: float = 0.0
    script_result: Any = None
    """What the ``script`` given to :func:`check_report` returned (after the figures were drawn)."""

    def figure(self, figure_id: str) -> FigureCheck:
        """The figure with ``figure_id`` (KeyError if the page has none)."""
        for figure in self.figures:
            if figure.figure == figure_id:
                return figure
        raise KeyError(f"no figure {figure_id!r} in the page (has {[f.figure for f in self.figures]})")


def check_report(
    html: Path,
    *,
    screenshot: Path | None = None,
    script: str | None = None,
    executable: Path = CHROMIUM,
    timeout: float = 90,
) -> PageCheck:
    """Open ``html`` in headless Chromium, wait for every figure, and report what rendered.

    ``script`` (a JavaScript expression, e.g. clicks on the page) runs once the figures are drawn; its value is
    returned as ``script_result``. The screenshot, when asked for, is taken after it."""
    html = html.resolve()
    errors: list[str] = []
    requests: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "assert"):
            errors.append(message.text)

    def on_page_error(error: Error) -> None:
        errors.append(f"{error.name}: {error.message}")

    def on_request(request: Request) -> None:
        if not request.url.startswith(LOCAL_SCHEMES):
            requests.append(request.url)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), headless=True, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("console", on_console)
            page.on("pageerror", on_page_error)
            page.on("request", on_request)
            started = time.monotonic()
            page.goto(html.as_uri(), wait_until="load", timeout=timeout * 1000)
            page.wait_for_function(READY_JS, timeout=timeout * 1000, polling=100)
            load_seconds = time.monotonic() - started
            page.wait_for_timeout(300)  # let late console messages and resize redraws arrive
            figures = [FigureCheck(**item) for item in json.loads(page.evaluate(FIGURES_JS))]
            title = page.title()
            script_result = page.evaluate(script) if script else None
            if screenshot is not None:
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return PageCheck(title, figures, errors, requests, screenshot, load_seconds, script_result)
