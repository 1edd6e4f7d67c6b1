"""The reporter's one exception: bad input, with the file (and line where there is one) it came from."""

from __future__ import annotations


class ReportError(Exception):
    """A report cannot be written; the message names the file (and line) at fault."""
