"""`faers serve` in headless Chromium (the system one, through Playwright as the report's tests): a person's walk
search -> drug -> pair -> case on the session's built warehouse, served by a real uvicorn on 127.0.0.1. The numbers
shown are the marts', every figure draws, no console error, no request leaves 127.0.0.1; screenshots are kept."""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from conftest import BuiltWarehouse
from playwright.sync_api import ConsoleMessage, Error, Page, Request, sync_playwright
from report_browser import CHROMIUM, FLAGS, READY_JS
from serve_helpers import running_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs the system Chromium (make browser)"),
]

SIGNAL_STATS = ("a", "b", "c", "d", "ror", "ror_lower", "ror_upper", "prr", "chi2", "ic", "ic025", "eb05", "n_methods")


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go: $FAERS_TEST_ARTEFACTS/serve (CI keeps it), else the session's temp folder."""
    root = os.environ.get("FAERS_TEST_ARTEFACTS")
    folder = Path(root) / "serve" if root else tmp_path_factory.mktemp("artefacts") / "serve"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def marts(built_warehouse: BuiltWarehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(built_warehouse.db_path), read_only=True) as conn:
        yield conn


def _value(page: Page, selector: str) -> str:
    return page.locator(selector).first.get_attribute("data-value") or ""


def _close(shown: str, value: object) -> bool:
    if value is None:
        return shown == ""
    if isinstance(value, bool):
        return shown == ("true" if value else "false")
    if isinstance(value, float):
        return math.isclose(float(shown), value, rel_tol=1e-9)
    return shown == str(value)


def test_walk_search_drug_pair_case(
    built_warehouse: BuiltWarehouse, marts: duckdb.DuckDBPyConnection, artefacts: Path
) -> None:
    errors: list[str] = []
    outside: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "assert"):
            errors.append(message.text)

    def on_page_error(error: Error) -> None:
        errors.append(f"{error.name}: {error.message}")

    with running_server(built_warehouse.db_path) as base, sync_playwright() as playwright:

        def on_request(request: Request) -> None:
            if not request.url.startswith((base + "/", "data:", "about:", "blob:")):
                outside.append(request.url)

        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("console", on_console)
            page.on("pageerror", on_page_error)
            page.on("request", on_request)

            # search, with a typo
            page.goto(base + "/", wait_until="load")
            page.fill("header input[name=q]", "baclofn")
            page.press("header input[name=q]", "Enter")
            page.wait_for_url("**/search?q=baclofn")
            page.screenshot(path=str(artefacts / "1_search.png"), full_page=True)
            page.click("section[data-kind=drug] a:text-is('baclofen')")

            # drug: header counts, the signals table row by row, figures drawn
            page.wait_for_url("**/drug?drug=baclofen")
            page.wait_for_function(READY_JS, timeout=60_000)
            n_drug = marts.execute(
                "select any_value(n_drug) from main.drug_event_cells where drug = 'baclofen'"
            ).fetchone()[0]
            assert _value(page, "[data-field=n_reports]") == str(n_drug)
            signals = marts.execute(
                "select pt, a, n_methods, ror, eb05 from main.signals where drug = 'baclofen' "
                "order by n_methods desc nulls last, a desc, pt"
            ).fetchall()
            shown = page.eval_on_selector_all(
                "#signals tbody tr",
                """rows => rows.map(r => ['pt', 'a', 'n_methods', 'ror', 'eb05'].map(
                    c => r.querySelector(`td[data-column=${c}]`).dataset.value))""",
            )
            assert len(shown) == len(signals)
            for row, expected in zip(shown, signals, strict=True):
                assert all(_close(s, e) for s, e in zip(row, expected, strict=True)), (row, expected)
            assert page.locator("figure.plot[data-figure=forest] .js-plotly-plot").count() == 1
            page.screenshot(path=str(artefacts / "2_drug.png"))  # the top: the signals table is long

            # pair: the strongest signal; every statistic against main.signals
            pt = signals[0][0]
            page.click("#signals tbody tr:first-child td[data-column=pt] a")
            page.wait_for_url("**/pair?**")
            page.wait_for_function(READY_JS, timeout=60_000)
            result = marts.execute("select * from main.signals where drug = 'baclofen' and pt = ?", [pt])
            mart = dict(zip([d[0] for d in result.description], result.fetchone(), strict=True))
            assert page.locator("#pair-name").inner_text() == f"baclofen · {pt}"
            for cell in ("a", "b", "c", "d"):
                assert _value(page, f"[data-cell={cell}]") == str(mart[cell])
            for stat in SIGNAL_STATS[4:]:
                assert _close(_value(page, f"[data-stat={stat}]"), mart[stat]), stat
            reports = page.locator("#reports tbody tr").count()
            assert reports == min(mart["a"], 500)
            page.screenshot(path=str(artefacts / "3_pair.png"), full_page=True)

            # case: the first report of the pair; the kept version is dim_case's
            case_id = int(page.locator("#reports tbody tr:first-child td[data-column=case_id]").inner_text())
            page.click("#reports tbody tr:first-child td[data-column=case_id] a")
            page.wait_for_url(f"**/case/{case_id}")
            kept = marts.execute("select primary_id from main.dim_case where case_id = ?", [case_id]).fetchone()[0]
            assert page.locator("#kept b").get_attribute("data-value") == str(kept)
            drugs = marts.execute("select count(*) from main.fct_case_drug where primary_id = ?", [kept]).fetchone()
            assert page.locator("#drugs tbody tr").count() == drugs[0]
            assert page.locator("#drugs td[data-column=drug]", has_text="baclofen").count() >= 1
            page.screenshot(path=str(artefacts / "4_case.png"), full_page=True)

        finally:
            browser.close()
    assert errors == []
    assert outside == []
    assert all(
        (artefacts / f"{name}.png").stat().st_size > 10_000 for name in ("1_search", "2_drug", "3_pair", "4_case")
    )
