"""loaders.inflate: the member's bytes exactly as zipfile gives them, and zipfile's errors on a bad member."""

from __future__ import annotations

import random
import re
import zipfile
import zlib
from pathlib import Path

import pytest

from loaders import inflate
from loaders.inflate import InflateError, open_member


def _text(n_lines: int, seed: int) -> bytes:
    rng = random.Random(seed)
    lines = [
        f"{rng.randrange(10**9)}${rng.choice(['PS', 'SS', 'C'])}$DRUG {rng.randrange(5000)}${'x' * rng.randrange(60)}"
        for _ in range(n_lines)
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    path = tmp_path / "faers_ascii_2020q1.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("ASCII/DRUG20Q1.txt", _text(60_000, 1), compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("ASCII/REAC20Q1.txt", _text(3_000, 2), compress_type=zipfile.ZIP_STORED)
        zf.writestr("ASCII/EMPTY20Q1.txt", b"", compress_type=zipfile.ZIP_DEFLATED)
    return path


def _read_all(stream, size: int, *, one_step: bool) -> bytes:  # type: ignore[no-untyped-def]
    pieces = []
    while piece := (stream.read1(size) if one_step else stream.read(size)):
        assert len(piece) <= size
        pieces.append(piece)
    return b"".join(pieces)


@pytest.mark.parametrize("size", [1_000_003, 4096, 7, -1])
@pytest.mark.parametrize("one_step", [False, True], ids=["read", "read1"])
@pytest.mark.parametrize("use_zlib", [False, True], ids=["isal", "zlib"])
def test_member_bytes_equal_zipfile(
    archive: Path, size: int, one_step: bool, use_zlib: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a zip with a deflated, a stored and an empty member (and the zlib fallback as a variant)
    if use_zlib:
        monkeypatch.setattr(inflate, "_inflate", zlib)
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            if size == 7 and info.file_size > 100_000:
                continue  # 7-byte reads of megabytes: slow and adds nothing over 4096
            # WHEN the member is read in pieces of `size` bytes
            with open_member(zf, info) as stream:
                data = stream.read() if size < 0 else _read_all(stream, size, one_step=one_step)
                position = stream.tell()
            # THEN the bytes are zipfile's, and tell() counts them
            assert data == zf.read(info)
            assert position == info.file_size


def test_bad_crc_is_bad_zip_file(archive: Path) -> None:
    # GIVEN a stored member with one byte changed (so only the CRC-32 can tell)
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo("ASCII/REAC20Q1.txt")
        name_length = len(info.filename.encode())
        offset = info.header_offset + 30 + name_length + len(info.extra) + 100
    data = bytearray(archive.read_bytes())
    data[offset] ^= 0x01
    archive.write_bytes(bytes(data))
    # WHEN it is read to the end THEN zipfile's error for a bad CRC-32, naming the member
    member = "ASCII/REAC20Q1.txt"
    with (
        zipfile.ZipFile(archive) as zf,
        open_member(zf, zf.getinfo(member)) as stream,
        pytest.raises(zipfile.BadZipFile, match=re.escape(f"Bad CRC-32 for file '{member}'")),
    ):
        stream.read()


def test_corrupt_deflate_data_raises_an_inflate_error(archive: Path) -> None:
    # GIVEN a deflated member with a run of its compressed bytes overwritten
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo("ASCII/DRUG20Q1.txt")
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 5_000
    data = bytearray(archive.read_bytes())
    data[start : start + 64] = b"\xff" * 64
    archive.write_bytes(bytes(data))
    # WHEN it is read THEN an inflate error or a CRC mismatch, never silently different bytes
    with (
        zipfile.ZipFile(archive) as zf,
        open_member(zf, zf.getinfo("ASCII/DRUG20Q1.txt")) as stream,
        pytest.raises((zipfile.BadZipFile, *InflateError)),
    ):
        stream.read()


@pytest.mark.parametrize("member", ["ASCII/DRUG20Q1.txt", "ASCII/REAC20Q1.txt"])
def test_truncated_member_is_eof_error(archive: Path, member: str) -> None:
    # GIVEN a member whose compressed data ends early (the zip declares fewer compressed bytes)
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo(member)
        info.compress_size -= 1_000
        # WHEN it is read THEN EOFError, as zipfile raises for a truncated member
        with open_member(zf, info) as stream, pytest.raises((EOFError, zipfile.BadZipFile)):
            stream.read()


def test_bad_local_header_is_bad_zip_file(archive: Path) -> None:
    # GIVEN a member whose offset does not point at a local file header
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo("ASCII/DRUG20Q1.txt")
        info.header_offset += 1
        # WHEN it is opened THEN zipfile's error for a bad header
        with pytest.raises(zipfile.BadZipFile, match="Bad magic number"):
            open_member(zf, info)
