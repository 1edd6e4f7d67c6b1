"""Benchmark of the dbt warehouse (issue 3): ``dbt build`` time and peak memory on full-size quarters.

Generates the full-size synthetic quarter(s) with ``faers.sample`` (about 400k cases each), loads them with
``loaders.load_paths`` and times ``dbt build`` of the warehouse nodes only (seeds, staging, dedup and
normalisation, core marts and their tests), in a child process whose peak resident memory is read back
from the kernel (``ru_maxrss``). Target: under 60 s for one quarter on 2 cores, linear in quarters.

    python benchmarks/warehouse.py                      # one full-size quarter in a temporary folder
    python benchmarks/warehouse.py --workdir /tmp/bench --keep
    python benchmarks/warehouse.py --quarters 2019Q1,2019Q2   # several full-size quarters
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

PROJECT_DIR = Path(__file__).resolve().parent.parent

WAREHOUSE_SELECTION: tuple[str, ...] = (
    "drug_synonyms",
    "country_codes",
    "path:models/staging",
    "int_cases_deduplicated",
    "int_drug_names_normalized",
    "int_terms_canonical",
    "path:models/marts/core",
    "path:tests/warehouse",
)
"""The nodes of issue 3; tests are included only when all their parents are selected (cautious)."""

console = Console(stderr=True)


@dataclass(frozen=True)
class BuildMeasure:
    """Wall time and peak memory of one ``dbt build`` child process."""

    seconds: float
    peak_rss_mb: float
    returncode: int


def prepare(workdir: Path, quarters: list[str] | None) -> Path:
    """Generate full-size quarter(s) under ``workdir`` and load them into ``workdir/warehouse.duckdb``.

    The generator writes one full-size quarter per call; several quarters are generated one by one (each
    with its own seed) and loaded together, to check that build time grows linearly with quarters.
    """
    from faers.sample import generate
    from loaders import load_paths

    db_path = workdir / "warehouse.duckdb"
    sample_dirs: list[Path] = []
    for index, quarter in enumerate(quarters or [None]):
        sample_dir = workdir / f"sample_{quarter or 'default'}"
        with console.status(f"generating the full-size synthetic quarter {quarter or '(default)'} ..."):
            started = time.perf_counter()
            generate(sample_dir, quarters=[quarter] if quarter else None, full_size=True, seed=42 + index)
        console.print(f"{sample_dir.name} generated in {time.perf_counter() - started:.1f} s")
        sample_dirs.append(sample_dir)
    started = time.perf_counter()
    load_paths(sample_dirs, db_path, progress=True)
    console.print(f"loaded in {time.perf_counter() - started:.1f} s")
    return db_path


def run_build(db_path: Path, log_dir: Path) -> BuildMeasure:
    """Run ``dbt build`` of the warehouse nodes in a child process; measure wall time and peak RSS."""
    env = {
        **os.environ,
        "FAERS_DUCKDB": str(db_path),
        "DBT_TARGET_PATH": str(log_dir / "target"),
        "DBT_LOG_PATH": str(log_dir / "logs"),
    }
    command = [
        sys.executable,
        "-c",
        "from dbt.cli.main import cli; cli()",
        "build",
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--indirect-selection",
        "cautious",
        "--select",
        *WAREHOUSE_SELECTION,
    ]
    started = time.perf_counter()
    with console.status("dbt build (warehouse nodes) ..."):
        completed = subprocess.run(command, env=env, cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        console.print(completed.stdout[-4000:], markup=False)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return BuildMeasure(seconds=seconds, peak_rss_mb=peak_kb / 1024, returncode=completed.returncode)


def row_counts(db_path: Path) -> dict[str, int]:
    """Rows of the raw tables and of the core marts."""
    tables = [f"raw.{t}" for t in ("demo", "drug", "reac", "outc", "ther", "indi")] + [
        f"main.{m}" for m in ("dim_case", "fct_case_drug", "fct_case_reaction", "fct_case_outcome")
    ]
    with duckdb.connect(str(db_path), read_only=True) as conn:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}  # type: ignore[index]


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, prepare the warehouse, time the build, print the numbers; 0 on success."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, help="Folder for the sample and the DuckDB file (default: temp).")
    parser.add_argument("--quarters", help="Comma-separated quarters to generate full size (default: one).")
    parser.add_argument("--keep", action="store_true", help="Keep the work folder.")
    parser.add_argument("--reuse", action="store_true", help="Reuse an already loaded workdir/warehouse.duckdb.")
    args = parser.parse_args(argv)

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="faers_bench_warehouse_"))
    workdir.mkdir(parents=True, exist_ok=True)
    quarters = [q.strip() for q in args.quarters.split(",")] if args.quarters else None
    try:
        db_path = workdir / "warehouse.duckdb"
        if not (args.reuse and db_path.exists()):
            db_path = prepare(workdir, quarters)
        measure = run_build(db_path, workdir)
        counts = row_counts(db_path) if measure.returncode == 0 else {}
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)

    table = Table(title=f"dbt build of the warehouse ({os.cpu_count()} cores)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for name, value in counts.items():
        table.add_row(name, f"{value:,}")
    table.add_row("dbt build wall time", f"{measure.seconds:.1f} s")
    table.add_row("peak RSS (dbt + DuckDB)", f"{measure.peak_rss_mb:,.0f} MB")
    Console().print(table)
    cases = counts.get("main.dim_case", 0)
    status = "OK" if measure.returncode == 0 else f"FAILED (dbt exit {measure.returncode})"
    print(
        f"warehouse benchmark {status}: {cases:,} cases, dbt build {measure.seconds:.1f} s, "
        f"peak {measure.peak_rss_mb:,.0f} MB on {os.cpu_count()} cores"
    )
    return 0 if measure.returncode == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
