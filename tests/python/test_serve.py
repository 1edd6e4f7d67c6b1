"""`faers serve` through Starlette's test client on the session's built warehouse: every page against the marts,
CSV downloads, filters and sorting, bad input, SQL injection and path traversal, read-only, time limit."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import BuiltWarehouse
from starlette.testclient import TestClient

from faers.serve import QueryTimeout, Warehouse, create_app

DRUG = "baclofen"


@pytest.fixture(scope="module")
def client(built_warehouse: BuiltWarehouse) -> Iterator[TestClient]:
    with TestClient(create_app(built_warehouse.db_path)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def marts(built_warehouse: BuiltWarehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(built_warehouse.db_path), read_only=True) as conn:
        yield conn


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def _same(shown: str, value: Any) -> bool:
    """A CSV cell against the mart's value: exact for counts and text, to 1e-9 for statistics."""
    if value is None:
        return shown == ""
    if isinstance(value, bool):
        return shown == ("true" if value else "false")
    if isinstance(value, float):
        return (math.isnan(value) and shown == "nan") or math.isclose(float(shown), value, rel_tol=1e-9, abs_tol=0)
    return shown == str(value)


def test_search_is_typo_tolerant(client: TestClient) -> None:
    for q in ("baclofen", "Baclofen ", "baclofn", "baclofem"):
        rows = _csv(client.get("/search", params={"q": q, "csv": "results"}))
        assert any(r["kind"] == "drug" and r["term"] == DRUG for r in rows), q
    names = _csv(client.get("/search", params={"q": "lioresal", "csv": "results"}))
    assert any(r["kind"] == "drug_name" and DRUG in r["drugs"].split(";") for r in names)
    pts = _csv(client.get("/search", params={"q": "somnolence", "csv": "results"}))
    assert any(r["kind"] == "pt" and r["term"] == "Somnolence" for r in pts)
    page = client.get("/search", params={"q": "baclofn"})
    assert page.status_code == 200 and 'href="/drug?drug=baclofen"' in page.text


def test_drug_page_shows_the_signals_mart(client: TestClient, marts: duckdb.DuckDBPyConnection) -> None:
    page = client.get("/drug", params={"drug": DRUG})
    assert page.status_code == 200
    assert 'data-figure="forest"' in page.text and 'data-figure="reports_per_year"' in page.text
    shown = _csv(client.get("/drug", params={"drug": DRUG, "csv": "signals"}))
    result = marts.execute("select * from main.signals where drug = ?", [DRUG])
    columns = [d[0] for d in result.description]
    expected = {row[columns.index("pt")]: dict(zip(columns, row, strict=True)) for row in result.fetchall()}
    assert len(shown) == len(expected) > 0
    for row in shown:
        mart = expected[row["pt"]]
        for column in set(row) - {"soc"}:
            assert _same(row[column], mart[column]), (row["pt"], column, row[column], mart[column])
    n_drug = marts.execute("select any_value(n_drug) from main.drug_event_cells where drug = ?", [DRUG]).fetchone()
    assert f'data-field="n_reports" data-value="{n_drug[0]}"' in page.text
    per_year = _csv(client.get("/drug", params={"drug": DRUG, "csv": "reports_per_year"}))
    assert sum(int(r["n"]) for r in per_year) == n_drug[0]
    characteristics = _csv(client.get("/drug", params={"drug": DRUG, "csv": "characteristics"}))
    sexes = [r for r in characteristics if r["variable"] == "sex"]
    assert sum(int(r["n"]) for r in sexes) + int(sexes[0]["missing"]) == n_drug[0]


def test_drug_filters_and_sort(client: TestClient, marts: duckdb.DuckDBPyConnection) -> None:
    params = {"drug": DRUG, "min_a": "3", "min_methods": "1", "ror_lower_min": "1", "sort": "ror", "order": "asc"}
    shown = _csv(client.get("/drug", params={**params, "csv": "signals"}))
    expected = marts.execute(
        "select pt, ror from main.signals where drug = ? and a >= 3 and n_methods >= 1 and ror_lower > 1 "
        "order by ror asc nulls last, a desc, pt",
        [DRUG],
    ).fetchall()
    assert [r["pt"] for r in shown] == [pt for pt, _ in expected] and expected
    contains = _csv(client.get("/drug", params={"drug": DRUG, "pt": "somno", "csv": "signals"}))
    assert {r["pt"] for r in contains} == {"Somnolence"}
    for bad in ({"min_a": "x"}, {"min_methods": "5"}, {"eb05_min": "nan"}, {"sort": "ror; drop table signals"},
                {"order": "sideways"}, {"csv": "nothing"}):  # fmt: skip
        response = client.get("/drug", params={"drug": DRUG, **bad})
        assert response.status_code == 400, bad
        assert 'id="error-message"' in response.text


def test_pair_page_every_statistic(client: TestClient, marts: duckdb.DuckDBPyConnection) -> None:
    pt = marts.execute(
        "select pt from main.signals where drug = ? order by n_methods desc, a desc limit 1", [DRUG]
    ).fetchone()[0]
    page = client.get("/pair", params={"drug": DRUG, "pt": pt})
    assert page.status_code == 200
    row = marts.execute("select * from main.signals where drug = ? and pt = ?", [DRUG, pt])
    mart = dict(zip([d[0] for d in row.description], row.fetchone(), strict=True))
    signal = _csv(client.get("/pair", params={"drug": DRUG, "pt": pt, "csv": "signal"}))[0]
    for column, value in mart.items():
        assert _same(signal[column], value), column
    for cell in ("a", "b", "c", "d"):
        assert f'data-cell="{cell}" data-value="{mart[cell]}"' in page.text
    assert "ic_variant noren" in page.text and "Yates" in page.text  # the formula variants of the build
    reports = _csv(client.get("/pair", params={"drug": DRUG, "pt": pt, "csv": "reports"}))
    assert len(reports) == mart["a"]
    subgroups = _csv(client.get("/pair", params={"drug": DRUG, "pt": pt, "csv": "subgroups"}))
    serious = [r for r in subgroups if r["subgroup"] == "seriousness"]
    assert sum(int(r["a"]) for r in serious) == mart["a"]
    assert "No history" in page.text  # no faers update on this warehouse
    bins = _csv(client.get("/pair", params={"drug": DRUG, "pt": pt, "csv": "tto_bins"}))
    assert sum(int(b["n"]) for b in bins) == sum(1 for r in reports if r["tto_days"])


def test_case_page_versions_and_kept_report(client: TestClient, marts: duckdb.DuckDBPyConnection) -> None:
    case_id, primary_id, n_versions = marts.execute(
        """
        select dim_case.case_id, dim_case.primary_id, count(*) from main.dim_case
        inner join main.explorer_case_versions as versions on dim_case.case_id = versions.case_id
        group by all order by count(*) desc, dim_case.case_id limit 1
        """
    ).fetchone()
    assert n_versions > 1
    page = client.get(f"/case/{case_id}")
    assert page.status_code == 200
    versions = _csv(client.get(f"/case/{case_id}", params={"csv": "versions"}))
    assert len(versions) == n_versions
    assert [v["primary_id"] for v in versions if v["is_kept"] == "true"] == [str(primary_id)]
    drugs = _csv(client.get(f"/case/{case_id}", params={"csv": "drugs"}))
    expected = marts.execute("select count(*) from main.fct_case_drug where primary_id = ?", [primary_id]).fetchone()
    assert len(drugs) == expected[0] > 0
    for name in ("reactions", "therapies", "outcomes", "indications", "report_sources", "case"):
        assert client.get(f"/case/{case_id}", params={"csv": name}).status_code == 200
    deleted = marts.execute("select case_id from main.explorer_case_versions where deleted_in is not null").fetchone()
    page = client.get(f"/case/{deleted[0]}")
    assert page.status_code == 200 and "deleted-case list" in page.text
    assert client.get("/case/999999999999").status_code == 404


def test_status_page(client: TestClient, marts: duckdb.DuckDBPyConnection) -> None:
    page = client.get("/status")
    assert page.status_code == 200 and "last complete build" in page.text and "MGPS prior" in page.text
    quarters = _csv(client.get("/status", params={"csv": "quarters"}))
    expected = marts.execute("select count(distinct quarter) from raw.load_log").fetchone()[0]
    assert len(quarters) == expected


INJECTIONS = (
    "' or '1'='1",
    "baclofen'; drop table main.signals; --",
    'baclofen" or 1=1 --',
    "x') union select * from raw.demo --",
    "../../../../etc/passwd",
    "..%2f..%2fpyproject.toml",
    "%00",
    "\x00",
    "a" * 500,
)


def test_sql_injection_and_traversal_in_every_input(
    client: TestClient, built_warehouse: BuiltWarehouse, marts: duckdb.DuckDBPyConnection
) -> None:
    before = built_warehouse.db_path.stat()
    n_signals = marts.execute("select count(*) from main.signals").fetchone()[0]
    for payload in INJECTIONS:
        requests = [
            ("/search", {"q": payload}),
            ("/drug", {"drug": payload}),
            ("/drug", {"drug": DRUG, "soc": payload}),
            ("/drug", {"drug": DRUG, "pt": payload}),
            ("/drug", {"drug": DRUG, "sort": payload}),
            ("/drug", {"drug": DRUG, "min_a": payload}),
            ("/drug", {"drug": DRUG, "csv": payload}),
            ("/pair", {"drug": DRUG, "pt": payload}),
            ("/pair", {"drug": payload, "pt": "Somnolence"}),
            ("/pt", {"pt": payload}),
            ("/status", {"csv": payload}),
        ]
        for path, params in requests:
            response = client.get(path, params=params)
            assert response.status_code in (200, 400, 404), (path, params, response.status_code)
            assert "Traceback" not in response.text
            if path == "/search" and response.status_code == 200 and "baclofen" not in payload:
                # the payload is a search term like any other: it matches nothing (not everything)
                assert _csv(client.get(path, params={**params, "csv": "results"})) == []
    for path in ("/case/1%27%20or%201=1", "/case/..%2f..%2fetc%2fpasswd", "/case/-1", "/static/../app.py",
                 "/static/%2e%2e/%2e%2e/pyproject.toml", "/static/..%2fapp.py", "/../../etc/passwd"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 404, path
        assert "import" not in response.text and "root:" not in response.text
    after = built_warehouse.db_path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert marts.execute("select count(*) from main.signals").fetchone()[0] == n_signals


def test_connection_cannot_write(built_warehouse: BuiltWarehouse, tmp_path: Path) -> None:
    warehouse = Warehouse(built_warehouse.db_path).open()
    try:
        cursor = warehouse.cursor()
        target = tmp_path / "out.csv"
        for statement in (
            "create table main.x (a integer)",
            "delete from main.signals",
            f"copy (select 1) to '{target}'",
            "set enable_external_access = true",
            f"attach '{tmp_path / 'other.duckdb'}' as other",
        ):
            with pytest.raises(duckdb.Error):
                cursor.execute(statement)
        assert not target.exists() and not (tmp_path / "other.duckdb").exists()
    finally:
        warehouse.close()


def test_long_query_is_stopped_with_a_message(built_warehouse: BuiltWarehouse) -> None:
    warehouse = Warehouse(built_warehouse.db_path, timeout=0.5).open()
    try:
        with pytest.raises(QueryTimeout, match=r"ran longer than 0.5 s and was stopped"):
            warehouse.query("slow", "select count(*) from range(100000000000) as a (x) where x % 7 = 3")
        assert warehouse.query("after", "select 1 as one").rows == [(1,)]  # the warehouse still answers
    finally:
        warehouse.close()


def test_cli_starts_serves_and_stops_on_ctrl_c(built_warehouse: BuiltWarehouse) -> None:
    """`faers serve` as a user runs it: it answers on 127.0.0.1, and Ctrl-C stops it cleanly (exit 0)."""
    import signal
    import subprocess
    import sys
    import time
    import urllib.request

    from serve_helpers import free_port

    port = free_port()
    command = [sys.executable, "-m", "faers.cli", "serve", "--db", str(built_warehouse.db_path), "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/drug?drug={DRUG}", timeout=5) as response:
                    assert response.status == 200 and "app;dur=" in response.headers["Server-Timing"]
                    break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, process.stderr.read()
                time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert f"http://127.0.0.1:{port}/" in stderr and "(read-only)" in stderr and "stopped" in stderr


def test_serve_refuses_missing_or_stale_explorer_tables(built_warehouse: BuiltWarehouse, tmp_path: Path) -> None:
    """The explorer's tables are opt-in (var explorer): `faers serve` names the command that builds them when
    they are missing, and refuses them when a later build changed the marts without them."""
    import shutil
    import subprocess
    import sys

    from faers.dbt import run_dbt

    def serve_check(db: Path) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "faers.cli", "serve", "--db", str(db), "--port", "1"]  # fails before binding
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    # GIVEN a copy of the session warehouse, whose latest build made the explorer's tables
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_warehouse.db_path, db)
    # WHEN a later build (default vars: no explorer) rebuilds a mart the explorer summarises
    run_dbt(["run", "--select", "signals"], db_path=db)
    stale = serve_check(db)
    # THEN faers serve refuses, naming the build and the remedy, before it listens
    assert stale.returncode == 1, stale.stderr
    assert "older than its marts" in stale.stderr and "faers build --explorer" in stale.stderr
    # AND `faers build --explorer` (here of the explorer's folder only) makes them current again
    from typer.testing import CliRunner

    from faers.builds import require_fresh_explorer
    from faers.cli import app

    command = ["build", "--db", str(db), "--select", "path:models/marts/explorer", "--explorer"]
    rebuilt = CliRunner().invoke(app, command)
    assert rebuilt.exit_code == 0, rebuilt.output
    with duckdb.connect(str(db), read_only=True) as conn:
        require_fresh_explorer(conn, db)
    # AND with no explorer tables at all it says how to build them
    with duckdb.connect(str(db)) as conn:
        conn.execute("drop table main.explorer_drug_summary")
    missing = serve_check(db)
    assert missing.returncode == 1 and "has no explorer tables: run `faers build --explorer`" in missing.stderr


# The explorer models against the marts they come from. Checked here on the session's full build rather than as
# dbt singular tests: a test with parents outside the explorer would run in every partial `dbt build --select`
# of an upstream mart (dbt's eager test selection) and compare it with explorer tables that build did not refresh.
EXPLORER_CHECKS = {
    "a drug's rows in explorer_drug_reports are its n_drug, a pair's rows in explorer_pair_reports its a": """
        with cells as (select * from main.drug_event_cells),
        drug_counts as (select drug, count(*) as n from main.explorer_drug_reports group by drug),
        pair_counts as (select drug, pt, count(*) as n from main.explorer_pair_reports group by drug, pt),
        margins as (select distinct drug, n_drug from cells)
        select margins.drug from margins full join drug_counts on margins.drug = drug_counts.drug
        where margins.n_drug is distinct from drug_counts.n
        union all
        select cells.drug from cells
        full join pair_counts on cells.drug = pair_counts.drug and cells.pt = pair_counts.pt
        where cells.a is distinct from pair_counts.n
    """,
    "explorer_signals is main.signals with the cells' margins, row for row": """
        (select drug, pt, a, b, c, d, expected, ror, ror_lower, ror_upper, prr, prr_lower, prr_upper, chi2, ic, ic025,
            ic975, ebgm, eb05, eb95, ror_signal, prr_signal, ic_signal, ebgm_signal, n_methods, n_drug, n_event, n
         from main.signals inner join main.drug_event_cells using (drug, pt, a, b, c, d, expected)
         except all
         select drug, pt, a, b, c, d, expected, ror, ror_lower, ror_upper, prr, prr_lower, prr_upper, chi2, ic, ic025,
            ic975, ebgm, eb05, eb95, ror_signal, prr_signal, ic_signal, ebgm_signal, n_methods, n_drug, n_event, n
         from main.explorer_signals)
        union all
        select drug, pt, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
            null, null, null, null, null, null, null, null, null, null, null
        from main.explorer_signals anti join main.signals using (drug, pt)
    """,
    "explorer_case_versions keeps exactly dim_case's reports, and each reason says kept or why not": """
        with kept as (
            select case_id, primary_id, count(*) over (partition by case_id) as n_kept
            from main.explorer_case_versions where is_kept
        )
        select kept.case_id from kept left join main.dim_case as cases
            on kept.case_id = cases.case_id and kept.primary_id = cases.primary_id
        where cases.primary_id is null or kept.n_kept > 1
        union all
        select case_id from main.dim_case anti join kept using (case_id)
        union all
        select case_id from main.explorer_case_versions where is_kept != starts_with(reason, 'kept')
    """,
}


@pytest.mark.parametrize("check", list(EXPLORER_CHECKS))
def test_explorer_models_agree_with_the_marts(marts: duckdb.DuckDBPyConnection, check: str) -> None:
    assert marts.execute(EXPLORER_CHECKS[check]).fetchall() == [], check
