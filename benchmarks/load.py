"""Benchmark ``faers load`` against DuckDB's own ``read_csv`` on one full-size quarter.

    python benchmarks/load.py [--zip faers_ascii_2023q4.zip] [--workdir /tmp/faers_bench] [--repeat 2]

Without ``--zip`` it generates the synthetic full-size quarter (``faers.sample.generate(full_size=True)``,
~400k cases) into the work folder, once. It extracts the zip's loadable members (seven tables and the
deleted list) and then, in this process, alternately times

* ``loaders.load_paths`` on the zip (inflate, validate every line, parse, write, one transaction), and
* DuckDB ``read_csv(all_varchar, delim '$', quote '')`` of the extracted files into a fresh DuckDB file,
  one ``CREATE TABLE AS`` per file (the practical limit: no validation, no zip).

It prints MB/s of uncompressed text for both (best of ``--repeat`` runs), their ratio (target: ``faers load``
within 1.5x of read_csv), the CPU seconds of each (a steadier measure on a shared machine), and the peak RSS
of the load (measured before read_csv first runs). The read_csv row count includes the deleted list's
leading blank line, which the loader counts as blank.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from loaders import load_paths
from loaders.discover import classify_members, parse_archive_name


@dataclass(frozen=True)
class Extracted:
    """The members of the zip that both contenders read, extracted to plain files."""

    tables: list[Path]
    deleted: list[Path]

    @property
    def nbytes(self) -> int:
        return sum(p.stat().st_size for p in [*self.tables, *self.deleted])


def ensure_zip(workdir: Path, cases: int | None) -> Path:
    """The full-size sample zip in ``workdir/sample`` (generated in a child process the first time)."""
    sample = workdir / "sample"
    zips = sorted(sample.glob("*.zip")) if sample.exists() else []
    if zips:
        return zips[0]
    print(f"generating the full-size sample quarter into {sample} ...", flush=True)
    code = (
        "import sys; from pathlib import Path; from faers.sample import generate; "
        "cases = None if sys.argv[2] == '-' else int(sys.argv[2]); "
        "generate(Path(sys.argv[1]), full_size=True, n_cases=cases)"
    )
    subprocess.run([sys.executable, "-c", code, str(sample), str(cases or "-")], check=True)
    return sorted(sample.glob("*.zip"))[0]


def extract(zip_path: Path, target: Path) -> Extracted:
    """Stream the loadable members of ``zip_path`` to files under ``target``."""
    archive = parse_archive_name(zip_path)
    if archive is None:
        raise SystemExit(f"{zip_path}: not an FDA quarterly ASCII zip name")
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as zf:
        tables, deleted = classify_members(archive, zf.infolist())
        paths: dict[str, list[Path]] = {"tables": [], "deleted": []}
        for kind, members in (("tables", tables), ("deleted", deleted)):
            for index, member in enumerate(members):
                path = target / f"{kind}_{index}_{Path(member.info.filename).name}"
                with zf.open(member.info) as source, path.open("wb") as sink:
                    shutil.copyfileobj(source, sink, 16 << 20)
                paths[kind].append(path)
    return Extracted(tables=paths["tables"], deleted=paths["deleted"])


@dataclass(frozen=True)
class Timing:
    """Wall and CPU (user + system, all threads) seconds of one run, and the rows it wrote."""

    wall: float
    cpu: float
    rows: int


def _cpu() -> float:
    times = os.times()
    return times.user + times.system


def time_load(zip_path: Path, db: Path) -> Timing:
    """``load_paths`` of the zip into a fresh ``db``."""
    db.unlink(missing_ok=True)
    wall, cpu = time.perf_counter(), _cpu()
    report = load_paths([zip_path], db, progress=False)
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    if not report.ok:
        raise SystemExit(f"load failed: {report.failed}")
    if report.total.rows_rejected:
        print(f"note: {report.total.rows_rejected:,} rows rejected")
    return Timing(wall, cpu, report.total.rows_loaded)


def time_read_csv(files: Extracted, db: Path) -> Timing:
    """DuckDB ``read_csv`` of the extracted files into a fresh ``db``."""
    db.unlink(missing_ok=True)
    wall, cpu = time.perf_counter(), _cpu()
    rows = 0
    with duckdb.connect(str(db)) as conn:
        for index, path in enumerate([*files.tables, *files.deleted]):
            header = "true" if path in files.tables else "false"
            conn.execute(
                f"CREATE TABLE t{index} AS SELECT * FROM read_csv('{path}', delim = '$', quote = '', "
                f"escape = '', header = {header}, all_varchar = true)"
            )
            rows += conn.execute(f"SELECT count(*) FROM t{index}").fetchone()[0]  # type: ignore[index]
    return Timing(time.perf_counter() - wall, _cpu() - cpu, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zip", type=Path, help="an FDA quarterly ASCII zip (default: the full-size sample)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/faers_bench_load"))
    parser.add_argument("--cases", type=int, help="cases of the generated sample (default: full size, 400k)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each contender; the best is reported")
    args = parser.parse_args()

    workdir: Path = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    zip_path = args.zip or ensure_zip(workdir, args.cases)
    files = extract(zip_path, workdir / "extracted")
    mb = files.nbytes / 1e6
    size = zip_path.stat().st_size / 1e6
    print(f"{zip_path.name}: {size:.1f} MB zip, {mb:.1f} MB of text; {os.cpu_count()} cores")
    print(f"load average before: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")

    loads: list[Timing] = []
    reads: list[Timing] = []
    peak_rss = 0
    for run in range(args.repeat):
        loads.append(time_load(zip_path, workdir / "load.duckdb"))
        if run == 0:
            peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        reads.append(time_read_csv(files, workdir / "read_csv.duckdb"))
        last_load, last_read = loads[-1], reads[-1]
        print(
            f"run {run + 1}: faers load {last_load.wall:.2f} s "
            f"(cpu {last_load.cpu:.2f} s, {last_load.rows:,} rows); "
            f"read_csv {last_read.wall:.2f} s (cpu {last_read.cpu:.2f} s, {last_read.rows:,} rows)",
            flush=True,
        )
    load = min(loads, key=lambda t: t.wall)
    read = min(reads, key=lambda t: t.wall)
    rss = peak_rss / 2**20
    print(
        f"faers load      : {mb / load.wall:6.1f} MB/s ({load.wall:.2f} s, cpu {load.cpu:.2f} s), "
        f"peak RSS {rss:,.0f} MiB"
    )
    print(f"duckdb read_csv : {mb / read.wall:6.1f} MB/s ({read.wall:.2f} s, cpu {read.cpu:.2f} s)")
    print(
        f"ratio           : faers load takes {load.wall / read.wall:.2f}x read_csv's wall time "
        f"({load.cpu / read.cpu:.2f}x its cpu time); target <= 1.5x"
    )
    print(f"load average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
