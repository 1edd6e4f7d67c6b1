"""The signal change log of ``faers update``: what each rebuild did to the signals, per drug and PT.

Tables (created on first use):

* ``history.builds``: one row per update (build_id, started_at, built_at, quarters_before, quarters_added,
  previous_signals (did a build exist to compare against), status 'running'|'failed'|'complete', n_changes).
* ``history.signal_snapshots``: ``main.signals`` as it was *before* build ``build_id`` (drug, pt, a, ror,
  ror_lower, prr, ic025, eb05, n_methods and the four ``*_signal`` flags). Every cell is kept until the
  build's changes are recorded; then only the cells that were signals (n_methods > 0) stay, so the history
  stays small (in the file too: the pruned cells are written as whole row groups, which DuckDB drops) while
  the change log can still show the "before" values of a new signal.
* ``main.signal_changes``: the log a safety team reviews, appended per build (build_id, built_at,
  quarters_added, drug, pt, change, reason, and before/after of a, n_methods, ror, ror_lower, prr, ic025,
  eb05 and the flags).

Classification of a (drug, pt) cell, comparing the snapshot with the rebuilt ``main.signals``; a cell absent
on one side counts as n_methods = 0 there:

* ``new``: n_methods went from 0 to > 0; ``lost``: from > 0 to 0;
* ``strengthened`` / ``weakened``: n_methods went up / down (both sides > 0);
* with the same n_methods > 0: the conservative lower bound decides. It is EB05 (the shrunk, stable one)
  when both builds have a positive EB05, otherwise the ROR's lower 95% limit. ``strengthened`` if it rose by
  at least ``min_strength_change`` (default 20%, i.e. after/before >= 1.2), ``weakened`` if it fell by the
  same factor (after/before <= 1/1.2). Smaller moves, and cells that are no signal on either side, are not
  logged.

Why SQL run by ``faers update`` and not a dbt model: the log compares two *builds*, and the previous build's
signals are gone once dbt replaces ``main.signals``; the snapshot must be taken before ``dbt build`` starts
and the log appended only after it succeeded. An append-only table written in one transaction per build
(idempotent: re-recording a build replaces its rows) keeps that ordering explicit, and a plain ``dbt build``
run by hand can neither append to it nor clear it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

DEFAULT_MIN_STRENGTH_CHANGE = 0.2
CHANGES = ("new", "strengthened", "weakened", "lost")

_SNAPSHOT_COLUMNS = """
    drug varchar,
    pt varchar,
    a bigint,
    ror double,
    ror_lower double,
    prr double,
    ic025 double,
    eb05 double,
    n_methods integer,
    ror_signal boolean,
    prr_signal boolean,
    ic_signal boolean,
    ebgm_signal boolean
"""

_DDL = f"""
create schema if not exists history;

create table if not exists history.builds (
    build_id integer primary key,
    started_at timestamptz not null,
    built_at timestamptz,
    quarters_before varchar[] not null,
    quarters_added varchar[] not null,
    previous_signals boolean not null,
    status varchar not null,
    n_changes integer
);

create table if not exists history.signal_snapshots (
    build_id integer not null,
    {_SNAPSHOT_COLUMNS}
);

create table if not exists main.signal_changes (
    build_id integer not null,
    built_at timestamptz not null,
    quarters_added varchar[] not null,
    drug varchar,
    pt varchar,
    change varchar not null,
    reason varchar not null,
    a_before bigint,
    a_after bigint,
    n_methods_before integer not null,
    n_methods_after integer not null,
    ror_before double,
    ror_after double,
    ror_lower_before double,
    ror_lower_after double,
    prr_before double,
    prr_after double,
    ic025_before double,
    ic025_after double,
    eb05_before double,
    eb05_after double,
    ror_signal_before boolean,
    ror_signal_after boolean,
    prr_signal_before boolean,
    prr_signal_after boolean,
    ic_signal_before boolean,
    ic_signal_after boolean,
    ebgm_signal_before boolean,
    ebgm_signal_after boolean
);
"""

_SIGNAL_SELECT = """
    select
        drug,
        pt,
        cast(a as bigint) as a,
        cast(ror as double) as ror,
        cast(ror_lower as double) as ror_lower,
        cast(prr as double) as prr,
        cast(ic025 as double) as ic025,
        cast(eb05 as double) as eb05,
        cast(coalesce(n_methods, 0) as integer) as n_methods,
        ror_signal,
        prr_signal,
        ic_signal,
        ebgm_signal
    from main.signals
"""

_CHANGES_SQL = """
with

signals_before as (

    select * exclude (build_id) from history.signal_snapshots where build_id = $build_id

),

signals_after as (

    __SIGNALS__

),

paired as (

    select
        coalesce(signals_after.drug, signals_before.drug) as drug,
        coalesce(signals_after.pt, signals_before.pt) as pt,
        coalesce(signals_before.n_methods, 0) as n_methods_before,
        coalesce(signals_after.n_methods, 0) as n_methods_after,
        case
            when signals_before.eb05 > 0 and signals_after.eb05 > 0 then 'eb05'
            when signals_before.ror_lower > 0 and signals_after.ror_lower > 0 then 'ror_lower'
        end as strength_measure,
        case
            when signals_before.eb05 > 0 and signals_after.eb05 > 0
                then ln(signals_after.eb05 / signals_before.eb05)
            when signals_before.ror_lower > 0 and signals_after.ror_lower > 0
                then ln(signals_after.ror_lower / signals_before.ror_lower)
        end as log_strength_ratio,
        signals_before.a as a_before,
        signals_after.a as a_after,
        signals_before.ror as ror_before,
        signals_after.ror as ror_after,
        signals_before.ror_lower as ror_lower_before,
        signals_after.ror_lower as ror_lower_after,
        signals_before.prr as prr_before,
        signals_after.prr as prr_after,
        signals_before.ic025 as ic025_before,
        signals_after.ic025 as ic025_after,
        signals_before.eb05 as eb05_before,
        signals_after.eb05 as eb05_after,
        signals_before.ror_signal as ror_signal_before,
        signals_after.ror_signal as ror_signal_after,
        signals_before.prr_signal as prr_signal_before,
        signals_after.prr_signal as prr_signal_after,
        signals_before.ic_signal as ic_signal_before,
        signals_after.ic_signal as ic_signal_after,
        signals_before.ebgm_signal as ebgm_signal_before,
        signals_after.ebgm_signal as ebgm_signal_after
    from signals_before
    full outer join signals_after
        on
            signals_before.drug is not distinct from signals_after.drug
            and signals_before.pt is not distinct from signals_after.pt

),

classified as (

    select
        *,
        case
            when n_methods_before = 0 and n_methods_after > 0 then 'new'
            when n_methods_before > 0 and n_methods_after = 0 then 'lost'
            when n_methods_before > 0 and n_methods_after > n_methods_before then 'strengthened'
            when n_methods_after > 0 and n_methods_after < n_methods_before then 'weakened'
            when n_methods_after > 0 and log_strength_ratio >= ln(1 + $min_change) then 'strengthened'
            when n_methods_after > 0 and log_strength_ratio <= -ln(1 + $min_change) then 'weakened'
        end as change
    from paired

),

changed as (

    select
        *,
        case
            when n_methods_before <> n_methods_after
                then format('n_methods {} -> {}', n_methods_before, n_methods_after)
            else format(
                '{} {:.4g} -> {:.4g} ({:+.0f}%)',
                strength_measure,
                case strength_measure when 'eb05' then eb05_before else ror_lower_before end,
                case strength_measure when 'eb05' then eb05_after else ror_lower_after end,
                100 * (exp(log_strength_ratio) - 1)
            )
        end as reason
    from classified
    where change is not null

)

select
    $build_id as build_id,
    $built_at as built_at,
    $quarters_added as quarters_added,
    drug,
    pt,
    change,
    reason,
    a_before,
    a_after,
    n_methods_before,
    n_methods_after,
    ror_before,
    ror_after,
    ror_lower_before,
    ror_lower_after,
    prr_before,
    prr_after,
    ic025_before,
    ic025_after,
    eb05_before,
    eb05_after,
    ror_signal_before,
    ror_signal_after,
    prr_signal_before,
    prr_signal_after,
    ic_signal_before,
    ic_signal_after,
    ebgm_signal_before,
    ebgm_signal_after
from changed
""".replace("__SIGNALS__", _SIGNAL_SELECT.strip())


@dataclass(frozen=True)
class Build:
    """A row of history.builds."""

    build_id: int
    quarters_before: list[str]
    quarters_added: list[str]
    previous_signals: bool
    status: str


def ensure_tables(conn: duckdb.DuckDBPyConnection) -> None:
    """Create the history schema, its tables and main.signal_changes if absent."""
    conn.execute(_DDL)


def _table_exists(conn: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    row = conn.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(row and row[0])


def signals_exist(conn: duckdb.DuckDBPyConnection) -> bool:
    """True if a build has produced main.signals."""
    return _table_exists(conn, "main", "signals")


def loaded_quarters(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Quarters present in the warehouse according to raw.load_log (empty before the first load)."""
    if not _table_exists(conn, "raw", "load_log"):
        return []
    rows = conn.execute("select distinct quarter from raw.load_log order by quarter").fetchall()
    return [row[0] for row in rows]


def quarters_of_last_build(conn: duckdb.DuckDBPyConnection) -> set[str] | None:
    """The quarters the last completed build was made from (None if no build completed yet)."""
    row = conn.execute(
        """
        select list_concat(quarters_before, quarters_added)
        from history.builds
        where status = 'complete'
        order by build_id desc
        limit 1
        """
    ).fetchone()
    return set(row[0]) if row is not None else None


def unfinished_build(conn: duckdb.DuckDBPyConnection) -> Build | None:
    """The latest build if it never completed (interrupted or failed): an update resumes it."""
    row = conn.execute(
        """
        select build_id, quarters_before, quarters_added, previous_signals, status
        from history.builds
        order by build_id desc
        limit 1
        """
    ).fetchone()
    if row is None or row[4] == "complete":
        return None
    return Build(row[0], list(row[1]), list(row[2]), row[3], row[4])


def start_build(
    conn: duckdb.DuckDBPyConnection, quarters_before: Sequence[str], quarters_added: Sequence[str]
) -> Build:
    """Register a new build and snapshot main.signals as its "before" state, in one transaction."""
    previous_signals = signals_exist(conn)
    conn.execute("begin transaction")
    try:
        row = conn.execute("select coalesce(max(build_id), 0) + 1 from history.builds").fetchone()
        build_id = int(row[0]) if row else 1
        conn.execute(
            """
            insert into history.builds
                (build_id, started_at, quarters_before, quarters_added, previous_signals, status)
            values (?, now(), ?, ?, ?, 'running')
            """,
            [build_id, list(quarters_before), list(quarters_added), previous_signals],
        )
        if previous_signals:
            # the cells record_changes prunes (n_methods = 0) first: written in this order they fill whole row
            # groups, which DuckDB drops at the next checkpoint (the warehouse's checkpoints merge no row groups:
            # loaders.storage.keep_row_groups), so only the former signals stay in the file
            conn.execute(
                f"insert into history.signal_snapshots select ? as build_id, * from ({_SIGNAL_SELECT}) as cells"
                " order by n_methods > 0",
                [build_id],
            )
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    return Build(build_id, list(quarters_before), list(quarters_added), previous_signals, "running")


def set_quarters_added(conn: duckdb.DuckDBPyConnection, build_id: int, quarters_added: Sequence[str]) -> None:
    """Record the quarters a (resumed) build adds."""
    conn.execute("update history.builds set quarters_added = ? where build_id = ?", [list(quarters_added), build_id])


def mark_failed(conn: duckdb.DuckDBPyConnection, build_id: int) -> None:
    """Mark a build failed; the next update resumes it from its snapshot."""
    conn.execute("update history.builds set status = 'failed' where build_id = ?", [build_id])


def record_changes(
    conn: duckdb.DuckDBPyConnection,
    build: Build,
    *,
    min_strength_change: float = DEFAULT_MIN_STRENGTH_CHANGE,
    built_at: dt.datetime | None = None,
) -> dict[str, int]:
    """Compare the build's snapshot with the rebuilt main.signals, append the changes to
    main.signal_changes, prune the snapshot to former signals and mark the build complete; one transaction.

    Returns the number of logged cells per change ('new', 'strengthened', 'weakened', 'lost'). A build with
    no previous signals (the first one) has nothing to compare against and logs no change.
    """
    if min_strength_change <= 0:
        raise ValueError(f"min_strength_change must be positive, got {min_strength_change}")
    built_at = built_at or dt.datetime.now(dt.UTC)
    conn.execute("begin transaction")
    try:
        conn.execute("delete from main.signal_changes where build_id = ?", [build.build_id])
        if build.previous_signals:
            conn.execute(
                f"insert into main.signal_changes {_CHANGES_SQL}",
                {
                    "build_id": build.build_id,
                    "built_at": built_at,
                    "quarters_added": list(build.quarters_added),
                    "min_change": min_strength_change,
                },
            )
        conn.execute("delete from history.signal_snapshots where build_id = ? and n_methods = 0", [build.build_id])
        counts = dict(
            conn.execute(
                "select change, count(*) from main.signal_changes where build_id = ? group by change",
                [build.build_id],
            ).fetchall()
        )
        conn.execute(
            """
            update history.builds
            set status = 'complete', built_at = ?, n_changes = ?
            where build_id = ?
            """,
            [built_at, sum(counts.values()), build.build_id],
        )
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    return {change: int(counts.get(change, 0)) for change in CHANGES}
