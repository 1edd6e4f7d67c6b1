"""FDA's physical layout of a quarterly ASCII zip, per quarter (docs/faers_format.md §1-§3, §6).

Pure functions of the quarter: zip name, member paths, header line of each table, line terminator,
trailing-``$`` rule, BOM, and the deleted-case list's folder and name.
"""

from __future__ import annotations

from loaders.quarters import Quarter
from loaders.schema import published_columns

TABLES: tuple[str, ...] = ("demo", "drug", "reac", "outc", "rpsr", "ther", "indi")
"""The seven tables, in FDA's usual order."""

FIRST_FAERS_QUARTER = (2012, 4)
FIRST_DELETED_QUARTER = (2019, 1)


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
