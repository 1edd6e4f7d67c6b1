"""A build killed halfway never leaves a warehouse that silently mixes two builds.

``faers build`` is killed with SIGKILL at random points of its run (after the k-th dbt node started, k drawn
under a fixed seed), twice in a row on the same warehouse, and stopped once with Ctrl-C. After each:
``faers status`` says the build is incomplete (and, after the first kill and after Ctrl-C, ``faers report``
and ``faers study`` refuse with the fix and write nothing); the next ``faers build`` then gives every table
of main, intermediate and staging identical to a clean build (the report counts are counted in full after a
build that did not finish: int_report_counts_method 'later build').
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
from faers_cli import one_line_error, run_faers, start_faers, wait_for_dbt_node

from faers.builds import read_state
from loaders.paths import PROJECT_DIR

SEED = 20261203
N_KILLS = 2
COMPARED_SCHEMAS = ("main", "intermediate", "staging")


def _tables(db: Path) -> list[tuple[str, str]]:
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name in "
            f"({', '.join(repr(s) for s in COMPARED_SCHEMAS)}) order by 1, 2"
        ).fetchall()


CASES_CHANGED = "int_cases_deduplicated_changes"
"""Which cases a build re-deduplicated (as int_case_mart_changes for the case marts)."""
BY_DESIGN = ("int_case_mart_changes", CASES_CHANGED, "int_report_counts_method", "int_drug_event_cells_before")
BY_DESIGN += ("int_drug_name_audit_before",)
"""What a build changed (cases rewritten, how the report counts were updated and what they subtracted): differs
between a build after a clean one and the first build after a killed one by design."""


def _differences(clean: Path, rebuilt: Path) -> dict[str, tuple[int, int, int]]:
    """Per table whose contents differ: (rows in clean, rows only in clean, rows only in rebuilt)."""
    differences = {}
    with duckdb.connect() as conn:
        conn.execute(f"attach '{clean}' as clean (read_only)")
        conn.execute(f"attach '{rebuilt}' as rebuilt (read_only)")
        for schema, table in _tables(clean):
            if schema == "intermediate" and table in BY_DESIGN:
                continue  # what this build changed: every case in the first build, none after a clean one
            a, b = f"clean.{schema}.{table}", f"rebuilt.{schema}.{table}"
            n = conn.execute(f"select count(*) from {a}").fetchall()[0][0]
            only_clean = conn.execute(f"select count(*) from (from {a} except all from {b})").fetchall()[0][0]
            only_rebuilt = conn.execute(f"select count(*) from (from {b} except all from {a})").fetchall()[0][0]
            if only_clean or only_rebuilt:
                differences[f"{schema}.{table}"] = (n, only_clean, only_rebuilt)
    return differences


def _assert_refused(db: Path, tmp_path: Path, build_id: int, problem: str, *, readers: bool) -> None:
    status = run_faers("status", "--db", db)
    assert f"incomplete build: build {build_id} (dbt build" in status.stdout and problem in status.stdout
    one_line_error(status, f"build {build_id}", "refuse")
    if not readers:
        return
    report, study = tmp_path / "report.html", tmp_path / "study"
    for result in (
        run_faers("report", "--drug", "baclofen", "--db", db, "--out", report),
        run_faers("study", PROJECT_DIR / "studies" / "baclofen.yml", "--out", study, "--db", db),
    ):
        one_line_error(result, f"is incomplete: build {build_id}", problem, "run `faers build`")
    assert not report.exists() and not study.exists()


def test_killed_builds_are_refused_and_the_next_build_equals_a_clean_one(built_warehouse: Any, tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_warehouse.db_path, db)
    with duckdb.connect(str(db), read_only=True) as conn:
        clean_build = read_state(conn).last_complete
    assert clean_build is not None and clean_build.n_nodes
    # k-th node start (the on-run-start hook is the first; from the second on the build is recorded)
    kill_points = sorted(random.Random(SEED).sample(range(2, clean_build.n_nodes + 2), N_KILLS))
    build_id = clean_build.build_id
    for k in kill_points:
        build = start_faers("build", "--db", db)
        wait_for_dbt_node(build, k)
        build.kill()
        build.communicate(timeout=60)
        assert build.returncode == -signal.SIGKILL
        build_id += 1
        _assert_refused(db, tmp_path, build_id, "started but never finished", readers=k == kill_points[0])

    build = start_faers("build", "--db", db)  # Ctrl-C: exit 130, recorded as interrupted
    wait_for_dbt_node(build, kill_points[0])
    build.send_signal(signal.SIGINT)
    output, _ = build.communicate(timeout=120)
    assert build.returncode == 130, output[-3000:]
    assert "Traceback" not in output
    assert output.strip().splitlines()[-1].startswith("faers build: interrupted (Ctrl-C); the build is recorded")
    build_id += 1
    _assert_refused(db, tmp_path, build_id, "was interrupted (Ctrl-C)", readers=True)

    rebuilt = run_faers("build", "--db", db)
    assert rebuilt.returncode == 0, rebuilt.stdout[-3000:] + rebuilt.stderr
    status = run_faers("status", "--db", db)
    assert status.returncode == 0, status.stderr
    assert f"last complete build: build {build_id + 1} (dbt build" in status.stdout
    assert "incomplete build: none" in status.stdout
    assert _tables(db) == _tables(built_warehouse.db_path)
    assert _differences(built_warehouse.db_path, db) == {}
    with duckdb.connect(str(db), read_only=True) as conn:
        method = conn.execute("select method, reason from intermediate.int_report_counts_method").fetchall()
    assert method == [("full", "later build")]


# dbt-duckdb cancels every open connection on Ctrl-C; one that a worker thread has just closed raises. The race
# is forced here: every cancel raises as that closed connection does.
_CANCEL_FAILS = """
import sys
import duckdb
from dbt.adapters.duckdb.environments import local

def cancel(self, connection):
    raise duckdb.ConnectionException("Connection Error: Connection already closed!")

local.LocalEnvironment.cancel = cancel
from faers.cli import app
sys.argv[0] = "faers"
app()
"""


def test_ctrl_c_stays_an_interrupt_when_dbt_fails_to_cancel_a_closed_connection(
    built_warehouse: Any, tmp_path: Path
) -> None:
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_warehouse.db_path, db)
    with duckdb.connect(str(db), read_only=True) as conn:
        clean_build = read_state(conn).last_complete
    assert clean_build is not None
    build = subprocess.Popen(
        [sys.executable, "-c", _CANCEL_FAILS, "build", "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    wait_for_dbt_node(build, 4)
    build.send_signal(signal.SIGINT)
    output, _ = build.communicate(timeout=120)
    assert build.returncode == 130, output[-3000:]
    assert "Traceback" not in output
    assert output.strip().splitlines()[-1].startswith("faers build: interrupted (Ctrl-C); the build is recorded")
    _assert_refused(db, tmp_path, clean_build.build_id + 1, "was interrupted (Ctrl-C)", readers=False)
