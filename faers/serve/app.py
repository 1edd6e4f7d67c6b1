"""The explorer's Starlette application: routes, parameter validation, CSV downloads, error pages.

Every page is a GET with a stable URL; ``&csv=NAME`` on any page returns that page's table NAME as CSV.
Parameters are validated here (types, ranges, lengths) and reach SQL only as bound parameters (``queries``).
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import re
import time
from collections.abc import AsyncIterator, Callable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from faers.serve import figures, queries
from faers.serve.db import DEFAULT_TIMEOUT, QueryTimeout, Table, Warehouse
from faers.serve.html import format_value, raw_value, table_html
from faers.serve.variants import formula_variants

STATIC_DIR = Path(__file__).parent / "static"
MAX_TEXT = 200
"""Longest text parameter accepted (a drug, PT or search)."""


class BadParameter(ValueError):
    """A query-string parameter of the wrong type or out of range (HTTP 400)."""


def _text(request: Request, name: str, *, required: bool = False) -> str | None:
    value = request.query_params.get(name)
    if value is None or not value.strip():
        if required:
            raise BadParameter(f"parameter {name!r} is required")
        return None
    if len(value) > MAX_TEXT or "\x00" in value:
        raise BadParameter(f"parameter {name!r} is too long or holds a NUL character")
    return value.strip()


def _number(request: Request, name: str, kind: type[int] | type[float], low: float, high: float) -> Any:
    text = _text(request, name)
    if text is None:
        return None
    try:
        value = kind(text)
    except ValueError as error:
        raise BadParameter(f"parameter {name!r} must be a {kind.__name__}, got {text!r}") from error
    if (isinstance(value, float) and not math.isfinite(value)) or not low <= value <= high:
        raise BadParameter(f"parameter {name!r} must be between {low:g} and {high:g}, got {text!r}")
    return value


def _signal_filter(request: Request) -> queries.SignalFilter:
    sort = _text(request, "sort") or "n_methods"
    if sort not in queries.SORTABLE:
        raise BadParameter(f"parameter 'sort' must be one of {', '.join(queries.SIGNAL_COLUMNS)}")
    order = _text(request, "order") or "desc"
    if order not in ("asc", "desc"):
        raise BadParameter("parameter 'order' must be asc or desc")
    return queries.SignalFilter(
        min_a=_number(request, "min_a", int, 0, 10**9),
        min_methods=_number(request, "min_methods", int, 0, 4),
        ror_lower_min=_number(request, "ror_lower_min", float, 0, 1e12),
        prr_min=_number(request, "prr_min", float, 0, 1e12),
        ic025_min=_number(request, "ic025_min", float, -1e6, 1e6),
        eb05_min=_number(request, "eb05_min", float, 0, 1e12),
        soc=_text(request, "soc"),
        pt=_text(request, "pt"),
        sort=sort,
        descending=order == "desc",
    )


# ---------------------------------------------------------------- rendering


@cache
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("faers.serve", "templates"), autoescape=select_autoescape(["j2", "html"]))
    env.filters["fmt"] = format_value
    env.filters["raw"] = raw_value
    env.globals["urlencode"] = urlencode
    return env


def _page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    params = dict(request.query_params)
    params.pop("csv", None)

    def csv_url(name: str) -> str:
        return f"{request.url.path}?{urlencode({**params, 'csv': name})}"

    def table(t: Table | None, name: str, **options: Any) -> Markup:
        return table_html(t, csv_url(name), **options)

    def with_params(**changes: Any) -> str:
        merged = {**params, **{k: v for k, v in changes.items() if v is not None}}
        return f"{request.url.path}?{urlencode(merged)}"

    html = (
        _environment()
        .get_template(template)
        .render(
            request=request,
            csv_url=csv_url,
            table=table,
            with_params=with_params,
            db=request.app.state.db_path,
            **context,
        )
    )
    return HTMLResponse(html, status_code=status_code)


def _csv(table: Table, filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([raw_value(value) for value in row])
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", filename).strip("_")[:120] or "table"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{safe}.csv"'},
    )


def _maybe_csv(request: Request, tables: dict[str, Table | None], stem: str) -> Response | None:
    name = request.query_params.get("csv")
    if name is None:
        return None
    table = tables.get(name)
    if table is None:
        raise BadParameter(f"parameter 'csv' must be one of {', '.join(k for k, v in tables.items() if v)}")
    return _csv(table, f"{stem}_{name}")


def _warehouse(request: Request) -> Warehouse:
    return request.app.state.warehouse


# ---------------------------------------------------------------- pages


def search_page(request: Request) -> Response:
    q = _text(request, "q")
    results = queries.search(_warehouse(request), q) if q else None
    if results is not None and (response := _maybe_csv(request, {"results": results}, "search")):
        return response
    grouped: dict[str, list[dict[str, Any]]] = {"drug": [], "drug_name": [], "pt": []}
    for record in results.records() if results else []:
        grouped[record["kind"]].append(record)
    return _page(request, "search.j2", q=q or "", results=results, grouped=grouped)


def drug_page(request: Request) -> Response:
    warehouse = _warehouse(request)
    drug = _text(request, "drug", required=True)
    assert drug is not None
    summary = queries.drug_summary(warehouse, drug).first()
    if summary is None:
        return _not_found(request, f"no drug {drug!r} in the signals", drug)
    signal_filter = _signal_filter(request)
    wants_csv = request.query_params.get("csv") == "signals"
    signals = queries.drug_signals(warehouse, drug, signal_filter, limit=None if wants_csv else queries.ROWS_SHOWN)
    per_year = queries.reports_per_year(warehouse, drug)
    characteristics = queries.characteristics(warehouse, drug)
    tables = {"signals": signals, "reports_per_year": per_year, "characteristics": characteristics}
    if response := _maybe_csv(request, tables, drug):
        return response
    return _page(
        request,
        "drug.j2",
        drug=drug,
        summary=summary,
        signals=signals,
        filter=signal_filter,
        socs=queries.drug_socs(warehouse, drug),
        per_year=per_year,
        characteristics=characteristics,
        forest=figures.forest(signals, drug),
        per_year_figure=figures.reports_per_year(per_year, drug),
        columns=queries.SIGNAL_COLUMNS,
        pair_link=lambda row: f"/pair?{urlencode({'drug': drug, 'pt': row[0]})}",
    )


def pt_page(request: Request) -> Response:
    warehouse = _warehouse(request)
    pt = _text(request, "pt", required=True)
    assert pt is not None
    wants_csv = request.query_params.get("csv") == "signals"
    signals = queries.pt_signals(warehouse, pt, limit=None if wants_csv else queries.ROWS_SHOWN)
    if not signals.rows:
        return _not_found(request, f"no signals row for PT {pt!r}", pt)
    if response := _maybe_csv(request, {"signals": signals}, pt):
        return response
    return _page(
        request,
        "pt.j2",
        pt=pt,
        signals=signals,
        drug_link=lambda row: f"/drug?{urlencode({'drug': row[0]})}",
        pair_link=lambda row: f"/pair?{urlencode({'drug': row[0], 'pt': pt})}",
    )


def pair_page(request: Request) -> Response:
    warehouse = _warehouse(request)
    drug = _text(request, "drug", required=True)
    pt = _text(request, "pt", required=True)
    assert drug is not None and pt is not None
    signal = queries.pair_signal(warehouse, drug, pt)
    row = signal.first()
    if row is None:
        return _not_found(request, f"no signals row for drug {drug!r} and PT {pt!r}", drug)
    prior = queries.mgps_prior(warehouse)
    bins = queries.tto_bins(warehouse, drug, pt)
    tables: dict[str, Table | None] = {
        "signal": signal,
        "subgroups": queries.subgroups(warehouse, drug, pt),
        "tto_bins": bins,
        "tto_summary": queries.tto_summary(warehouse, drug, pt),
        "changes": queries.pair_changes(warehouse, drug, pt),
        "snapshots": queries.pair_snapshots(warehouse, drug, pt),
        "mgps_prior": prior,
    }
    if request.query_params.get("csv") == "reports":
        return _csv(queries.pair_reports(warehouse, drug, pt, limit=None), f"{drug}_{pt}_reports")
    tables["reports"] = queries.pair_reports(warehouse, drug, pt)
    if response := _maybe_csv(request, tables, f"{drug}_{pt}"):
        return response
    return _page(
        request,
        "pair.j2",
        drug=drug,
        pt=pt,
        row=row,
        tables=tables,
        prior=prior.first(),
        variants=formula_variants(warehouse, row, prior.first()),
        tto_figure=figures.tto_histogram(bins, drug, pt),
        case_link=lambda row: f"/case/{row[0]}",
    )


def case_page(request: Request) -> Response:
    warehouse = _warehouse(request)
    case_id = request.path_params["case_id"]
    if case_id > 2**62:
        raise BadParameter("case id out of range")
    versions = queries.case_versions(warehouse, case_id)
    if not versions.rows:
        return _not_found(request, f"no case {case_id} in the warehouse", None)
    kept = next((r for r in versions.records() if r["is_kept"]), None)
    tables: dict[str, Table | None] = {"versions": versions}
    if kept is not None:
        tables.update(queries.case_tables(warehouse, kept["primary_id"]))
    if response := _maybe_csv(request, tables, f"case_{case_id}"):
        return response
    case_row = tables["case"].first() if kept is not None and tables.get("case") else None
    return _page(request, "case.j2", case_id=case_id, kept=kept, tables=tables, case_row=case_row)


def status_page(request: Request) -> Response:
    from faers.status import status_lines

    warehouse = _warehouse(request)
    lines, _state = warehouse.with_cursor(lambda cursor: status_lines(cursor, warehouse.path))
    tables: dict[str, Table | None] = {
        "quarters": queries.quarter_loads(warehouse),
        "builds": queries.builds(warehouse),
        "releases": queries.releases(warehouse),
        "mgps_prior": queries.mgps_prior(warehouse) if warehouse.has("main.mgps_prior") else None,
    }
    if response := _maybe_csv(request, tables, "status"):
        return response
    return _page(request, "status.j2", lines=lines, tables=tables)


def _not_found(request: Request, message: str, term: str | None) -> Response:
    suggestions = queries.search(_warehouse(request), term) if term else None
    return _page(request, "error.j2", 404, title="Not found", message=message, suggestions=suggestions)


@cache
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def plotly_js(_request: Request) -> Response:
    return Response(
        _plotly_js(), media_type="application/javascript", headers={"Cache-Control": "public, max-age=86400"}
    )


# ---------------------------------------------------------------- errors


async def _bad_parameter(request: Request, error: Exception) -> Response:
    return _page(request, "error.j2", 400, title="Bad request", message=str(error), suggestions=None)


async def _timeout(request: Request, error: Exception) -> Response:
    return _page(request, "error.j2", 503, title="Query stopped", message=str(error), suggestions=None)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    message = "no such page" if error.status_code == 404 else str(error.detail)
    return _page(request, "error.j2", error.status_code, title=error.detail, message=message, suggestions=None)


class ServerTiming:
    """Adds ``Server-Timing: app;dur=MS`` (the server's time for the request: queries and rendering) to every
    response; benchmarks/serve.py reads it, and so does a browser's developer tools."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def send_timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.append("Server-Timing", f"app;dur={(time.perf_counter() - started) * 1000:.1f}")
            await send(message)

        await self.app(scope, receive, send_timed)


def create_app(db_path: Path, *, timeout: float = DEFAULT_TIMEOUT) -> Starlette:
    """The explorer over ``db_path`` (opened read-only when the app starts, closed when it stops)."""
    db_path = Path(db_path).resolve()
    warehouse = Warehouse(db_path, timeout=timeout)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        warehouse.open()
        try:
            yield
        finally:
            warehouse.close()

    routes: list[Route | Mount] = [
        Route("/", search_page),
        Route("/search", search_page),
        Route("/drug", drug_page),
        Route("/pair", pair_page),
        Route("/pt", pt_page),
        Route("/case/{case_id:int}", case_page),
        Route("/status", status_page),
        Route("/static/plotly.min.js", plotly_js),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    handlers: dict[Any, Callable[..., Any]] = {
        BadParameter: _bad_parameter,
        QueryTimeout: _timeout,
        HTTPException: _http_error,
    }
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers=handlers,
        middleware=[Middleware(ServerTiming)],
    )
    app.state.warehouse = warehouse
    app.state.db_path = db_path
    return app
