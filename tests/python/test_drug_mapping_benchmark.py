"""benchmarks/drug_mapping.py: its measurement on a hand-made warehouse, and the mapping of a small synthetic
history with realistic drug-name noise against the target (98% of primary-suspect rows and of reports, by era)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import duckdb
import polars as pl
import pytest

from loaders.paths import PROJECT_DIR


def benchmark() -> ModuleType:
    if "drug_mapping_benchmark_module" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "drug_mapping_benchmark_module", PROJECT_DIR / "benchmarks" / "drug_mapping.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return sys.modules["drug_mapping_benchmark_module"]


TRUTH = [  # quarter, primary_id, drug_seq, role_cod, ingredients
    ("2010Q1", 1, 11, "PS", "baclofen"),
    ("2010Q1", 2, 21, "PS", "paroxetine"),
    ("2010Q1", 2, 22, "C", "lorazepam"),
    ("2010Q1", 3, 31, "PS", ""),
    ("2020Q1", 40, 1, "PS", "acetaminophen\\hydrocodone"),
    ("2020Q1", 50, 1, "PS", "warfarin"),
    ("2020Q1", 50, 2, "PS", "metformin"),
    ("2020Q1", 60, 1, "PS", ""),
    ("2020Q1", 70, 1, "PS", "gemcitabine"),  # its report was deleted: not in the warehouse
]
WAREHOUSE = [  # primary_id, drug_seq, role_cod, drug_name, drug (product), mapping_source
    (1, 11, "PS", "LIORESAL 10MG", "baclofen", "learned"),
    (2, 21, "PS", "PAXIL", "paxil", "cleaned_name"),
    (2, 22, "C", "TAVOR", "tavor", "cleaned_name"),
    (3, 31, "PS", "UNKNOWN", None, None),
    (40, 1, "PS", "VICODIN", "acetaminophen\\hydrocodone", "prod_ai"),
    (50, 1, "PS", "COUMADIN", "warfarin", "synonym"),
    (50, 2, "PS", "GLUCOPHAGE", "metformin", "prod_ai"),
    (60, 1, "PS", "NOT REPORTED", "not reported", "cleaned_name"),
]


@pytest.mark.parametrize("with_ingredient_table", [False, True])
def test_measure_counts_rows_and_reports_by_era(tmp_path: Path, with_ingredient_table: bool) -> None:
    sample = tmp_path / "sample"
    sample.mkdir()
    truth = pl.DataFrame(TRUTH, schema=["quarter", "primary_id", "drug_seq", "role_cod", "ingredients"], orient="row")
    for quarter in ("2010Q1", "2020Q1"):
        truth.filter(pl.col("quarter") == quarter).write_parquet(sample / f"drug_truth_{quarter.lower()}.parquet")
    db = tmp_path / "w.duckdb"
    conn = duckdb.connect(str(db))
    conn.execute(
        "create table fct_case_drug (primary_id bigint, drug_seq bigint, role_cod varchar, drug_name varchar,"
        " drug varchar, mapping_source varchar)"
    )
    conn.executemany("insert into fct_case_drug values (?, ?, ?, ?, ?, ?)", WAREHOUSE)
    if with_ingredient_table:
        conn.execute(
            """
            create table fct_case_drug_ingredient as
            select primary_id, drug_seq, role_cod, unnest(string_split(drug, '\\')) as ingredient, mapping_source
            from fct_case_drug where drug is not null
            """
        )
    conn.close()
    result = benchmark().measure(db, sample)
    laers, faers = result.eras["LAERS"], result.eras["FAERS"]
    assert (laers.rows, laers.rows_mapped, laers.reports, laers.reports_mapped) == (2, 1, 2, 1)
    assert (laers.unknown_rows, laers.unknown_rows_left_unmapped) == (1, 1)
    assert (faers.rows, faers.rows_mapped, faers.reports, faers.reports_mapped) == (3, 3, 2, 2)
    assert (faers.unknown_rows, faers.unknown_rows_left_unmapped) == (1, 0)
    assert (laers.row_share, faers.report_share) == (0.5, 1.0)
    assert not result.meets_target()
    assert result.misses == [("PAXIL", "paroxetine", "paxil", 1)]
    assert ("LAERS", "learned", 1, 1) in result.by_source and ("LAERS", "cleaned_name", 1, 0) in result.by_source
    assert "LAERS" in result.summary() and "98%" in result.summary()


SMALL_HISTORY = ["2011Q2", "2016Q1", "2019Q3"]
"""A LAERS quarter and two FAERS quarters with prod_ai to learn from, 2,000 cases each."""


@pytest.mark.slow
@pytest.mark.skipif(
    not any(PROJECT_DIR.glob("models/**/fct_case_drug_ingredient.sql")),
    reason="needs the drug-name mapping (fct_case_drug_ingredient)",
)
def test_small_history_maps_the_primary_suspects_to_their_true_ingredients(tmp_path: Path) -> None:
    """Realistic drug-name noise (brand-only LAERS names, salts, doses, tails, misspellings, combinations):
    at least 98% of primary-suspect rows and of reports map to their true ingredients in each era, and
    unknown names map to nothing."""
    bench = benchmark()
    result = bench.run(tmp_path, SMALL_HISTORY, cases=2000, seed=42)
    assert list(result.eras) == ["LAERS", "FAERS"]
    for era, share in result.eras.items():
        assert share.rows > 1500 and share.reports > 1500, era
        assert share.row_share >= bench.TARGET and share.report_share >= bench.TARGET, result.summary()
        assert 0 < share.unknown_rows == share.unknown_rows_left_unmapped, result.summary()
