"""Checks a downloaded file must pass before it may replace the final name: a readable zip, every member's
CRC, and at least one FAERS/LAERS table in it. Plus the SHA-256 recorded in the manifest."""

from __future__ import annotations

import hashlib
import re
import zipfile
import zlib
from pathlib import Path

_TABLE_MEMBER_RE = re.compile(r"(?i)(DEMO|DRUG|REAC|OUTC|RPSR|THER|INDI)(\d{2})Q([1-4])[A-Z0-9_]*\.TXT$")
_CHUNK = 1 << 20


class CorruptZipError(Exception):
    """The file is not a complete, intact FAERS quarterly zip."""


def verify_zip(path: Path) -> int:
    """Check every member's CRC-32 (``zipfile.testzip``) and that the zip holds FAERS tables.

    Returns the number of members. Raises CorruptZipError naming the file and the first bad member.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            bad_member = archive.testzip()
            if bad_member is not None:
                raise CorruptZipError(f"{path}: CRC check failed for member {bad_member!r}")
            names = archive.namelist()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise CorruptZipError(f"{path}: not a readable zip ({exc})") from exc
    if not any(_TABLE_MEMBER_RE.search(name) for name in names):
        raise CorruptZipError(f"{path}: no FAERS table (DEMOyyQn.txt, ...) among its {len(names)} members")
    return len(names)


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
