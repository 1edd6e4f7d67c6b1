"""``faers serve``: run the explorer on uvicorn until Ctrl-C (the warehouse is closed on the way out)."""

from __future__ import annotations

import contextlib
from pathlib import Path

from rich.console import Console

from faers.errors import BadInputError, FaersError
from faers.serve.db import DEFAULT_TIMEOUT
from loaders.paths import warehouse_path

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def serve_command(db_path: Path) -> str:
    """The command line that opens ``db_path`` in the explorer (printed by ``faers demo``)."""
    return f"faers serve --db {db_path}"


def run_serve(db: Path | None, *, host: str = "127.0.0.1", port: int = 8000, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Serve the explorer on http://HOST:PORT/ over ``db`` opened read-only."""
    import uvicorn

    from faers.serve.app import create_app
    from faers.serve.db import Warehouse

    db_path = (db or warehouse_path()).resolve()
    if not 0 < port < 65536:
        raise BadInputError(f"--port must be between 1 and 65535, got {port}")
    if timeout <= 0:
        raise BadInputError(f"--timeout must be a positive number of seconds, got {timeout:g}")
    Warehouse(db_path).open().close()  # fail here, with one line, rather than inside uvicorn's start-up
    _require_explorer(db_path)
    console = Console(stderr=True, highlight=False)
    if host not in LOCAL_HOSTS:
        console.print(f"[yellow]faers serve: listening on {host}: anyone who can reach it can read the warehouse[/]")
    console.print(f"faers serve: http://{host}:{port}/ on {db_path} (read-only); Ctrl-C stops it", markup=False)
    config = uvicorn.Config(create_app(db_path, timeout=timeout), host=host, port=port, log_level="warning")
    server = uvicorn.Server(config)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how the explorer stops: uvicorn shuts down first
        try:
            server.run()
        except SystemExit:  # uvicorn's way of saying it could not bind
            if server.started:
                raise
    if not server.started:
        raise FaersError(f"could not listen on {host}:{port} (in use?): choose another --port")
    console.print("faers serve: stopped", markup=False)


def _require_explorer(db_path: Path) -> None:
    import duckdb

    from faers.builds import require_fresh_explorer

    with duckdb.connect(str(db_path), read_only=True) as conn:
        require_fresh_explorer(conn, db_path)
