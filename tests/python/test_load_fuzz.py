"""Fuzzing ``faers load`` with the real FDA excerpts (tests/fixtures/real_samples, zipped as FDA does).

Under a fixed seed, every case takes one real quarter (LAERS 2004Q1, FAERS 2012Q4, 2020Q3, 2022Q4, 2026Q2)
under a quarter label of its own and damages it: truncated members, flipped bytes, deleted or doubled ``$``,
stray CR/LF/NUL, a 10 MB line, UTF-16 and latin-1 text, a directory entry, a zip bomb (ratio over 1:200),
duplicate member names, and damage to the zip itself (flipped or cut bytes, a lying size field, another
compression method, the encryption flag). Rounds use six chunk sizes, down to 211 bytes.

The warehouse first holds every label's clean quarter. Each round loads one damaged zip per label in one
``load_paths`` call and checks, per case: nothing raised; the quarter either loaded or failed with a one-line
message naming its file; a failed quarter is exactly as before (every raw table, rejects and load log); a
loaded one accounts for every line of every member (loaded + rejected + blank + joined = read, from
raw.load_log, and read = the member's physical lines counted here from the zip); line numbers are distinct
and in range. Two quarters are never damaged and must never change. One failed case per round and one
loaded case also go through the ``faers load`` command (on a scratch warehouse): exit code 1 and the same
one-line message, or 0; never a traceback.
"""

from __future__ import annotations

import functools
import random
import re
import struct
import sys
import traceback
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from faers.cli import app
from loaders import LoadReport, load_paths
from loaders.scan import DEFAULT_CHUNK_BYTES
from loaders.schema import DATA_TABLES

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "real_samples"))
import fda_zips

SEED = 20261203
ROUNDS = 6
LABELS = 52
"""ROUNDS x LABELS = 312 cases per run."""

HUGE_LINE_BYTES = 10 << 20
STORED = -1
CHUNK_BYTES = (DEFAULT_CHUNK_BYTES, 4096, 211, DEFAULT_CHUNK_BYTES, 1 << 16, 997)
"""The loader's chunk size per round: small ones put chunk cuts inside headers, broken rows and long lines."""
BOMB_RATIO = 200

TABLE_RE = re.compile(r"(DEMO|DRUG|REAC|OUTC|RPSR|THER|INDI)", re.IGNORECASE)
RAW_TABLES = (*DATA_TABLES, "deleted", "rejects", "load_log")


# --- quarters under labels of their own ----------------------------------------------------------------------


@dataclass(frozen=True)
class Base:
    quarter: str
    laers: bool
    members: dict[str, bytes]


def bases() -> list[Base]:
    return [Base(q, fda_zips.QUARTERS[q].startswith("aers_"), fda_zips.members(q)) for q in fda_zips.QUARTERS]


def labels(rng: random.Random, n: int, all_bases: list[Base]) -> list[tuple[str, Base]]:
    """``n`` distinct quarter labels, each with its base excerpt (LAERS labels for the LAERS excerpt)."""
    laers_pool = [f"{y}Q{q}" for y in range(2004, 2013) for q in range(1, 5) if (y, q) <= (2012, 3)]
    faers_pool = [f"{y}Q{q}" for y in range(2012, 2040) for q in range(1, 5) if (y, q) >= (2012, 4)]
    rng.shuffle(laers_pool)
    rng.shuffle(faers_pool)
    result = []
    for i in range(n):
        base = all_bases[i % len(all_bases)]
        result.append(((laers_pool if base.laers else faers_pool).pop(), base))
    return result


def relabel(name: str, base: str, label: str) -> str:
    """A member name of ``base`` (``ASCII/DEMO20Q3.txt``) for quarter ``label`` (``ASCII/DEMO31Q2.txt``)."""
    folder, _, file = name.rpartition("/")
    pattern = re.compile(f"{base[2:4]}([Qq]){base[-1]}")
    file = pattern.sub(lambda m: f"{label[2:4]}{m.group(1)}{label[-1]}", file, count=1)
    return f"{folder}/{file}" if folder else file


def zip_name(label: str, laers: bool) -> str:
    return f"{'aers' if laers else 'faers'}_ascii_{label[:4]}q{label[-1]}.zip"


# --- damage ----------------------------------------------------------------------------------------------------


@dataclass
class Entry:
    """One zip entry to write: a file (``data``) or a directory (name ending in ``/``)."""

    name: str
    data: bytes
    level: int = 6
    """Deflate level, or ``STORED`` (no compression)."""


@dataclass
class Case:
    number: int
    label: str
    base: Base
    path: Path
    damage: list[str] = field(default_factory=list)
    must_fail: str | None = None
    """A text the failure message must hold, when the damage cannot load."""

    def __str__(self) -> str:
        return f"case {self.number} ({self.label} from {self.base.quarter}, seed {SEED}): {'; '.join(self.damage)}"


def _positions(rng: random.Random, data: bytes, k: int, header: bool) -> list[int]:
    """``k`` positions in ``data``; in its first line when ``header``."""
    end = data.find(b"\n") if header else len(data)
    end = len(data) if end < 0 else end
    return [rng.randrange(end + 1) for _ in range(k)]


def truncate(rng: random.Random, data: bytes, header: bool) -> tuple[bytes, str]:
    cut = rng.randrange(len(data) + 1)
    return data[:cut], f"cut at byte {cut} of {len(data)}"


def flip(rng: random.Random, data: bytes, header: bool) -> tuple[bytes, str]:
    out = bytearray(data)
    spots = [p for p in _positions(rng, data, rng.randint(1, 4), header) if p < len(out)]
    for p in spots:
        out[p] ^= rng.randrange(1, 256)
    return bytes(out), f"bytes flipped at {spots}"


def _dollars(rng: random.Random, data: bytes, header: bool) -> list[int]:
    end = data.find(b"\n") if header else len(data)
    found = [m.start() for m in re.finditer(rb"\$", data[: len(data) if end < 0 else end])]
    return sorted(rng.sample(found, min(len(found), rng.randint(1, 3))), reverse=True)


def drop_dollar(rng: random.Random, data: bytes, header: bool) -> tuple[bytes, str]:
    spots = _dollars(rng, data, header)
    for p in spots:
        data = data[:p] + data[p + 1 :]
    return data, f"'$' deleted at {spots}"


def double_dollar(rng: random.Random, data: bytes, header: bool) -> tuple[bytes, str]:
    spots = _dollars(rng, data, header)
    for p in spots:
        data = data[:p] + b"$" + data[p:]
    return data, f"'$' doubled at {spots}"


def stray(rng: random.Random, data: bytes, header: bool) -> tuple[bytes, str]:
    inserts = sorted(
        ((p, rng.choice((b"\r", b"\n", b"\x00"))) for p in _positions(rng, data, rng.randint(1, 4), header)),
        reverse=True,
    )
    for p, byte in inserts:
        data = data[:p] + byte + data[p:]
    return data, f"stray bytes {[(p, b) for p, b in inserts]}"


@functools.cache
def _huge_line() -> bytes:
    """10 MB of printable text with a ``$`` about every 280 bytes (the same line for every case)."""
    alphabet = bytes(range(0x21, 0x7F)).replace(b"$", b"") * 3 + b"$"
    table = bytes(alphabet[b % len(alphabet)] for b in range(256))
    return random.Random(SEED).randbytes(HUGE_LINE_BYTES).translate(table)


def huge_line(rng: random.Random, data: bytes, header: bool) -> tuple[bytes, str]:
    """A 10 MB line inserted at a line start after the header (the member is stored, not deflated)."""
    starts = [m.end() for m in re.finditer(rb"\n", data)] or [len(data)]
    at = rng.choice(starts)
    return data[:at] + _huge_line() + b"\r\n" + data[at:], f"10 MB line inserted at byte {at}"


def line_ends(rng: random.Random, data: bytes, header: bool) -> tuple[bytes, str]:
    how = rng.choice(("CR only", "CR CR LF", "LF only"))
    text = data.replace(b"\r\n", b"\n")
    text = {"CR only": text.replace(b"\n", b"\r"), "CR CR LF": text.replace(b"\n", b"\r\r\n")}.get(how, text)
    return text, f"line ends {how}"


def utf16(rng: random.Random, data: bytes, header: bool) -> tuple[bytes, str]:
    codec = rng.choice(("utf-16", "utf-16-le", "utf-16-be"))
    return data.decode("latin-1").encode(codec), f"re-encoded as {codec}"


def latin1(rng: random.Random, data: bytes, header: bool) -> tuple[bytes, str]:
    out = bytearray(data)
    letters = [i for i, b in enumerate(out) if 0x41 <= b <= 0x7A]
    spots = sorted(rng.sample(letters, min(len(letters), rng.randint(1, 20))))
    if header:
        spots = [p for p in spots if p < max(data.find(b"\n"), 0)] or spots[:1]
    for p in spots:
        out[p] = rng.choice(b"\xe9\xe8\xfc\xf1\xc9\xa0\xb5\xff")
    return bytes(out), f"latin-1 bytes at {spots[:5]}..."


TEXT_DAMAGE: dict[str, tuple[int, Callable[[random.Random, bytes, bool], tuple[bytes, str]]]] = {
    "truncate": (3, truncate),
    "flip": (3, flip),
    "drop_dollar": (3, drop_dollar),
    "double_dollar": (3, double_dollar),
    "stray": (3, stray),
    "huge_line": (1, huge_line),
    "line_ends": (1, line_ends),
    "utf16": (2, utf16),
    "latin1": (2, latin1),
}
"""Damage to one member's text: name -> (weight, function)."""

ZIP_DAMAGE = {"directory": 2, "bomb": 2, "duplicate": 2, "zip_flip": 2, "zip_truncate": 1, "size_lie": 1, "method": 1}
"""Damage to the archive: name -> weight."""


def damage_text(rng: random.Random, case: Case, entries: list[Entry]) -> None:
    kinds = list(TEXT_DAMAGE)
    kind = rng.choices(kinds, weights=[TEXT_DAMAGE[k][0] for k in kinds])[0]
    entry = rng.choice(entries)
    header = rng.random() < 0.25 and kind not in ("huge_line", "utf16", "truncate", "line_ends")
    entry.data, what = TEXT_DAMAGE[kind][1](rng, entry.data, header)
    if kind == "huge_line":
        entry.level = STORED
    case.damage.append(f"{kind} {entry.name}{' (header)' if header else ''}: {what}")
    if kind == "utf16" and TABLE_RE.search(entry.name.rsplit("/", 1)[-1]) and "delet" not in entry.name.lower():
        case.must_fail = "line 1: "


def damage_zip(rng: random.Random, case: Case, entries: list[Entry]) -> None:
    kinds = list(ZIP_DAMAGE)
    kind = rng.choices(kinds, weights=list(ZIP_DAMAGE.values()))[0]
    tables = [e for e in entries if "delet" not in e.name.lower()]
    if kind == "directory":
        target = rng.choice(tables)
        if rng.random() < 0.5:
            entries.remove(target)
            entries.append(Entry(target.name + "/", b""))
            case.must_fail = "missing table(s)"
            case.damage.append(f"directory entry {target.name}/ instead of the member")
        else:
            folder = target.name.rpartition("/")[0]
            entries.insert(0, Entry((folder or "extra") + "/", b""))
            entries.append(Entry(target.name + ".d/", b""))
            case.damage.append(f"directory entries {folder}/ and {target.name}.d/ added")
    elif kind == "bomb":
        target = rng.choice(entries)
        filler = rng.choice((b"\n", b"\x00", b"1$1$X$\r\n", b"$"))
        size = rng.randint(3 << 20, 6 << 20)
        target.data = target.data[: target.data.find(b"\n") + 1] + filler * (size // len(filler))
        case.must_fail = "zip bomb"
        case.damage.append(f"bomb {target.name}: {size:,} bytes of {filler!r}")
    elif kind == "duplicate":
        target = rng.choice(entries)
        copy = Entry(target.name, target.data if rng.random() < 0.5 else target.data[: len(target.data) // 2])
        entries.append(copy)
        case.must_fail = "two "
        case.damage.append(f"duplicate member name {target.name}")
    else:
        case.damage.append(kind)  # applied to the written bytes


def write_case(path: Path, entries: list[Entry]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # duplicate names, on purpose
        for entry in entries:
            if entry.name.endswith("/"):
                zf.writestr(zipfile.ZipInfo(entry.name), b"")
            else:
                stored = entry.level == STORED
                method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
                zf.writestr(entry.name, entry.data, compress_type=method, compresslevel=None if stored else entry.level)


def damage_bytes(rng: random.Random, case: Case) -> None:
    """Zip-level damage of the written file (flipped or cut bytes, a lying uncompressed size)."""
    kind = case.damage[-1]
    data = bytearray(case.path.read_bytes())
    if kind == "zip_flip":
        spots = [rng.randrange(len(data)) for _ in range(rng.randint(1, 8))]
        for p in spots:
            data[p] ^= rng.randrange(1, 256)
        case.damage[-1] = f"zip bytes flipped at {spots} of {len(data)}"
    elif kind == "zip_truncate":
        cut = rng.randrange(len(data))
        data = data[:cut]
        case.damage[-1] = f"zip cut at byte {cut} of {len(case.path.read_bytes())}"
        case.must_fail = "corrupt or truncated zip"
    elif kind == "method":
        at = rng.choice([m.start() for m in re.finditer(rb"PK\x01\x02", data)])
        name = bytes(data[at + 46 : at + 46 + struct.unpack_from("<H", data, at + 28)[0]]).decode()
        if rng.random() < 0.3:
            data[at + 8] |= 1
            case.damage[-1] = f"{name} flagged as encrypted"
        else:
            method = rng.choice((0, 12, 14, 93, 99))
            struct.pack_into("<H", data, at + 10, method)
            case.damage[-1] = f"{name} said to be compressed with method {method}, not deflate"
        # stored (0): the deflated bytes are read as text, and fail as a header or at the CRC check
        case.must_fail = "" if "method 0," in case.damage[-1] else "corrupt or truncated zip member"
    elif kind == "size_lie":
        headers = [m.start() for m in re.finditer(rb"PK\x01\x02", data)]
        at = rng.choice(headers)
        (size,) = struct.unpack_from("<I", data, at + 24)
        lie = rng.choice((0, size // 2, size - 1, size + 1, size * 2 + 100))
        if lie == size:
            lie += 7
        struct.pack_into("<I", data, at + 24, lie)
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        name = bytes(data[at + 46 : at + 46 + name_length]).decode()
        case.damage[-1] = f"central directory says {name} is {lie:,} bytes, not {size:,}"
        if not name.endswith("/") and (lie > 0 or size > 0):
            case.must_fail = "" if TABLE_RE.search(name) or "delet" in name.lower() else None
    case.path.write_bytes(bytes(data))


def make_case(rng: random.Random, number: int, label: str, base: Base, folder: Path) -> Case:
    entries = [Entry(relabel(name, base.quarter, label), data) for name, data in base.members.items()]
    case = Case(number, label, base, folder / zip_name(label, base.laers))
    if rng.random() < 0.6:
        damage_text(rng, case, entries)
        if rng.random() < 0.25:
            damage_text(rng, case, entries)
    else:
        damage_zip(rng, case, entries)
    write_case(case.path, entries)
    if case.must_fail == "zip bomb":
        with zipfile.ZipFile(case.path) as zf:
            assert max(i.file_size / i.compress_size for i in zf.infolist() if i.compress_size) > BOMB_RATIO
    if case.damage[-1] in ("zip_flip", "zip_truncate", "size_lie", "method"):
        damage_bytes(rng, case)
    return case


# --- the warehouse, seen from outside the loader ------------------------------------------------------------


def columns(conn: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    rows = conn.execute(
        "select table_name, column_name from information_schema.columns where table_schema = 'raw' "
        "order by table_name, ordinal_position"
    ).fetchall()
    result: dict[str, list[str]] = {}
    for table, column in rows:
        result.setdefault(table, []).append(column)
    return result


def fingerprints(
    conn: duckdb.DuckDBPyConnection, cols: dict[str, list[str]], quarters: list[str] | None = None
) -> dict[tuple[str, str], tuple[int, int]]:
    """(table, quarter) -> (rows, sum of row hashes) over the columns ``cols`` (order-free content hash), for
    every quarter or those given."""
    result = {}
    where = "" if quarters is None else "where quarter in ?"
    for table in RAW_TABLES:
        names = ", ".join(f'"{c}"' for c in cols[table])
        for quarter, count, digest in conn.execute(
            f'select quarter, count(*), sum(hash({names}))::hugeint from raw."{table}" {where} group by quarter',
            [] if quarters is None else [quarters],
        ).fetchall():
            result[(table, quarter)] = (count, int(digest))
    return result


def of_quarter(prints: dict[tuple[str, str], tuple[int, int]], quarter: str) -> dict[str, tuple[int, int]]:
    return {table: value for (table, q), value in prints.items() if q == quarter}


def physical_lines(data: bytes) -> int:
    """Lines of ``data`` counted here, independently of the loader: ``\\n``-terminated, plus an unterminated last."""
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def line_stats(conn: duckdb.DuckDBPyConnection, quarters: list[str]) -> dict[str, tuple[int, int, int, int]]:
    """source_file -> (rows + rejects, distinct line numbers, min, max) of the quarters given."""
    parts = [
        f'select source_file, line_number from raw."{table}" where quarter in ?' for table in (*DATA_TABLES, "deleted")
    ]
    parts.append("select source_file, line_number from raw.rejects where quarter in ?")
    sql = (
        "select source_file, count(*), count(distinct line_number), min(line_number), max(line_number) "
        f"from ({' union all '.join(parts)}) group by source_file"
    )
    rows = conn.execute(sql, [quarters] * len(parts)).fetchall()
    return {row[0]: row[1:] for row in rows}


def counts_by_file(conn: duckdb.DuckDBPyConnection, quarters: list[str]) -> dict[tuple[str, str], int]:
    """(table or 'rejects', source_file) -> rows, for the quarters given."""
    result = {}
    for table in (*DATA_TABLES, "deleted", "rejects"):
        for source_file, count in conn.execute(
            f'select source_file, count(*) from raw."{table}" where quarter in ? group by source_file', [quarters]
        ).fetchall():
            result[(table, source_file)] = count
    return result


# --- the test ---------------------------------------------------------------------------------------------------


def load_or_explain(cases: list[Case], db: Path, tmp: Path, chunk_bytes: int) -> LoadReport:
    """Load every case's zip in one call; if anything raises, find the case that does and fail with it."""
    try:
        return load_paths([c.path for c in cases], db, progress=False, chunk_bytes=chunk_bytes)
    except BaseException:
        for case in cases:
            try:
                load_paths([case.path], tmp / f"alone-{case.number}.duckdb", progress=False, chunk_bytes=chunk_bytes)
            except BaseException:
                pytest.fail(f"{case}: load_paths raised\n{traceback.format_exc()}")
        raise


def check_cli(case: Case, db: Path, message: str | None) -> None:
    """``faers load`` on one case: exit 1 and the API's one-line message when it fails, 0 when it loads."""
    result = CliRunner().invoke(app, ["load", str(case.path), "--db", str(db)])
    assert "Traceback" not in result.output, f"{case}\n{result.output}"
    assert result.exception is None or isinstance(result.exception, SystemExit), f"{case}: {result.exception!r}"
    if message is None:
        assert result.exit_code == 0, f"{case}\n{result.output}"
    else:
        assert result.exit_code == 1, f"{case}\n{result.output}"
        assert f"failed {message}\n" in result.output, f"{case}\n{result.output}"


def test_fuzzed_zips_never_crash_and_account_for_every_line(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    all_bases = bases()
    quarter_labels = labels(rng, LABELS + 2, all_bases)
    controls, quarter_labels = quarter_labels[:2], quarter_labels[2:]
    db = tmp_path / "fuzz.duckdb"
    clean = []
    for label, base in [*controls, *quarter_labels]:
        entries = [Entry(relabel(n, base.quarter, label), d) for n, d in base.members.items()]
        path = tmp_path / "clean" / zip_name(label, base.laers)
        write_case(path, entries)
        clean.append(path)
    first = load_paths(clean, db, progress=False)
    assert first.ok and len(first.quarters) == LABELS + 2, first.failed

    control_labels = [label for label, _ in controls]
    with duckdb.connect(str(db)) as conn:
        initial_columns = columns(conn)
        control_prints = fingerprints(conn, initial_columns, control_labels)
        cols_before = initial_columns
        before = fingerprints(conn, cols_before)
    tally: dict[str, int] = {"loaded": 0, "failed": 0}
    number = 0
    for round_number in range(ROUNDS):
        folder = tmp_path / f"round{round_number}"
        cases = []
        for label, base in quarter_labels:
            cases.append(make_case(rng, number, label, base, folder))
            number += 1

        report = load_or_explain(cases, db, tmp_path, CHUNK_BYTES[round_number % len(CHUNK_BYTES)])

        failures = {f.path: f.message for f in report.failed}
        loaded = {q.quarter: q for q in report.quarters}
        with duckdb.connect(str(db)) as conn:
            cols_after = columns(conn)
            after = fingerprints(conn, cols_after)
            after_old_columns = after if cols_after == cols_before else fingerprints(conn, cols_before)
            assert fingerprints(conn, initial_columns, control_labels) == control_prints, "a control quarter changed"
            new_columns = {t: [c for c in cols_after[t] if c not in cols_before[t]] for t in cols_after}
            loaded_quarters = list(loaded) or [""]
            log = conn.execute(
                "select quarter, table_name, source_file, lines_read, rows_loaded, rows_rejected, lines_blank, "
                "lines_joined from raw.load_log where quarter in ?",
                [loaded_quarters],
            ).fetchall()
            stats = line_stats(conn, loaded_quarters)
            per_file = counts_by_file(conn, loaded_quarters)
            stray_values = {
                (table, column): conn.execute(
                    f'select list(distinct quarter) from raw."{table}" where "{column}" is not null'
                ).fetchone()[0]
                for table, names in new_columns.items()
                for column in names
            }
        for (table, column), quarters in stray_values.items():
            assert set(quarters or []) <= set(loaded), f"new column {table}.{column} filled for {quarters}"

        cli_failed = cli_loaded = 0
        for case in cases:
            message = failures.get(str(case.path))
            if message is not None:
                tally["failed"] += 1
                assert case.label not in loaded, str(case)
                assert message.startswith(case.path.name), f"{case}: {message}"
                assert "\n" not in message and "\r" not in message, f"{case}: {message!r}"
                assert of_quarter(after_old_columns, case.label) == of_quarter(before, case.label), (
                    f"{case}: changed; {message}"
                )
                if cli_failed < 1:
                    check_cli(case, tmp_path / f"cli-{case.number}.duckdb", message)
                    cli_failed += 1
                continue
            tally["loaded"] += 1
            assert case.must_fail is None, f"{case}: loaded, but should fail with {case.must_fail!r}"
            quarter = loaded[case.label]
            with zipfile.ZipFile(case.path) as zf:
                texts = {f"{case.path.name}/{info.filename}": zf.read(info) for info in zf.infolist()}
            logged = [row for row in log if row[0] == case.label]
            assert sorted(r[2] for r in logged) == sorted(m.source_file for m in quarter.members), str(case)
            assert len([r for r in logged if r[1] != "deleted"]) == 7, str(case)
            for _, table, source_file, read, rows, rejected, blank, joined in logged:
                where = f"{case}: {source_file}"
                assert read == rows + rejected + blank + joined, where
                assert read == physical_lines(texts[source_file]) - (0 if table == "deleted" else 1), where
                assert per_file.get((table, source_file), 0) == rows, where
                assert per_file.get(("rejects", source_file), 0) == rejected, where
                if rows + rejected:
                    total, distinct, low, high = stats[source_file]
                    first_line = 1 if table == "deleted" else 2
                    assert (total, distinct) == (rows + rejected, rows + rejected), where
                    assert first_line <= low and high <= first_line + read - 1, where
            if cli_loaded < 1 and round_number == 0:
                check_cli(case, tmp_path / f"cli-{case.number}.duckdb", None)
                cli_loaded += 1
        cols_before, before = cols_after, after
    assert number >= 300
    # the seed gives both outcomes in numbers (a fuzzer whose cases all fail tests little)
    assert tally["loaded"] > 100 and tally["failed"] > 60, tally
