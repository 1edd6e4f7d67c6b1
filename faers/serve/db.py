"""The explorer's read-only access to the warehouse: one DuckDB database opened read-only, a cursor per query.

Nothing the server runs can write: the file is attached ``read_only`` to an in-memory DuckDB of the explorer's
own, external access (files, URLs, COPY TO, ATTACH of other files, extensions) is disabled there and its
configuration locked, so no statement can turn either back on.
Every query has a time limit: a timer interrupts the DuckDB cursor and the page says so (``QueryTimeout``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from faers.errors import FaersError

CATALOG = "warehouse"
"""The name the warehouse file is attached under."""
DEFAULT_TIMEOUT = 10.0
"""Seconds a query may run before it is interrupted."""


def _quote(text: str) -> str:
    """A SQL string literal (ATTACH takes no bound parameter)."""
    return "'" + text.replace("'", "''") + "'"


class QueryTimeout(FaersError):
    """A query ran longer than the server's time limit and was interrupted."""


@dataclass(frozen=True)
class Table:
    """A query's result: column names and rows, as a page and its CSV download show it."""

    name: str
    columns: list[str]
    rows: list[tuple[Any, ...]]
    seconds: float = 0.0
    total: int | None = None
    """Rows before a LIMIT (when the page shows only the first ones)."""

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def column(self, name: str) -> list[Any]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]

    def first(self) -> dict[str, Any] | None:
        return dict(zip(self.columns, self.rows[0], strict=True)) if self.rows else None


@dataclass
class Warehouse:
    """A warehouse file opened read-only for the explorer."""

    path: Path
    timeout: float = DEFAULT_TIMEOUT
    _conn: duckdb.DuckDBPyConnection | None = field(default=None, init=False, repr=False)
    _tables: set[str] = field(default_factory=set, init=False, repr=False)

    def open(self) -> Warehouse:
        """Open the file read-only (a clear error when it is missing or a writer holds it)."""
        from loaders.settings import apply_settings

        self.path = Path(self.path)
        if not self.path.is_file():
            raise FaersError(f"no warehouse at {self.path}: run `faers load` then `faers build` (or pass --db)")
        # an in-memory DuckDB of its own with the file ATTACHed read-only: the explorer's settings (external
        # access off, configuration locked) stay in this instance, never in another connection of the process
        conn = duckdb.connect(":memory:")
        apply_settings(conn, self.path)
        try:
            conn.execute(f"attach {_quote(str(self.path))} as {CATALOG} (read_only)")
        except duckdb.IOException as error:
            conn.close()
            raise FaersError(
                f"cannot open {self.path} read-only ({' '.join(str(error).split())[:200]}): wait for the "
                "process writing it (faers build, faers update) to finish, then start the explorer again"
            ) from error
        conn.execute(f"use {CATALOG}")
        conn.execute("set enable_external_access = false")
        conn.execute("set lock_configuration = true")
        self._conn = conn
        self._tables = {
            f"{schema}.{name}"
            for schema, name in conn.execute(
                "select schema_name, table_name from duckdb_tables() where database_name = ?", [CATALOG]
            ).fetchall()
        } | {
            f"{schema}.{name}"
            for schema, name in conn.execute(
                "select schema_name, view_name from duckdb_views() where not internal and database_name = ?", [CATALOG]
            ).fetchall()
        }
        return self

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def has(self, table: str) -> bool:
        """Whether ``schema.table`` exists (read when the server started)."""
        return table in self._tables

    def cursor(self) -> duckdb.DuckDBPyConnection:
        if self._conn is None:
            raise FaersError("the warehouse is not open")
        cursor = self._conn.cursor()
        cursor.execute(f"use {CATALOG}")
        return cursor

    def query(
        self,
        name: str,
        sql: str,
        params: Sequence[Any] | dict[str, Any] = (),
        *,
        order_by: str | None = None,
        limit: int | None = None,
    ) -> Table:
        """Run one parameterised statement with the time limit, ordered by ``order_by`` (column names of its result,
        from the code, never from a request); with ``limit``, only the first rows and ``Table.total`` counting all
        of them (one scan: the count is a window beside the order)."""
        cursor = self.cursor()
        timer = threading.Timer(self.timeout, cursor.interrupt)
        started = time.perf_counter()
        timer.start()
        bound = params if isinstance(params, dict) else list(params)
        try:
            total = None
            if order_by is not None or limit is not None:
                window = ", count(*) over () as __total" if limit is not None else ""
                sql = f"select *{window} from ({sql}) as result"
                sql += f" order by {order_by}" if order_by else ""
                sql += f" limit {int(limit)}" if limit is not None else ""
            result = cursor.execute(sql, bound)
            columns = [d[0] for d in result.description or []]
            rows = result.fetchall()
            if limit is not None:
                columns = columns[:-1]
                total = int(rows[0][-1]) if rows else 0
                rows = [row[:-1] for row in rows]
        except duckdb.InterruptException as error:
            raise QueryTimeout(
                f"the query for {name} ran longer than {self.timeout:g} s and was stopped: narrow the filters, "
                "or start the explorer with a longer --timeout"
            ) from error
        finally:
            timer.cancel()
            cursor.close()
        return Table(name, columns, rows, time.perf_counter() - started, total)

    def with_cursor(self, function: Any) -> Any:
        """Call ``function(cursor)`` (e.g. faers.status) under the same time limit."""
        cursor = self.cursor()
        timer = threading.Timer(self.timeout, cursor.interrupt)
        timer.start()
        try:
            return function(cursor)
        except duckdb.InterruptException as error:
            raise QueryTimeout(f"the query ran longer than {self.timeout:g} s and was stopped") from error
        finally:
            timer.cancel()
            cursor.close()
