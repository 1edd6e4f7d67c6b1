"""The ``raw`` schema: every published column of both eras as VARCHAR, plus the lineage columns.

Column lists are the contract of docs/architecture.md (the union of LAERS and FAERS headers, lower-case,
as published: no renaming here; renaming and typing belong to dbt staging).
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb

SCHEMA = "raw"

DATA_TABLES: tuple[str, ...] = ("demo", "drug", "reac", "outc", "rpsr", "ther", "indi")
"""The seven quarterly tables, in the order they are loaded."""

DELETED_TABLE = "deleted"

COLUMNS: Mapping[str, tuple[str, ...]] = {
    "demo": (
        "isr", "case", "i_f_cod", "foll_seq", "image", "event_dt", "mfr_dt", "fda_dt", "rept_cod",
        "mfr_num", "mfr_sndr", "age", "age_cod", "gndr_cod", "e_sub", "wt", "wt_cod", "rept_dt",
        "occp_cod", "death_dt", "to_mfr", "confid", "reporter_country", "primaryid", "caseid",
        "caseversion", "i_f_code", "init_fda_dt", "auth_num", "lit_ref", "age_grp", "sex", "occr_country",
    ),
    "drug": (
        "isr", "drug_seq", "role_cod", "drugname", "val_vbm", "route", "dose_vbm", "dechal", "rechal",
        "lot_num", "exp_dt", "nda_num", "primaryid", "caseid", "prod_ai", "cum_dose_chr", "cum_dose_unit",
        "lot_nbr", "dose_amt", "dose_unit", "dose_form", "dose_freq",
    ),
    "reac": ("isr", "pt", "primaryid", "caseid", "drug_rec_act"),
    "outc": ("isr", "outc_cod", "primaryid", "caseid", "outc_code"),
    "rpsr": ("isr", "rpsr_cod", "primaryid", "caseid"),
    "ther": (
        "isr", "drug_seq", "start_dt", "end_dt", "dur", "dur_cod", "primaryid", "caseid", "dsg_drug_seq",
    ),
    "indi": ("isr", "drug_seq", "indi_pt", "primaryid", "caseid", "indi_drug_seq"),
}  # fmt: skip
"""Published columns per data table (VARCHAR), in table order."""

_LAERS_DEMO = (
    "isr", "case", "i_f_cod", "foll_seq", "image", "event_dt", "mfr_dt", "fda_dt", "rept_cod", "mfr_num",
    "mfr_sndr", "age", "age_cod", "gndr_cod", "e_sub", "wt", "wt_cod", "rept_dt", "occp_cod", "death_dt",
    "to_mfr", "confid",
)  # fmt: skip
_FAERS_DRUG_2012 = (
    "primaryid", "caseid", "drug_seq", "role_cod", "drugname", "val_vbm", "route", "dose_vbm", "cum_dose_chr",
    "cum_dose_unit", "dechal", "rechal", "lot_num", "exp_dt", "nda_num", "dose_amt", "dose_unit", "dose_form",
    "dose_freq",
)  # fmt: skip

PUBLISHED_LAYOUTS: Mapping[str, Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]]] = {
    "LAERS": {
        "demo": (("2004Q1", _LAERS_DEMO), ("2005Q3", (*_LAERS_DEMO, "reporter_country"))),
        "drug": ((
            "2004Q1",
            ("isr", "drug_seq", "role_cod", "drugname", "val_vbm", "route", "dose_vbm", "dechal", "rechal",
             "lot_num", "exp_dt", "nda_num"),
        ),),
        "reac": (("2004Q1", ("isr", "pt")),),
        "outc": (("2004Q1", ("isr", "outc_cod")),),
        "rpsr": (("2004Q1", ("isr", "rpsr_cod")),),
        "ther": (("2004Q1", ("isr", "drug_seq", "start_dt", "end_dt", "dur", "dur_cod")),),
        "indi": (("2004Q1", ("isr", "drug_seq", "indi_pt")),),
    },
    "FAERS": {
        "demo": (
            (
                "2012Q4",
                ("primaryid", "caseid", "caseversion", "i_f_code", "event_dt", "mfr_dt", "init_fda_dt", "fda_dt",
                 "rept_cod", "mfr_num", "mfr_sndr", "age", "age_cod", "gndr_cod", "e_sub", "wt", "wt_cod",
                 "rept_dt", "to_mfr", "occp_cod", "reporter_country", "occr_country"),
            ),
            (
                "2014Q3",
                ("primaryid", "caseid", "caseversion", "i_f_code", "event_dt", "mfr_dt", "init_fda_dt", "fda_dt",
                 "rept_cod", "auth_num", "mfr_num", "mfr_sndr", "lit_ref", "age", "age_cod", "age_grp", "sex",
                 "e_sub", "wt", "wt_cod", "rept_dt", "to_mfr", "occp_cod", "reporter_country", "occr_country"),
            ),
        ),
        "drug": (
            ("2012Q4", tuple("lot_nbr" if c == "lot_num" else c for c in _FAERS_DRUG_2012)),
            ("2013Q1", _FAERS_DRUG_2012),
            ("2014Q3", (*_FAERS_DRUG_2012[:5], "prod_ai", *_FAERS_DRUG_2012[5:])),
        ),
        "reac": (("2012Q4", ("primaryid", "caseid", "pt")), ("2014Q3", ("primaryid", "caseid", "pt", "drug_rec_act"))),
        "outc": (("2012Q4", ("primaryid", "caseid", "outc_code")), ("2013Q1", ("primaryid", "caseid", "outc_cod"))),
        "rpsr": (("2012Q4", ("primaryid", "caseid", "rpsr_cod")),),
        "ther": (
            ("2012Q4", ("primaryid", "caseid", "dsg_drug_seq", "start_dt", "end_dt", "dur", "dur_cod")),
        ),
        "indi": (("2012Q4", ("primaryid", "caseid", "indi_drug_seq", "indi_pt")),),
    },
}  # fmt: skip
"""FDA's headers as published (docs/faers_format.md §3), per era and table: ``(first quarter, columns in file
order)``, each layout in force until the next one's first quarter (the last one still in force). A header
lacking a column of its quarter's layout is loaded with that column NULL and a warning."""


def published_columns(era: str, table: str, quarter: str) -> tuple[str, ...]:
    """The columns FDA's ``table`` header carries in ``quarter`` (``'2019Q1'``) of ``era``; before the era's
    first layout, that first layout."""
    layouts = PUBLISHED_LAYOUTS[era][table]
    current = layouts[0][1]
    for first, columns in layouts:
        if quarter >= first:
            current = columns
    return current


LINEAGE: tuple[tuple[str, str], ...] = (
    ("quarter", "VARCHAR"),
    ("source_file", "VARCHAR"),
    ("line_number", "BIGINT"),
)
LINEAGE_COLUMNS: tuple[str, ...] = tuple(name for name, _ in LINEAGE)

TABLE_DEFINITIONS: Mapping[str, tuple[tuple[str, str], ...]] = {
    **{table: (*((c, "VARCHAR") for c in cols), *LINEAGE) for table, cols in COLUMNS.items()},
    DELETED_TABLE: (("caseid", "VARCHAR"), *LINEAGE),
    "rejects": (
        ("quarter", "VARCHAR"),
        ("table_name", "VARCHAR"),
        ("source_file", "VARCHAR"),
        ("line_number", "BIGINT"),
        ("raw_line", "VARCHAR"),
        ("reason", "VARCHAR"),
    ),
    "load_log": (
        ("quarter", "VARCHAR"),
        ("zip_file", "VARCHAR"),
        ("table_name", "VARCHAR"),
        ("source_file", "VARCHAR"),
        ("lines_read", "BIGINT"),
        ("rows_loaded", "BIGINT"),
        ("rows_rejected", "BIGINT"),
        ("loaded_at", "TIMESTAMP"),
        ("lines_blank", "BIGINT"),
        ("lines_joined", "BIGINT"),
        ("unknown_columns", "VARCHAR"),
        ("missing_columns", "VARCHAR"),
    ),
}
"""Every table the loader writes, with its column types. All are keyed by ``quarter``."""

QUARTER_TABLES: tuple[str, ...] = tuple(TABLE_DEFINITIONS)
"""Tables whose rows for a quarter are replaced when that quarter is loaded again."""

KEY_COLUMN = {"LAERS": "isr", "FAERS": "primaryid"}
"""The report key that identifies a header's era (LAERS 2004Q1-2012Q3, FAERS 2012Q4 on)."""


def quote(identifier: str) -> str:
    """A double-quoted SQL identifier (``case`` is a reserved word)."""
    return '"' + identifier.replace('"', '""') + '"'


def qualified(table: str) -> str:
    """``raw."<table>"``."""
    return f"{SCHEMA}.{quote(table)}"


def table_columns(conn: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    """The columns ``raw.<table>`` has now (as this connection's transaction sees it)."""
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
        [SCHEMA, table],
    ).fetchall()
    return {row[0] for row in rows}


def ensure_schema(conn: duckdb.DuckDBPyConnection) -> None:
    """Create schema ``raw`` and every loader table; add columns a table from an older loader lacks."""
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    for table, definition in TABLE_DEFINITIONS.items():
        body = ", ".join(f"{quote(name)} {sql_type}" for name, sql_type in definition)
        conn.execute(f"CREATE TABLE IF NOT EXISTS {qualified(table)} ({body})")
        existing = table_columns(conn, table)
        for name, sql_type in definition:
            if name not in existing:
                conn.execute(f"ALTER TABLE {qualified(table)} ADD COLUMN {quote(name)} {sql_type}")
