"""Find FDA quarterly ASCII zips in the paths given, and classify their members by regex.

Zip names follow ``(f)aers_ascii_YYYYqN.zip`` in any case (faers_format.md §1.1). Members are classified by
their base name, never by an exact expected path: ``DEMO18Q1_new.txt``, ``ascii/``/``ASCII/``/no folder,
``.TXT``/``.txt`` all match (§1.2, §12). A deleted-case list is any ``.txt`` member with ``delet`` in its
path (five naming schemes, §6). Everything else (PDF, DOC, STAT, SIZE, Thumbs.db) is ignored.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from loaders.errors import LoadError
from loaders.quarters import ZIP_RE
from loaders.schema import DATA_TABLES

TABLE_MEMBER_RE = re.compile(r"^(DEMO|DRUG|REAC|OUTC|RPSR|THER|INDI)(\d{2})Q([1-4])[A-Z0-9_]*\.TXT$", re.IGNORECASE)
DELETED_QUARTER_RE = re.compile(r"(\d{2})Q([1-4])", re.IGNORECASE)


@dataclass(frozen=True)
class Archive:
    """One quarterly zip: its path, quarter (``'2019Q1'``) and era (``'LAERS'`` or ``'FAERS'``)."""

    path: Path
    year: int
    q: int
    era: str

    @property
    def quarter(self) -> str:
        """The quarter label stored in every row, e.g. ``'2019Q1'``."""
        return f"{self.year}Q{self.q}"

    @property
    def name(self) -> str:
        """The zip's file name, the first part of every ``source_file``."""
        return self.path.name


@dataclass(frozen=True)
class Member:
    """One zip member to load: its table (``'demo'``..., or ``'deleted'``) and its ``source_file`` label."""

    table: str
    info: zipfile.ZipInfo
    source_file: str


@dataclass(frozen=True)
class Failure:
    """A path that could not be loaded, with the reason."""

    path: str
    message: str


def parse_archive_name(path: Path) -> Archive | None:
    """The archive a zip name denotes, or None when the name is not an FDA quarterly ASCII zip."""
    match = ZIP_RE.match(path.name)
    if match is None:
        return None
    prefix, year, q = match.groups()
    return Archive(path=path, year=int(year), q=int(q), era="FAERS" if prefix.lower() == "faers" else "LAERS")


def find_archives(paths: Iterable[Path]) -> tuple[list[Archive], list[Failure], list[str]]:
    """Archives named by ``paths`` (zips, or folders whose direct children are zips), in quarter order.

    Returns (archives, failures, notes). A zip named explicitly with a non-FDA name, a missing path, or a
    second zip for a quarter already found is a failure; a non-FDA zip inside a folder is only noted.
    """
    found: list[Archive] = []  # in the order given: the first zip of a quarter wins
    failures: list[Failure] = []
    notes: list[str] = []
    for path in paths:
        if path.is_dir():
            children = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".zip")
            for child in children:
                archive = parse_archive_name(child)
                if archive is None:
                    notes.append(f"{child}: skipped (not an FDA quarterly ASCII zip name)")
                else:
                    found.append(archive)
            if not children:
                failures.append(Failure(str(path), f"{path}: folder holds no .zip file"))
        elif path.is_file():
            archive = parse_archive_name(path)
            if archive is None:
                failures.append(
                    Failure(
                        str(path),
                        f"{path}: not an FDA quarterly ASCII zip name "
                        "(expected faers_ascii_YYYYqN.zip or aers_ascii_YYYYqN.zip)",
                    )
                )
            else:
                found.append(archive)
        else:
            failures.append(Failure(str(path), f"{path}: no such file or folder"))
    archives: list[Archive] = []
    seen: dict[str, Archive] = {}
    for _, archive in sorted(enumerate(found), key=lambda item: (item[1].year, item[1].q, item[0])):
        first = seen.get(archive.quarter)
        if first is not None:
            if first.path.resolve() != archive.path.resolve():
                failures.append(
                    Failure(
                        str(archive.path),
                        f"{archive.path}: quarter {archive.quarter} is already given by {first.path}",
                    )
                )
            continue
        seen[archive.quarter] = archive
        archives.append(archive)
    return archives, failures, notes


def _is_ignored(name: str) -> bool:
    """Directory entries and macOS resource forks are never data."""
    base = name.rsplit("/", 1)[-1]
    return name.endswith("/") or base.startswith("._") or name.startswith("__MACOSX/")


def classify_members(archive: Archive, infos: Sequence[zipfile.ZipInfo]) -> tuple[list[Member], list[Member]]:
    """The seven table members (in ``DATA_TABLES`` order) and the deleted-case lists of an archive.

    Raises LoadError naming the zip (and member) for a missing or doubled table, two members of one name,
    or a member whose two-digit year and quarter disagree with the zip's quarter.
    """
    tables: dict[str, Member] = {}
    deleted: list[Member] = []
    seen: set[str] = set()
    yy, q = f"{archive.year % 100:02d}", str(archive.q)
    for info in infos:
        name = info.filename.replace("\\", "/")
        if _is_ignored(name):
            continue
        if name in seen:
            raise LoadError(archive.name, f"two members named {info.filename}: a damaged zip (which one is FDA's?)")
        seen.add(name)
        base = name.rsplit("/", 1)[-1]
        source_file = f"{archive.name}/{info.filename}"
        match = TABLE_MEMBER_RE.match(base)
        if match is not None and "delet" not in name.lower():
            table = match.group(1).lower()
            if (match.group(2), match.group(3)) != (yy, q):
                raise LoadError(
                    source_file,
                    f"member is for 20{match.group(2)}Q{match.group(3)} but the zip is {archive.quarter}",
                )
            if table in tables:
                raise LoadError(
                    archive.name,
                    f"two {table.upper()} members: {tables[table].info.filename}, {info.filename}",
                )
            tables[table] = Member(table=table, info=info, source_file=source_file)
        elif "delet" in name.lower() and base.lower().endswith(".txt"):
            quarter_match = DELETED_QUARTER_RE.search(base)
            if quarter_match is not None and quarter_match.groups() != (yy, q):
                raise LoadError(
                    source_file,
                    f"deleted-case list is for 20{quarter_match.group(1)}Q{quarter_match.group(2)} "
                    f"but the zip is {archive.quarter}",
                )
            deleted.append(Member(table="deleted", info=info, source_file=source_file))
    missing = [t.upper() for t in DATA_TABLES if t not in tables]
    if missing:
        raise LoadError(
            archive.name,
            f"missing table(s) {', '.join(missing)} (no member matching e.g. ascii/{missing[0]}{yy}Q{q}.txt)",
        )
    return [tables[t] for t in DATA_TABLES], deleted
