"""FAERS quarters and FDA's download addresses for them.

FDA publishes one ASCII zip per quarter on fis.fda.gov (docs/faers_format.md §1.1):
``aers_ascii_YYYYqN.zip`` for the LAERS era (2004Q1 to 2012Q3) and ``faers_ascii_YYYYqN.zip`` from 2012Q4,
always with a lower-case ``q`` in the address. Nothing is published before 2004Q1, and a quarter appears a
few weeks after it ends.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

DEFAULT_BASE_URL = "https://fis.fda.gov/content/Exports/"
"""FDA's folder of quarterly extracts."""

_QUARTER_RE = re.compile(r"^\s*(\d{4})\s*[qQ]([1-4])\s*$")


class QuarterError(ValueError):
    """A quarter that cannot be parsed or that FDA cannot have published."""


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter, ordered in time (``Quarter(2019, 1) < Quarter(2019, 2)``)."""

    year: int
    q: int

    def __post_init__(self) -> None:
        if not 1 <= self.q <= 4:
            raise QuarterError(f"quarter number must be 1-4, got {self.q}")

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Parse ``2019Q1`` (case-insensitive); raise QuarterError naming the bad text otherwise."""
        match = _QUARTER_RE.match(text)
        if match is None:
            raise QuarterError(f"not a quarter: {text!r} (expected YYYYQn, e.g. 2019Q1)")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, day: dt.date) -> Quarter:
        """The quarter that contains ``day``."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.q}"

    def next(self) -> Quarter:
        """The following quarter."""
        return Quarter(self.year + 1, 1) if self.q == 4 else Quarter(self.year, self.q + 1)

    def previous(self) -> Quarter:
        """The preceding quarter."""
        return Quarter(self.year - 1, 4) if self.q == 1 else Quarter(self.year, self.q - 1)

    @property
    def end(self) -> dt.date:
        """The last day of the quarter."""
        first_of_next = dt.date(self.year + (self.q == 4), 1 if self.q == 4 else 3 * self.q + 1, 1)
        return first_of_next - dt.timedelta(days=1)

    @property
    def is_laers(self) -> bool:
        """True for the legacy AERS era (2004Q1-2012Q3)."""
        return self <= LAST_LAERS

    @property
    def zip_name(self) -> str:
        """FDA's file name for this quarter: ``aers_ascii_2012q3.zip`` / ``faers_ascii_2012q4.zip``."""
        prefix = "aers" if self.is_laers else "faers"
        return f"{prefix}_ascii_{self.year}q{self.q}.zip"

    def url(self, base_url: str = DEFAULT_BASE_URL) -> str:
        """The download address of this quarter under ``base_url``."""
        return base_url.rstrip("/") + "/" + self.zip_name


FIRST_QUARTER = Quarter(2004, 1)
"""The first quarter FDA publishes."""

LAST_LAERS = Quarter(2012, 3)
"""The last quarter of the LAERS era (``aers_ascii_`` names)."""


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
