"""Outputs that appear whole or not at all: a command stopped halfway (Ctrl-C, a crash, kill -9) leaves the
previous file or folder, never a half-written one.

``atomic_file(path)`` yields a temporary path next to ``path`` and renames it over ``path`` when the block
succeeds; ``staged_dir(folder)`` does the same for a folder of outputs (a study's tables, SQL and report).
The final renames run with SIGINT held back, so a Ctrl-C during them takes effect just after.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yield a temporary file path in ``path``'s folder; on success it replaces ``path`` in one rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(fd)
    temporary = Path(name)
    temporary.chmod(0o666 & ~_umask())  # mkstemp's file is private (0600); give it a normal file's mode
    try:
        yield temporary
        with sigint_deferred():
            os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@contextlib.contextmanager
def staged_dir(folder: Path) -> Iterator[Path]:
    """Yield an empty temporary folder next to ``folder``; on success its entries replace ``folder``'s.

    A new ``folder`` appears in one rename. An existing one keeps its other files (it may be a folder the
    user also uses for other things); each entry written is swapped in by a rename. On failure the
    temporary folder is removed and ``folder`` is untouched.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=folder.parent))
    temporary.chmod(0o777 & ~_umask())  # mkdtemp's folder is private (0700)
    try:
        yield temporary
        with sigint_deferred():
            _publish(temporary, folder)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def _publish(temporary: Path, folder: Path) -> None:
    if not folder.exists():
        os.replace(temporary, folder)
        return
    for entry in sorted(temporary.iterdir()):
        target = folder / entry.name
        if target.is_dir() and not target.is_symlink():
            old = folder / f".{entry.name}.old"
            shutil.rmtree(old, ignore_errors=True)
            os.replace(target, old)
            os.replace(entry, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(entry, target)


@contextlib.contextmanager
def sigint_deferred() -> Iterator[None]:
    """Hold SIGINT back during the block (main thread only); one received meanwhile is raised after it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt
