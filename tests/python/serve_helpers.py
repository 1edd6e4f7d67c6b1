"""Test helpers for the explorer: a real uvicorn server on 127.0.0.1 in a thread, and the marts' own rows."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from faers.serve import create_app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(db_path: Path, *, timeout: float = 10.0) -> Iterator[str]:
    """uvicorn serving the explorer over ``db_path`` on a free port of 127.0.0.1; stopped (and the warehouse
    closed by the app's lifespan) on exit. Yields the base URL."""
    port = free_port()
    config = uvicorn.Config(create_app(db_path, timeout=timeout), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the explorer did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        if thread.is_alive():
            raise RuntimeError("the explorer did not stop")
