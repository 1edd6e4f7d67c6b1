"""``faers load-rxnorm DIR``: NLM's RxNorm release files into the warehouse schema ``rxnorm``.

NLM ships RxNorm as pipe-delimited Rich Release Format files without a header, every record ending in '|'
(``rrf/RXNCONSO.RRF``, ``rrf/RXNREL.RRF`` of the full or prescribable release). Columns, as documented in
NLM's RxNorm technical documentation:

* ``RXNCONSO.RRF`` (18): RXCUI, LAT, TS, LUI, STT, SUI, ISPREF, RXAUI, SAUI, SCUI, SDUI, SAB, TTY, CODE, STR,
  SRL, SUPPRESS, CVF -> ``rxnorm.rxnconso`` (the same names in lower case, all text);
* ``RXNREL.RRF`` (16): RXCUI1, RXAUI1, STYPE1, REL, RXCUI2, RXAUI2, STYPE2, RELA, RUI, SRUI, SAB, SL, DIR, RG,
  SUPPRESS, CVF -> ``rxnorm.rxnrel``; a row reads "RXCUI2 has relationship RELA to RXCUI1";
* ``rxnorm.release`` (source_folder, rxnconso_rows, rxnrel_rows, loaded_at).

The dbt model ``int_drug_names_rxnorm`` uses them when present (brand, clinical and branded drug names ->
ingredients). Loading is one transaction that replaces the previous release, so a failed load leaves the
old one intact. A file with another number of fields is refused, naming the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
from rich.console import Console

from loaders.paths import warehouse_path
from loaders.storage import connect_warehouse

SCHEMA = "rxnorm"

COLUMNS: dict[str, tuple[str, ...]] = {
    "rxnconso": (
        "rxcui", "lat", "ts", "lui", "stt", "sui", "ispref", "rxaui", "saui", "scui", "sdui", "sab", "tty",
        "code", "str", "srl", "suppress", "cvf",
    ),
    "rxnrel": (
        "rxcui1", "rxaui1", "stype1", "rel", "rxcui2", "rxaui2", "stype2", "rela", "rui", "srui", "sab", "sl",
        "dir", "rg", "suppress", "cvf",
    ),
}  # fmt: skip
"""Table -> NLM's documented columns of its file, in file order."""

FILES = {"rxnconso": "RXNCONSO.RRF", "rxnrel": "RXNREL.RRF"}


class RxNormError(ValueError):
    """An RxNorm file is missing or not in NLM's layout (the message names file and line)."""


@dataclass(frozen=True)
class RxNormLoad:
    """What ``load_rxnorm`` wrote: rows per table."""

    rows: dict[str, int]


def find_file(folder: Path, name: str) -> Path | None:
    """``name`` in ``folder`` or its ``rrf`` sub-folder, matched case-insensitively."""
    for candidate_dir in (folder, folder / "rrf", folder / "RRF"):
        if not candidate_dir.is_dir():
            continue
        for entry in candidate_dir.iterdir():
            if entry.is_file() and entry.name.lower() == name.lower():
                return entry
    return None


def check_layout(path: Path, n_columns: int) -> int:
    """Count the records of ``path``; RxNormError naming the first line whose field count is not NLM's."""
    expected = n_columns + 1  # every record ends in '|'
    records = 0
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            text = line.rstrip(b"\r\n")
            if not text.strip():
                continue
            fields = text.count(b"|") + 1
            if fields != expected or not text.endswith(b"|"):
                raise RxNormError(
                    f"{path}:{number}: expected {n_columns} '|'-terminated fields (NLM's {path.name} layout), "
                    f"found {fields - 1 if text.endswith(b'|') else fields}"
                )
            records += 1
    if records == 0:
        raise RxNormError(f"{path}: no records")
    return records


def _read_sql(path: Path, columns: tuple[str, ...]) -> str:
    spec = ", ".join(f"'{name}': 'VARCHAR'" for name in (*columns, "trailing_empty"))
    literal = str(path).replace("'", "''")
    names = ", ".join(f"nullif({name}, '') as {name}" for name in columns)
    return (
        f"select {names} from read_csv('{literal}', delim = '|', header = false, quote = '', escape = '', "
        f"columns = {{{spec}}}, encoding = 'utf-8', strict_mode = true, null_padding = false)"
    )


def load_rxnorm(folder: Path, conn: duckdb.DuckDBPyConnection) -> RxNormLoad:
    """Read RXNCONSO.RRF and RXNREL.RRF in ``folder`` and replace schema ``rxnorm`` in one transaction."""
    if not folder.is_dir():
        raise RxNormError(f"{folder}: not a folder (expected NLM's RxNorm release folder with rrf/RXNCONSO.RRF)")
    paths = {table: find_file(folder, name) for table, name in FILES.items()}
    missing = [FILES[table] for table, path in paths.items() if path is None]
    if missing:
        raise RxNormError(f"{folder}: missing RxNorm file(s) {', '.join(missing)} (NLM's release, folder rrf/)")
    counts = {table: check_layout(path, len(COLUMNS[table])) for table, path in paths.items() if path}
    catalog = str(conn.execute("select current_database()").fetchall()[0][0]).replace('"', '""')
    schema = f'"{catalog}".{SCHEMA}'  # qualified: a warehouse file named rxnorm.duckdb is catalog "rxnorm"
    conn.execute("begin transaction")
    try:
        conn.execute(f"create schema if not exists {schema}")
        for table, path in paths.items():
            assert path is not None
            conn.execute(f"create or replace table {schema}.{table} as {_read_sql(path, COLUMNS[table])}")
        conn.execute(
            f"create or replace table {schema}.release as select ?::varchar as source_folder, "
            "?::bigint as rxnconso_rows, ?::bigint as rxnrel_rows, current_timestamp as loaded_at",
            [str(folder.resolve()), counts["rxnconso"], counts["rxnrel"]],
        )
        conn.execute("commit")
    except duckdb.Error as exc:
        conn.execute("rollback")
        raise RxNormError(f"{folder}: {str(exc).splitlines()[0]}") from exc
    rows = {table: int(conn.execute(f"select count(*) from {schema}.{table}").fetchall()[0][0]) for table in FILES}
    return RxNormLoad(rows=rows)


def run_load_rxnorm(folder: Path, db: Path | None, *, console: Console | None = None) -> RxNormLoad:
    """``faers load-rxnorm DIR``: load, then print a one-line summary (a bad file raises RxNormError naming it)."""
    console = console or Console()
    db_path = (db or warehouse_path()).resolve()
    with (
        console.status(f"loading RxNorm from {folder} into {db_path}"),
        connect_warehouse(db_path) as conn,
    ):
        result = load_rxnorm(folder, conn)
    counts = ", ".join(f"{n:,} {table}" for table, n in result.rows.items())
    console.print(
        f"load-rxnorm: {folder} into {db_path} schema {SCHEMA}: {counts}; run `faers build` to map drug names with it"
    )
    return result
