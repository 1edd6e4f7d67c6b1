"""FDA's physical layout of a quarterly ASCII zip, per quarter (docs/faers_format.md §1-§3, §6).

Pure functions of the quarter: zip name, member paths, header line of each table, line terminator,
trailing-``$`` rule, BOM, and the deleted-case list's folder and name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from loaders.schema import published_columns

TABLES: tuple[str, ...] = ("demo", "drug", "reac", "outc", "rpsr", "ther", "indi")
"""The seven tables, in FDA's usual order."""

_QUARTER_RE = re.compile(r"^(\d{4})[qQ]([1-4])$")

FIRST_QUARTER = (2004, 1)
FIRST_FAERS_QUARTER = (2012, 4)
FIRST_DELETED_QUARTER = (2019, 1)


class QuarterFormatError(ValueError):
    """A quarter text that is not ``YYYYQn`` or lies outside what FDA publishes."""


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter, ordered in time."""

    year: int
    q: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Parse ``2019Q1`` (either case of q); raise QuarterFormatError naming the text otherwise."""
        match = _QUARTER_RE.match(text.strip())
        if match is None:
            raise QuarterFormatError(f"not a quarter (expected YYYYQn, e.g. 2019Q1): {text!r}")
        quarter = cls(int(match.group(1)), int(match.group(2)))
        if (quarter.year, quarter.q) < FIRST_QUARTER:
            raise QuarterFormatError(f"FDA publishes no ASCII extract before 2004Q1: {text!r}")
        if quarter.year > 2099:
            raise QuarterFormatError(f"quarter out of range: {text!r}")
        return quarter

    def __str__(self) -> str:
        return f"{self.year}Q{self.q}"

    @property
    def yyqq(self) -> str:
        """``19Q1``: the stem used in member names."""
        return f"{self.year % 100:02d}Q{self.q}"

    @property
    def index(self) -> int:
        """Quarters since 2004Q1 (2004Q1 = 0)."""
        return (self.year - 2004) * 4 + self.q - 1

    @property
    def is_laers(self) -> bool:
        """True for the legacy AERS era (2004Q1-2012Q3)."""
        return (self.year, self.q) < FIRST_FAERS_QUARTER

    def at_least(self, year: int, q: int) -> bool:
        """True if this quarter is ``year``Q``q`` or later."""
        return (self.year, self.q) >= (year, q)

    def first_day(self) -> tuple[int, int, int]:
        """(year, month, day) of the quarter's first day."""
        return (self.year, 3 * (self.q - 1) + 1, 1)


# --- headers (faers_format.md §3, file order; the column lists are the loader's PUBLISHED_LAYOUTS) -------------


def header(quarter: Quarter, table: str) -> str:
    """The header line of ``table`` in ``quarter``, exactly as FDA writes it (no BOM, no terminator): the
    published columns, upper-case in LAERS, with 2012Q4 DEMO's stray space before ``rept_dt``."""
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}")
    era = "LAERS" if quarter.is_laers else "FAERS"
    names = published_columns(era, table, f"{quarter.year}Q{quarter.q}")
    line = "$".join(names).upper() if quarter.is_laers else "$".join(names)
    if table == "demo" and (quarter.year, quarter.q) == FIRST_FAERS_QUARTER:
        line = line.replace("$rept_dt$", "$ rept_dt$")
    return line


def columns(quarter: Quarter, table: str) -> list[str]:
    """Header names lower-cased and stripped (the raw-schema names), in file order."""
    return [name.strip().lower() for name in header(quarter, table).split("$")]


def trailing_dollar(quarter: Quarter, table: str) -> bool:
    """LAERS data rows end with one undeclared empty field, except INDI; FAERS rows never do (§2)."""
    return quarter.is_laers and table != "indi"


def line_terminator(quarter: Quarter) -> bytes:
    """CRLF, except LF-only in 2017Q4 (§2, Q-7)."""
    return b"\n" if (quarter.year, quarter.q) == (2017, 4) else b"\r\n"


def has_bom(quarter: Quarter, table: str) -> bool:
    """Only DRUG12Q4 begins with a UTF-8 BOM (§2)."""
    return (quarter.year, quarter.q) == FIRST_FAERS_QUARTER and table == "drug"


def zip_name(quarter: Quarter) -> str:
    """``aers_ascii_2012q3.zip`` up to 2012Q3, ``faers_ascii_2012q4.zip`` from then (§1.1)."""
    prefix = "aers" if quarter.is_laers else "faers"
    return f"{prefix}_ascii_{quarter.year}q{quarter.q}.zip"


def data_folder(quarter: Quarter) -> str:
    """``ascii`` or ``ASCII`` per quarter (§1.2)."""
    if (quarter.year, quarter.q) == (2013, 3) or quarter.at_least(2020, 1):
        return "ASCII"
    return "ascii"


def member_path(quarter: Quarter, table: str) -> str:
    """Member path of a table file: ``ascii/DEMO12Q2.TXT``, ``ascii/demo12q4.txt``, ``ASCII/DEMO23Q4.txt``,
    and ``ascii/DEMO18Q1_new.txt`` (§1.2)."""
    stem = f"{table.upper()}{quarter.yyqq}"
    if quarter.is_laers:
        name = f"{stem}.TXT"
    elif (quarter.year, quarter.q) == FIRST_FAERS_QUARTER:
        name = f"{stem.lower()}.txt"
    elif (quarter.year, quarter.q) == (2018, 1) and table == "demo":
        name = f"{stem}_new.txt"
    else:
        name = f"{stem}.txt"
    return f"{data_folder(quarter)}/{name}"


def has_deleted_list(quarter: Quarter) -> bool:
    """Deleted-case lists exist from 2019Q1 on (§6)."""
    return quarter.at_least(*FIRST_DELETED_QUARTER)


def deleted_member_path(quarter: Quarter) -> str:
    """The deleted list's member path, with the naming scheme of its period (§6)."""
    if not has_deleted_list(quarter):
        raise ValueError(f"{quarter} has no deleted-case list")
    yyqq = quarter.yyqq
    if not quarter.at_least(2020, 1):
        return f"deleted/ADR{yyqq}DeletedCases.txt"
    if not quarter.at_least(2020, 3):
        return f"DELETED/ADR{yyqq}DeletedCases.txt"
    if (quarter.year, quarter.q) == (2020, 3):
        return f"Deleted/ADR{yyqq}DeletedCases.txt"
    if not quarter.at_least(2021, 4):
        return f"Deleted/{yyqq}DeletedCases.txt"
    return f"Deleted/DELETE{yyqq}.txt"


def all_deleted_member_path(quarter: Quarter) -> str | None:
    """2019Q1 also ships a cumulative ``deleted/AllDeletedCases.txt`` (§6); no other quarter does."""
    return "deleted/AllDeletedCases.txt" if (quarter.year, quarter.q) == FIRST_DELETED_QUARTER else None


def stat_member_paths(quarter: Quarter) -> tuple[str, str] | None:
    """LAERS ships ``ascii/STATyyQq.TXT`` (empty header line, counts) and a root ``SIZEyyQq.TXT`` (§1.2)."""
    if not quarter.is_laers:
        return None
    return f"ascii/STAT{quarter.yyqq}.TXT", f"SIZE{quarter.yyqq}.TXT"
