"""The same history built by DuckDB and by Spark on one machine: per-stage wall times of both engines.

    python benchmarks/spark_vs_duckdb.py --workdir /data/spark_bench                     # 4 full-size quarters
    python benchmarks/spark_vs_duckdb.py --workdir /tmp/sb --quarters 2023Q4 --cases 100000   # a reduced run

1. Generates (untimed, reused when there) full-size synthetic quarters (``faers sample --full-size``:
   ~400k cases per quarter by default, FDA's column layout and realistic drug-name noise).
2. DuckDB: ``faers load`` into a fresh warehouse file, then ``faers build`` (dbt build: models and tests).
3. Spark: ``faers load --format parquet`` (the same loader, then Parquet partitioned by quarter), then
   ``faers build --target spark`` (the same dbt project on a local PySpark session, ``local[*]`` unless
   FAERS_SPARK_MASTER says otherwise).

Each command runs in its own child process (wall seconds; peak RSS of the children so far, for Spark the
Python driver only: the JVM is not counted). The dbt stages come from
each build's ``run_results.json``: seconds per layer (seeds, staging, intermediate, marts/core,
marts/signals, marts/study, tests), summed over the nodes of the layer. docs/scaling.md holds measured
numbers and what they imply. Needs ``make setup-spark`` (pip extra spark) and Java 17.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
import zipfile
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FAERS = [str(Path(sys.executable).parent / "faers")]


def run(label: str, args: list[str], env: dict[str, str]) -> float:
    """Run one command as a child process; print and return its wall seconds."""
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    completed = subprocess.run(args, env=env, cwd=REPO, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout[-4000:] + completed.stderr[-4000:])
        raise SystemExit(f"{label} failed (exit {completed.returncode})")
    rss = f", peak RSS {peak / 1024:.0f} MiB" if peak > before else ""
    print(f"  {label:<34} {seconds:8.1f} s{rss}", flush=True)
    return seconds


def stages(target_dir: Path, manifest_dir: Path) -> dict[str, float]:
    """Seconds per layer of the last dbt build written to ``target_dir``."""
    results = json.loads((target_dir / "run_results.json").read_text())["results"]
    manifest = json.loads((manifest_dir / "manifest.json").read_text())["nodes"]
    totals: dict[str, float] = defaultdict(float)
    for result in results:
        unique_id = result["unique_id"]
        kind = unique_id.split(".", 1)[0]
        if kind in ("test", "unit_test"):
            name = "tests"
        elif kind == "seed":
            name = "seeds"
        elif kind == "model":
            parts = manifest[unique_id]["fqn"][1:-1]
            name = "/".join(p for p in parts[:2] if p != "spark")
        else:
            name = kind
        totals[name] += float(result.get("execution_time") or 0.0)
    return dict(sorted(totals.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--quarters", default="2023Q1,2023Q2,2023Q3,2023Q4")
    parser.add_argument("--cases", type=int, default=None, help="cases per quarter (default: full size, ~400k)")
    parser.add_argument("--skip-duckdb", action="store_true")
    parser.add_argument("--skip-spark", action="store_true")
    args = parser.parse_args()

    work = args.workdir.resolve()
    zips = work / "zips"
    env = dict(os.environ)
    env.setdefault("FAERS_SPARK_MASTER", "local[*]")
    if not any(zips.glob("*.zip")):
        command = [*FAERS, "sample", "--full-size", "--out", str(zips), "--quarters", args.quarters]
        if args.cases:
            command += ["--cases", str(args.cases)]
        print("generating (untimed) ...", flush=True)
        subprocess.run(command, env=env, cwd=REPO, check=True, capture_output=True)
    text_bytes = sum(info.file_size for path in zips.glob("*.zip") for info in zipfile.ZipFile(path).infolist())
    print(f"{len(list(zips.glob('*.zip')))} quarter(s), {text_bytes / 1e9:.2f} GB of text in {zips}")

    report: dict[str, dict[str, float]] = {}
    if not args.skip_duckdb:
        print("DuckDB", flush=True)
        warehouse = work / "warehouse.duckdb"
        for leftover in (warehouse, work / "warehouse.duckdb.wal"):
            leftover.unlink(missing_ok=True)
        duck_env = {  # DBT_WRITE_JSON: faers build writes run_results.json and manifest.json only when asked
            **env,
            "DBT_TARGET_PATH": str(work / "target_duckdb"),
            "DBT_LOG_PATH": str(work / "logs"),
            "DBT_WRITE_JSON": "true",
        }
        load = run("load (faers load)", [*FAERS, "load", str(zips), "--db", str(warehouse)], duck_env)
        build = run("build (faers build)", [*FAERS, "build", "--db", str(warehouse)], duck_env)
        report["duckdb"] = {"load": load, "build": build, **stages(work / "target_duckdb", work / "target_duckdb")}
    if not args.skip_spark:
        print("Spark", flush=True)
        parquet, spark_warehouse = work / "raw_parquet", work / "spark-warehouse"
        shutil.rmtree(parquet, ignore_errors=True)
        shutil.rmtree(spark_warehouse, ignore_errors=True)
        spark_env = {
            **env,
            "FAERS_RAW_PARQUET": str(parquet),
            "FAERS_SPARK_WAREHOUSE": str(spark_warehouse),
            "DBT_TARGET_PATH": str(work / "target_spark"),
            "DBT_LOG_PATH": str(work / "logs"),
        }
        load = run(
            "load (faers load --format parquet)",
            [*FAERS, "load", str(zips), "--format", "parquet", "--out", str(parquet)],
            spark_env,
        )
        build = run("build (faers build --target spark)", [*FAERS, "build", "--target", "spark"], spark_env)
        report["spark"] = {"load": load, "build": build, **stages(work / "target_spark", work / "target_spark")}

    names = sorted(
        {name for stages_ in report.values() for name in stages_}, key=lambda n: (n not in ("load", "build"), n)
    )
    print(f"\n{'stage (s)':<24}" + "".join(f"{engine:>12}" for engine in report))
    for name in names:
        print(f"{name:<24}" + "".join(f"{report[engine].get(name, float('nan')):12.1f}" for engine in report))
    (work / "spark_vs_duckdb.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
