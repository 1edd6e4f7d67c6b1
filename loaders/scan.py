"""Validate and parse one member's ``$``-delimited lines, chunk by chunk, in bounded memory.

A member is read in large chunks cut at newline boundaries (``iter_chunks``). For each chunk:

* fast path: count ``$`` and ``\\n`` (C speed). If the chunk holds exactly ``lines * (n - 1)`` delimiters
  (or ``lines * n`` on a LAERS table, all rows with the trailing ``$``) it is parsed in bulk by polars with a
  fixed schema. Polars raises on any line with more fields than the schema, so equal totals plus "no line
  longer" proves every line has exactly the header's field count. A LAERS surplus field must be empty
  (checked on the parsed column).
* slow path (any other chunk): numpy finds every line's start, end and ``$`` count at once. Lines with the
  right count are parsed in bulk as above; the others are handled one by one: blank lines are counted,
  consecutive short fragments are re-joined (concatenated without the line break, as AEOLUS does for LAERS)
  when that restores the count exactly, and everything else goes to ``raw.rejects`` with the reason.

Field-count rule (faers_format.md §2, §12.4): FAERS rows have exactly the header's ``n`` fields; LAERS rows
have ``n``, or ``n + 1`` when the last is empty (the trailing ``$`` of every LAERS table but INDI).
A data line equal to the header line is rejected. Exactly one trailing CR is stripped per line.

Line numbers are physical lines of the member, header = 1; a re-joined row carries its first line's number.
The identity every member satisfies: ``lines_read = rows_loaded + rows_rejected + lines_blank + lines_joined``
(``lines_joined`` counts the continuation lines absorbed into a re-joined row).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

import numpy as np
import polars as pl
import pyarrow as pa

from loaders.errors import LoadError
from loaders.schema import COLUMNS, KEY_COLUMN, LINEAGE_COLUMNS, published_columns
from loaders.text import decode, strip_bom, to_utf8

DEFAULT_CHUNK_BYTES = 8 << 20
"""Uncompressed bytes read per chunk; bounds the loader's memory (a few chunks are alive at a time)."""

MAX_JOIN_LINES = 8
"""At most this many physical lines are re-joined into one row."""

LINE_NUMBER = "line_number"
_TRAILING = "__trailing__"
_TEXT = pa.string_view()


def row_schema(columns: Sequence[str]) -> pa.Schema:
    """The Arrow schema of every row batch of a member: its columns as text, then ``line_number``."""
    return pa.schema([*(pa.field(name, _TEXT) for name in columns), pa.field(LINE_NUMBER, pa.int64())])


MAX_LINE_BYTES = 16 << 20
"""A longer line means the member is not a FAERS text table (their longest lines are a few kB)."""


def iter_chunks(stream: BinaryIO, chunk_bytes: int, source_file: str = "") -> Iterator[tuple[bytes, int]]:
    """Yield ``(chunk, raw_bytes)``: chunks of whole lines, each ending in ``\\n`` (one is appended to a
    final line that lacks it), and how many bytes of the member each one consumed. Raises LoadError
    naming ``source_file`` for a line longer than ``MAX_LINE_BYTES``."""
    pending: list[bytes] = []  # the pieces of a line that spans blocks: joined once, never re-copied
    pending_bytes = 0
    read = getattr(stream, "read1", stream.read)  # one step's bytes as they come (loaders.inflate): no re-join
    while True:
        block = read(chunk_bytes)
        if not block:
            if pending:
                yield b"".join((*pending, b"\n")), pending_bytes
            return
        cut = block.rfind(b"\n") + 1
        if pending_bytes + (block.find(b"\n") if cut else len(block)) > MAX_LINE_BYTES:
            raise LoadError(source_file, f"a line longer than {MAX_LINE_BYTES:,} bytes: not a FAERS text table")
        if cut == 0:
            pending.append(block)
            pending_bytes += len(block)
            continue
        if pending:
            data = b"".join((*pending, block))
            cut += pending_bytes
            pending, pending_bytes = [data[cut:]], len(data) - cut
            yield data[:cut], cut
        else:
            pending, pending_bytes = [block[cut:]], len(block) - cut
            yield block[:cut], cut
        if not pending_bytes:
            pending = []


@dataclass(frozen=True)
class Layout:
    """A table member's header: normalised column names, era, and the header line as published.

    ``unknown`` are the header's columns the loader does not know (kept as extra VARCHAR columns of the raw
    table); ``missing`` the columns of the quarter's published layout the header lacks (loaded as NULL)."""

    table: str
    columns: tuple[str, ...]
    laers: bool
    header: bytes
    source_file: str
    unknown: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        """Number of fields the header declares."""
        return len(self.columns)


EXTRA_COLUMN_RE = re.compile(r"[a-z_][a-z0-9_]{0,62}")
"""What an unknown header column must look like to become an extra column of a raw table (FDA's names are
lower-case ASCII words; anything else is a damaged header, not a new column)."""

MAX_UNKNOWN_COLUMNS = 32
"""More unknown columns than this in one header is not a new FDA layout (FDA added 5 columns in 2014Q3)."""

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _excerpt(text: str, limit: int = 120) -> str:
    """``text`` as repr, cut to ``limit`` characters for a one-line error message."""
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def read_layout(header_line: bytes, table: str, era: str, source_file: str, *, quarter: str | None = None) -> Layout:
    """Parse and check a header line: strip the BOM, one CR and whitespace; lower-case; map by name.

    Columns the loader does not know are kept (``Layout.unknown``); columns of ``quarter``'s published
    layout that the header lacks are noted (``Layout.missing``; not checked when ``quarter`` is None).
    Raises LoadError (line 1) for an empty header, UTF-16 text, an empty or repeated column name, an
    unknown name that is not a lower-case word or is a lineage column, or a header without the era's
    report key (unknown layout).
    """
    if header_line.startswith(_UTF16_BOMS):
        raise LoadError(source_file, "UTF-16 text (byte-order mark): FDA's tables are ASCII text", line=1)
    raw = header_line[:-1] if header_line.endswith(b"\r") else header_line
    text = strip_bom(decode(raw))
    names = tuple(part.strip().lower() for part in text.split("$"))
    if not text.strip():
        raise LoadError(source_file, "empty header line (unknown layout)", line=1)
    if "" in names:
        raise LoadError(source_file, f"empty column name in header {_excerpt(text)} (unknown layout)", line=1)
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        shown = ", ".join(_excerpt(n, 40) for n in duplicated[:5])
        raise LoadError(source_file, f"repeated column name(s) {shown} in header", line=1)
    key = KEY_COLUMN[era]
    if key not in names:
        other = next(e for e in KEY_COLUMN if e != era)
        found = f"a {other} header" if KEY_COLUMN[other] in names else "no report key"
        raise LoadError(
            source_file,
            f"unknown layout: a {era} archive's {table.upper()} header needs column '{key}', found {found}",
            line=1,
        )
    known = COLUMNS[table]
    unknown = tuple(n for n in names if n not in known)
    if len(unknown) > MAX_UNKNOWN_COLUMNS:
        raise LoadError(
            source_file,
            f"damaged header: {len(unknown):,} unknown columns in the {table.upper()} header (at most "
            f"{MAX_UNKNOWN_COLUMNS} are kept), e.g. {', '.join(_excerpt(n, 40) for n in unknown[:3])}",
            line=1,
        )
    bad = [n for n in unknown if n in LINEAGE_COLUMNS or EXTRA_COLUMN_RE.fullmatch(n) is None]
    if bad:
        raise LoadError(
            source_file,
            f"damaged header: column name(s) {', '.join(_excerpt(n, 40) for n in bad[:5])} in the "
            f"{table.upper()} header cannot be kept as extra columns (a lower-case word other than "
            f"{', '.join(LINEAGE_COLUMNS)} expected)",
            line=1,
        )
    expected = published_columns(era, table, quarter) if quarter is not None else ()
    missing = tuple(c for c in expected if c not in names)
    return Layout(
        table=table,
        columns=names,
        laers=era == "LAERS",
        header=text.encode("utf-8"),
        source_file=source_file,
        unknown=unknown,
        missing=missing,
    )


@dataclass(frozen=True)
class Reject:
    """A physical line that could not be loaded."""

    line_number: int
    raw_line: str
    reason: str


@dataclass
class Batch:
    """What one chunk produced: row tables (published columns + line_number), rejects and line counts."""

    frames: list[pa.Table] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    lines: int = 0
    blank: int = 0
    joined: int = 0

    @property
    def rows(self) -> int:
        """Rows loaded from this chunk."""
        return sum(frame.num_rows for frame in self.frames)


def parse_lines(data: bytes, columns: Sequence[str], *, trailing: bool) -> pl.DataFrame:
    """Parse validated lines (valid UTF-8, each ending in ``\\n``) into String columns; empty -> null.

    With ``trailing`` an extra last column takes the LAERS trailing field. Raises ``polars.ComputeError``
    when a line has more fields than the schema.
    """
    names = [*columns, _TRAILING] if trailing else list(columns)
    return pl.read_csv(
        data,
        has_header=False,
        separator="$",
        quote_char=None,
        schema=dict.fromkeys(names, pl.String),
        encoding="utf8",
        eol_char="\n",
    )


def _to_arrow(frame: pl.DataFrame, line_numbers: pl.Series) -> pa.Table:
    return frame.with_columns(line_numbers.alias(LINE_NUMBER)).to_arrow(compat_level=pl.CompatLevel.newest())


class TableScanner:
    """Turns one table member's chunks (after the header) into Batches. Keeps at most a few trailing short
    fragments of a chunk back for the next one, so a record broken across a chunk cut is still re-joined."""

    def __init__(self, layout: Layout, *, max_join_lines: int = MAX_JOIN_LINES) -> None:
        self.layout = layout
        self.max_join_lines = max_join_lines
        self.next_line = 2
        self._carry = b""

    def scan(self, chunk: bytes, *, final: bool = False) -> Batch:
        """Validate and parse ``chunk`` (whole lines). Call once more with ``final=True`` to flush."""
        data = to_utf8(chunk)
        if self._carry:
            data, self._carry = self._carry + data, b""
        if not data:
            return Batch()
        lines = data.count(b"\n")
        batch = self._fast(data, lines)
        if batch is None:
            batch = self._slow(data, lines, final=final)
        self.next_line += batch.lines
        return batch

    def _fast(self, data: bytes, lines: int) -> Batch | None:
        layout = self.layout
        if layout.header in data or layout.n == 1:  # one column: polars reads a blank line as a row
            return None
        dollars = data.count(b"$")
        if dollars == lines * (layout.n - 1):
            trailing = False
        elif layout.laers and dollars == lines * layout.n:
            trailing = True
        else:
            return None
        try:
            frame = parse_lines(data, layout.columns, trailing=trailing)
        except pl.exceptions.PolarsError:
            return None
        if frame.height != lines:
            return None
        if trailing:
            if frame.get_column(_TRAILING).null_count() != lines:
                return None
            frame = frame.drop(_TRAILING)
        numbers = pl.int_range(self.next_line, self.next_line + lines, dtype=pl.Int64, eager=True)
        return Batch(frames=[_to_arrow(frame, numbers)], lines=lines)

    def _slow(self, data: bytes, lines: int, *, final: bool) -> Batch:
        layout, n = self.layout, self.layout.n
        buf = np.frombuffer(data, dtype=np.uint8)
        ends = np.flatnonzero(buf == 10)
        starts = np.empty_like(ends)
        starts[0] = 0
        starts[1:] = ends[:-1] + 1
        has_cr = (ends > starts) & (buf[np.maximum(ends - 1, 0)] == 13)
        content_ends = ends - has_cr
        length = content_ends - starts
        counts = np.diff(np.searchsorted(np.flatnonzero(buf == 36), ends), prepend=0)
        good = counts == n - 1
        if n == 1:  # no '$' to tell a blank line from a row: blank and whitespace-only lines are not rows
            bounds = zip(starts.tolist(), content_ends.tolist(), strict=True)
            good &= np.array([bool(data[a:b].strip()) for a, b in bounds], dtype=bool)
        if layout.laers:
            good |= (counts == n) & (length > 0) & (buf[np.maximum(content_ends - 1, 0)] == 36)
        repeated: set[int] = set()
        for i in np.flatnonzero(good & (length == len(layout.header))).tolist():
            if data[starts[i] : content_ends[i]] == layout.header:
                good[i] = False
                repeated.add(i)
        short = ~good & (length > 0) & (counts < n - 1)

        usable = lines
        if not final:
            while usable > 0 and lines - usable < self.max_join_lines - 1 and short[usable - 1]:
                usable -= 1
            self._carry = data[starts[usable] :] if usable < lines else b""

        def line(i: int) -> bytes:
            return data[starts[i] : content_ends[i]]

        batch = Batch(lines=usable)
        joined_rows: list[tuple[int, list[str]]] = []
        skip_to = 0
        for i in np.flatnonzero(~good[:usable]).tolist():
            if i < skip_to:
                continue
            raw = line(i)
            if not raw.strip():
                batch.blank += 1
                continue
            if i in repeated:
                batch.rejects.append(Reject(self.next_line + i, raw.decode("utf-8"), "line repeats the header"))
                continue
            found = int(counts[i]) + 1
            if short[i]:
                last, total = i, int(counts[i])
                while (
                    total < n - 1
                    and last + 1 < usable
                    and last + 1 - i < self.max_join_lines
                    and short[last + 1]
                    and line(last + 1).strip()
                ):
                    last += 1
                    total += int(counts[last])
                if last > i:
                    text = b"".join(line(k) for k in range(i, last + 1))
                    if total == n - 1 or (layout.laers and total == n and text.endswith(b"$")):
                        fields = text.decode("utf-8").split("$")[:n]
                        joined_rows.append((self.next_line + i, fields))
                        batch.joined += last - i
                        skip_to = last + 1
                        continue
                reason = self._count_reason(found) + "; re-joining the following lines does not restore it"
            elif layout.laers and found == n + 1:
                reason = f"{found} fields and the last is not empty (LAERS header has {n})"
            else:
                reason = self._count_reason(found)
            batch.rejects.append(Reject(self.next_line + i, raw.decode("utf-8"), reason))

        keep = good[:usable]
        # Parse each field count separately (LAERS rows with and without the trailing '$'): polars takes
        # the field count from a chunk's first line, so a parse must see one shape only.
        for trailing in (False, True) if layout.laers else (False,):
            group = keep & (counts[:usable] == (n if trailing else n - 1))
            if group.any():
                batch.frames.append(self._parse_group(data, starts, ends, group, trailing=trailing))
        if joined_rows:
            batch.frames.append(self._rows_table(joined_rows))
        return batch

    def _parse_group(
        self, data: bytes, starts: np.ndarray, ends: np.ndarray, group: np.ndarray, *, trailing: bool
    ) -> pa.Table:
        """Parse the validated lines flagged in ``group`` (all of one field count) in bulk."""
        layout = self.layout
        if group.all():
            good_bytes = data[: ends[len(group) - 1] + 1]
        else:
            edges = np.diff(np.concatenate(([0], group.view(np.int8), [0])))
            run_starts, run_ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
            good_bytes = b"".join(
                data[starts[a] : ends[b - 1] + 1] for a, b in zip(run_starts.tolist(), run_ends.tolist(), strict=True)
            )
        frame = parse_lines(good_bytes, layout.columns, trailing=trailing)
        expected = int(group.sum())
        if frame.height != expected or (trailing and frame.get_column(_TRAILING).null_count() != expected):
            raise LoadError(
                layout.source_file,
                f"internal: {frame.height} rows parsed from {expected} validated lines",
                line=self.next_line,
            )
        if trailing:
            frame = frame.drop(_TRAILING)
        numbers = pl.Series(LINE_NUMBER, np.flatnonzero(group) + self.next_line, dtype=pl.Int64)
        return _to_arrow(frame, numbers)

    def _count_reason(self, found: int) -> str:
        n = self.layout.n
        if self.layout.laers:
            return f"{found} fields, LAERS header has {n} ({n} or {n + 1} with an empty last field expected)"
        return f"{found} fields, header has {n}"

    def _rows_table(self, rows: list[tuple[int, list[str]]]) -> pa.Table:
        columns: dict[str, pa.Array] = {
            name: pa.array([fields[k] or None for _, fields in rows], type=_TEXT)
            for k, name in enumerate(self.layout.columns)
        }
        columns[LINE_NUMBER] = pa.array([number for number, _ in rows], type=pa.int64())
        return pa.table(columns)


class DeletedScanner:
    """Turns a deleted-case list's chunks into Batches with columns ``caseid, line_number``.

    The list is headerless, one case id per line; blank or whitespace-only lines (FDA's lists start with a
    single space) are counted as blank; a line that is not digits after stripping is rejected.
    """

    def __init__(self, source_file: str) -> None:
        self.source_file = source_file
        self.next_line = 1

    def scan(self, chunk: bytes, *, final: bool = False) -> Batch:
        """Parse ``chunk`` (whole lines). ``final`` is accepted for symmetry with TableScanner."""
        text = decode(chunk)
        if self.next_line == 1:
            text = strip_bom(text)
        parts = text.split("\n")[:-1]
        ids: list[str] = []
        numbers: list[int] = []
        batch = Batch(lines=len(parts))
        for k, part in enumerate(parts):
            value = part.strip()
            if not value:
                batch.blank += 1
            elif value.isascii() and value.isdigit():
                ids.append(value)
                numbers.append(self.next_line + k)
            else:
                raw = part[:-1] if part.endswith("\r") else part
                batch.rejects.append(Reject(self.next_line + k, raw, "not a case id (digits expected)"))
        if ids:
            batch.frames.append(pa.table({"caseid": pa.array(ids, _TEXT), LINE_NUMBER: pa.array(numbers, pa.int64())}))
        self.next_line += len(parts)
        return batch
