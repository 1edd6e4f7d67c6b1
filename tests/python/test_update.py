"""``faers update``: the signal change log (fast, on hand-made signals tables) and the whole update end to
end (slow: sample zips served by a real HTTP server on 127.0.0.1, loaded, built twice with dbt)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from test_download_server import FaersServer, corrupt, quarter_zip
from typer.testing import CliRunner

from faers.cli import app
from faers.download import RetryPolicy
from faers.download import changes as change_log
from loaders.quarters import Quarter
from loaders.storage import connect_warehouse

FAST = RetryPolicy(attempts=3, backoff=0.01, max_backoff=0.05, timeout=10.0)
TODAY = dt.date(2026, 11, 26)
RULE = 0.2  # the documented default: a 20% move of the lower bound at equal n_methods

SignalRow = tuple[str, str, int, float | None, float | None, int]  # drug, pt, a, ror_lower, eb05, n_methods


def _write_signals(conn: duckdb.DuckDBPyConnection, rows: list[SignalRow]) -> None:
    """Replace main.signals with the given cells (the columns the change log reads, as dbt builds them)."""
    conn.execute("drop table if exists main.signals")
    conn.execute(
        """
        create table main.signals (
            drug varchar, pt varchar, a bigint, b bigint, ror double, ror_lower double, prr double,
            ic025 double, eb05 double, ror_signal boolean, prr_signal boolean, ic_signal boolean,
            ebgm_signal boolean, n_methods integer
        )
        """
    )
    for drug, pt, a, ror_lower, eb05, n_methods in rows:
        flags = [n_methods >= k for k in (1, 2, 3, 4)]
        conn.execute(
            "insert into main.signals values (?, ?, ?, 100, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [drug, pt, a, (ror_lower or 1) * 2, ror_lower, 1.5, 0.1, eb05, *flags, n_methods],
        )


BEFORE: list[SignalRow] = [
    ("d1", "p1", 2, 0.8, 0.7, 0),  # not a signal -> a signal: new
    ("d3", "p3", 5, 2.0, 1.9, 2),  # disappears from signals: lost
    ("d4", "p4", 6, 2.0, 2.1, 3),  # n_methods -> 0: lost
    ("d5", "p5", 7, 1.5, 1.2, 1),  # 1 -> 3 methods: strengthened
    ("d6", "p6", 8, 3.0, 2.5, 3),  # 3 -> 2 methods: weakened
    ("d7", "p7", 9, 3.0, 2.0, 2),  # same methods, eb05 +25%: strengthened
    ("d8", "p8", 9, 3.0, 2.0, 2),  # same methods, eb05 +10%: unchanged
    ("d9", "p9", 9, 3.0, None, 2),  # same methods, no eb05, ror_lower -33%: weakened
    ("d10", "p10", 1, 0.5, 0.4, 0),  # no signal either side: not logged
    ("d11", "p11", 9, 3.0, 2.0, 1),  # same methods, eb05 -20%: weakened
]
AFTER: list[SignalRow] = [
    ("d1", "p1", 4, 1.2, 1.1, 2),
    ("d2", "p2", 3, 1.4, 1.3, 1),  # absent before: new
    ("d4", "p4", 6, 0.9, 0.8, 0),
    ("d5", "p5", 12, 2.5, 2.2, 3),
    ("d6", "p6", 8, 2.9, 2.4, 2),
    ("d7", "p7", 12, 3.0, 2.5, 2),
    ("d8", "p8", 10, 3.0, 2.2, 2),
    ("d9", "p9", 9, 2.0, None, 2),
    ("d10", "p10", 2, 0.6, 0.5, 0),
    ("d11", "p11", 9, 3.0, 1.6, 1),
]
EXPECTED = {
    ("d1", "p1"): ("new", "n_methods 0 -> 2"),
    ("d2", "p2"): ("new", "n_methods 0 -> 1"),
    ("d3", "p3"): ("lost", "n_methods 2 -> 0"),
    ("d4", "p4"): ("lost", "n_methods 3 -> 0"),
    ("d5", "p5"): ("strengthened", "n_methods 1 -> 3"),
    ("d6", "p6"): ("weakened", "n_methods 3 -> 2"),
    ("d7", "p7"): ("strengthened", "eb05 2 -> 2.5 (+25%)"),
    ("d9", "p9"): ("weakened", "ror_lower 3 -> 2 (-33%)"),
    ("d11", "p11"): ("weakened", "eb05 2 -> 1.6 (-20%)"),
}


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh warehouse file with the change-log tables, opened as ``faers update`` opens it."""
    with connect_warehouse(tmp_path / "w.duckdb") as connection:
        change_log.ensure_tables(connection)
        yield connection


def test_first_build_has_nothing_to_compare(conn: duckdb.DuckDBPyConnection) -> None:
    build = change_log.start_build(conn, [], ["2019Q1"])
    assert not build.previous_signals
    _write_signals(conn, AFTER)

    counts = change_log.record_changes(conn, build)

    assert counts == dict.fromkeys(change_log.CHANGES, 0)
    assert conn.execute("select count(*) from main.signal_changes").fetchone() == (0,)
    assert conn.execute("select status, n_changes from history.builds").fetchall() == [("complete", 0)]


def test_change_log_classifies_every_cell(conn: duckdb.DuckDBPyConnection) -> None:
    # GIVEN a completed first build
    _write_signals(conn, BEFORE)
    first = change_log.start_build(conn, [], ["2019Q1"])
    change_log.record_changes(conn, first)
    # WHEN a second build (one quarter more) rebuilds the signals
    second = change_log.start_build(conn, ["2019Q1"], ["2019Q2"])
    _write_signals(conn, AFTER)
    counts = change_log.record_changes(conn, second, min_strength_change=RULE)
    # THEN every changed cell is logged once, with the reason, and nothing else
    rows = conn.execute(
        "select drug, pt, change, reason, quarters_added, a_before, a_after from main.signal_changes"
        " where build_id = ?",
        [second.build_id],
    ).fetchall()
    assert {(r[0], r[1]): (r[2], r[3]) for r in rows} == EXPECTED
    assert len(rows) == len(EXPECTED)
    assert {tuple(r[4]) for r in rows} == {("2019Q2",)}
    by_cell = {(r[0], r[1]): (r[5], r[6]) for r in rows}
    assert by_cell[("d1", "p1")] == (2, 4)  # the before values of a former non-signal are kept
    assert by_cell[("d2", "p2")] == (None, 3)
    assert by_cell[("d3", "p3")] == (5, None)
    assert counts == {"new": 2, "strengthened": 2, "weakened": 3, "lost": 2}
    # AND the snapshot keeps only the former signals; the build is complete
    kept = conn.execute(
        "select drug from history.signal_snapshots where build_id = ? order by drug", [second.build_id]
    ).fetchall()
    assert [k[0] for k in kept] == sorted(d for d, _, _, _, _, n in BEFORE if n > 0)
    assert conn.execute(
        "select status, n_changes, quarters_before from history.builds where build_id = ?", [second.build_id]
    ).fetchone() == ("complete", 9, ["2019Q1"])


def test_the_pruned_snapshot_leaves_the_file(conn: duckdb.DuckDBPyConnection) -> None:
    """The history stays small on disk, not only in its row count: the warehouse's checkpoints merge no row
    groups (loaders.storage.keep_row_groups), so the cells record_changes prunes must fill whole row groups,
    which DuckDB drops."""
    # GIVEN a first build (no signals before it), then 400,000 cells, every tenth a signal, interleaved
    conn.execute("drop table if exists main.signals")
    change_log.record_changes(conn, change_log.start_build(conn, [], ["2019Q1"]))
    conn.execute(
        """
        create table main.signals as
        select 'd' || (i % 1000) as drug, 'p' || i as pt, cast(3 as bigint) as a, cast(100 as bigint) as b,
            2.0 as ror, 1.5 as ror_lower, 2.0 as prr, 0.1 as ic025, 1.0 as eb05, i % 10 = 0 as ror_signal,
            false as prr_signal, false as ic_signal, false as ebgm_signal,
            cast(i % 10 = 0 as integer) as n_methods
        from range(400000) as cells(i)
        """
    )
    # WHEN a second build snapshots them and records its changes
    change_log.record_changes(conn, change_log.start_build(conn, ["2019Q1"], ["2019Q2"]))
    conn.execute("checkpoint")
    # THEN 40,000 former signals stay, and the file holds at most one row group (122,880 rows) more than them
    live = conn.execute("select count(*) from history.signal_snapshots").fetchone()
    stored = conn.execute(
        "select sum(count) from pragma_storage_info('history.signal_snapshots') where column_path = '[0]'"
    ).fetchone()
    assert live == (40_000,)
    assert stored is not None and 40_000 <= stored[0] < 40_000 + 122_880


def test_recording_a_build_twice_does_not_duplicate(conn: duckdb.DuckDBPyConnection) -> None:
    _write_signals(conn, BEFORE)
    change_log.record_changes(conn, change_log.start_build(conn, [], ["2019Q1"]))
    second = change_log.start_build(conn, ["2019Q1"], ["2019Q2"])
    _write_signals(conn, AFTER)
    change_log.record_changes(conn, second)
    change_log.record_changes(conn, second)
    assert conn.execute("select count(*) from main.signal_changes").fetchone() == (len(EXPECTED),)


def test_a_stricter_rule_logs_fewer_strength_changes(conn: duckdb.DuckDBPyConnection) -> None:
    _write_signals(conn, BEFORE)
    change_log.record_changes(conn, change_log.start_build(conn, [], ["2019Q1"]))
    second = change_log.start_build(conn, ["2019Q1"], ["2019Q2"])
    _write_signals(conn, AFTER)
    counts = change_log.record_changes(conn, second, min_strength_change=0.3)
    # d7 (+25%) and d11 (-20%) no longer count; d9 (-33%) still does
    assert counts == {"new": 2, "strengthened": 1, "weakened": 2, "lost": 2}


def test_an_unfinished_build_is_found_for_resumption(conn: duckdb.DuckDBPyConnection) -> None:
    assert change_log.quarters_of_last_build(conn) is None
    _write_signals(conn, BEFORE)
    change_log.record_changes(conn, change_log.start_build(conn, ["2018Q4"], ["2019Q1"]))
    assert change_log.unfinished_build(conn) is None
    second = change_log.start_build(conn, ["2018Q4", "2019Q1"], ["2019Q2"])
    change_log.mark_failed(conn, second.build_id)
    assert change_log.quarters_of_last_build(conn) == {"2018Q4", "2019Q1"}  # the last *completed* build

    pending = change_log.unfinished_build(conn)

    assert pending is not None
    assert (pending.build_id, pending.status, pending.quarters_added) == (
        second.build_id,
        "failed",
        ["2019Q2"],
    )
    snapshot = conn.execute(
        "select count(*) from history.signal_snapshots where build_id = ?", [second.build_id]
    ).fetchone()
    assert snapshot == (len(BEFORE),)


def test_update_refuses_a_zip_changed_since_its_download(tmp_path: Path) -> None:
    # GIVEN a verified download whose file was then altered on disk (same size, other bytes)
    quarter = Quarter(2019, 1)
    data = quarter_zip(quarter)
    folder, db = tmp_path / "downloads", tmp_path / "w.duckdb"
    runner = CliRunner()
    with FaersServer() as server:
        server.serve(quarter.zip_name, data)
        args = ["--dir", str(folder), "--base-url", server.base_url]
        assert runner.invoke(app, ["download", "--from", "2019Q1", "--to", "2019Q1", *args]).exit_code == 0
        (folder / quarter.zip_name).write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
        # WHEN the warehouse is updated
        result = runner.invoke(app, ["update", *args, "--db", str(db)])
    # THEN nothing is loaded or built, and the file is named
    assert result.exit_code == 1, result.output
    assert "differs from" in result.output and quarter.zip_name in result.output
    with duckdb.connect(str(db)) as conn:
        assert conn.execute("select count(*) from history.builds").fetchone() == (0,)
        assert not change_log.loaded_quarters(conn)


# ---------------------------------------------------------------------------------------------------------
# End to end: sample zips over HTTP -> update (2 quarters) -> update (nothing new) -> corrupt 3rd quarter
# (rejected) -> good 3rd quarter -> update -> change log consistent with the two signals tables.
# ---------------------------------------------------------------------------------------------------------


Cells = dict[tuple[str, str], dict[str, Any]]


def _expected_changes(before: Cells, after: Cells) -> dict[tuple[str, str], str]:
    """The documented rule, computed in Python from the two signals tables."""
    expected: dict[tuple[str, str], str] = {}
    threshold = math.log(1 + change_log.DEFAULT_MIN_STRENGTH_CHANGE)
    for cell in before.keys() | after.keys():
        old, new = before.get(cell, {}), after.get(cell, {})
        n_old, n_new = old.get("n_methods") or 0, new.get("n_methods") or 0
        change = None
        if n_old == 0 and n_new > 0:
            change = "new"
        elif n_old > 0 and n_new == 0:
            change = "lost"
        elif n_old > 0 and n_new != n_old:
            change = "strengthened" if n_new > n_old else "weakened"
        elif n_new > 0:
            for measure in ("eb05", "ror_lower"):
                if (old.get(measure) or 0) > 0 and (new.get(measure) or 0) > 0:
                    ratio = math.log(new[measure] / old[measure])
                    if ratio >= threshold - 1e-12:
                        change = "strengthened"
                    elif ratio <= -threshold + 1e-12:
                        change = "weakened"
                    break
        if change:
            expected[cell] = change
    return expected


def _signals(db: Path) -> Cells:
    with duckdb.connect(str(db)) as conn:
        cursor = conn.execute("select drug, pt, n_methods, eb05, ror_lower, a from main.signals")
        names = [d[0] for d in cursor.description]
        return {(r[0], r[1]): dict(zip(names, r, strict=True)) for r in cursor.fetchall()}


_FOLLOW_UPS_SQL = r"""
with

versions as (

    select
        cast(caseid as bigint) as case_id,
        cast(primaryid as bigint) as primary_id,
        quarter,
        case when regexp_full_match(fda_dt, '\d{8}') then fda_dt end as fda_dt
    from raw.demo
    where caseid is not null and primaryid is not null

),

newest_in_new_quarter as (

    -- cases reported before 2019Q3 whose 2019Q3 follow-up carries a strictly later FDA date
    select
        case_id,
        max_by(primary_id, fda_dt) filter (where quarter = '2019Q3') as primary_id
    from versions
    group by case_id
    having
        bool_or(quarter < '2019Q3')
        and max(fda_dt) filter (where quarter = '2019Q3') > max(fda_dt) filter (where quarter < '2019Q3')

)

select
    count(*),
    count(*) filter (where dim_case.primary_id = newest_in_new_quarter.primary_id),
    count(dim_case.case_id)
from newest_in_new_quarter
left join main.dim_case
    on dim_case.case_id = newest_in_new_quarter.case_id
"""


@pytest.mark.slow
def test_update_end_to_end(tmp_path: Path) -> None:
    from faers.download.update import update_warehouse
    from faers.sample import generate

    quarters = ["2019Q1", "2019Q2", "2019Q3"]
    sample = tmp_path / "sample"
    generate(sample, quarters=quarters, n_cases=400, seed=11)
    zips = {q: (sample / Quarter.parse(q).zip_name).read_bytes() for q in quarters}
    folder, db = tmp_path / "downloads", tmp_path / "warehouse.duckdb"

    def update() -> Any:
        return update_warehouse(
            folder,
            db,
            base_url=server.base_url,
            from_quarter="2019Q1",
            to_quarter="2019Q3",
            policy=FAST,
            progress=False,
            today=TODAY,
        )

    with FaersServer() as server:
        # first update: two published quarters, the third not yet
        for q in quarters[:2]:
            server.serve(Quarter.parse(q).zip_name, zips[q])
        first = update()
        assert first.quarters_added == quarters[:2]
        assert first.download.quarters("not_published") == [Quarter(2019, 3)]
        assert not first.previous_signals and first.build_id == 1
        signals_1 = _signals(db)
        assert signals_1

        # nothing new: no load, no build
        assert update().up_to_date

        # a corrupt third quarter is rejected and never loaded
        server.serve(Quarter(2019, 3).zip_name, corrupt(zips["2019Q3"]))
        rejected = update()
        assert rejected.up_to_date and rejected.download.quarters("corrupt") == [Quarter(2019, 3)]
        with duckdb.connect(str(db)) as conn:
            assert conn.execute("select distinct quarter from raw.load_log order by 1").fetchall() == [
                ("2019Q1",),
                ("2019Q2",),
            ]

        # the real third quarter
        server.serve(Quarter(2019, 3).zip_name, zips["2019Q3"], version=2)
        second = update()

    assert second.quarters_added == ["2019Q3"] and second.build_id == 2
    # the summary says where the update's time went
    assert list(second.stages) == ["download", "load", "build", "change log"]
    assert all(seconds >= 0 for seconds in second.stages.values())
    assert sum(second.stages.values()) <= second.elapsed
    assert second.summary().endswith(f"s: {', '.join(f'{k} {v:,.1f}' for k, v in second.stages.items())}]")
    signals_2 = _signals(db)
    expected = _expected_changes(signals_1, signals_2)
    assert expected, "the third quarter should change some signals"
    with duckdb.connect(str(db)) as conn:
        logged = conn.execute(
            "select drug, pt, change, quarters_added, n_methods_before, n_methods_after from main.signal_changes"
        ).fetchall()
        builds = conn.execute("select build_id, status, quarters_added from history.builds order by 1").fetchall()
        duplicated_cases = conn.execute("select count(*) - count(distinct case_id) from main.dim_case").fetchone()
        follow_ups, kept_newest, in_dim_case = conn.execute(_FOLLOW_UPS_SQL).fetchone()
    assert {(r[0], r[1]): r[2] for r in logged} == expected
    assert len(logged) == len(expected)
    assert all(list(r[3]) == ["2019Q3"] for r in logged)
    for drug, pt, _, _, n_before, n_after in logged:
        assert n_before == (signals_1.get((drug, pt), {}).get("n_methods") or 0)
        assert n_after == (signals_2.get((drug, pt), {}).get("n_methods") or 0)
    assert second.changes == {c: sum(v == c for v in expected.values()) for c in change_log.CHANGES}
    assert builds == [(1, "complete", ["2019Q1", "2019Q2"]), (2, "complete", ["2019Q3"])]
    # follow-up reports in the new quarter were deduplicated against the earlier quarters' versions
    assert duplicated_cases == (0,)
    assert follow_ups > 0 and in_dim_case > 0
    assert kept_newest == in_dim_case  # (the others are deleted cases)
