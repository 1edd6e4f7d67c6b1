"""Write quarterly zips byte-for-byte deterministically (fixed timestamps, attributes and compression)."""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from faers.sample.layout import TABLES, has_bom, header, line_terminator, member_path, stat_member_paths
from faers.sample.render import TableLines
from loaders.quarters import Quarter

BOM = b"\xef\xbb\xbf"
COMPRESS_LEVEL = 6


@dataclass
class MemberStats:
    """The shape of one written member, for truth.json."""

    member: str
    data_lines: int
    malformed: int = 0
    split_records: int = 0
    blank_lines: int = 0
    bytes: int = 0

    def as_dict(self) -> dict[str, int | str]:
        return {
            "member": self.member,
            "data_lines": self.data_lines,
            "malformed": self.malformed,
            "split_records": self.split_records,
            "blank_lines": self.blank_lines,
            "bytes": self.bytes,
        }


@dataclass
class ZipStats:
    """Per table (and ``deleted``) member statistics of one zip."""

    name: str
    tables: dict[str, MemberStats] = field(default_factory=dict)
    deleted: list[MemberStats] = field(default_factory=list)


def publication_time(quarter: Quarter) -> tuple[int, int, int, int, int, int]:
    """A fixed zip timestamp per quarter: six weeks after the quarter ends, at midnight."""
    year, month = (quarter.year + 1, 2) if quarter.q == 4 else (quarter.year, 3 * quarter.q + 2)
    return (year, month, 15, 0, 0, 0)


def table_bytes(quarter: Quarter, table: str, lines: Iterable[bytes]) -> bytes:
    """Header + data lines with the quarter's terminator (every line terminated, as FDA's files are)."""
    eol = line_terminator(quarter)
    head = (BOM if has_bom(quarter, table) else b"") + header(quarter, table).encode("ascii")
    body = eol.join(lines)
    return head + eol + (body + eol if body else b"")


class DeterministicZip:
    """A zip whose bytes depend only on what is written into it. It is written to a hidden ``.partial`` file
    renamed to ``path`` on a clean close, so an interrupted run never leaves a truncated zip."""

    def __init__(self, path: Path, quarter: Quarter, compresslevel: int = COMPRESS_LEVEL) -> None:
        self.path = path
        self.when = publication_time(quarter)
        self.level = compresslevel
        self._partial = path.with_name(f".{path.name}.partial")
        self._zip = zipfile.ZipFile(self._partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel)

    def write(self, member: str, data: bytes) -> None:
        info = zipfile.ZipInfo(member, date_time=self.when)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 0
        info.external_attr = 0o644 << 16
        self._zip.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=self.level)

    def close(self) -> None:
        self._zip.close()
        os.replace(self._partial, self.path)

    def __enter__(self) -> DeterministicZip:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self._zip.close()
            self._partial.unlink(missing_ok=True)


def write_quarter_zip(
    out_dir: Path,
    quarter: Quarter,
    tables: dict[str, TableLines],
    deleted: dict[str, list[str]] | None = None,
) -> ZipStats:
    """Write one quarter's zip: the seven tables, LAERS STAT/SIZE files, and the deleted lists."""
    name = quarter.zip_name
    stats = ZipStats(name=name)
    eol = line_terminator(quarter)
    sizes: list[tuple[str, int]] = []
    with DeterministicZip(out_dir / name, quarter) as archive:
        for table in TABLES:
            rendered = tables[table]
            data = table_bytes(quarter, table, rendered.lines)
            member = member_path(quarter, table)
            archive.write(member, data)
            sizes.append((member, len(data)))
            stats.tables[table] = MemberStats(
                member=member,
                data_lines=len(rendered.lines),
                malformed=rendered.malformed,
                split_records=rendered.split_records,
                bytes=len(data),
            )
        extra = stat_member_paths(quarter)
        if extra is not None:
            stat_path, size_path = extra
            # STAT: an empty header line, then per table the number of data lines (faers_format.md §1.2).
            stat_lines = [b""] + [
                f"{table.upper()}{quarter.yyqq}$RECORDS${stats.tables[table].data_lines}".encode() for table in TABLES
            ]
            archive.write(stat_path, eol.join(stat_lines) + eol)
            size_lines = [f"{member.split('/')[-1]} {size}".encode() for member, size in sizes]
            archive.write(size_path, eol.join(size_lines) + eol)
        for member, lines in (deleted or {}).items():
            data = b"".join(line.encode("ascii") + b"\n" for line in lines)
            archive.write(member, data)
            stats.deleted.append(
                MemberStats(
                    member=member,
                    data_lines=len(lines),
                    blank_lines=sum(1 for line in lines if not line.strip()),
                    bytes=len(data),
                )
            )
    return stats


ZIP_NAME_RE = re.compile(r"(?i)^f?aers_ascii_\d{4}q[1-4]\.zip$")
"""A quarterly FAERS/LAERS zip's file name."""


def check_out_dir(out_dir: Path, names: set[str]) -> None:
    """Refuse a folder holding other quarterly zips: a loader pointed at it would load them too."""
    strangers = sorted(p.name for p in out_dir.iterdir() if ZIP_NAME_RE.match(p.name) and p.name not in names)
    if strangers:
        raise FileExistsError(
            f"{out_dir} already holds FAERS zips that are not part of this sample: {', '.join(strangers)}; "
            "use an empty folder"
        )
