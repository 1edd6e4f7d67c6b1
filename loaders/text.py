"""Bytes to text without ever failing: UTF-8 where valid, latin-1 for every other byte.

FDA's files are mostly ASCII; LAERS files may hold latin-1/cp1252 bytes. Latin-1 maps each byte to one
code point, so the fallback is lossless (the byte can be recovered with ``.encode('latin-1')``).
"""

from __future__ import annotations

import codecs

_HANDLER = "faers-latin1-fallback"


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: decode the offending bytes as latin-1 and go on."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error(_HANDLER, _latin1_fallback)


def decode(data: bytes) -> str:
    """Text of ``data``: UTF-8 sequences as UTF-8, any invalid byte as its latin-1 character."""
    return data.decode("utf-8", _HANDLER)


def to_utf8(data: bytes) -> bytes:
    """``data`` as valid UTF-8 bytes (unchanged when it already is). ASCII bytes never move within a line,
    so ``$`` and ``\\n`` keep their meaning; positions after a re-encoded byte shift."""
    if data.isascii():
        return data
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return decode(data).encode("utf-8")
    return data


def strip_bom(text: str) -> str:
    """``text`` without a leading UTF-8 byte-order mark (as decoded, or as its latin-1 mojibake)."""
    for bom in ("\ufeff", "\u00ef\u00bb\u00bf"):
        if text.startswith(bom):
            return text[len(bom) :]
    return text
