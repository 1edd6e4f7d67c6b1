"""The warehouse on REAL FDA excerpts (tests/fixtures/real_samples: FAERS 2012Q4, 2020Q3, 2022Q4, 2026Q2).

The excerpts are zipped in FDA's layout, loaded with ``loaders.load_paths`` and only the warehouse nodes are
built (``dbt build`` with its tests as gates). Expected values are computed here from the text files
themselves with the csv module, independently of the SQL. The LAERS 2004Q1 excerpt is not used: it was
rewritten by R (extra ``v23`` header columns) and the loader rightly refuses its header.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow

REAL_SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "real_samples"
FAERS_EXCERPTS = ("faers_ascii_2012q4", "faers_ascii_2020q3", "faers_ascii_2022q4", "faers_ascii_2026q2")


@dataclass(frozen=True)
class DemoRow:
    """The DEMO fields the deduplication uses, read straight from a file."""

    quarter: str
    line_number: int
    primary_id: int
    case_id: int
    fda_dt: str


def _table_rows(folder: Path, table: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(physical line number, row by lower-case header) of one table of an excerpt folder."""
    (path,) = [p for p in folder.rglob("*") if p.name.lower().startswith(table) and p.suffix.lower() == ".txt"]
    lines = path.read_bytes().decode("latin-1").removeprefix("\u00ef\u00bb\u00bf").splitlines()
    header = [name.strip().lower() for name in lines[0].split("$")]
    for number, values in enumerate(csv.reader(lines[1:], delimiter="$", quoting=csv.QUOTE_NONE), start=2):
        yield number, dict(zip(header, values, strict=True))


def _quarter(folder: Path) -> str:
    year, quarter = folder.name.removeprefix("faers_ascii_").split("q")
    return f"{year}Q{quarter}"


def expected_primary_ids() -> set[int]:
    """FDA dedup by hand: latest quarter per primaryid, then per caseid latest fda_dt / highest primaryid,
    minus every caseid of the deleted lists."""
    rows: list[DemoRow] = []
    deleted: set[int] = set()
    for name in FAERS_EXCERPTS:
        folder = REAL_SAMPLES / name
        for number, row in _table_rows(folder, "demo"):
            rows.append(DemoRow(_quarter(folder), number, int(row["primaryid"]), int(row["caseid"]), row["fda_dt"]))
        for path in folder.rglob("*"):
            if path.is_file() and "delet" in path.name.lower():
                deleted |= {int(line) for line in path.read_text().split() if line.isdigit()}
    latest_per_report: dict[int, DemoRow] = {}
    for row in rows:
        current = latest_per_report.get(row.primary_id)
        if current is None or (row.quarter, row.line_number) > (current.quarter, current.line_number):
            latest_per_report[row.primary_id] = row
    best: dict[int, DemoRow] = {}
    for row in latest_per_report.values():
        current = best.get(row.case_id)
        if current is None or (row.fda_dt, row.primary_id) > (current.fda_dt, current.primary_id):
            best[row.case_id] = row
    return {row.primary_id for case_id, row in best.items() if case_id not in deleted}


@pytest.fixture(scope="module")
def real_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The FAERS excerpts zipped, loaded and built (warehouse nodes only; tests included as gates)."""
    from faers.dbt import run_dbt
    from loaders import load_paths

    base = tmp_path_factory.mktemp("real_samples")
    for name in FAERS_EXCERPTS:
        folder = REAL_SAMPLES / name
        with zipfile.ZipFile(base / f"{name}.zip", "w") as archive:
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                archive.write(path, path.relative_to(folder).as_posix())
    db_path = base / "warehouse.duckdb"
    report = load_paths([base], db_path, progress=False)
    assert not report.failed, report.failed
    run_dbt(["build", "--selector", "warehouse"], db_path=db_path)
    return db_path


@pytest.fixture(scope="module")
def conn(real_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the real-sample warehouse (same configuration as dbt's in-process one)."""
    connection = duckdb.connect(str(real_warehouse))
    try:
        yield connection
    finally:
        connection.close()


def test_dim_case_is_the_fda_deduplication_of_the_real_files(conn: duckdb.DuckDBPyConnection) -> None:
    kept = {row[0] for row in conn.execute("select primary_id from main.dim_case").fetchall()}
    expected = expected_primary_ids()
    assert expected, "the excerpts hold cases"
    assert kept == expected


def test_every_drug_row_of_a_kept_report_is_in_fct_case_drug(conn: duckdb.DuckDBPyConnection) -> None:
    kept = set(conn.execute("select quarter, primary_id from main.dim_case").fetchall())
    expected = sum(
        1
        for name in FAERS_EXCERPTS
        for _, row in _table_rows(REAL_SAMPLES / name, "drug")
        if (_quarter(REAL_SAMPLES / name), int(row["primaryid"])) in kept
    )
    assert conn.execute("select count(*) from main.fct_case_drug").fetchone() == (expected,)


def test_therapy_and_indication_links_without_a_drug_are_cut_by_the_excerpts(conn: duckdb.DuckDBPyConnection) -> None:
    """The warn gate assert_therapies_and_indications_name_a_drug lists THER/INDI rows whose (primary_id, drug_seq)
    has no fct_case_drug row. On these excerpts each one is an artefact of excerpting, not a row the loader lost:
    the excerpt's DRUG file has no line with that (primaryid, drug_seq) (PROVENANCE.md: a head excerpt can cut a
    report's DRUG rows short, or leave them all out)."""
    drug_lines = {
        (int(row["primaryid"]), int(row["drug_seq"]))
        for name in FAERS_EXCERPTS
        for _, row in _table_rows(REAL_SAMPLES / name, "drug")
    }
    dangling = conn.execute(
        "select primary_id, drug_seq from (select primary_id, drug_seq from main.fct_case_therapy union all "
        "select primary_id, drug_seq from main.fct_case_indication) as links "
        "anti join main.fct_case_drug as drugs using (primary_id, drug_seq)"
    ).fetchall()
    assert dangling, "the excerpts have links whose DRUG row was cut"
    assert not [link for link in dangling if link in drug_lines]
    # and some of those reports keep other DRUG rows: the cut fell inside the report, not only before it
    reports_with_drug_lines = {primary_id for primary_id, _ in drug_lines}
    assert any(primary_id in reports_with_drug_lines for primary_id, _ in dangling)


@pytest.mark.parametrize(
    ("drug_name", "drug"),
    [
        ("COPEGUS", "ribavirin"),  # prod_ai RIBAVIRIN
        ("METFORMIN", "metformin"),  # prod_ai METFORMIN HYDROCHLORIDE -> moiety via the seed
        ("Solution for injection (Insulin lispro)", "insulin lispro"),  # no prod_ai: text in parentheses
        ("EXELON", "rivastigmine"),  # 2012Q4, no prod_ai: brand via the seed
        ("LIPITOR", "atorvastatin"),  # prod_ai ATORVASTATIN CALCIUM -> moiety
        # prod_ai lists four salts of two moieties; the seed names the product's two ingredients
        ("ADDERALL", "amphetamine\\dextroamphetamine"),
    ],
)
def test_real_drug_names_normalise_to_the_ingredient(
    conn: duckdb.DuckDBPyConnection, drug_name: str, drug: str
) -> None:
    found = conn.execute(
        "select distinct drug from intermediate.int_drug_names_normalized where drug_name = ?", [drug_name]
    ).fetchall()
    assert found == [(drug,)]


def test_countries_use_one_code_scheme(conn: duckdb.DuckDBPyConnection) -> None:
    codes = {row[0] for row in conn.execute("select distinct reporter_country from main.dim_case").fetchall()}
    assert None in codes  # 'COUNTRY NOT SPECIFIED' (2012Q4) is no country
    assert {"US"} <= codes
    assert all(code is None or (len(code) == 2 and code.isupper()) for code in codes)


def test_legacy_upper_case_terms_keep_one_spelling(conn: duckdb.DuckDBPyConnection) -> None:
    # 2012Q4 INDI mixes legacy 'HOT FLUSH' with mixed-case terms; every term still has one spelling.
    rows = conn.execute(
        "select lower(indi_pt), count(distinct indi_pt) from main.fct_case_indication group by 1"
    ).fetchall()
    assert rows and all(n == 1 for _, n in rows)
