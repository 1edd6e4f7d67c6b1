"""Run the `faers` command as a user does: the installed console script in a subprocess, or in this process
(helpers for the CLI tests)."""

from __future__ import annotations

import signal
import subprocess
import sys
import traceback
from pathlib import Path

FAERS = Path(sys.executable).parent / "faers"


def _default_sigint() -> None:
    # A child of a shell that ignores SIGINT (a background job) would inherit SIG_IGN, and Python then
    # never raises KeyboardInterrupt: restore the default so Ctrl-C tests see what a terminal user sees.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_faers(*args: object, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """``faers ARGS...`` to completion, stdout and stderr captured."""
    return subprocess.run(
        [str(FAERS), *(str(arg) for arg in args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_default_sigint,
    )


def invoke_faers(*args: object) -> subprocess.CompletedProcess[str]:
    """``faers ARGS...`` run in this process (typer's CliRunner), stdout and stderr captured: the command's own
    code without a new process's start-up (the imports, and dbt's parse: faers.dbt keeps the parsed manifest for
    the process). For tests that run a command many times; a test of what crosses processes uses run_faers."""
    from typer.testing import CliRunner

    from faers.cli import app

    result = CliRunner().invoke(app, [str(arg) for arg in args], env={"COLUMNS": "200"})
    stderr = result.stderr
    if result.exc_info is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(*result.exc_info))  # as the process would have printed it
    return subprocess.CompletedProcess(["faers", *map(str, args)], result.exit_code, result.stdout, stderr)


def start_faers(*args: object) -> subprocess.Popen[str]:
    """``faers ARGS...`` in the background, stdout (with stderr) readable line by line."""
    return subprocess.Popen(
        [str(FAERS), *(str(arg) for arg in args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=_default_sigint,
    )


def wait_for_dbt_node(process: subprocess.Popen[str], count: int) -> list[str]:
    """Read the build's output until dbt has started its ``count``-th node (hooks included); the lines."""
    assert process.stdout is not None
    lines: list[str] = []
    started = 0
    for line in process.stdout:
        lines.append(line)
        if " START " in line:
            started += 1
            if started >= count:
                return lines
    raise AssertionError(f"the build ended before its node {count}:\n{''.join(lines[-30:])}")


def one_line_error(result: subprocess.CompletedProcess[str], *fragments: str, code: int = 1) -> str:
    """Check the contract of a failing command: exit code, no traceback, and its last stderr line is the
    error (naming every fragment); return that line."""
    output = result.stdout + result.stderr
    assert result.returncode == code, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines, f"nothing on stderr; stdout: {result.stdout[-2000:]}"
    last = lines[-1]
    assert last.startswith("faers "), last
    for fragment in fragments:
        assert fragment in last, f"{fragment!r} not in {last!r}"
    return last
