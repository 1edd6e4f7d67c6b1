"""The build log (``audit.builds``) as the readers see it: which build the marts come from, and whether
a later one started and never completed (killed, interrupted or failed), leaving marts of two builds.

The rows are written by dbt itself (the project's on-run-start / on-run-end hooks,
macros/ops/build_log.sql), so ``dbt build`` run by hand is recorded exactly like ``faers build`` and
``faers update``; ``faers.dbt.run_dbt`` only marks a build stopped by Ctrl-C as 'interrupted'.

Rules:

* a *full* build is ``dbt build`` or ``dbt run`` of the whole project (no --select/--exclude/--selector);
* the warehouse is *incomplete* when any build after the last complete full build did not complete
  ('running' with no process left, 'interrupted' or 'failed'): some marts may be new and others old.
  Only a complete full build clears it (a later successful partial build cannot vouch for the rest);
* ``faers report`` and ``faers study`` call ``require_complete_build`` and refuse an incomplete warehouse.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from faers.errors import IncompleteBuildError, MissingMartError
from loaders.storage import connect_warehouse

SCHEMA = "audit"
TABLE = "builds"
FULL_COMMANDS = ("build", "run")

_COLUMNS = (
    "build_id, invocation_id, command, selection, full_refresh, vars, started_at, finished_at, status, n_nodes, "
    "failed_nodes, quarters, raw_loaded_at"
)


@dataclass(frozen=True)
class Build:
    """One row of audit.builds."""

    build_id: int
    invocation_id: str
    command: str
    selection: str | None
    full_refresh: bool
    vars: dict[str, Any]
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status: str  # running | complete | failed | interrupted
    n_nodes: int | None
    failed_nodes: tuple[str, ...]
    quarters: tuple[str, ...]
    raw_loaded_at: dt.datetime | None

    @property
    def is_full(self) -> bool:
        """Every model of the project was (re)built."""
        return self.command in FULL_COMMANDS and self.selection is None

    @property
    def is_complete(self) -> bool:
        return self.status == "complete"

    def label(self) -> str:
        """``build 4 (dbt build --select signals, started 2026-01-02 10:11:12 UTC)``."""
        what = f"dbt {self.command}" + (f" {self.selection}" if self.selection else "")
        return f"build {self.build_id} ({what}, started {_time(self.started_at)})"

    def problem(self) -> str:
        """What went wrong with a build that did not complete."""
        if self.status == "running":
            return "started but never finished (killed, or still running)"
        if self.status == "interrupted":
            return f"was interrupted (Ctrl-C) at {_time(self.finished_at)}"
        more = len(self.failed_nodes) - 3
        nodes = ", ".join(self.failed_nodes[:3]) + (f" and {more} more" if more > 0 else "")
        return f"failed ({nodes})" if nodes else "failed"


@dataclass(frozen=True)
class BuildState:
    """The warehouse's builds: the last complete full one, and what happened since."""

    builds: tuple[Build, ...]

    @property
    def last_complete(self) -> Build | None:
        """The latest complete full build (the marts are that build's unless a later one is incomplete)."""
        return next((b for b in reversed(self.builds) if b.is_full and b.is_complete), None)

    @property
    def since_last_complete(self) -> tuple[Build, ...]:
        last = self.last_complete
        return tuple(b for b in self.builds if last is None or b.build_id > last.build_id)

    @property
    def incomplete(self) -> Build | None:
        """The latest build after the last complete full build that did not complete, if any."""
        return next((b for b in reversed(self.since_last_complete) if not b.is_complete), None)

    @property
    def partial_since(self) -> tuple[Build, ...]:
        """Complete partial builds (--select ...) after the last complete full build."""
        return tuple(b for b in self.since_last_complete if b.is_complete and not b.is_full)


def table_exists(conn: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    """Whether ``schema.name`` is a table or view of the warehouse."""
    found = conn.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchall()
    return bool(found[0][0])


def read_state(conn: duckdb.DuckDBPyConnection) -> BuildState | None:
    """Every recorded build, oldest first; None when the warehouse has no build log (never built)."""
    if not table_exists(conn, SCHEMA, TABLE):
        return None
    rows = conn.execute(f"select {_COLUMNS} from {SCHEMA}.{TABLE} order by build_id").fetchall()
    return BuildState(tuple(_build(row) for row in rows))


def built_vars(conn: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """The vars the marts were built with: those given to the last complete full build (``--vars``; every other
    var took its dbt_project.yml default). None when no complete full build is recorded."""
    state = read_state(conn)
    last = state.last_complete if state is not None else None
    return dict(last.vars) if last is not None else None


def require_complete_build(
    conn: duckdb.DuckDBPyConnection, db_path: Path, marts: Sequence[str] = ("signals", "dim_case")
) -> None:
    """Refuse to read a warehouse whose ``marts`` (main.*) are missing or whose latest build is incomplete."""
    for mart in marts:
        if not table_exists(conn, "main", mart):
            raise MissingMartError(
                f"the warehouse {db_path} has no mart main.{mart}: run `faers build` (after `faers load`) first"
            )
    state = read_state(conn)
    incomplete = state.incomplete if state is not None else None
    if incomplete is not None:
        raise IncompleteBuildError(
            f"the warehouse {db_path} is incomplete: {incomplete.label()} {incomplete.problem()}, so its marts may "
            "mix two builds; run `faers build` (it brings every mart up to date), then run this command again"
        )


EXPLORER_TABLE = "explorer_drug_summary"


def require_fresh_explorer(conn: duckdb.DuckDBPyConnection, db_path: Path) -> None:
    """Refuse explorer tables (models/marts/explorer, var ``explorer``) that are missing or were not built by
    the warehouse's latest complete build: a later build without them changed the marts they summarise."""
    require_complete_build(conn, db_path)
    if not table_exists(conn, "main", EXPLORER_TABLE):
        raise MissingMartError(
            f"the warehouse {db_path} has no explorer tables: run `faers build --explorer` (once; `faers update` "
            "then keeps them up to date)"
        )
    state = read_state(conn)
    latest = next((b for b in reversed(state.builds) if b.is_complete), None) if state is not None else None
    built_by = conn.execute(f"select any_value(invocation_id) from main.{EXPLORER_TABLE}").fetchall()[0][0]
    if latest is not None and built_by is not None and built_by != latest.invocation_id:
        raise MissingMartError(
            f"the explorer tables of {db_path} are older than its marts ({latest.label()} did not rebuild them): "
            "run `faers build --explorer`"
        )


def mark_unfinished(db_path: Path, invocation_id: str, status: str) -> None:
    """Set the build of ``invocation_id`` to ``status`` ('interrupted', 'failed') when dbt stopped before
    its on-run-end hook could record the outcome (Ctrl-C, an exception); a finished record is left alone."""
    with connect_warehouse(db_path) as conn:
        if table_exists(conn, SCHEMA, TABLE):
            conn.execute(
                f"update {SCHEMA}.{TABLE} set status = ?, finished_at = current_timestamp "
                "where invocation_id = ? and status = 'running'",
                [status, invocation_id],
            )


def _build(row: tuple[Any, ...]) -> Build:
    (build_id, invocation_id, command, selection, full_refresh, vars_json, started_at, finished_at, status,
     n_nodes, failed_nodes, quarters, raw_loaded_at) = row  # fmt: skip
    return Build(
        build_id=int(build_id),
        invocation_id=invocation_id,
        command=command,
        selection=selection,
        full_refresh=bool(full_refresh),
        vars=json.loads(vars_json) if vars_json else {},
        started_at=started_at,
        finished_at=finished_at,
        status=status,
        n_nodes=n_nodes,
        failed_nodes=tuple(failed_nodes or ()),
        quarters=tuple(quarters or ()),
        raw_loaded_at=raw_loaded_at,
    )


def _time(value: dt.datetime | None) -> str:
    if value is None:
        return "?"
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")
