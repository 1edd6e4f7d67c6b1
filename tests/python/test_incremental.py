"""Incremental ``dbt build`` (``faers update``): the per-quarter staging tables re-type only the quarters
that changed, and the warehouse after an incremental build equals a from-scratch ``--full-refresh`` build of the
same raw data, table by table.

Scenario (a few hundred synthetic cases, three quarters with follow-ups across quarters and deleted-case lists):
build two quarters; load the third (follow-ups of older cases, a deleted list naming older cases) and build
incrementally; compare with ``--full-refresh`` on a copy. Then reload (replace) an older quarter: it is re-typed,
an untouched quarter is not, and the warehouse again equals the full refresh. Changing the typing logic (a var
the staging model uses) re-types every quarter without ``--full-refresh``.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from faers.dbt import run_dbt
from faers.sample import generate
from loaders import load_paths

pytestmark = pytest.mark.slow

QUARTERS = ("2019Q2", "2019Q3", "2019Q4")
SCHEMAS = ("staging", "intermediate", "main")
STAGED = ("demo", "drug", "reac", "outc", "ther", "indi")
SENTINEL = "SENTINEL-NOT-RETYPED"


def _zip(sample: Path, quarter: str) -> Path:
    return sample / f"faers_ascii_{quarter.lower()}.zip"


def _load(db_path: Path, *zips: Path) -> None:
    report = load_paths(list(zips), db_path, progress=False)
    assert not report.failed, report.failed


def _relations(conn: duckdb.DuckDBPyConnection) -> list[str]:
    rows = conn.execute(
        "select schema_name || '.' || table_name from duckdb_tables() where database_name = current_database() "
        "and schema_name in ? union all select schema_name || '.' || view_name from duckdb_views() "
        "where database_name = current_database() and schema_name in ? and not internal",
        [list(SCHEMAS), list(SCHEMAS)],
    ).fetchall()
    return sorted(r[0] for r in rows)


PRIOR = {"mgps_prior": [0.2, 0.1, 2.0, 4.0, 0.3333]}
"""Every build here uses a fixed MGPS prior. The fitted prior is not reproducible to the last digits: on the same
cells read in another row order the optimiser stops up to ~1e-5 (relative) apart along the flat point-mass
direction (measured), which would hide a real difference behind a tolerance. The cells the fit reads
(drug_event_cells) are compared exactly."""


def _normalised(value: Any) -> Any:
    """Floats to 12 significant digits (a full rebuild may sum in another order); NaN comparable."""
    if isinstance(value, float):
        return "nan" if math.isnan(value) else float(f"{value:.12g}")
    return value


def _snapshot(db_path: Path) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """Every dbt-built table and view of the warehouse: its columns and its rows, sorted (order is free)."""
    with duckdb.connect(str(db_path), read_only=True) as conn:
        snapshot = {}
        for relation in _relations(conn):
            cursor = conn.execute(f"select * from {relation}")
            columns = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
            rows = [tuple(_normalised(v) for v in row) for row in rows]
            snapshot[relation] = (columns, sorted(rows, key=repr))
    return snapshot


def _assert_same_warehouse(incremental: Path, full: Path, *, ignore: tuple[str, ...] = ()) -> None:
    """Same relations, same columns, same rows (any order); columns named in ``ignore`` are left out."""
    got, expected = _snapshot(incremental), _snapshot(full)
    assert sorted(got) == sorted(expected)
    assert any(rows for _, rows in got.values())
    for relation, (columns, rows) in expected.items():
        assert got[relation][0] == columns, relation
        got_rows = got[relation][1]
        dropped = [i for i, c in enumerate(columns) if c in ignore]
        if dropped:
            rows = sorted((tuple(v for i, v in enumerate(r) if i not in dropped) for r in rows), key=repr)
            got_rows = sorted((tuple(v for i, v in enumerate(r) if i not in dropped) for r in got_rows), key=repr)
        assert got_rows == rows, f"{relation} differs from the --full-refresh build"


def _scalar(db_path: Path, sql: str, params: list[Any] | None = None) -> Any:
    with duckdb.connect(str(db_path), read_only=True) as conn:
        return conn.execute(sql, params or []).fetchone()[0]  # type: ignore[index]


def _execute(db_path: Path, sql: str, params: list[Any] | None = None) -> None:
    with duckdb.connect(str(db_path)) as conn:
        conn.execute(sql, params or [])


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("incremental_sample")
    generate(out, quarters=list(QUARTERS), n_cases=300, seed=5)
    return out


@pytest.fixture(scope="module")
def warehouses(sample: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(incremental, full refresh): two quarters built, the third loaded and built incrementally; the copy
    of that warehouse rebuilt from scratch with --full-refresh."""
    base = tmp_path_factory.mktemp("incremental")
    incremental = base / "incremental.duckdb"
    _load(incremental, _zip(sample, QUARTERS[0]), _zip(sample, QUARTERS[1]))
    run_dbt(["build"], db_path=incremental, dbt_vars=PRIOR)
    assert _scalar(incremental, "select count(distinct quarter) from staging.stg_faers__demo") == 2
    _load(incremental, _zip(sample, QUARTERS[2]))
    run_dbt(["build"], db_path=incremental, dbt_vars=PRIOR)
    full = base / "full_refresh.duckdb"
    shutil.copyfile(incremental, full)
    run_dbt(["build", "--full-refresh"], db_path=full, dbt_vars=PRIOR)
    yield incremental, full


def test_the_new_quarter_changes_old_cases(warehouses: tuple[Path, Path]) -> None:
    """The scenario can fail: the third quarter supersedes and deletes cases first reported earlier."""
    incremental, _ = warehouses
    superseded = _scalar(
        incremental,
        "select count(*) from main.dim_case where quarter = ? and case_id in "
        "(select case_id from staging.stg_faers__demo where quarter in (?, ?))",
        [QUARTERS[2], QUARTERS[0], QUARTERS[1]],
    )
    deleted = _scalar(
        incremental,
        "select count(distinct case_id) from staging.stg_faers__demo where quarter in (?, ?) and case_id in "
        "(select case_id from staging.stg_faers__deleted where quarter = ?)",
        [QUARTERS[0], QUARTERS[1], QUARTERS[2]],
    )
    assert superseded > 0
    assert deleted > 0
    assert _scalar(incremental, "select count(distinct quarter) from staging.stg_faers__drug") == 3


def test_incremental_build_equals_full_refresh(warehouses: tuple[Path, Path]) -> None:
    incremental, full = warehouses
    _assert_same_warehouse(incremental, full)


def test_reloaded_older_quarter_is_retyped_and_others_are_reused(
    sample: Path, warehouses: tuple[Path, Path], tmp_path: Path
) -> None:
    incremental_built, full = warehouses
    db_path = tmp_path / "reload.duckdb"
    shutil.copyfile(incremental_built, db_path)
    marked = {}
    for quarter in (QUARTERS[0], QUARTERS[1]):
        with duckdb.connect(str(db_path), read_only=True) as conn:
            source_file, line_number, mfr_sndr = conn.execute(
                "select source_file, line_number, mfr_sndr from staging.stg_faers__demo where quarter = ? "
                "order by line_number limit 1",
                [quarter],
            ).fetchone()  # type: ignore[misc]
        marked[quarter] = (source_file, line_number, mfr_sndr)
        _execute(
            db_path,
            "update staging.stg_faers__demo set mfr_sndr = ? where source_file = ? and line_number = ?",
            [SENTINEL, source_file, line_number],
        )
    _load(db_path, _zip(sample, QUARTERS[1]))  # replace the second quarter: a new loaded_at
    run_dbt(["run", "--select", "path:models/staging"], db_path=db_path)

    def sentinel_kept(quarter: str) -> bool:
        source_file, line_number, _ = marked[quarter]
        value = _scalar(
            db_path,
            "select mfr_sndr from staging.stg_faers__demo where source_file = ? and line_number = ?",
            [source_file, line_number],
        )
        return value == SENTINEL

    assert sentinel_kept(QUARTERS[0]), "an unchanged quarter was re-typed"
    assert not sentinel_kept(QUARTERS[1]), "the reloaded quarter was not re-typed"
    assert (
        _scalar(
            db_path,
            "select count(*) from staging.stg_faers__demo as s join (select quarter, max(loaded_at) as loaded_at "
            "from raw.load_log group by quarter) as l on s.quarter = l.quarter where s.loaded_at != l.loaded_at",
        )
        == 0
    )

    source_file, line_number, mfr_sndr = marked[QUARTERS[0]]
    _execute(
        db_path,
        "update staging.stg_faers__demo set mfr_sndr = ? where source_file = ? and line_number = ?",
        [mfr_sndr, source_file, line_number],
    )
    run_dbt(["build"], db_path=db_path, dbt_vars=PRIOR)
    # the reload gave the second quarter a new loaded_at; everything else equals the full refresh
    _assert_same_warehouse(db_path, full, ignore=("loaded_at",))


def test_quarter_gone_from_raw_is_removed(warehouses: tuple[Path, Path], tmp_path: Path) -> None:
    db_path = tmp_path / "gone.duckdb"
    shutil.copyfile(warehouses[0], db_path)
    with duckdb.connect(str(db_path)) as conn:
        for table in (*STAGED, "rpsr", "deleted", "rejects", "load_log"):
            conn.execute(f"delete from raw.{table} where quarter = ?", [QUARTERS[2]])
    run_dbt(["run", "--select", "path:models/staging"], db_path=db_path)
    for table in STAGED:
        assert (
            _scalar(db_path, f"select count(*) from staging.stg_faers__{table} where quarter = ?", [QUARTERS[2]]) == 0
        )
        assert _scalar(db_path, f"select count(*) from staging.stg_faers__{table}") == _scalar(
            db_path, f"select count(*) from raw.{table}"
        )


def test_changed_typing_logic_retypes_every_quarter(warehouses: tuple[Path, Path], tmp_path: Path) -> None:
    db_path = tmp_path / "logic.duckdb"
    shutil.copyfile(warehouses[0], db_path)
    older = "select count(*) from staging.stg_faers__demo where age_years > 40"
    assert _scalar(db_path, older) > 0
    run_dbt(["run", "--select", "stg_faers__demo"], db_path=db_path, dbt_vars={"max_age_years": 40})
    assert _scalar(db_path, older) == 0
    assert _scalar(db_path, "select count(distinct logic_version) from staging.stg_faers__demo") == 1
    assert _scalar(db_path, "select count(distinct quarter) from staging.stg_faers__demo") == 3
