"""``DIR/manifest.json``: one entry per quarter with its address, file, size, SHA-256, time and status.

The manifest is rewritten atomically (temporary file + rename) after every quarter, so an interrupted run
leaves a consistent record. Only entries with status ``complete`` name a verified zip that may be loaded.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from loaders.quarters import Quarter, QuarterError

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1

Status = Literal["complete", "corrupt", "not_published", "missing", "failed"]
STATUSES: tuple[Status, ...] = ("complete", "corrupt", "not_published", "missing", "failed")
"""``complete``: verified zip on disk. ``corrupt``: failed its CRC check (kept as ``.corrupt``, never loaded).
``not_published``: 404 after the last published quarter. ``missing``: 404 before a published quarter.
``failed``: network or HTTP error after every retry."""


class ManifestError(ValueError):
    """The manifest file cannot be read."""


@dataclass
class ManifestEntry:
    """What is known about one quarter's file."""

    quarter: str
    url: str
    file: str
    size: int | None
    sha256: str | None
    downloaded_at: str | None
    status: Status
    message: str | None = None

    @property
    def quarter_key(self) -> Quarter:
        """The entry's quarter, parsed."""
        return Quarter.parse(self.quarter)


class Manifest:
    """The manifest of one download folder, keyed by quarter."""

    def __init__(self, path: Path, entries: dict[str, ManifestEntry] | None = None) -> None:
        self.path = path
        self.entries: dict[str, ManifestEntry] = entries or {}

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        """Read ``folder/manifest.json``; an absent file gives an empty manifest."""
        path = folder / MANIFEST_NAME
        if not path.exists():
            return cls(path)
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ManifestError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from exc
        if not isinstance(document, dict) or not isinstance(document.get("files"), list):
            raise ManifestError(f"{path}:1: expected an object with a 'files' list")
        entries: dict[str, ManifestEntry] = {}
        for index, raw in enumerate(document["files"]):
            try:
                entry = ManifestEntry(**raw)
                entry.quarter = str(entry.quarter_key)
            except (TypeError, QuarterError) as exc:
                raise ManifestError(f"{path}: files[{index}] is not a manifest entry ({exc})") from exc
            if entry.status not in STATUSES:
                raise ManifestError(f"{path}: files[{index}] has unknown status {entry.status!r}")
            entries[entry.quarter] = entry
        return cls(path, entries)

    def get(self, quarter: Quarter) -> ManifestEntry | None:
        """The entry for ``quarter``, if any."""
        return self.entries.get(str(quarter))

    def put(self, entry: ManifestEntry) -> None:
        """Record ``entry`` (replacing the quarter's previous one) and save the manifest."""
        self.entries[entry.quarter] = entry
        self.save()

    def complete(self) -> Iterator[ManifestEntry]:
        """Entries naming a verified zip, in quarter order."""
        for entry in sorted(self.entries.values(), key=lambda e: e.quarter_key):
            if entry.status == "complete":
                yield entry

    def save(self) -> None:
        """Write the manifest atomically."""
        files = [asdict(e) for e in sorted(self.entries.values(), key=lambda e: e.quarter_key)]
        text = json.dumps({"version": MANIFEST_VERSION, "files": files}, indent=2) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".manifest.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
