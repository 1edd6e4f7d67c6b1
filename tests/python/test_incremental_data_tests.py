"""The data tests of an incremental ``dbt build`` (``faers update``) check the case marts' rows of the cases the
build rewrote (macro faers_tested_case_ids, through dbt's get_where_subquery for the generic tests) when the
previous build was complete: a violation in a rewritten case fails the build, a duplicate key between a
rewritten and an untouched row fails it, and after a failed build the next build checks every case.

Scenario: two synthetic quarters built; then one case is made to change (its record in
int_case_mart_cases_built is removed, so the next build rewrites it) from a corrupted deduplicated row (a sex
code dim_case's accepted_values rejects), and an untouched case's dim_case row is corrupted by hand (a
three-letter reporter_country, and the rewritten case's primary_id), its int_cases_deduplicated row duplicated.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import BUILD_WITHOUT_DATA_TESTS, warehouse_file

from faers.dbt import DbtError, run_dbt
from faers.sample import generate
from loaders import load_paths

pytestmark = pytest.mark.slow

QUARTERS = ("2019Q2", "2019Q3")
PRIOR = {"mgps_prior": [0.2, 0.1, 2.0, 4.0, 0.3333]}
"""A fixed MGPS prior: the fit is not what these builds are about."""
SEX = "accepted_values_dim_case_sex__F__M"
COUNTRY = "expression_is_true_dim_case_reporter_country__length_reporter_country_2"
PRIMARY_ID = "unique_dim_case_primary_id"
DEDUP_CASE_ID = "unique_int_cases_deduplicated_case_id"


def _test_statuses(db_path: Path) -> dict[str, str]:
    """The status of every data test of the latest build (audit.build_nodes), by test name."""
    with duckdb.connect(str(db_path), read_only=True) as conn:
        rows = conn.execute(
            "select unique_id, status from audit.build_nodes "
            "where build_id = (select max(build_id) from audit.builds) and resource_type = 'test'"
        ).fetchall()
    return {unique_id.split(".")[2]: status for unique_id, status in rows}


def test_incremental_build_tests_the_rewritten_cases(tmp_path: Path) -> None:
    sample = tmp_path / "sample"
    generate(sample, quarters=list(QUARTERS), n_cases=300, seed=7)
    db_path = tmp_path / "warehouse.duckdb"
    report = load_paths([sample / f"faers_ascii_{q.lower()}.zip" for q in QUARTERS], db_path, progress=False)
    assert not report.failed, report.failed
    run_dbt(["build"], db_path=db_path, dbt_vars=PRIOR)
    statuses = _test_statuses(db_path)
    assert statuses[SEX] == statuses[COUNTRY] == statuses[PRIMARY_ID] == statuses[DEDUP_CASE_ID] == "pass"

    with duckdb.connect(str(db_path)) as conn:
        (changed, changed_primary_id), (untouched, _) = conn.execute(
            "select case_id, primary_id from main.dim_case order by case_id limit 2"
        ).fetchall()
        # the next build rewrites `changed` (no record of what its rows were built from) from a bad input row
        conn.execute("update intermediate.int_cases_deduplicated set sex = 'X' where case_id = ?", [changed])
        conn.execute("delete from intermediate.int_case_mart_cases_built where case_id = ?", [changed])
        # `untouched` is not rewritten: its violation is one the last (complete) build's tests would have caught
        conn.execute(
            "update main.dim_case set reporter_country = 'XYZ', primary_id = ? where case_id = ?",
            [changed_primary_id, untouched],
        )
        # and duplicated in the deduplication, which this build does not redo for it (no DEMO row or deleted-case
        # list changed): its tests run before this build writes int_case_mart_changes, whose rows are then the
        # first build's ("every case"), so they must read the re-deduplicated cases' list alone
        conn.execute(
            "insert into intermediate.int_cases_deduplicated "
            "select * from intermediate.int_cases_deduplicated where case_id = ?",
            [untouched],
        )

    with pytest.raises(DbtError):
        run_dbt(["build"], db_path=db_path, dbt_vars=PRIOR)
    statuses = _test_statuses(db_path)
    # the untouched case's deduplicated row is not read again (checked, its duplicate would fail and skip the marts)
    assert statuses[DEDUP_CASE_ID] == "pass"
    with duckdb.connect(str(db_path), read_only=True) as conn:
        rewritten = conn.execute("select case_id from intermediate.int_case_mart_changes").fetchall()
    assert rewritten == [(changed,)]
    assert statuses[SEX] == "fail"  # a violation in a rewritten case
    assert statuses[PRIMARY_ID] == "fail"  # a rewritten row's key, duplicated by an untouched row
    assert statuses[COUNTRY] == "pass"  # the untouched case's rows are not read again
    with duckdb.connect(str(db_path)) as conn:  # the duplicate out again: the next build checks every case
        conn.execute(
            "delete from intermediate.int_cases_deduplicated where rowid = "
            "(select max(rowid) from intermediate.int_cases_deduplicated where case_id = ?)",
            [untouched],
        )

    # the previous build failed: this one checks every case
    with pytest.raises(DbtError):
        run_dbt(["build"], db_path=db_path, dbt_vars=PRIOR)
    statuses = _test_statuses(db_path)
    assert statuses[SEX] == statuses[COUNTRY] == statuses[PRIMARY_ID] == "fail"

    # a full refresh rebuilds every row from staging and checks every case
    run_dbt(["build", "--full-refresh"], db_path=db_path, dbt_vars=PRIOR)
    statuses = _test_statuses(db_path)
    assert statuses[SEX] == statuses[COUNTRY] == statuses[PRIMARY_ID] == statuses[DEDUP_CASE_ID] == "pass"


DRUG_KEYS = ("intermediate.int_drug_name_keys", "intermediate.int_drug_name_keys_built")


def _table(db_path: Path, relation: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db_path), read_only=True) as conn:
        return sorted(conn.execute(f"select * from {relation}").fetchall(), key=repr)


def test_drug_name_keys_rewrite_the_changed_quarters_pairs(tmp_path: Path) -> None:
    """int_drug_name_keys is incremental per quarter: a build after loading a new quarter and reloading an old one
        rewrites only the pairs of those quarters' rows (a sentinel on a pair of an untouched quarter survives, one on
        a pair of the reloaded quarter does not), and equals a --full-refresh build of the same data (the builds without
    their data tests: the tables are what is compared)."""
    quarters = ("2019Q2", "2019Q3", "2019Q4")
    sample = tmp_path / "sample"
    generate(sample, quarters=list(quarters), n_cases=300, seed=11)
    zips = [sample / f"faers_ascii_{q.lower()}.zip" for q in quarters]
    db_path = tmp_path / "warehouse.duckdb"
    assert not load_paths(zips[:2], db_path, progress=False).failed
    run_dbt([*BUILD_WITHOUT_DATA_TESTS], db_path=db_path, dbt_vars=PRIOR)
    pair_of = (
        "select drug_name, prod_ai from intermediate.int_drug_name_keys_built group by drug_name, prod_ai "
        "having bool_and(quarter = ?) order by drug_name, prod_ai limit 1"
    )
    mark = (
        "update intermediate.int_drug_name_keys set name_key = ? "
        "where drug_name is not distinct from ? and prod_ai is not distinct from ?"
    )
    key_of = (
        "select name_key from intermediate.int_drug_name_keys "
        "where drug_name is not distinct from ? and prod_ai is not distinct from ?"
    )
    with duckdb.connect(str(db_path)) as conn:
        untouched = conn.execute(pair_of, [quarters[0]]).fetchone()
        reloaded = conn.execute(pair_of, [quarters[1]]).fetchone()
        assert untouched and reloaded
        (untouched_key,) = conn.execute(key_of, list(untouched)).fetchone()  # type: ignore[misc]
        conn.execute(mark, ["SENTINEL-UNTOUCHED", *untouched])
        conn.execute(mark, ["SENTINEL-RELOADED", *reloaded])

    assert not load_paths([zips[1], zips[2]], db_path, progress=False).failed  # reload the second, add the third
    run_dbt([*BUILD_WITHOUT_DATA_TESTS], db_path=db_path, dbt_vars=PRIOR)
    with duckdb.connect(str(db_path)) as conn:
        sentinels = conn.execute(
            "select name_key from intermediate.int_drug_name_keys where name_key like 'SENTINEL-%'"
        ).fetchall()
        assert sentinels == [("SENTINEL-UNTOUCHED",)]
        conn.execute(mark, [untouched_key, *untouched])

    full = warehouse_file(tmp_path, "full")
    shutil.copy(db_path, full)
    run_dbt([*BUILD_WITHOUT_DATA_TESTS, "--full-refresh"], db_path=full, dbt_vars=PRIOR)
    for relation in DRUG_KEYS:
        assert _table(db_path, relation) == _table(full, relation), relation
