"""What the user sees when a ``faers`` command fails: one line on stderr and a non-zero exit code.

``FaersError`` is the base of every error a user can fix (its message says how); ``describe`` turns any
exception into that one line, naming the cause for the ones that come from outside the package: a DuckDB
file locked by another process (with the process holding it), a missing table, a missing file. The CLI
entry point (``faers.cli.main``) is the only caller; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

EXIT_ERROR = 1
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for a program stopped by Ctrl-C


class FaersError(Exception):
    """An error the user can fix; the message is one line that names the file and says what to do."""

    exit_code: int = EXIT_ERROR


class BadInputError(FaersError):
    """A bad argument value or input file (exit code 2, as for a bad option)."""

    exit_code = 2


class WarehouseLockedError(FaersError):
    """Another process holds the DuckDB file."""


class MissingMartError(FaersError):
    """The warehouse has no such table: it was never built (or a build removed it)."""


class IncompleteBuildError(FaersError):
    """The latest build of the warehouse did not complete: its marts may mix two builds."""


@dataclass(frozen=True)
class LockHolder:
    """The process DuckDB names in its lock error."""

    path: str
    pid: int
    executable: str

    def describe(self) -> str:
        """``PID 123 (python3.11: faers build --db w.duckdb)``, with what /proc says about the process."""
        command = process_command(self.pid)
        return f"process {self.pid} ({command or self.executable})"


_LOCK = re.compile(
    r'Could not set lock on file "(?P<path>[^"]+)": Conflicting lock is held in (?P<exe>.+?) \(PID (?P<pid>\d+)\)'
)
_MISSING_TABLE = re.compile(r"Table with name (?P<name>[\w.\"]+) does not exist")


def lock_holder(message: str) -> LockHolder | None:
    """The file and the process of a DuckDB lock error message, or None for another message."""
    match = _LOCK.search(message)
    if match is None:
        return None
    return LockHolder(path=match["path"], pid=int(match["pid"]), executable=match["exe"])


def process_command(pid: int, *, max_length: int = 80) -> str | None:
    """The command line of a running process from /proc (``faers build --db w.duckdb``; an interpreter
    running a script shows as the script), its name alone when only that is readable, else None."""
    proc = Path("/proc") / str(pid)
    try:
        argv = [part for part in (proc / "cmdline").read_bytes().decode(errors="replace").split("\0") if part]
    except OSError:
        argv = []
    if argv:
        if Path(argv[0]).name.startswith("python") and len(argv) > 1 and not argv[1].startswith("-"):
            argv = argv[1:]
        text = " ".join([Path(argv[0]).name, *argv[1:]])
        return text if len(text) <= max_length else text[: max_length - 3] + "..."
    try:
        return (proc / "comm").read_text().strip() or None
    except OSError:
        return None


def locked_message(holder: LockHolder) -> str:
    """The one line for a locked warehouse."""
    return (
        f"the warehouse {holder.path} is locked by {holder.describe()}: close that program (or wait for it to "
        "finish), then run the command again"
    )


def check_not_locked(path: Path) -> None:
    """Raise WarehouseLockedError if another process holds ``path`` (opening it for writing, then closing).

    Done before dbt starts so that a locked file gives one line instead of dbt's logged traceback. Any
    other failure to open (a file this process already has open with other settings) is left to the caller.
    """
    import duckdb

    if not Path(path).exists():
        return  # a new file: nobody holds it (and opening it here would create it in the wrong storage format)
    try:
        duckdb.connect(str(path)).close()
    except duckdb.IOException as error:
        holder = lock_holder(str(error))
        if holder is None:
            raise
        raise WarehouseLockedError(locked_message(holder)) from error
    except duckdb.Error:
        return


def one_line(text: str) -> str:
    """Collapse a multi-line message (DuckDB's, dbt's) into one line."""
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())


def describe(error: BaseException) -> tuple[str, int]:
    """The one-line message and the exit code for ``error``."""
    if isinstance(error, FaersError):
        return one_line(str(error)), error.exit_code
    text = one_line(str(error))
    holder = lock_holder(text)
    if holder is not None:
        return locked_message(holder), EXIT_ERROR
    missing = _MISSING_TABLE.search(text)
    if missing is not None and type(error).__name__ == "CatalogException":
        name = missing["name"].replace('"', "")
        return f"the warehouse has no table {name}: run `faers build` (after `faers load`) first", EXIT_ERROR
    if isinstance(error, OSError) and error.filename is not None:
        reason = error.strerror or text
        return f"{error.filename}: {reason.lower() if reason[:1].isupper() else reason}", EXIT_ERROR
    code = _user_error_code(error)
    if code is not None:
        return text, code
    return f"unexpected error: {type(error).__name__}: {text} (run with --debug for the traceback)", EXIT_ERROR


_EXIT_CODES = {
    # exit code 2 for a bad argument or input file (as click does for a bad option)
    "faers.study.config.StudyFileError": 2,
    "faers.study.scope.ScopeError": 2,
    "loaders.quarters.QuarterError": 2,
}
_PROJECT_PACKAGES = ("faers.", "loaders.")


def _user_error_code(error: BaseException) -> int | None:
    """The exit code of an exception class defined in this project (LoadError, ReportError, ...: raised on
    purpose, with a message naming the file and line), None for one from Python or a library."""
    names = [f"{cls.__module__}.{cls.__qualname__}" for cls in type(error).__mro__]
    for name in names:
        if name in _EXIT_CODES:
            return _EXIT_CODES[name]
    return EXIT_ERROR if any(name.startswith(_PROJECT_PACKAGES) for name in names) else None
