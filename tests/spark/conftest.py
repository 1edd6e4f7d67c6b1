"""The demo sample built on both targets, once per session: DuckDB (the default) and Spark (local PySpark).

`make test-spark` runs this folder (not part of `make test`: it needs the pip extra spark and Java 17).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass(frozen=True)
class BothTargets:
    """The same sample built by DuckDB (``duckdb_path``) and by Spark (``spark``: its session)."""

    duckdb_path: Path
    spark: Any
    parquet_dir: Path


@pytest.fixture(scope="session")
def both_targets(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BothTargets]:
    from faers.dbt import run_dbt
    from faers.sample import generate
    from faers.spark import run_dbt_spark, session
    from loaders import load_paths
    from loaders.parquet import load_parquet

    base = tmp_path_factory.mktemp("spark_parity")
    os.environ["DBT_TARGET_PATH"] = str(base / "target")
    os.environ["DBT_LOG_PATH"] = str(base / "logs")
    os.environ["FAERS_SPARK_WAREHOUSE"] = str(base / "spark-warehouse")
    os.environ["FAERS_RAW_PARQUET"] = str(base / "raw_parquet")
    sample = base / "sample"
    generate(sample)
    duckdb_path = base / "warehouse.duckdb"
    load_paths([sample], duckdb_path, progress=False)
    # the reference: DuckDB's models and seeds (its dbt tests run in `make test`)
    run_dbt(
        [
            "build",
            "--select",
            "path:models",
            "path:seeds",
            "--exclude",
            "path:seeds/reference",
            "resource_type:test",
            "resource_type:unit_test",
        ],
        db_path=duckdb_path,
    )
    load_parquet([sample], base / "raw_parquet", progress=False)
    # what `faers build --target spark` runs, its seeds and models (the ~240 dbt data tests, green on Spark, would
    # add minutes of per-node overhead: the marts' equality with DuckDB's, whose tests pass, is the stronger check)
    run_dbt_spark(
        [
            "build",
            "--select",
            "path:models",
            "path:seeds",
            "--exclude",
            "path:seeds/reference",
            "resource_type:test",
            "resource_type:unit_test",
        ]
    )
    yield BothTargets(duckdb_path=duckdb_path, spark=session(), parquet_dir=base / "raw_parquet")
