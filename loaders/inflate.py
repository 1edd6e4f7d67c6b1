"""Read a zip member's bytes with ISA-L's inflate (``isal``), 2-3x faster than the zlib inside ``zipfile``.

FDA's zips are deflated. ``zipfile`` inflates with zlib and checks the CRC-32 with zlib too; ISA-L's inflate
and CRC-32 are the same algorithms (the same bytes out, the same checksum) on SIMD code. ``open_member`` gives
a stream with ``read(n)``, ``read1(n)`` and ``tell()`` like ``ZipFile.open``'s, from its own file handle on the
archive, and the same errors: ``zipfile.BadZipFile`` for a bad local header or CRC-32, ``EOFError`` for a
truncated member, ``InflateError`` (zlib.error, or isal's error) for corrupt deflate data. A member stored
without compression is read as it is; another compression method (bzip2, lzma: not in FDA's zips) and an
encrypted member go through ``zipfile`` itself. Without ``isal`` installed, zlib does the same work at zlib's
speed.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from types import TracebackType
from typing import BinaryIO

try:
    from isal import isal_zlib as _inflate
except ImportError:  # pragma: no cover - isal is a pinned dependency; zlib gives the same bytes, slower
    _inflate = zlib  # type: ignore[assignment,no-redef]

InflateError: tuple[type[Exception], ...] = tuple({zlib.error, _inflate.error})
"""What inflating corrupt deflate data raises."""

_LOCAL_HEADER = struct.Struct(zipfile.structFileHeader)  # zipfile's own layout of a local file header
_TRUNCATED = "Compressed file ended before the end-of-stream marker was reached"  # zipfile's words
_READ_BYTES = 1 << 20
"""Compressed bytes read from the file per step."""


def open_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> BinaryIO:
    """A stream of the member's inflated bytes (``read(n)``, ``read1(n)``, ``tell()``, a context manager)."""
    encrypted = info.flag_bits & 0x1
    if encrypted or info.compress_type not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED) or zf.filename is None:
        return zf.open(info)
    return _MemberStream(zf.filename, info)  # type: ignore[return-value]


class _MemberStream:
    """The inflated bytes of one deflated (or stored) member, CRC-32 checked at its end."""

    def __init__(self, path: str, info: zipfile.ZipInfo) -> None:
        self._info = info
        self._file = open(path, "rb")  # noqa: SIM115 - closed by close()
        try:
            self._file.seek(info.header_offset)
            header = self._file.read(_LOCAL_HEADER.size)
            if len(header) != _LOCAL_HEADER.size or header[:4] != zipfile.stringFileHeader:
                raise zipfile.BadZipFile("Bad magic number for file header")
            fields = _LOCAL_HEADER.unpack(header)
            self._file.seek(fields[-2] + fields[-1], 1)  # the name and the extra field
        except BaseException:
            self._file.close()
            raise
        self._left = info.compress_size
        self._decompressor = _inflate.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        self._tail = b""
        self._crc = 0
        self._position = 0
        self._eof = False

    def read(self, n: int = -1) -> bytes:
        """Up to ``n`` inflated bytes (all that remain when ``n`` < 0); b"" at the end of the member."""
        pieces: list[bytes] = []
        got = 0
        while n < 0 or got < n:
            piece = self.read1(n - got if n >= 0 else -1)
            if not piece:
                break
            pieces.append(piece)
            got += len(piece)
        return b"".join(pieces)

    def read1(self, n: int = -1) -> bytes:
        """Up to ``n`` inflated bytes from one step (one read of compressed bytes at most), without joining
        pieces: fewer than ``n`` before the end is normal; b"" only at the end of the member."""
        while n != 0 and not self._eof:
            data = self._next(n if n >= 0 else None)
            if data:
                self._position += len(data)
                return data
        return b""

    def _next(self, limit: int | None) -> bytes:
        if self._decompressor is None:
            data = self._file.read(min(self._left, _READ_BYTES) if limit is None else min(self._left, limit))
            self._left -= len(data)
            if not data and self._left:
                raise EOFError(_TRUNCATED)
            self._eof = self._left == 0
            return self._checked(data)
        source = self._tail
        if not source and self._left:
            source = self._file.read(min(self._left, _READ_BYTES))
            self._left -= len(source)
            if not source:
                raise EOFError(_TRUNCATED)
        data = self._decompressor.decompress(source, limit or 0)
        self._tail = self._decompressor.unconsumed_tail
        if self._decompressor.eof:
            self._eof = True
        elif not self._tail and not self._left and not data:
            raise EOFError(_TRUNCATED)
        return self._checked(data)

    def _checked(self, data: bytes) -> bytes:
        self._crc = _inflate.crc32(data, self._crc)
        if self._eof and self._crc != self._info.CRC:
            raise zipfile.BadZipFile(f"Bad CRC-32 for file {self._info.filename!r}")
        return data

    def tell(self) -> int:
        """How many inflated bytes were read."""
        return self._position

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> _MemberStream:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()
