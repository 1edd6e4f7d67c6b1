"""The quarters to download: the latest FDA can have published, and a ``--from``/``--to`` range.

The ``Quarter`` type itself is :mod:`loaders.quarters` (shared by the loader, the downloader and the sample).
"""

from __future__ import annotations

import datetime as dt

from loaders.quarters import FIRST_QUARTER, Quarter, QuarterError


def latest_possible(today: dt.date | None = None) -> Quarter:
    """The most recent quarter that could be published on ``today``: the last quarter that has ended.

    FDA publishes a quarter a few weeks after it ends, so this quarter may still answer 404; the downloader
    reports that as "not published yet".
    """
    return Quarter.containing(today or dt.date.today()).previous()


def resolve_range(from_text: str, to_text: str, today: dt.date | None = None) -> list[Quarter]:
    """The quarters from ``from_text`` to ``to_text`` (inclusive; ``latest`` allowed for the end).

    Raises QuarterError for a bad quarter, a start before 2004Q1, an end before the start, or a range
    that lies entirely in the future.
    """
    start = Quarter.parse(from_text)
    latest = latest_possible(today)
    end = latest if to_text.strip().lower() == "latest" else Quarter.parse(to_text)
    if start < FIRST_QUARTER:
        raise QuarterError(f"--from {start}: FDA publishes nothing before {FIRST_QUARTER}")
    if end < start:
        raise QuarterError(f"--to {end} comes before --from {start}")
    if start > latest:
        raise QuarterError(f"--from {start}: the quarter has not ended yet (latest possible is {latest})")
    quarters = []
    current = start
    while current <= end:
        quarters.append(current)
        current = current.next()
    return quarters
