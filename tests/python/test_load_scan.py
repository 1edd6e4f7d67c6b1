"""The chunked, vectorised scanner against a plain line-by-line reference, on random FAERS/LAERS text.

The reference reads the whole member as a list of lines with Python string operations and applies the
documented rules (field counts, LAERS trailing ``$``, blank lines, repeated header, re-joining of short
fragments). The scanner must give exactly the same rows, rejects and counts for every chunk size, which
exercises the bulk fast path, the numpy slow path and fragments carried across chunk cuts.
"""

from __future__ import annotations

import io
import random
import time

import pytest

import loaders.scan
from loaders.errors import LoadError
from loaders.scan import MAX_JOIN_LINES, TableScanner, iter_chunks, read_layout

Row = tuple[int, tuple[str | None, ...]]


def reference(body: bytes, header: bytes, n: int, laers: bool) -> tuple[list[Row], list[tuple[int, str]], int, int]:
    """(rows, rejects as (line, raw), blank lines, joined lines) of a member body (after the header)."""
    text = body.decode("utf-8")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    head = header.decode("utf-8")

    def good(line: str) -> bool:
        count = line.count("$")
        shaped = count == n - 1 or (laers and count == n and line.endswith("$"))
        return shaped and line != head

    def short(line: str) -> bool:
        return not good(line) and line != "" and line.count("$") < n - 1

    def fields(line: str) -> tuple[str | None, ...]:
        return tuple(value or None for value in line.split("$")[:n])

    rows: list[Row] = []
    rejects: list[tuple[int, str]] = []
    blank = joined = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        if good(line):
            rows.append((i + 2, fields(line)))
        elif not line.strip():
            blank += 1
        elif short(line):
            last, total = i, line.count("$")
            while (
                total < n - 1
                and last + 1 < len(lines)
                and last + 1 - i < MAX_JOIN_LINES
                and short(lines[last + 1])
                and lines[last + 1].strip()
            ):
                last += 1
                total += lines[last].count("$")
            merged = "".join(lines[i : last + 1])
            if last > i and (total == n - 1 or (laers and total == n and merged.endswith("$"))):
                rows.append((i + 2, fields(merged)))
                joined += last - i
                i = last + 1
                continue
            rejects.append((i + 2, line))
        else:
            rejects.append((i + 2, line))
        i += 1
    return rows, rejects, blank, joined


def random_body(rng: random.Random, n: int, laers: bool, header: bytes, lines: int) -> bytes:
    """Random member text: mostly good rows, with every kind of defect, CRLF/LF mixed, fragments <= 3."""
    alphabet = ["A", "b", "7", " ", "é", '"', "\\", "-", "/", "\x08"]

    def value() -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))

    def row(count: int) -> str:
        return "$".join(value() for _ in range(count))

    out: list[str] = []
    for _ in range(lines):
        kind = rng.random()
        if kind < 0.70:
            line = row(n) + ("$" if laers and rng.random() < 0.5 else "")
            out.append(line)
        elif kind < 0.78:  # broken by embedded line breaks into 2-3 fragments
            line = row(n) + ("$" if laers else "")
            cuts = (
                sorted(rng.sample(range(1, len(line)), min(len(line) - 1, rng.randint(1, 2)))) if len(line) > 1 else []
            )
            pieces = [line[a:b] for a, b in zip([0, *cuts], [*cuts, len(line)], strict=True)]
            out.extend(pieces)
        elif kind < 0.82:
            out.append(row(n + 1) + "$")  # one field too many with an empty last field (DuckDB's pitfall)
        elif kind < 0.86:
            out.append(row(n + 1) + "X")
        elif kind < 0.90:
            out.append(rng.choice(["", " ", "\r", "  \t"]))
        elif kind < 0.93:
            out.append(header.decode("utf-8"))
        elif kind < 0.97:
            out.append(row(rng.randint(1, max(1, n - 1))))
        else:
            out.append(row(2 * n))  # glued records
    endings = [rng.choice(["\n", "\r\n"]) for _ in out]
    text = "".join(line + end for line, end in zip(out, endings, strict=True))
    if rng.random() < 0.5:
        text = text.rstrip("\n")  # last line without its newline
    return text.encode("utf-8")


def scan_all(
    body: bytes, header: bytes, table: str, era: str, chunk_bytes: int
) -> tuple[list[Row], list[tuple[int, str]], int, int, int]:
    layout = read_layout(header, table, era, f"test/{table}")
    scanner = TableScanner(layout)
    rows: list[Row] = []
    rejects: list[tuple[int, str]] = []
    lines = blank = joined = 0
    batches = [scanner.scan(chunk) for chunk, _ in iter_chunks(io.BytesIO(body), chunk_bytes)]
    batches.append(scanner.scan(b"", final=True))
    for batch in batches:
        lines += batch.lines
        blank += batch.blank
        joined += batch.joined
        rejects.extend((r.line_number, r.raw_line) for r in batch.rejects)
        for frame in batch.frames:
            for record in frame.to_pylist():
                number = record.pop("line_number")
                rows.append((number, tuple(record[c] for c in layout.columns)))
    rows.sort()
    rejects.sort()
    return rows, rejects, blank, joined, lines


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    ("table", "era", "header"),
    [
        ("reac", "FAERS", b"primaryid$caseid$pt$drug_rec_act"),
        ("ther", "LAERS", b"ISR$DRUG_SEQ$START_DT$END_DT$DUR$DUR_COD"),
    ],
)
def test_scanner_matches_the_line_by_line_reference(seed: int, table: str, era: str, header: bytes) -> None:
    rng = random.Random(seed)
    n = header.count(b"$") + 1
    laers = era == "LAERS"
    body = random_body(rng, n, laers, header, lines=400)
    expected_rows, expected_rejects, expected_blank, expected_joined = reference(body, header, n, laers)
    physical = body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
    assert expected_joined > 0 and expected_rejects and expected_blank > 0  # the data exercises every branch
    for chunk_bytes in (7, 64, 1000, 1 << 20):
        rows, rejects, blank, joined, lines = scan_all(body, header, table, era, chunk_bytes)
        assert rows == expected_rows, chunk_bytes
        assert rejects == expected_rejects, chunk_bytes
        assert (blank, joined, lines) == (expected_blank, expected_joined, physical), chunk_bytes
        assert lines == len(rows) + len(rejects) + blank + joined


def test_clean_chunks_take_the_bulk_path_and_give_line_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    header = b"primaryid$caseid$pt$drug_rec_act"
    body = b"".join(b"%d$%d$PT %d$\r\n" % (i, i, i) for i in range(1000))
    layout = read_layout(header, "reac", "FAERS", "test/reac")
    scanner = TableScanner(layout)

    def no_slow_path(*args: object, **kwargs: object) -> None:
        raise AssertionError("a clean chunk went to the slow path")

    monkeypatch.setattr(scanner, "_slow", no_slow_path)
    batch = scanner.scan(body)
    (frame,) = batch.frames
    assert frame.num_rows == 1000 and batch.lines == 1000 and not batch.rejects
    assert frame.column("line_number").to_pylist() == list(range(2, 1002))
    assert frame.column("pt").to_pylist()[:2] == ["PT 0", "PT 1"]
    assert frame.column("drug_rec_act").null_count == 1000


@pytest.mark.parametrize(
    ("body", "loaded", "rejected"),
    [
        # '$' totals equal a clean chunk's (4 lines x 3): only per-line checks can find the two bad lines.
        (b"1$1$A$\n2$2$B$$\n3$3$C\n4$4$D$\n", [2, 5], [3, 4]),
        (b"2$2$B$$\n1$1$A$\n4$4$D$\n3$3$C\n", [3, 4], [2, 5]),
        (b"3$3$C\n1$1$A$\n4$4$D$\n2$2$B$$\n", [3, 4], [2, 5]),
        (b"1$1$A$X\n2$2$B$$\n3$3\n4$4$D$\n5$5$E$\n", [2, 5, 6], [3, 4]),
    ],
    ids=["long-in-middle", "long-first", "short-first", "one-fewer-one-more"],
)
def test_balanced_dollar_totals_still_check_every_line(body: bytes, loaded: list[int], rejected: list[int]) -> None:
    layout = read_layout(b"primaryid$caseid$pt$drug_rec_act", "reac", "FAERS", "test/reac")
    batch = TableScanner(layout).scan(body, final=True)
    numbers = sorted(n for frame in batch.frames for n in frame.column("line_number").to_pylist())
    assert numbers == loaded
    assert [r.line_number for r in batch.rejects] == rejected


def test_laers_balanced_totals_with_a_non_empty_surplus_field() -> None:
    layout = read_layout(b"ISR$PT", "reac", "LAERS", "test/reac")
    batch = TableScanner(layout).scan(b"1$A$\r\n2$B$X\r\n3$C$\r\n", final=True)
    assert [r.line_number for r in batch.rejects] == [3]
    (frame,) = batch.frames
    assert frame.to_pylist() == [
        {"isr": "1", "pt": "A", "line_number": 2},
        {"isr": "3", "pt": "C", "line_number": 4},
    ]


def test_a_long_line_read_in_small_chunks_is_joined_once() -> None:
    """Regression (found fuzzing at small chunk sizes): a line spanning many chunks was re-copied at every
    chunk, so a 10 MB line read 211 bytes at a time took quadratic time. Now each piece is joined once."""
    line = b"x" * (4 << 20)
    stream = io.BytesIO(b"h\n" + line + b"\r\n" + b"a\n")
    started = time.perf_counter()
    chunks = list(iter_chunks(stream, 64))
    assert time.perf_counter() - started < 10  # quadratic: 65k copies of up to 4 MB, minutes
    assert b"".join(c for c, _ in chunks) == b"h\n" + line + b"\r\na\n"
    assert sum(n for _, n in chunks) == len(line) + 6
    assert all(c.endswith(b"\n") for c, _ in chunks)


def test_a_line_over_the_limit_fails_even_when_its_end_is_in_the_next_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: the length check only ran while no line break had been seen, so a line of 1.4 x the
    limit ending inside the next chunk passed."""
    monkeypatch.setattr(loaders.scan, "MAX_LINE_BYTES", 1000)
    stream = io.BytesIO(b"y" * 900 + b"z" * 500 + b"\n" + b"1$2\n" * 200)
    with pytest.raises(LoadError, match="test/reac: a line longer than 1,000 bytes"):
        list(iter_chunks(stream, 900, "test/reac"))
    assert [c for c, _ in iter_chunks(io.BytesIO(b"y" * 999 + b"\n"), 900, "test/reac")] == [b"y" * 999 + b"\n"]
