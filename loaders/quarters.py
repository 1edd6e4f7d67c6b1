"""FAERS quarters: the one ``Quarter`` type, FDA's zip name for each, and FDA's download address.

FDA publishes one ASCII zip per quarter on fis.fda.gov (docs/faers_format.md §1.1):
``aers_ascii_YYYYqN.zip`` for the LAERS era (2004Q1 to 2012Q3) and ``faers_ascii_YYYYqN.zip`` from 2012Q4,
always with a lower-case ``q`` in the address. Nothing is published before 2004Q1, and a quarter appears a
few weeks after it ends. The loader (zip names), the downloader and the sample generator all use this type.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

DEFAULT_BASE_URL = "https://fis.fda.gov/content/Exports/"
"""FDA's folder of quarterly extracts."""

_QUARTER_RE = re.compile(r"^\s*(\d{4})\s*[qQ]([1-4])\s*$")
ZIP_RE = re.compile(r"^(f?aers)_ascii_(\d{4})q([1-4])\.zip$", re.IGNORECASE)
"""FDA's quarterly zip name (any case): ``aers_ascii_2012q3.zip``, ``faers_ascii_2012q4.zip``."""


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
    def parse_published(cls, text: str) -> Quarter:
        """As :meth:`parse`, and the quarter must lie in what FDA publishes (2004Q1 to 2099Q4)."""
        quarter = cls.parse(text)
        if quarter < FIRST_QUARTER:
            raise QuarterError(f"FDA publishes no ASCII extract before {FIRST_QUARTER}: {text!r}")
        if quarter.year > 2099:
            raise QuarterError(f"quarter out of range: {text!r}")
        return quarter

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
    def yyqq(self) -> str:
        """``19Q1``: the stem used in member names."""
        return f"{self.year % 100:02d}Q{self.q}"

    @property
    def index(self) -> int:
        """Quarters since 2004Q1 (2004Q1 = 0)."""
        return (self.year - 2004) * 4 + self.q - 1

    def at_least(self, year: int, q: int) -> bool:
        """True if this quarter is ``year``Q``q`` or later."""
        return (self.year, self.q) >= (year, q)

    def first_day(self) -> tuple[int, int, int]:
        """(year, month, day) of the quarter's first day."""
        return (self.year, 3 * (self.q - 1) + 1, 1)

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
    def era(self) -> str:
        """``'LAERS'`` or ``'FAERS'``."""
        return "LAERS" if self.is_laers else "FAERS"

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
