"""The explorer's data tables as HTML, built in Python (a page can hold tens of thousands of cells: a jinja2
macro per cell is too slow for the explorer's time budget). Every value is escaped; each cell carries its
column and exact value (``data-column``, ``data-value``) so tests and scripts read the numbers unrounded."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Collection, Mapping
from html import escape
from typing import Any

from markupsafe import Markup

from faers.serve.db import Table

Link = Callable[[tuple[Any, ...]], str | None]


def format_value(value: Any, column: str = "") -> str:
    """A cell as shown: floats to 4 significant digits, counts with thousands separators (ids without), dates
    ISO, lists joined; NULL blank."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return f"{value:.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10000 and not column.endswith("_id") else str(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(format_value(v) for v in value)
    return str(value)


def raw_value(value: Any) -> str:
    """A cell's exact value (the data-value attribute and the CSV): floats with every digit."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ";".join(raw_value(v) for v in value)
    return str(value)


def table_html(
    table: Table | None,
    csv_href: str,
    *,
    id: str | None = None,
    links: Mapping[str, Link] | None = None,
    sort_links: Mapping[str, str] | None = None,
    flags: Collection[str] = (),
    shown: int | None = None,
) -> Markup:
    """A data table with its row count and CSV link; ``shown`` rows at most (the CSV has them all)."""
    if table is None:
        return Markup("")
    links = links or {}
    sort_links = sort_links or {}
    rows = table.rows if shown is None else table.rows[:shown]
    total = table.total if table.total is not None else len(table.rows)
    count = f"{len(rows):,}" + (f" of {total:,}" if total > len(rows) else "")
    parts = [
        '<div class="table-wrap"><div class="table-meta">',
        f'{count} row(s) · <a class="csv" href="{escape(csv_href)}" download>CSV</a></div>',
        f'<table class="data"{f" id={chr(34)}{escape(id)}{chr(34)}" if id else ""} data-table="{escape(table.name)}">',
        "<thead><tr>",
    ]
    for column in table.columns:
        label = escape(column)
        href = sort_links.get(column)
        parts.append(
            f'<th data-column="{label}">' + (f'<a href="{escape(href)}">{label}</a>' if href else label) + "</th>"
        )
    parts.append("</tr></thead><tbody>")
    columns = [
        (index, escape(column), column in flags, links.get(column)) for index, column in enumerate(table.columns)
    ]
    for row in rows:
        parts.append("<tr>")
        for index, label, is_flag, link in columns:
            value = row[index]
            if value is None:
                text = raw = ""
            elif type(value) is float or type(value) is int:  # numbers need no escaping (the hot path)
                text, raw = format_value(value, label), repr(value) if type(value) is float else str(value)
            elif type(value) is str:
                text = raw = escape(value)
            else:
                text, raw = escape(format_value(value, label)), escape(raw_value(value))
            if link is not None and (href := link(row)):
                text = f'<a href="{escape(href)}">{text}</a>'
            css = ' class="flag"' if is_flag and value else ""
            parts.append(f'<td data-column="{label}" data-value="{raw}"{css}>{text}</td>')
        parts.append("</tr>")
    parts.append("</tbody></table></div>")
    return Markup("".join(parts))
