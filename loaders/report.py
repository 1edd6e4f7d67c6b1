"""What a load did: counts per member, per quarter, per table, and the files that failed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from loaders.discover import Failure
from loaders.schema import DATA_TABLES, DELETED_TABLE


@dataclass
class TableCounts:
    """Line accounting of one member (or a sum of members).

    Identity (checked by ``balanced``):
    ``lines_read = rows_loaded + rows_rejected + lines_blank + lines_joined``, where ``lines_read`` counts
    physical lines after the header and ``lines_joined`` the continuation lines absorbed into re-joined rows.
    ``records`` (= lines_read - lines_blank - lines_joined) is what was read once broken rows are re-joined,
    and ``rows_loaded + rows_rejected = records``.
    """

    lines_read: int = 0
    lines_blank: int = 0
    lines_joined: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    bytes_read: int = 0

    @property
    def records(self) -> int:
        """Records read after re-joining, blank lines excluded."""
        return self.lines_read - self.lines_blank - self.lines_joined

    @property
    def balanced(self) -> bool:
        """True when loaded + rejected = records read."""
        return self.rows_loaded + self.rows_rejected == self.records

    def add(self, other: TableCounts) -> None:
        """Add ``other``'s counts to these."""
        self.lines_read += other.lines_read
        self.lines_blank += other.lines_blank
        self.lines_joined += other.lines_joined
        self.rows_loaded += other.rows_loaded
        self.rows_rejected += other.rows_rejected
        self.bytes_read += other.bytes_read


@dataclass
class MemberReport:
    """One loaded zip member; ``unknown_columns`` / ``missing_columns`` are its header's columns kept as
    extra raw columns / absent from its quarter's published layout (loaded as NULL)."""

    table: str
    source_file: str
    counts: TableCounts
    unknown_columns: tuple[str, ...] = ()
    missing_columns: tuple[str, ...] = ()

    @property
    def warnings(self) -> list[str]:
        """One line per header change, naming the file and line 1."""
        result = []
        if self.unknown_columns:
            result.append(
                f"{self.source_file}, line 1: unknown column(s) {', '.join(self.unknown_columns)} kept as extra "
                f"VARCHAR column(s) of raw.{self.table}"
            )
        if self.missing_columns:
            result.append(
                f"{self.source_file}, line 1: column(s) {', '.join(self.missing_columns)} of the published "
                "layout missing from the header, loaded as NULL"
            )
        return result


@dataclass
class QuarterReport:
    """One quarter loaded (committed) from one zip."""

    quarter: str
    zip_path: Path
    members: list[MemberReport]
    seconds: float

    @property
    def bytes_read(self) -> int:
        """Uncompressed bytes read from the zip's loaded members."""
        return sum(m.counts.bytes_read for m in self.members)


@dataclass
class LoadReport:
    """The result of ``load_paths``: committed quarters, failed files, notes, time and peak memory."""

    quarters: list[QuarterReport] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    peak_rss_bytes: int = 0

    @property
    def ok(self) -> bool:
        """True when no file failed."""
        return not self.failed

    @property
    def warnings(self) -> list[str]:
        """Header changes of the quarters loaded (unknown or missing columns), one line each."""
        return [w for quarter in self.quarters for member in quarter.members for w in member.warnings]

    @property
    def tables(self) -> dict[str, TableCounts]:
        """Counts per raw table (the seven data tables, then ``deleted``), summed over the quarters loaded."""
        totals = {table: TableCounts() for table in (*DATA_TABLES, DELETED_TABLE)}
        for quarter in self.quarters:
            for member in quarter.members:
                totals[member.table].add(member.counts)
        return totals

    @property
    def total(self) -> TableCounts:
        """Counts over every member loaded."""
        total = TableCounts()
        for counts in self.tables.values():
            total.add(counts)
        return total
