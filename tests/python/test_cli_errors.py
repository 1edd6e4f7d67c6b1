"""Every ``faers`` command ends a failure with one line on stderr and a non-zero exit code, never a
traceback: a locked warehouse (naming the process holding it), a failed dbt node (naming it and the log),
a missing mart, a missing file, Ctrl-C (exit 130, nothing half-written). ``--debug`` shows the traceback.

Each case runs the installed ``faers`` console script in a subprocess, as a user does.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest
from faers_cli import one_line_error, run_faers, start_faers

from loaders.paths import PROJECT_DIR

STUDY = PROJECT_DIR / "studies" / "baclofen.yml"


@pytest.fixture
def loaded_only(sample_dir: Path, tmp_path: Path) -> Path:
    """A warehouse with raw.* loaded but never built."""
    from loaders import load_paths

    db = tmp_path / "warehouse.duckdb"
    load_paths([sample_dir], db, progress=False)
    return db


def test_locked_warehouse_names_the_process_holding_it(sample_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "locked.duckdb"
    duckdb.connect(str(db)).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
         "sys.stdin.read()", str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        expected = (f"is locked by process {holder.pid} (python", "close that program")
        for args in (
            ["build", "--db", db],
            ["status", "--db", db],
            ["report", "--drug", "baclofen", "--db", db, "--out", tmp_path / "r.html"],
            ["study", STUDY, "--out", tmp_path / "study", "--db", db],
            ["load", sample_dir / "faers_ascii_2019q1.zip", "--db", db],
        ):
            line = one_line_error(run_faers(*args), *expected)
            assert str(db) in line
        assert not (tmp_path / "r.html").exists() and not (tmp_path / "study").exists()
    finally:
        holder.kill()
        holder.wait()


def test_failed_dbt_node_names_the_node_and_the_log_then_readers_refuse(built_warehouse: Any, tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_warehouse.db_path, db)
    with duckdb.connect(str(db)) as conn:
        conn.execute("alter table raw.demo drop column fda_dt")  # stg_faers__demo reads it
    log = Path(os.environ["DBT_LOG_PATH"]) / "dbt.log"
    # the node to fail is the staging model that reads the missing column; everything downstream is skipped
    line = one_line_error(
        run_faers("build", "--db", db),
        "node(s) failed: model stg_faers__demo",
        "fda_dt",
        "skipped",
        f"details in {log}",
    )
    assert line.startswith(f"faers build: dbt build failed on {db}: ")

    status = run_faers("status", "--db", db)
    assert "incomplete build: build 2 (dbt build" in status.stdout
    assert "failed (model.faers.stg_faers__demo)" in status.stdout
    one_line_error(status, "build 2", "refuse")
    one_line_error(
        run_faers("report", "--drug", "baclofen", "--db", db, "--out", tmp_path / "r.html"),
        "is incomplete: build 2",
        "run `faers build`",
    )
    assert not (tmp_path / "r.html").exists()


def test_missing_mart_missing_file_and_debug(loaded_only: Path, tmp_path: Path) -> None:
    one_line_error(
        run_faers("report", "--drug", "baclofen", "--db", loaded_only, "--out", tmp_path / "r.html"),
        "has no mart main.signals",
        "run `faers build`",
    )
    one_line_error(
        run_faers("study", STUDY, "--out", tmp_path / "study", "--db", loaded_only), "has no mart", "faers build"
    )
    status = run_faers("status", "--db", loaded_only)
    assert status.returncode == 0, status.stderr
    assert "builds: none recorded (run `faers build`)" in status.stdout
    assert "quarters loaded: 8" in status.stdout

    missing = tmp_path / "nowhere" / "faers_ascii_2019q1.zip"
    one_line_error(run_faers("load", missing, "--db", tmp_path / "w.duckdb"), "1 file(s) failed", str(missing))
    one_line_error(run_faers("study", tmp_path / "none.yml", "--out", tmp_path / "o"), "none.yml", code=2)
    one_line_error(run_faers("load-meddra", tmp_path / "no_meddra", "--db", loaded_only), "no_meddra")
    one_line_error(run_faers("status", "--db", tmp_path / "none.duckdb"), "no warehouse at", "faers load")
    one_line_error(run_faers("build", "--db", tmp_path / "none.duckdb"), "no warehouse at", "faers load")
    assert not (tmp_path / "none.duckdb").exists()
    one_line_error(run_faers("build", "--no-such-option"), "No such option", code=2)

    debug = run_faers("report", "--drug", "baclofen", "--db", loaded_only, "--out", tmp_path / "r.html", "--debug")
    assert debug.returncode == 1
    assert "Traceback (most recent call last)" in debug.stderr
    assert debug.stderr.strip().splitlines()[-1].startswith("faers report: the warehouse")


def test_ctrl_c_during_a_study_exits_130_and_writes_nothing(built_warehouse: Any, tmp_path: Path) -> None:
    out = tmp_path / "study"
    process = start_faers("study", STUDY, "--out", out, "--db", built_warehouse.db_path)
    deadline = time.monotonic() + 300
    # interrupt while the study writes its outputs: the staging folder next to `out` exists
    while not any(tmp_path.glob(".study.*.partial/tables")) and process.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 130, output[-3000:]
    assert "Traceback" not in output
    assert output.strip().splitlines()[-1] == (
        "faers study: interrupted (Ctrl-C); nothing was written to the output folder"
    )
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_lock_message_parsing_and_process_names() -> None:
    from faers.errors import describe, lock_holder, process_command

    message = (
        'IO Error: Could not set lock on file "/data/w.duckdb": Conflicting lock is held in '
        f"/usr/bin/python3.11 (PID {os.getpid()}). See also https://duckdb.org/docs/current/connect/concurrency"
    )
    holder = lock_holder(message)
    assert holder is not None and (holder.path, holder.pid) == ("/data/w.duckdb", os.getpid())
    own = process_command(os.getpid())
    # pytest itself, or a python worker process of pytest-xdist (`python -u -c ...`)
    runners = {"pytest", "py.test", "__main__.py", Path(sys.argv[0]).name, Path(sys.executable).name, "python"}
    assert own is not None and own.split()[0] in runners
    assert lock_holder("IO Error: Cannot open file") is None
    assert process_command(2**22 + 12345) is None  # no such process

    class LockError(Exception):
        pass

    text, code = describe(LockError(message))
    assert code == 1 and text.startswith(f"the warehouse /data/w.duckdb is locked by process {os.getpid()} (")
    text, code = describe(KeyError("x"))
    assert code == 1 and text == "unexpected error: KeyError: 'x' (run with --debug for the traceback)"
    text, code = describe(FileNotFoundError(2, "No such file or directory", "/nowhere/q.zip"))
    assert (text, code) == ("/nowhere/q.zip: no such file or directory", 1)
