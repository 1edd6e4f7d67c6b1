"""Run an iterator in a background thread, a bounded number of items ahead of its consumer.

Inflating (zlib) and parsing (polars) release the GIL, as does DuckDB's insert, so reading chunk k+1
overlaps writing chunk k on two cores. The queue bound keeps memory to ``depth + 2`` chunks.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


def prefetch(items: Iterable[T], *, depth: int = 2) -> Iterator[T]:
    """Yield ``items`` produced by a background thread; its exceptions re-raise here. Closing the
    generator (or leaving a ``for`` loop over it by an exception) stops and joins the thread."""
    slots: queue.Queue[tuple[object, BaseException | None]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object, error: BaseException | None) -> bool:
        while not stop.is_set():
            try:
                slots.put((item, error), timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for item in items:
                if not put(item, None):
                    return
            put(_DONE, None)
        except BaseException as error:
            put(None, error)

    worker = threading.Thread(target=run, name="faers-load-reader", daemon=True)
    worker.start()
    try:
        while True:
            item, error = slots.get()
            if error is not None:
                raise error
            if item is _DONE:
                return
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()
