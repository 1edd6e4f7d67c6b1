"""End-to-end checks of the dbt warehouse against the synthetic sample's ground truth.

The session fixture ``built_warehouse`` (tests/python/conftest.py) generates the default sample, loads it and
runs ``dbt build`` once (every dbt test of the project is a gate there). Every expected number here comes
from ``truth.json``, which the generator computes from its own records, never from the files or the SQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import duckdb
import pytest

if TYPE_CHECKING:
    from conftest import BuiltWarehouse

pytestmark = pytest.mark.slow

FACT_MARTS = (
    "fct_case_drug",
    "fct_case_reaction",
    "fct_case_outcome",
    "fct_case_indication",
    "fct_case_therapy",
)
DATA_TABLES = ("demo", "drug", "reac", "outc", "rpsr", "ther", "indi")


@pytest.fixture(scope="module")
def conn(built_warehouse: BuiltWarehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the built warehouse (same configuration as dbt's in-process one)."""
    connection = duckdb.connect(str(built_warehouse.db_path))
    try:
        yield connection
    finally:
        connection.close()


def scalar(conn: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    """The single value of a one-row, one-column query."""
    row = conn.execute(sql, params or []).fetchone()
    assert row is not None, sql
    return row[0]


def test_dim_case_is_the_fda_deduplication(conn: duckdb.DuckDBPyConnection, built_warehouse: BuiltWarehouse) -> None:
    truth = built_warehouse.truth["dedup"]
    primary_ids = [row[0] for row in conn.execute("select primary_id from main.dim_case order by 1").fetchall()]
    assert len(primary_ids) == truth["n_cases"]
    assert primary_ids == sorted(truth["primary_ids"])
    assert scalar(conn, "select count(distinct case_id) from main.dim_case") == truth["n_cases"]


@pytest.mark.parametrize("mart", ["dim_case", *FACT_MARTS])
def test_mart_row_counts_match_truth(
    conn: duckdb.DuckDBPyConnection, built_warehouse: BuiltWarehouse, mart: str
) -> None:
    assert scalar(conn, f"select count(*) from main.{mart}") == built_warehouse.truth["marts"][mart]


def test_sex_and_age_groups_match_truth(conn: duckdb.DuckDBPyConnection, built_warehouse: BuiltWarehouse) -> None:
    marts = built_warehouse.truth["marts"]
    sex = dict(conn.execute("select coalesce(sex, 'null'), count(*) from main.dim_case group by 1").fetchall())
    assert sex == {key: n for key, n in marts["sex"].items() if n}
    groups = dict(conn.execute("select coalesce(age_group, 'null'), count(*) from main.dim_case group by 1").fetchall())
    assert groups == {key: n for key, n in marts["age_group"].items() if n}


def test_outcomes_and_seriousness(conn: duckdb.DuckDBPyConnection, built_warehouse: BuiltWarehouse) -> None:
    marts = built_warehouse.truth["marts"]
    # is_serious: any outcome in var serious_outcome_codes (DE, LT, HO, DS), as the issue defines it.
    assert scalar(conn, "select count(*) from main.dim_case where is_serious") == marts["serious_cases"]
    with_outcome = scalar(conn, "select count(*) from main.dim_case where outcomes is not null")
    assert with_outcome == marts["cases_with_outcome"]
    wrong = scalar(
        conn,
        """
        select count(*) from main.dim_case
        where is_serious
            != coalesce(list_has_any(string_split(outcomes, ','), ['DE', 'LT', 'HO', 'DS']), false)
        """,
    )
    assert wrong == 0
    assert 0 < marts["serious_cases"] < with_outcome, "the sample must have non-serious outcomes too"


def test_no_deleted_case_survives(conn: duckdb.DuckDBPyConnection, built_warehouse: BuiltWarehouse) -> None:
    deleted = built_warehouse.truth["deleted_case_ids"]
    assert deleted, "the sample must plant deleted cases"
    # The deletions must have something to delete, or this test could not fail.
    assert scalar(conn, "select count(*) from staging.stg_faers__demo where list_contains(?, case_id)", [deleted]) > 0
    for mart in ("dim_case", *FACT_MARTS):
        survivors = scalar(conn, f"select count(*) from main.{mart} where list_contains(?, case_id)", [deleted])
        assert survivors == 0, mart


def _member_counts(conn: duckdb.DuckDBPyConnection, table: str, source_file: str) -> tuple[int, int]:
    staged = scalar(conn, f"select count(*) from staging.stg_faers__{table} where source_file = ?", [source_file])
    rejected = scalar(conn, "select count(*) from raw.rejects where source_file = ?", [source_file])
    return staged, rejected


def test_every_raw_line_is_staged_or_rejected(conn: duckdb.DuckDBPyConnection, built_warehouse: BuiltWarehouse) -> None:
    checked = 0
    for zip_name, tables in built_warehouse.truth["files"].items():
        for table in DATA_TABLES:
            member = tables[table]
            staged, rejected = _member_counts(conn, table, f"{zip_name}/{member['member']}")
            assert rejected == member["malformed"], (zip_name, table)
            # A record split over two lines is re-joined: two physical lines, one staged row.
            assert staged + rejected + member["split_records"] + member["blank_lines"] == member["data_lines"], (
                zip_name,
                table,
            )
            checked += 1
        for member in tables.get("deleted", {}).get("per_member", []):
            staged, rejected = _member_counts(conn, "deleted", f"{zip_name}/{member['member']}")
            assert (rejected, staged + member["blank_lines"]) == (0, member["data_lines"]), (zip_name, member)
    assert checked == len(DATA_TABLES) * len(built_warehouse.truth["files"])


def test_drug_is_the_active_ingredient(conn: duckdb.DuckDBPyConnection, built_warehouse: BuiltWarehouse) -> None:
    """Brand names, salts, strengths and dose forms all normalise to the generator's ingredient: the suspect
    (PS) report count per drug, over reports with a suspect drug and a PT, equals the truth's."""
    signals = built_warehouse.truth["signals"]
    rows = conn.execute(
        """
        with suspect as (
            select distinct primary_id, drug from main.fct_case_drug
            where role_cod = 'PS' and drug is not null
        ),
        with_event as (
            select distinct primary_id from main.fct_case_reaction
        )
        select drug, count(*) from suspect semi join with_event using (primary_id) group by drug
        """
    ).fetchall()
    assert dict(rows) == signals["drug_reports"]
    assert scalar(conn, "select count(*) from main.fct_case_drug where drug != lower(drug)") == 0


def test_preferred_terms_have_one_canonical_spelling(
    conn: duckdb.DuckDBPyConnection, built_warehouse: BuiltWarehouse
) -> None:
    """Legacy UPPER-CASE and mixed-case spellings of a PT collapse into the MedDRA (mixed-case) spelling."""
    spellings = dict(
        conn.execute("select lower(pt), list(distinct pt) from main.fct_case_reaction group by 1").fetchall()
    )
    assert all(len(variants) == 1 for variants in spellings.values())
    canonical = set(built_warehouse.truth["signals"]["event_reports"])
    assert canonical <= {variants[0] for variants in spellings.values()}
    upper_in_raw = scalar(conn, "select count(*) from staging.stg_faers__reac where pt = upper(pt)")
    assert upper_in_raw > 0, "the sample must contain legacy upper-case PTs"


def test_reaction_rows_collect_their_drug_rec_act_codes(conn: duckdb.DuckDBPyConnection) -> None:
    """fct_case_reaction.drug_rec_act: per kept report and PT, the distinct non-NULL codes of the REAC rows
    collapsed into it, sorted and comma-separated; NULL when they have none (recomputed here in Python)."""
    staged = conn.execute(
        """
        select reac.primary_id, terms.pt, reac.drug_rec_act
        from staging.stg_faers__reac as reac
        inner join main.dim_case as cases using (primary_id, quarter)
        inner join intermediate.int_terms_resolved as terms on reac.pt = terms.pt_published
        """
    ).fetchall()
    codes: dict[tuple[int, str], set[str]] = {}
    for primary_id, pt, code in staged:
        codes.setdefault((primary_id, pt), set()).update([code] if code is not None else [])
    expected = {key: (",".join(sorted(values)) or None) for key, values in codes.items()}
    actual = {
        (primary_id, pt): code
        for primary_id, pt, code in conn.execute(
            "select primary_id, pt, drug_rec_act from main.fct_case_reaction"
        ).fetchall()
    }
    assert actual == expected
    with_codes = sum(code is not None for code in expected.values())
    assert 0 < with_codes < len(expected), "the sample must have reaction rows with and without drug_rec_act"


def test_children_follow_the_kept_report(conn: duckdb.DuckDBPyConnection) -> None:
    for mart in FACT_MARTS:
        orphans = scalar(conn, f"select count(*) from main.{mart} anti join main.dim_case using (primary_id, case_id)")
        assert orphans == 0, mart


def test_every_drug_row_maps_to_its_true_drug(conn: duckdb.DuckDBPyConnection, built_warehouse: BuiltWarehouse) -> None:
    """Every DRUG row of a kept report, whatever its role, carries the generator's true drug (truth.json's
    drug_rows: the default sample's basic drug names all map with seeds/drug_synonyms.csv)."""
    truth = built_warehouse.truth["drug_rows"]
    assert truth["columns"] == ["primary_id", "drug_seq", "role_cod", "ingredients"]
    expected = sorted((pid, seq, role, ingredients or None) for pid, seq, role, ingredients in truth["rows"])
    rows = conn.execute("select primary_id, drug_seq, role_cod, drug from main.fct_case_drug order by all").fetchall()
    assert len(rows) == len(expected) == built_warehouse.truth["marts"]["fct_case_drug"]
    wrong = [(got, want) for got, want in zip(rows, expected, strict=True) if got != want]
    assert not wrong, wrong[:10]
