"""Benchmark of the dbt warehouse: ``dbt build`` time and peak memory on full-size quarters.

Generates distinct full-size synthetic quarters with ``faers.sample`` (about 400k cases each; consecutive
quarters draw their case ids from overlapping ranges, so about one case in eight of a quarter is a follow-up or
a republication of a case of the previous quarter), loads them with ``loaders.load_paths`` and times, on the
warehouse nodes only (seeds, staging, dedup and normalisation, core marts and their tests):

* staging as views (dbt var ``incremental_staging: false``): a build of 1, 2, ... N quarters, which is also
  what every ``faers update`` costs in that design (every quarter is re-typed);
* incremental staging (the default): a full build of the first quarter, then one ``faers update`` per quarter
  (load one quarter, ``dbt build``: the per-quarter staging tables type only the new quarter; dedup and the
  case marts rewrite only the cases it touches), and a ``--full-refresh`` build of all N quarters;

with the per-quarter slope of a least-squares line through each series (target: under 60 s for one quarter on
2 cores, linear in quarters). The row counts of each incremental state are checked against the views build.

Each build runs in a child process; its wall time includes dbt's start-up and parse, "dbt time" is the
``elapsed_time`` of its ``run_results.json``, peak memory is the child's ``ru_maxrss`` (dbt + DuckDB).

    flock /tmp/faers_bench.lock python benchmarks/warehouse.py             # 2023Q2, 2023Q3, 2023Q4
    flock /tmp/faers_bench.lock python benchmarks/warehouse.py --quarters 2023Q4 --workdir /tmp/bench --keep
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_QUARTERS = ("2023Q2", "2023Q3", "2023Q4")


console = Console(stderr=True)


@dataclass(frozen=True)
class BuildMeasure:
    """One ``dbt build`` child process: wall time, dbt's own elapsed time, peak memory, per-node times."""

    label: str
    design: str
    full_refresh: bool
    quarters: int
    seconds: float
    dbt_seconds: float
    peak_rss_mb: float
    returncode: int
    nodes: dict[str, float] = field(default_factory=dict)

    def grouped(self) -> dict[str, float]:
        """Seconds per layer: staging models, the other models, tests, seeds."""
        groups: dict[str, float] = {}
        for node, seconds in self.nodes.items():
            kind, _, name = node.split(".", 2)
            if kind == "model":
                kind = "staging models" if name.startswith("stg_") else "dedup + marts models"
            elif kind in ("test", "unit_test"):
                kind = "tests"
            else:
                kind = "seeds"
            groups[kind] = groups.get(kind, 0.0) + seconds
        return groups


def generate_quarters(workdir: Path, quarters: list[str]) -> list[Path]:
    """One full-size quarter per folder (each with its own seed), reused when already there."""
    from faers.sample import generate

    folders = []
    for index, quarter in enumerate(quarters):
        folder = workdir / f"sample_{quarter}_seed{42 + index}"
        if not (folder / "truth.json").exists():
            started = time.perf_counter()
            with console.status(f"generating the full-size synthetic quarter {quarter} ..."):
                generate(folder, quarters=[quarter], full_size=True, seed=42 + index)
            console.print(f"{quarter} generated in {time.perf_counter() - started:.1f} s")
        folders.append(folder)
    return folders


def load(db_path: Path, folder: Path) -> None:
    """Load one quarter's zip into ``db_path``."""
    from loaders import load_paths

    started = time.perf_counter()
    report = load_paths([folder], db_path, progress=False)
    if report.failed:
        raise SystemExit(f"load failed: {report.failed}")
    console.print(f"loaded {folder.name} into {db_path.name} in {time.perf_counter() - started:.1f} s")


def run_build(
    db_path: Path, log_dir: Path, label: str, quarters: int, *, full_refresh: bool, design: str = "incremental"
) -> BuildMeasure:
    """Run ``dbt build`` of the warehouse nodes in a child process; measure wall time and its peak RSS."""
    target = log_dir / "target"
    (target / "run_results.json").unlink(missing_ok=True)
    env = {
        **os.environ,
        "FAERS_DUCKDB": str(db_path),
        "DBT_TARGET_PATH": str(target),
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
        "--selector",
        "warehouse",
        *(["--full-refresh"] if full_refresh else []),
        "--vars",
        json.dumps({"incremental_staging": design == "incremental"}),
    ]
    started = time.perf_counter()
    with console.status(f"dbt build: {label} ..."):
        process = subprocess.Popen(
            command, env=env, cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        output = process.stdout.read() if process.stdout else ""
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    returncode = os.waitstatus_to_exitcode(status)
    if returncode != 0:
        console.print(output[-4000:], markup=False)
    run_results = target / "run_results.json"
    results = json.loads(run_results.read_text()) if run_results.exists() else {"results": [], "elapsed_time": "nan"}
    nodes = {r["unique_id"]: float(r["execution_time"]) for r in results["results"]}
    measure = BuildMeasure(
        label=label,
        design=design,
        full_refresh=full_refresh,
        quarters=quarters,
        seconds=seconds,
        dbt_seconds=float(results["elapsed_time"]),
        peak_rss_mb=usage.ru_maxrss / 1024,
        returncode=returncode,
        nodes=nodes,
    )
    console.print(f"{label}: {seconds:.1f} s wall, {measure.dbt_seconds:.1f} s in dbt, {measure.peak_rss_mb:,.0f} MB")
    return measure


def row_counts(db_path: Path) -> dict[str, int]:
    """Rows of the raw tables and of the core marts."""
    tables = [f"raw.{t}" for t in ("demo", "drug", "reac", "outc", "ther", "indi")] + [
        f"main.{m}" for m in ("dim_case", "fct_case_drug", "fct_case_reaction", "fct_case_outcome")
    ]
    with duckdb.connect(str(db_path), read_only=True) as conn:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}  # type: ignore[index]


def slope(points: list[tuple[int, float]]) -> tuple[float, float]:
    """Least-squares (slope, intercept) of seconds against quarters."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    if sxx == 0:
        return float("nan"), mean_y
    b = sum((x - mean_x) * (y - mean_y) for x, y in points) / sxx
    return b, mean_y - b * mean_x


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, generate and load, time the builds, print the numbers; 0 on success."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, help="Folder for the samples and the DuckDB files (default: temp).")
    parser.add_argument(
        "--quarters", default=",".join(DEFAULT_QUARTERS), help="Comma-separated distinct full-size quarters."
    )
    parser.add_argument("--keep", action="store_true", help="Keep the work folder (samples are then reused).")
    parser.add_argument(
        "--designs",
        default="views,incremental",
        type=lambda text: [d.strip() for d in text.split(",") if d.strip()],
        help="Staging designs to time: 'views' (incremental_staging: false) and/or 'incremental' (the default).",
    )
    args = parser.parse_args(argv)

    if not args.designs or set(args.designs) - {"views", "incremental"}:
        parser.error("--designs takes views and/or incremental")
    quarters = [q.strip() for q in args.quarters.split(",") if q.strip()]
    if len(set(quarters)) != len(quarters):
        parser.error("--quarters must be distinct")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="faers_bench_warehouse_"))
    workdir.mkdir(parents=True, exist_ok=True)
    measures: list[BuildMeasure] = []
    counts: dict[str, int] = {}
    try:
        folders = generate_quarters(workdir, quarters)
        # raw databases of 1..N quarters, each a copy of the previous one plus one quarter (loaded once)
        raws: list[Path] = []
        for index, folder in enumerate(folders):
            raw = workdir / f"raw_{index + 1}q.duckdb"
            raw.unlink(missing_ok=True)
            if raws:
                shutil.copyfile(raws[-1], raw)
            load(raw, folder)
            raws.append(raw)
        views_counts: dict[int, dict[str, int]] = {}
        if "views" in args.designs:
            # staging as views: every build (and so every update) re-types every quarter
            for size, raw in enumerate(raws, start=1):
                built = workdir / f"built_views_{size}q.duckdb"
                shutil.copyfile(raw, built)
                label = f"views: build, {size} quarter{'s' if size > 1 else ''}"
                measures.append(run_build(built, workdir, label, size, full_refresh=True, design="views"))
                if measures[-1].returncode == 0:
                    views_counts[size] = counts = row_counts(built)
                built.unlink()
        if "incremental" in args.designs:
            # incremental staging, as `faers update` runs it: one full build, then one quarter per update
            state = workdir / "built_incremental.duckdb"
            shutil.copyfile(raws[0], state)
            measures.append(run_build(state, workdir, "incremental: full build, 1 quarter", 1, full_refresh=True))
            for size in range(2, len(raws) + 1):
                load(state, folders[size - 1])
                label = f"incremental: update +1 -> {size} quarters"
                measures.append(run_build(state, workdir, label, size, full_refresh=False))
                if measures[-1].returncode == 0 and size in views_counts and row_counts(state) != views_counts[size]:
                    console.print(f"[red]incremental and views builds differ: {row_counts(state)}[/red]")
                    return 1
            if len(raws) > 1:
                label = f"incremental: --full-refresh, {len(raws)} quarters"
                measures.append(run_build(state, workdir, label, len(raws), full_refresh=True))
            if measures[-1].returncode == 0:
                counts = row_counts(state)
            state.unlink()
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)

    load_average = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    table = Table(title=f"dbt build of the warehouse ({os.cpu_count()} cores, load average {load_average})")
    for column in ("build", "wall", "in dbt", "staging models", "dedup + marts models", "tests", "peak RSS"):
        table.add_column(column, justify="right" if column != "build" else "left")
    for m in measures:
        groups = m.grouped()
        table.add_row(
            m.label,
            f"{m.seconds:.1f} s",
            f"{m.dbt_seconds:.1f} s",
            f"{groups.get('staging models', 0):.1f} s",
            f"{groups.get('dedup + marts models', 0):.1f} s",
            f"{groups.get('tests', 0):.1f} s",
            f"{m.peak_rss_mb:,.0f} MB",
        )
    Console().print(table)
    counts_table = Table(title=f"rows, {len(quarters)} quarter(s)")
    counts_table.add_column("table")
    counts_table.add_column("rows", justify="right")
    for name, value in counts.items():
        counts_table.add_row(name, f"{value:,}")
    Console().print(counts_table)

    ok = all(m.returncode == 0 for m in measures)
    status = "OK" if ok else "FAILED (a dbt build failed)"
    line = f"warehouse benchmark {status}: " + "; ".join(
        f"{m.label} {m.seconds:.1f} s wall / {m.dbt_seconds:.1f} s dbt / {m.peak_rss_mb:,.0f} MB" for m in measures
    )
    series = {
        "views, build": [m for m in measures if m.design == "views"],
        "incremental, update": [m for m in measures if m.design == "incremental" and not m.full_refresh],
    }
    for name, points in series.items():
        if len(points) > 1:
            b, a = slope([(m.quarters, m.dbt_seconds) for m in points])
            bw, aw = slope([(m.quarters, m.seconds) for m in points])
            line += (
                f"; {name}: +{b:.1f} s dbt per quarter (intercept {a:.1f} s), +{bw:.1f} s wall (intercept {aw:.1f} s)"
            )
    print(f"{line}; load average {load_average} on {os.cpu_count()} cores")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
