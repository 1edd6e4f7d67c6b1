"""``faers load-meddra``: MSSO's MedDRA ASCII distribution into the warehouse schema ``meddra``.

MSSO ships '$'-separated files without a header, every record ending in '$' (``MedAscii/*.asc``). The four
required files are ``mdhier.asc``, ``pt.asc``, ``llt.asc`` and ``soc.asc``; ``hlt.asc``, ``hlgt.asc`` and
``meddra_release.asc`` are read when present (HLT/HLGT names otherwise come from ``mdhier.asc``). Tables
(the demo seeds in ``seeds/meddra_demo`` have the same shape, in schema ``meddra_demo``):

* ``meddra.soc`` (soc_code, soc_name, soc_abbrev)
* ``meddra.hlgt`` (hlgt_code, hlgt_name), ``meddra.hlt`` (hlt_code, hlt_name)
* ``meddra.pt`` (pt_code, pt_name, pt_soc_code: the primary SOC)
* ``meddra.llt`` (llt_code, llt_name, pt_code, is_current)
* ``meddra.md_hierarchy`` (pt_code, hlt_code, hlgt_code, soc_code, pt_name, hlt_name, hlgt_name, soc_name,
  soc_abbrev, pt_soc_code, is_primary_soc): every PT -> HLT -> HLGT -> SOC path, primary SOC path flagged
* ``meddra.release`` (version, language, source_folder, loaded_at)

Loading is one transaction that replaces the previous hierarchy, so a failed load leaves the old one intact.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
from rich.console import Console

from loaders.paths import warehouse_path
from loaders.storage import connect_warehouse

SCHEMA = "meddra"
REQUIRED_FILES = ("mdhier.asc", "pt.asc", "llt.asc", "soc.asc")


class MeddraError(ValueError):
    """A MedDRA file is missing or malformed (the message names file and line)."""


@dataclass(frozen=True)
class _Layout:
    """Which fields of a file we keep: (column name, field index, is an integer code)."""

    file: str
    min_fields: int
    columns: tuple[tuple[str, int, bool], ...]


LAYOUTS: dict[str, _Layout] = {
    # MSSO "ASCII file formats": pt_code$hlt_code$hlgt_code$soc_code$pt_name$hlt_name$hlgt_name$soc_name$
    # soc_abbrev$null_field$pt_soc_code$primary_soc_fg$
    "md_hierarchy": _Layout(
        "mdhier.asc",
        12,
        (
            ("pt_code", 0, True),
            ("hlt_code", 1, True),
            ("hlgt_code", 2, True),
            ("soc_code", 3, True),
            ("pt_name", 4, False),
            ("hlt_name", 5, False),
            ("hlgt_name", 6, False),
            ("soc_name", 7, False),
            ("soc_abbrev", 8, False),
            ("pt_soc_code", 10, True),
            ("primary_soc_fg", 11, False),
        ),
    ),
    # pt_code$pt_name$null_field$pt_soc_code$pt_whoart_code$...$pt_jart_code$
    "pt": _Layout("pt.asc", 4, (("pt_code", 0, True), ("pt_name", 1, False), ("pt_soc_code", 3, True))),
    # llt_code$llt_name$pt_code$llt_whoart_code$...$llt_currency$llt_jart_code$
    "llt": _Layout(
        "llt.asc",
        10,
        (("llt_code", 0, True), ("llt_name", 1, False), ("pt_code", 2, True), ("llt_currency", 9, False)),
    ),
    # soc_code$soc_name$soc_abbrev$soc_whoart_code$...
    "soc": _Layout("soc.asc", 3, (("soc_code", 0, True), ("soc_name", 1, False), ("soc_abbrev", 2, False))),
    "hlt": _Layout("hlt.asc", 2, (("hlt_code", 0, True), ("hlt_name", 1, False))),
    "hlgt": _Layout("hlgt.asc", 2, (("hlgt_code", 0, True), ("hlgt_name", 1, False))),
}


@dataclass(frozen=True)
class MeddraLoad:
    """What ``load_meddra`` wrote: rows per table and the release read from meddra_release.asc."""

    rows: dict[str, int]
    version: str | None
    language: str | None


def _find(folder: Path, name: str) -> Path | None:
    """The file ``name`` in ``folder`` or its ``MedAscii`` sub-folder, matched case-insensitively."""
    for candidate_dir in (folder, folder / "MedAscii", folder / "medascii", folder / "ascii"):
        if not candidate_dir.is_dir():
            continue
        for entry in candidate_dir.iterdir():
            if entry.is_file() and entry.name.lower() == name:
                return entry
    return None


def _records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) per non-blank record; MSSO's trailing '$' dropped. UTF-8, else latin-1."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("$")
        if fields and fields[-1] == "":
            fields.pop()
        yield number, fields


def read_table(path: Path, layout: _Layout) -> pa.Table:
    """Parse one MedDRA ASCII file into an Arrow table of the kept columns; MeddraError on a bad record."""
    columns: dict[str, list[object]] = {name: [] for name, _, _ in layout.columns}
    for number, fields in _records(path):
        if len(fields) < layout.min_fields:
            raise MeddraError(
                f"{path}:{number}: expected at least {layout.min_fields} '$'-separated fields, found {len(fields)}"
            )
        for name, index, is_code in layout.columns:
            value = fields[index].strip()
            if is_code:
                if not value.isdigit():
                    raise MeddraError(f"{path}:{number}: {name} must be a numeric MedDRA code, got {value!r}")
                columns[name].append(int(value))
            else:
                columns[name].append(value or None)
    if not columns[layout.columns[0][0]]:
        raise MeddraError(f"{path}: no records")
    types = {name: pa.int64() if is_code else pa.string() for name, _, is_code in layout.columns}
    return pa.table({name: pa.array(values, type=types[name]) for name, values in columns.items()})


def _release(folder: Path) -> tuple[str | None, str | None]:
    path = _find(folder, "meddra_release.asc")
    if path is None:
        return None, None
    for _, fields in _records(path):
        version = fields[0].strip() or None
        language = fields[1].strip() or None if len(fields) > 1 else None
        return version, language
    return None, None


_BUILD_SQL = """
create schema if not exists meddra;
create or replace table meddra.soc as
    select soc_code, soc_name, soc_abbrev from _soc;
create or replace table meddra.hlgt as
    select hlgt_code, hlgt_name from {hlgt_source};
create or replace table meddra.hlt as
    select hlt_code, hlt_name from {hlt_source};
create or replace table meddra.pt as
    select pt_code, pt_name, pt_soc_code from _pt;
create or replace table meddra.llt as
    select llt_code, llt_name, pt_code, coalesce(upper(llt_currency) = 'Y', true) as is_current from _llt;
create or replace table meddra.md_hierarchy as
    select
        pt_code, hlt_code, hlgt_code, soc_code, pt_name, hlt_name, hlgt_name, soc_name, soc_abbrev,
        pt_soc_code,
        coalesce(upper(primary_soc_fg) = 'Y', soc_code = pt_soc_code) as is_primary_soc
    from _md_hierarchy;
create or replace table meddra.release as
    select ?::varchar as version, ?::varchar as language, ?::varchar as source_folder,
        current_timestamp as loaded_at;
"""


def load_meddra(folder: Path, conn: duckdb.DuckDBPyConnection) -> MeddraLoad:
    """Read the MedDRA ASCII files in ``folder`` and replace schema ``meddra`` in one transaction."""
    if not folder.is_dir():
        raise MeddraError(f"{folder}: not a folder (expected MedDRA's MedAscii folder with mdhier.asc, ...)")
    missing = [name for name in REQUIRED_FILES if _find(folder, name) is None]
    if missing:
        raise MeddraError(f"{folder}: missing MedDRA file(s) {', '.join(missing)} (MSSO's MedAscii folder)")
    tables: dict[str, pa.Table] = {}
    for table, layout in LAYOUTS.items():
        path = _find(folder, layout.file)
        if path is not None:
            tables[table] = read_table(path, layout)
    version, language = _release(folder)
    _check_links(folder, tables)

    conn.execute("begin transaction")
    try:
        for table, arrow in tables.items():
            conn.register(f"_{table}", arrow)
        statements = _BUILD_SQL.format(
            hlgt_source=_level_source(tables, "hlgt"), hlt_source=_level_source(tables, "hlt")
        )
        for statement in (s for s in statements.split(";") if s.strip()):
            params = [version, language, str(folder.resolve())] if "?" in statement else None
            conn.execute(statement, params)
        conn.execute("commit")
    except Exception:
        conn.execute("rollback")
        raise
    finally:
        for table in tables:
            conn.unregister(f"_{table}")
    rows = {
        table: conn.execute(f"select count(*) from meddra.{table}").fetchall()[0][0]
        for table in ("soc", "hlgt", "hlt", "pt", "llt", "md_hierarchy")
    }
    return MeddraLoad(rows=rows, version=version, language=language)


def _level_source(tables: dict[str, pa.Table], level: str) -> str:
    """The HLT/HLGT names: their own file when shipped, else the distinct names in mdhier.asc."""
    if level in tables:
        return f"_{level}"
    return f"(select distinct {level}_code, {level}_name from _md_hierarchy)"


def _check_links(folder: Path, tables: dict[str, pa.Table]) -> None:
    """Every LLT and hierarchy row must point at a PT of pt.asc (a truncated copy fails here, loudly)."""
    pt_codes = set(tables["pt"].column("pt_code").to_pylist())
    for table, file in (("llt", "llt.asc"), ("md_hierarchy", "mdhier.asc")):
        orphans = set(tables[table].column("pt_code").to_pylist()) - pt_codes
        if orphans:
            sample = ", ".join(str(code) for code in sorted(orphans)[:5])
            raise MeddraError(
                f"{folder / file}: {len(orphans)} pt_code(s) not in pt.asc (e.g. {sample}); "
                "is the distribution complete and of one release?"
            )


def run_load_meddra(folder: Path, db: Path | None, *, console: Console | None = None) -> MeddraLoad:
    """``faers load-meddra DIR``: load, then print a one-line summary (a bad file raises MeddraError naming it)."""
    console = console or Console()
    db_path = (db or warehouse_path()).resolve()
    with (
        console.status(f"loading MedDRA from {folder} into {db_path}"),
        connect_warehouse(db_path) as conn,
    ):
        result = load_meddra(folder, conn)
    counts = ", ".join(f"{n:,} {table}" for table, n in result.rows.items())
    release = f"MedDRA {result.version}" if result.version else "MedDRA (release file absent)"
    console.print(
        f"load-meddra: {release} into {db_path} schema {SCHEMA}: {counts}; "
        "run `faers build` to resolve the marts' terms to current PTs"
    )
    return result
