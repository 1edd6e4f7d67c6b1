"""Run dbt programmatically against the repo's project and profile."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from faers.errors import FaersError, check_not_locked, one_line
from loaders.paths import ENV_VAR, PROJECT_DIR, warehouse_path

FAILED_STATUSES = ("error", "fail", "runtime error")
# Commands that run on a parsed manifest (dbtRunner(manifest=...) skips their parse); others always parse.
MANIFEST_COMMANDS = frozenset({"build", "run", "test", "seed", "snapshot", "compile", "show", "ls", "list", "docs"})
PROJECT_FOLDERS = ("models", "macros", "seeds", "tests", "analyses", "snapshots")
_MANIFESTS_KEPT = 8
# Parsed manifests kept on disk for later processes (<dbt target path>/faers_manifests/, about 3 MB each).
MANIFEST_FOLDER = "faers_manifests"
_MANIFEST_FILES_KEPT = 32
# Files whose change changes dbt's parse (doc blocks are .md; Python models .py under models/).
_PROJECT_SUFFIXES = frozenset({".sql", ".yml", ".yaml", ".csv", ".md"})
_manifests: OrderedDict[tuple[str, ...], Any] = OrderedDict()


class DbtError(FaersError, RuntimeError):
    """dbt finished with errors or failing tests; the message names the failed nodes and the log file."""


def run_dbt(
    args: Sequence[str],
    *,
    db_path: Path | None = None,
    dbt_vars: Mapping[str, Any] | None = None,
    write_json: bool = False,
    parse_with_project_vars: bool = False,
) -> Any:
    """Run ``dbt <args>`` in-process on the repo's project; raise DbtError if it fails.

    The warehouse is ``db_path`` (default: FAERS_DUCKDB / warehouse.duckdb). Returns dbt's result object.
    A file locked by another process raises WarehouseLockedError before dbt starts; Ctrl-C during the run
    marks the build 'interrupted' in audit.builds (faers.builds) and raises KeyboardInterrupt again.

    dbt's JSON artifacts (target/manifest.json, run_results.json) are written only with ``write_json`` or
    dbt's env var DBT_WRITE_JSON=true (writing them costs seconds per invocation; each node's timing is in
    audit.build_nodes, and the result object holds the run results). The parsed manifest is kept for the
    process (``parsed_manifest``): a later invocation with the same vars, warehouse name and project files
    skips dbt's parse. It is also kept on disk, in faers_manifests/ of dbt's target path, for later processes:
    a `faers` command with the same vars as an earlier one loads it (about 0.4 s) instead of parsing (about 2 s
    for dbt's partial parse, 6-12 s for a full parse after other vars).

    ``parse_with_project_vars`` (a command that reads a manifest, e.g. ``compile``): the project is parsed
    with its own vars (dbt_project.yml's, as a plain ``faers build`` parses it, so dbt's partial parse of
    the build's target folder serves it) and ``dbt_vars`` reach the command only: dbt renders the selected
    nodes with them, after ``run-operation validate_vars`` has checked them (what the on-run-start hook
    does when the parse itself has the vars). Sound for nodes whose refs do not depend on the vars: dbt
    refuses to compile a ref that the parse did not record. Without it, vars that differ from the last
    parse's make dbt parse the whole project again.
    """
    from dbt.cli.main import dbtRunner
    from dbt_common.invocation import get_invocation_id

    from faers.dbt_plugin import schedule_longest_chain_first

    schedule_longest_chain_first()
    path = (db_path or warehouse_path()).resolve()
    check_not_locked(path)
    os.environ[ENV_VAR] = str(path)
    common = ["--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]
    command_vars = ["--vars", json.dumps(dict(dbt_vars))] if dbt_vars else []
    parse_vars = None if parse_with_project_vars else dbt_vars
    if not parse_with_project_vars:
        common += command_vars
    # dbt's JSON artifacts: with write_json, a --[no-]write-json of args, or dbt's own env var DBT_WRITE_JSON
    chosen = write_json or "DBT_WRITE_JSON" in os.environ or {"--write-json", "--no-write-json"} & set(args)
    json_flag = [] if chosen else ["--no-write-json"]
    cli_args = [*args, *common, *(command_vars if parse_with_project_vars else []), *json_flag]
    reuse = bool(args) and args[0] in MANIFEST_COMMANDS and not {"--target", "--profile", "--vars"} & set(args)
    if parse_with_project_vars and not reuse:
        raise ValueError(f"parse_with_project_vars: dbt {' '.join(args)} does not run on a parsed manifest")
    quiet = [flag for flag in args if flag in ("--quiet", "-q")]
    result, invalid = None, None
    try:
        with _sigint_as_dbt_interrupt():
            manifest = _parsed(path, parse_vars) if reuse else None
            if reuse and manifest is None:
                parsed = dbtRunner().invoke(["parse", *common, "--no-write-json", *quiet])
                if parsed.success:
                    manifest = _keep(path, parse_vars, parsed.result)
                else:
                    result = parsed
            if result is None and parse_with_project_vars and command_vars:
                errors: list[str] = []  # a failed run-operation logs its error but does not return it
                checked = dbtRunner(manifest=manifest, callbacks=[_error_collector(errors)]).invoke(
                    ["run-operation", "validate_vars", *common, *command_vars, "--no-write-json", *quiet]
                )
                if not checked.success:
                    result, invalid = checked, errors[-1] if errors else "see the output above"
            if result is None:
                result = dbtRunner(manifest=manifest).invoke(cli_args)
    except KeyboardInterrupt:
        pass  # dbt usually returns it as result.exception; either way the build is marked below
    finally:
        release_dbt_connection()
    if result is None or not result.success:
        interrupted = result is None or isinstance(result.exception, KeyboardInterrupt)
        _record_unfinished(path, get_invocation_id(), "interrupted" if interrupted else "failed")
        if interrupted:
            raise KeyboardInterrupt
        if invalid is not None:
            raise DbtError(f"dbt {' '.join(args)} failed on {path}: {invalid}; details in {log_file()}")
        raise DbtError(failure_message(args, path, result))
    return result


def _error_collector(errors: list[str]) -> Callable[[Any], None]:
    """A dbt event callback that keeps the message of every error-level event in ``errors``."""

    def collect(event: Any) -> None:
        if getattr(event.info, "level", "") == "error":
            errors.append(str(event.info.msg))

    return collect


def parsed_manifest(db_path: Path | None = None, dbt_vars: Mapping[str, Any] | None = None) -> Any:
    """dbt's parsed Manifest of the project for these vars (kept from an earlier ``run_dbt``, else parsed)."""
    path = (db_path or warehouse_path()).resolve()
    manifest = _parsed(path, dbt_vars)
    if manifest is None:
        result = run_dbt(["parse"], db_path=path, dbt_vars=dbt_vars)
        manifest = _keep(path, dbt_vars, result.result)
    return manifest


def _manifest_key(path: Path, dbt_vars: Mapping[str, Any] | None) -> tuple[str, ...]:
    """What dbt's parse of this project depends on, short of env vars (checked against the manifest's own
    record of them): the vars, the warehouse's name (dbt-duckdb's database), the storage version of the
    profile, and every project file's path, size and modification time."""
    files = [PROJECT_DIR / "dbt_project.yml", PROJECT_DIR / "selectors.yml", PROJECT_DIR / "profiles.yml"]
    for folder in PROJECT_FOLDERS:
        files += sorted(
            file
            for file in (PROJECT_DIR / folder).rglob("*")
            if file.suffix in _PROJECT_SUFFIXES or (folder == "models" and file.suffix == ".py")
        )
    stamps = []
    for file in files:
        with contextlib.suppress(OSError):
            stat = file.stat()
            stamps.append(f"{file}:{stat.st_size}:{stat.st_mtime_ns}")
    return (
        json.dumps(dict(dbt_vars or {}), sort_keys=True, default=str),
        path.stem,
        os.environ.get("FAERS_STORAGE_VERSION", ""),
        "|".join(stamps),
    )


def _parsed(path: Path, dbt_vars: Mapping[str, Any] | None) -> Any:
    """The kept manifest for this parse (in this process, else on disk), if the env vars it read still have the
    values it read."""
    key = _manifest_key(path, dbt_vars)
    manifest = _manifests.get(key)
    if manifest is None:
        manifest = _read_manifest_file(key)
        if manifest is None:
            return None
        _remember(key, manifest)
    from dbt.constants import DEFAULT_ENV_PLACEHOLDER  # what dbt records for an unset env var read with a default

    for name, value in (getattr(manifest, "env_vars", None) or {}).items():
        now = os.environ.get(name, DEFAULT_ENV_PLACEHOLDER)
        if now != value:
            _manifests.pop(key, None)
            return None
    _manifests.move_to_end(key)
    return manifest


def _keep(path: Path, dbt_vars: Mapping[str, Any] | None, manifest: Any) -> Any:
    key = _manifest_key(path, dbt_vars)
    _remember(key, manifest)
    _write_manifest_file(key, manifest)
    return manifest


def _remember(key: tuple[str, ...], manifest: Any) -> None:
    """Keep a manifest for the process (the most recently used ones)."""
    _manifests[key] = manifest
    while len(_manifests) > _MANIFESTS_KEPT:
        _manifests.popitem(last=False)


def manifest_folder() -> Path:
    """Where parsed manifests are kept for later processes: faers_manifests/ in dbt's target path (DBT_TARGET_PATH,
    else target/ of the project)."""
    target = Path(os.environ.get("DBT_TARGET_PATH") or "target")
    return (target if target.is_absolute() else PROJECT_DIR / target) / MANIFEST_FOLDER


def _manifest_file(key: tuple[str, ...]) -> Path:
    from dbt.version import __version__

    digest = hashlib.sha256("\x00".join((__version__, *key)).encode()).hexdigest()[:32]
    return manifest_folder() / f"{digest}.msgpack"


def _read_manifest_file(key: tuple[str, ...]) -> Any:
    """The manifest a process parsed with this key (dbt's own serialization, as its partial_parse.msgpack), or
    None. A file that cannot be read is a miss: the caller parses."""
    file = _manifest_file(key)
    try:
        data = file.read_bytes()
    except OSError:
        return None
    try:
        from dbt.contracts.graph.manifest import Manifest
        from dbt.parser.manifest import extended_mashumuro_decoder

        manifest = Manifest.from_msgpack(data, decoder=extended_mashumuro_decoder)
        manifest.build_flat_graph()
    except Exception:
        return None
    with contextlib.suppress(OSError):
        os.utime(file)  # the most recently used files are the ones kept
    return manifest


def _write_manifest_file(key: tuple[str, ...], manifest: Any) -> None:
    """Keep a just-parsed manifest on disk (written whole, then renamed: a reader never sees part of it), and only
    the most recently used files. Best effort: a read-only or full disk only costs later processes a parse."""
    file = _manifest_file(key)
    try:
        from dbt.parser.manifest import extended_mashumaro_encoder

        data = manifest.to_msgpack(extended_mashumaro_encoder)
        file.parent.mkdir(parents=True, exist_ok=True)
        partial = file.with_name(f"{file.name}.{os.getpid()}.tmp")
        partial.write_bytes(data)
        os.replace(partial, file)
        kept = sorted(file.parent.glob("*.msgpack"), key=lambda f: f.stat().st_mtime_ns, reverse=True)
        for old in kept[_MANIFEST_FILES_KEPT:]:
            old.unlink(missing_ok=True)
    except Exception:
        return


@contextlib.contextmanager
def _sigint_as_dbt_interrupt() -> Iterator[None]:
    """During dbt, Ctrl-C raises a KeyboardInterrupt that is also a dbt exception: dbt still cancels its
    queries and stops as for a plain one, but reports it in one line instead of logging a traceback."""
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return
    from dbt_common.exceptions import DbtBaseException

    class DbtInterrupted(KeyboardInterrupt, DbtBaseException):
        """Ctrl-C during dbt."""

    def interrupt(_signum: int, _frame: object) -> None:
        raise DbtInterrupted("interrupted (Ctrl-C)")

    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def failure_message(args: Sequence[str], path: Path, result: Any) -> str:
    """One line: the dbt command, the failed nodes with their first error line, the log file."""
    results = list(getattr(result.result, "results", None) or ())
    nodes = [r for r in results if _status(r) in FAILED_STATUSES]
    skipped = sum(1 for r in results if _status(r) == "skipped")
    if nodes:
        first = nodes[0]
        # a run-operation's result has no node: its unique_id names the macro
        detail = f"{len(nodes)} node(s) failed: " + ", ".join(_node_name(getattr(r, "node", r)) for r in nodes[:5])
        detail += (" and more" if len(nodes) > 5 else "") + f" (first: {_first_line(first.message)})"
        if skipped:
            detail += f"; {skipped} skipped"
    else:
        # dbt's own message as it is (a var validation lists every bad var on its line); the CLI joins lines
        detail = str(result.exception).strip() if result.exception else "see the output above"
    return f"dbt {' '.join(args)} failed on {path}: {detail}; details in {log_file()}"


def log_file() -> Path:
    """dbt's log file of this process (DBT_LOG_PATH, else logs/ of the project)."""
    try:
        from dbt.flags import get_flags

        log_path = getattr(get_flags(), "LOG_PATH", None)
    except Exception:
        log_path = None
    folder = Path(log_path or os.environ.get("DBT_LOG_PATH") or PROJECT_DIR / "logs")
    return (folder if folder.is_absolute() else PROJECT_DIR / folder) / "dbt.log"


def _status(node_result: Any) -> str:
    status = getattr(node_result, "status", "")
    return str(getattr(status, "value", status))


def _node_name(node: Any) -> str:
    resource = getattr(node, "resource_type", "node")
    return f"{resource} {getattr(node, 'name', None) or getattr(node, 'unique_id', '?')}"


def _first_line(message: Any) -> str:
    text = one_line(str(message or ""))
    return text if len(text) <= 300 else text[:297] + "..."


def _record_unfinished(path: Path, invocation_id: str, status: str) -> None:
    """Record the outcome the on-run-end hook could not (the build log is best effort here: never hide
    dbt's own error behind a second one)."""
    from faers.builds import mark_unfinished

    try:
        mark_unfinished(path, invocation_id, status)
    except Exception:
        return


def release_dbt_connection() -> None:
    """Close the DuckDB database that dbt-duckdb keeps open in-process after ``dbtRunner().invoke``.

    Until it is closed, opening the same file again in this process (read-only, or with other settings)
    fails with "Can't open a connection to same database file with a different configuration".
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        environment = DuckDBConnectionManager._ENV
        if environment is not None:
            environment.close()
            DuckDBConnectionManager._ENV = None
