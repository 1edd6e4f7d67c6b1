"""Wall seconds of named blocks, for the per-step times commands report (study timings.json, update stages)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def timed(seconds: dict[str, float], name: str) -> Iterator[None]:
    """Record the wall seconds of the block as ``seconds[name]`` (not recorded when the block raises)."""
    started = time.perf_counter()
    yield
    seconds[name] = time.perf_counter() - started
