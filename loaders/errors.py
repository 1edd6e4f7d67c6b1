"""The one exception type of the loader: bad input, always naming the file (and the line when known)."""

from __future__ import annotations


class LoadError(Exception):
    """A file cannot be loaded: corrupt or truncated zip, missing table, unknown layout, bad header...

    ``file`` is the zip or ``zip/member`` path, ``line`` the physical line (1 = header) when known.
    """

    def __init__(self, file: str, message: str, *, line: int | None = None) -> None:
        self.file = file
        self.line = line
        self.message = message
        where = f"{file}, line {line}" if line is not None else file
        super().__init__(f"{where}: {message}")
