"""``faers status``: what the warehouse holds and whether it can be trusted, read-only.

Prints the quarters loaded with their line accounting (raw.load_log) and rejects (raw.rejects), the last
complete build and what happened since (audit.builds, ``faers.builds``), an interrupted ``faers update``
(history.builds), the MedDRA release loaded (schema meddra), whether the MGPS prior is usable
(main.mgps_prior) and how many deleted rows the file still holds (its checkpoints merge no row groups:
loaders.storage.keep_row_groups). An incomplete build ends the output with the one-line error and exit code 1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
from rich.console import Console

from faers.builds import BuildState, read_state, table_exists
from faers.errors import FaersError, IncompleteBuildError
from loaders.paths import warehouse_path


@dataclass(frozen=True)
class QuarterLoad:
    """One quarter's line accounting, summed over its members."""

    quarter: str
    lines_read: int
    rows_loaded: int
    rows_rejected: int
    lines_blank: int
    lines_joined: int
    loaded_at: dt.datetime | None


def quarter_loads(conn: duckdb.DuckDBPyConnection) -> list[QuarterLoad]:
    """Per quarter of raw.load_log: lines read = loaded + rejected + blank + joined, and when it was loaded."""
    if not table_exists(conn, "raw", "load_log"):
        return []
    rows = conn.execute(
        """
        select quarter, sum(lines_read), sum(rows_loaded), sum(rows_rejected), sum(coalesce(lines_blank, 0)),
            sum(coalesce(lines_joined, 0)), max(loaded_at)
        from raw.load_log group by quarter order by quarter
        """
    ).fetchall()
    return [QuarterLoad(q, int(r), int(lo), int(rj), int(b), int(j), at) for q, r, lo, rj, b, j, at in rows]


def status_lines(conn: duckdb.DuckDBPyConnection, db_path: Path) -> tuple[list[str], BuildState | None]:
    """The report's lines (without the closing error) and the build state."""
    size = db_path.stat().st_size / 1e6
    lines = [f"warehouse: {db_path} ({size:,.1f} MB)"]
    loads = quarter_loads(conn)
    lines += _load_lines(conn, loads)
    state = read_state(conn)
    lines += _build_lines(state, loads)
    lines += _update_lines(conn)
    lines.append(_meddra_line(conn))
    lines.append(_prior_line(conn))
    lines.append(_deleted_rows_line(conn))
    return lines, state


def run_status(db: Path | None, *, console: Console | None = None) -> BuildState | None:
    """``faers status``: print the status; raise IncompleteBuildError (exit 1) for an incomplete build."""
    db_path = (db or warehouse_path()).resolve()
    if not db_path.is_file():
        raise FaersError(f"no warehouse at {db_path}: run `faers load` then `faers build` (or pass --db)")
    console = console or Console(soft_wrap=True, highlight=False)
    with duckdb.connect(str(db_path), read_only=True) as conn:
        lines, state = status_lines(conn, db_path)
    for line in lines:
        console.print(line, markup=False)
    incomplete = state.incomplete if state is not None else None
    if incomplete is not None:
        raise IncompleteBuildError(
            f"{incomplete.label()} {incomplete.problem()}: `faers report` and `faers study` refuse this "
            "warehouse until `faers build` completes"
        )
    return state


def _load_lines(conn: duckdb.DuckDBPyConnection, loads: Sequence[QuarterLoad]) -> list[str]:
    if not loads:
        return ["quarters loaded: none (run `faers load DIR`)"]
    total = [sum(getattr(q, name) for q in loads) for name in _COUNTS]
    lines = [
        f"quarters loaded: {len(loads)} ({loads[0].quarter} to {loads[-1].quarter}): "
        f"{total[0]:,} lines read = {total[1]:,} loaded + {total[2]:,} rejected + {total[3]:,} blank "
        f"+ {total[4]:,} joined"
    ]
    for q in loads:
        flag = "" if q.lines_read == q.rows_loaded + q.rows_rejected + q.lines_blank + q.lines_joined else "  MISMATCH"
        lines.append(
            f"  {q.quarter}: {q.lines_read:,} read, {q.rows_loaded:,} loaded, {q.rows_rejected:,} rejected, "
            f"{q.lines_blank:,} blank, {q.lines_joined:,} joined; loaded {_time(q.loaded_at)}{flag}"
        )
    if table_exists(conn, "raw", "rejects"):
        reasons = conn.execute(
            "select reason, count(*) as n from raw.rejects group by reason order by n desc, reason limit 3"
        ).fetchall()
        n_rejects = conn.execute("select count(*) from raw.rejects").fetchall()[0][0]
        top = "; ".join(f"{n:,} x {reason}" for reason, n in reasons)
        lines.append(f"rejects: {n_rejects:,} line(s) in raw.rejects" + (f" (most frequent: {top})" if top else ""))
    return lines


_COUNTS = ("lines_read", "rows_loaded", "rows_rejected", "lines_blank", "lines_joined")


def _build_lines(state: BuildState | None, loads: Sequence[QuarterLoad]) -> list[str]:
    if state is None or not state.builds:
        return ["builds: none recorded (run `faers build`)"]
    lines = []
    last = state.last_complete
    if last is None:
        lines.append("last complete build: none (run `faers build`)")
    else:
        seconds = (last.finished_at - last.started_at).total_seconds() if last.finished_at else 0.0
        quarters = f"{last.quarters[0]} to {last.quarters[-1]}" if last.quarters else "none"
        settings = f", vars {last.vars}" if last.vars else ""
        lines.append(
            f"last complete build: {last.label()}, finished {_time(last.finished_at)} ({seconds:,.0f} s), "
            f"{last.n_nodes or 0} nodes, quarters {quarters}{settings}"
        )
        seen = last.raw_loaded_at  # raw.load_log's latest loaded_at when the build started (same clock)
        newer = [q.quarter for q in loads if q.loaded_at is not None and (seen is None or q.loaded_at > seen)]
        if newer:
            lines.append(f"  loaded since that build: {', '.join(newer)} (not in the marts yet: run `faers build`)")
    for build in state.partial_since:
        lines.append(f"  partial build since: {build.label()}, complete")
    incomplete = state.incomplete
    lines.append(
        f"incomplete build: {incomplete.label()} {incomplete.problem()}"
        if incomplete is not None
        else "incomplete build: none"
    )
    return lines


def _update_lines(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """An update whose build did not finish (faers update resumes it)."""
    if not table_exists(conn, "history", "builds"):
        return []
    rows = conn.execute(
        "select build_id, status, started_at from history.builds order by build_id desc limit 1"
    ).fetchall()
    if rows and rows[0][1] != "complete":
        build_id, status, started_at = rows[0]
        return [
            f"update: `faers update` build {build_id} (started {_time(started_at)}) is {status}: "
            "run `faers update` to resume it"
        ]
    return []


def _meddra_line(conn: duckdb.DuckDBPyConnection) -> str:
    if not table_exists(conn, "meddra", "release"):
        return "MedDRA: not loaded (`faers load-meddra DIR` for SOC/HLGT/HLT scopes)"
    rows = conn.execute("select version, language, loaded_at from meddra.release limit 1").fetchall()
    if not rows:
        return "MedDRA: schema meddra loaded, release unknown (no meddra_release.asc)"
    version, language, loaded_at = rows[0]
    return f"MedDRA: release {version or 'unknown'}{f' ({language})' if language else ''}, loaded {_time(loaded_at)}"


def _prior_line(conn: duckdb.DuckDBPyConnection) -> str:
    if not table_exists(conn, "main", "mgps_prior"):
        return "MGPS prior: not built (run `faers build`)"
    rows = conn.execute("select is_usable, likelihood, converged, fixed, message from main.mgps_prior").fetchall()
    if not rows:
        return "MGPS prior: main.mgps_prior is empty: EBGM is not published (run `faers build`)"
    usable, likelihood, converged, fixed, message = rows[0]
    how = "fixed by the mgps_prior var" if fixed else f"{likelihood} likelihood, converged" if converged else ""
    if usable:
        return f"MGPS prior: usable ({how})" if how else "MGPS prior: usable"
    return f"MGPS prior: NOT usable, EBGM/EB05/EB95 are NULL in main.signals ({message})"


def _deleted_rows_line(conn: duckdb.DuckDBPyConnection) -> str:
    """Rows deleted from the warehouse's tables that its file still stores, marked deleted: the incremental
    builds' rewritten cases (~1-3% of a case mart per quarterly update). The warehouse's checkpoints merge no row
    groups (loaders.storage.keep_row_groups), so they stay until a full refresh writes the table anew.
    duckdb_tables().estimated_size counts a table's stored rows, deleted ones included; count(*) the others."""
    tables = conn.execute(
        "select database_name, schema_name, table_name, estimated_size from duckdb_tables() "
        "where database_name = current_database() and not temporary and estimated_size > 0 "
        "order by schema_name, table_name"
    ).fetchall()
    stored = deleted = 0
    per_table = []
    for database, schema, name, size in tables:
        live = conn.execute(f'select count(*) from "{database}"."{schema}"."{name}"').fetchall()[0][0]
        stored += size
        if size > live:
            deleted += size - live
            per_table.append((size - live, f"{schema}.{name}", (size - live) / size))
    if not deleted:
        return "deleted rows still stored: none"
    per_table.sort(reverse=True)
    top = ", ".join(f"{name} {n:,} ({share:.1%})" for n, name, share in per_table[:3])
    return (
        f"deleted rows still stored: {deleted:,} of {stored:,} ({deleted / stored:.1%}; most: {top}); "
        "`dbt build --full-refresh` writes the marts anew"
    )


def _time(value: dt.datetime | None) -> str:
    """A timestamp with time zone in UTC; a plain one (raw.load_log's local time) as it is."""
    if value is None:
        return "?"
    if value.tzinfo is None:
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
