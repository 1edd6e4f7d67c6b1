"""The demo sample built on both targets, once per session: DuckDB (the default) and Spark (local PySpark).

`make test-spark` runs this folder (not part of `make test`: it needs the pip extra spark and Java 17). Only the
compared marts and what they are built from are built (no dbt data tests: `make test` runs them on DuckDB, and
the marts' equality with DuckDB's is the stronger check on Spark), in three builds per engine: the default vars,
var expected_strata (every stratum variable) and var background_exclude_drugs. Spark's default build is the
user's command, `dbt build --target spark` run from the repo root in a subprocess (the project's dbt plugin
dbt_faers opens the session and registers the UDFs); the two adjusted builds run in this process on one session
(faers.spark.run_dbt_spark, what `faers build --target spark` runs), while the DuckDB builds run alongside the
subprocess. Each build's marts are kept as Arrow tables.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from spark_builds import DEFAULT_BUILD, MARTS, SIGNAL_MARTS, SIGNALS_BUILD, STRATA_VARS, BothTargets


def _duckdb_tables(path: Path, names: tuple[str, ...] | None = None) -> dict[str, pa.Table]:
    with duckdb.connect(str(path), read_only=True) as conn:
        if names is None:
            rows = conn.execute(
                "select table_name from information_schema.tables where table_schema = 'main' order by 1"
            ).fetchall()
            names = tuple(row[0] for row in rows)
        return {name: conn.sql(f"select * from main.{name}").to_arrow_table() for name in names}


def _spark_tables(spark: Any, names: tuple[str, ...]) -> dict[str, pa.Table]:
    return {name: spark.table(f"main.{name}").toArrow() for name in names}


def _top_drugs(cells: pa.Table, count: int) -> tuple[str, ...]:
    """The `count` drugs with the most reports in the cells (ties by name), upper-cased as a user may write them."""
    with duckdb.connect() as conn:
        conn.register("cells", cells)
        rows = conn.execute(f"select drug from cells group by drug order by sum(a) desc, drug limit {count}").fetchall()
    return tuple(row[0].upper() for row in rows)


def _wait(process: subprocess.Popen[bytes], log: Path, started: float) -> None:
    returncode = process.wait()
    timing = f"dbt build --target spark (subprocess): {time.monotonic() - started:.0f} s"
    print(timing, file=sys.stderr)
    if returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
        pytest.fail(f"{timing}, exit code {returncode}; the end of {log}:\n{tail}")


@pytest.fixture(scope="session")
def both_targets(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BothTargets]:
    from faers.dbt import run_dbt
    from faers.sample import generate
    from faers.spark import run_dbt_spark, session
    from loaders import load_paths
    from loaders.parquet import load_parquet
    from loaders.paths import PROJECT_DIR

    base = tmp_path_factory.mktemp("spark_parity")
    # the Spark leg's settings (a user's defaults are local[2] and 8 shuffle partitions): the sample is small
    os.environ.setdefault("FAERS_SPARK_SHUFFLE_PARTITIONS", "2")
    # up to 3 attempts per task (local[N, maxFailures]): a local task's output folder is sometimes not created
    # on a machine under heavy disk load (Mkdirs failed ... exists=false); the retry writes it
    os.environ.setdefault("FAERS_SPARK_MASTER", "local[2,3]")
    os.environ["FAERS_SPARK_WAREHOUSE"] = str(base / "spark-warehouse")
    os.environ["FAERS_RAW_PARQUET"] = str(base / "raw_parquet")
    os.environ["DBT_LOG_PATH"] = str(base / "logs")
    sample = base / "sample"
    generate(sample)
    duckdb_path = base / "warehouse.duckdb"
    load_parquet([sample], base / "raw_parquet", progress=False)

    # Spark, default vars: the user's command in a subprocess, from the repo root
    log = base / "dbt_spark.log"
    started = time.monotonic()
    env = {**os.environ, "DBT_TARGET_PATH": str(base / "target_spark_cli"), "DBT_LOG_PATH": str(base / "logs_cli")}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("dbt")), *DEFAULT_BUILD, "--target", "spark"],
            cwd=PROJECT_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        # meanwhile: this process's session (the JVM starts; the metastore, which one process at a time may
        # open, is first read below), and the DuckDB reference: the same three builds (its dbt data tests run
        # in `make test`)
        spark = session()
        os.environ["DBT_TARGET_PATH"] = str(base / "target_duckdb")
        load_paths([sample], duckdb_path, progress=False)
        run_dbt(DEFAULT_BUILD, db_path=duckdb_path)
        duckdb_default = _duckdb_tables(duckdb_path)
        masked_drugs = _top_drugs(duckdb_default["drug_event_cells"], 2)
        masked_vars = {"background_exclude_drugs": list(masked_drugs), "mgps_likelihood": "truncated"}
        run_dbt(SIGNALS_BUILD, db_path=duckdb_path, dbt_vars=STRATA_VARS)
        duckdb_strata = _duckdb_tables(duckdb_path, SIGNAL_MARTS)
        run_dbt(SIGNALS_BUILD, db_path=duckdb_path, dbt_vars=masked_vars)
        duckdb_masked = _duckdb_tables(duckdb_path, SIGNAL_MARTS)
    finally:
        _wait(process, log, started)

    # Spark, the adjusted vars: this process's session, on the warehouse the subprocess built
    os.environ["DBT_TARGET_PATH"] = str(base / "target_spark")
    main_tables = frozenset(row.tableName for row in spark.sql("show tables in main").collect())
    spark_default = _spark_tables(spark, MARTS)
    run_dbt_spark(SIGNALS_BUILD, dbt_vars=STRATA_VARS)
    spark_strata = _spark_tables(spark, SIGNAL_MARTS)
    run_dbt_spark(SIGNALS_BUILD, dbt_vars=masked_vars)
    spark_masked = _spark_tables(spark, SIGNAL_MARTS)
    print(f"spark builds: {json.dumps({'strata': STRATA_VARS, 'masked': masked_vars})}", file=sys.stderr)
    yield BothTargets(
        duckdb={"default": duckdb_default, "strata": duckdb_strata, "masked": duckdb_masked},
        spark={"default": spark_default, "strata": spark_strata, "masked": spark_masked},
        spark_main_tables=main_tables,
        masked_drugs=masked_drugs,
        duckdb_path=duckdb_path,
        parquet_dir=base / "raw_parquet",
    )
