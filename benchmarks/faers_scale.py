"""Benchmark the whole pipeline on an all-FAERS-shaped synthetic history: load, build, update, study.

    python benchmarks/faers_scale.py --workdir /data/faers_scale                       # 2004Q1-2024Q2, FDA's sizes
    python benchmarks/faers_scale.py --workdir /tmp/fs --scale 0.25 \\
        --quarters 2005Q2,2008Q3,2011Q4,2012Q4,2015Q3,2018Q2,2021Q1,2023Q4            # a reduced run

1. Generates (untimed, reused when already there) one full-size synthetic quarter per folder with the
   full-size generator (``faers.sample.generate(full_size=True)``), one quarter at a time, so memory stays
   that of one quarter. Reports per quarter follow FDA's eras (``reports_per_quarter``): LAERS quarters
   (2004Q1-2012Q3) grow from 100k to 200k reports, FAERS quarters from 220k (2012Q4) to 420k (2018Q4 on),
   times ``--scale``. Each quarter is written in its era's layout (LAERS keys and trailing ``$``, 2012Q4's
   renames and BOM, 2017Q4's LF, deleted lists from 2019Q1), with the full-size quarter's follow-up versions,
   deleted cases and case-id overlap with neighbouring quarters (so deduplication works across quarters).
2. ``faers load`` of every quarter (child process), then DuckDB's ``read_csv`` of the same text (the zips'
   members extracted one quarter at a time, the extraction untimed) into a separate DuckDB file: the
   baseline, in the same run.
3. ``faers build`` (``dbt build`` of the whole project; per-node times from its ``run_results.json``).
4. ``faers update`` with one more quarter (``--update-quarter``, default the quarter after the last),
   served from a local HTTP server: download, load, build, signal change log, end to end.
5. ``faers study --fresh`` (``--study``, default studies/baclofen.yml: one drug) on the result, then the same
   study of ``--second-drug``, which reads the priors and margins the first cached. A study that asks for
   the licensed MedDRA (a synthetic warehouse has none) runs as a copy with ``meddra: {hierarchy: demo}``
   written into the workdir (its SOC scope resolves through the shipped demo hierarchy). Its slowest steps come
   from the study's ``timings.json``. ``--study-only`` times this stage alone on the warehouse an earlier run
   left in --workdir (``--keep``), e.g. after a change to the study SQL; ``--load-only`` times ``faers load``
   and read_csv alone (into a scratch DuckDB file), e.g. after a change to the loader.

Each timed stage runs in its own child process: its wall seconds, CPU seconds and peak RSS (``ru_utime +
ru_stime`` and ``ru_maxrss`` of the child, Python + DuckDB) are printed with the DuckDB file size after it, and the
slowest dbt nodes. The ``steal`` column is the machine's CPU steal during the stage (Linux /proc/stat): the
share of the CPU time it wanted that the hypervisor gave to someone else. Three runs of the same load and build
code took 14.9, 15.4 and 16.4 min on machines of one kind, and 6.3% steal was measured right after the slowest:
compare runs with their steal in view. The stages run with the project's DuckDB settings (FAERS_MEMORY_LIMIT /
FAERS_TEMP_DIR, see loaders/settings.py).

Disk (measured at --scale 0.25 on 2018Q1-2019Q4, printed by each run per 100k reports): 19 MB of zips
(deflate level 1; 74 MB of text), 22 MB of DuckDB after the load, 75 MB after the build, 103 MB after the
update; the read_csv baseline needs about as much as the load's file while it runs (deleted at the end)
plus one quarter's extracted text. The whole 2004Q1-2024Q2 history at --scale 1 (82 quarters, 22.5M
report versions, 5.25M of them LAERS): ~4.3 GB of zips, ~17 GB of text, ~23 GB of warehouse after an
update, ~5 GB of read_csv baseline at its peak: keep 40 GB free under --workdir.

Measured (2026-12-03, 2 cores, 23.5 GiB, the machine shared with 7 other agents, load average 7-19, so
only the ratios within a run mean something): --scale 0.25 --first 2018Q1 --last 2019Q4 (827,500 report
versions, 0.61 GB of text): load 108.4 s (0.72 GiB) vs read_csv 31.5 s of the same text (3.44x), build
570.8 s (1.44 GiB), update +2020Q1 979.7 s, study 719.5 s (3.54 GiB). In the same hour
benchmarks/signals.py took 826.8 s for what it does in 14.7 s on a quiet machine: absolute times of that
run say nothing about the targets.

The whole history at --scale 1, alone on the machine (2026-12-03, 2 cores, 23.5 GiB, load average 2-3 from the
run itself; --no-read-csv): 82 quarters, 22,490,000 report versions, 16.07 GB of text, 4.22 GB of zips
(generated in 21 min). faers load 704.3 s (1.09 GiB, file 4.98 GiB); faers build 943.0 s (6.41 GiB, file
14.16 GiB; slowest nodes stg_faers__drug 268, fct_case_reaction 189, fct_case_drug 160, stg_faers__demo 96,
stg_faers__reac 94); faers update +2024Q3 (420,000 reports) 326.2 s (6.41 GiB; slowest drug_event_cells 42,
drug_name_audit 42, assert_dim_case_keeps_latest_version 29, int_drug_name_keys 29, mgps_prior_fit 25). The
default study scopes a MedDRA SOC, which needs the licensed MedDRA, and failed; run by hand on that warehouse
as a copy with ``meddra: {hierarchy: demo}`` (what the benchmark now does itself): 500.4 s, peak RSS 19.0 GiB.

The same history on a quiet 2-core, 23.5 GiB machine (2026-12-04, load average 2 from the run itself), before
and after the warehouse's storage format went from v1.0.0 to v1.4.0 (loaders/storage.py), same data, one run
each; counts and the MGPS prior identical (13,879,876 kept cases, 7,972,422 drug-event cells):

    stage                              v1.0.0 (fd03b58)         v1.4.0
    faers load                         558.5 s (1.10 GiB)       445.7 s (1.11 GiB); read_csv 264.2 s: 1.69x
    faers build                        815.8 s (6.49 GiB)       579.0 s (6.40 GiB), file 13.07 GiB (was 14.25)
    load + build                       1374 s = 22.9 min        1025 s = 17.1 min (target 15 min)
    faers update (+2024Q3, 420k)       191.0 s (dbt 155.7 s)    133.3 s (dbt 111.0 s) (target 2 min)
    faers study (baclofen)             373.4 s (6.55 GiB)       312.4 s (6.37 GiB) (target 30 s)

Slowest build nodes (v1.4.0): stg_faers__drug 159.9, fct_case_reaction 90.4, fct_case_drug 83.1, stg_faers__indi
59.3, int_cases_deduplicated 57.0, stg_faers__reac 55.6, stg_faers__demo 53.6, stg_faers__ther 49.8, dim_case 42.3;
update: mgps_prior_fit 13.7, drug_event_cells 12.5, signals 9.5, int_drug_name_keys 8.2. The loader's ratio
to read_csv depends on the era: one quarter alone (benchmarks/load.py) 1.05x for 2023Q4, 1.27x for 2015Q2,
1.96x for LAERS 2008Q2 (CPU-bound: the scan's 1.3 CPU s plus DuckDB's insert into the all-era raw tables,
3.2 CPU s, against read_csv's 2.7; docs/scaling.md).

The same benchmark on a fresh machine (2026-12-05, same load and build code, one run): load 310.4 s (1.43 GiB)
vs read_csv 249.5 s (1.24x), build 559.8 s (6.42 GiB), update +2024Q3 120.6 s (dbt 101.9 s), study 210.1 s
(study_cells 80.1, study_priors 74.0, study_reports 18.8); counts identical.

``--load-only`` on the same history after the loader moved to ISA-L's inflate (2026-12-05, one run each): 294.9 s
vs read_csv 241.1 s (1.22x) with ISA-L alone, then 269.5 s (0.94 GiB) vs read_csv 244.4 s (1.10x) with its
one-step reads.

The whole run after those changes, the study_cells name-match cut and dbt's node order (2026-12-05, ``--keep``):

    faers load                            271.9    0.94 GiB     4.51 GiB
    faers build                           519.0    6.43 GiB    13.83 GiB
    faers update (+2024Q3, 420,000)       153.0    6.42 GiB    14.57 GiB
    faers study (one drug)                192.7    6.28 GiB    14.57 GiB
    faers load 59.1 MB/s vs DuckDB read_csv 68.6 MB/s (234.4 s, 282,363,590 rows) of the same text in this run: 1.16x
    update: dbt 130.9 s; mgps_prior_fit 57.1, int_case_mart_inputs_built 45.0, drug_event_cells 9.4, signals 9.2, ...
    study: study_priors 71.3, study_cells 66.7, study_reports 18.6, study_subgroup_tests 10.3, study_events 4.5

``--study-only`` on that warehouse (+2024Q3), quiet machine, 2026-12-04. Before the study cuts of that day
(``faers study`` of e6c343f, its steps timed by a wrapper around the step runner): 302.7 s, study_cells 150.8,
study_priors 65.1, study_reports 22.3, study_events 16.6, study_co_suspects 13.7. After them (the same 20 tables):

    faers study (one drug)                193.6    6.34 GiB    14.30 GiB
    faers study (one drug): slowest steps: study_cells 75.5, study_priors 65.5, study_reports 16.9, ...
    faers study (one drug)                191.7    6.19 GiB    14.30 GiB   (+ stratum sizes on the drug margins)
    faers study (one drug): slowest steps: study_priors 73.6, study_cells 68.0, study_reports 17.5,
        study_subgroup_tests 8.2, study_events 4.2, dbt compile 3.3, study_signals 3.1, study_tto 2.8, ...

The whole history again after the loader stopped vacuuming at checkpoints and scans a quarter's members as one
stream (81f3bda; quiet machine, 2 cores, 23.5 GiB, 2026-12-04, one run, ``--keep``), same counts and prior:

    faers load                            299.5    1.08 GiB     4.53 GiB
    faers build                           530.7    6.45 GiB    13.68 GiB
    faers update (+2024Q3, 420,000)       126.0    6.43 GiB    14.28 GiB
    faers study (one drug)                202.0    6.29 GiB    14.28 GiB
    faers load 53.7 MB/s vs DuckDB read_csv 66.2 MB/s (242.8 s, 282,363,590 rows) of the same text in this run: 1.23x
    load + build 830.2 s = 13.8 min (target 15 min); build: stg_faers__drug 130.8, fct_case_reaction 91.6,
        fct_case_drug 81.7, stg_faers__indi 52.8, stg_faers__demo 47.9, int_cases_deduplicated 47.7, ...
    update: dbt 101.4 s; mgps_prior_fit 12.6, drug_event_cells 11.6, signals 9.1, int_drug_name_keys 8.4, ...
    study: study_cells 76.5, study_priors 71.0, study_reports 17.5, study_subgroup_tests 9.4, study_events 5.4

The whole history after no writer of the warehouse runs DuckDB's checkpoint vacuum any more
(loaders.storage.keep_row_groups; 2026-12-05, ``--no-read-csv --keep``, the same counts and prior). Before, in a
run with DuckDB's checkpoint log on: build 527.4 s, update 152.1 s (dbt 130.4 s; mgps_prior_fit 56.1 and
int_case_mart_inputs_built 41.2 waiting on a 37.7 s checkpoint, 32 s of it merging the raw tables' row groups).
After:

    faers load                            284.1    0.94 GiB
    faers build                           482.7    6.45 GiB    13.05 GiB
    faers update (+2024Q3, 420,000)       105.0    6.42 GiB    14.29 GiB
    faers study (one drug)                191.7    6.22 GiB    14.29 GiB
    update: dbt 88.8 s; mgps_prior_fit 19.2, signals 9.3, drug_event_cells 8.8, ..., int_case_mart_inputs_built 4.0

The study stage is two studies since the priors cache (faers.study.priors_cache, 2026-12-05): the study file with
``--fresh`` (it counts every drug's cells and fits each population's prior, then stores priors and margins), and
the same study of ``--second-drug`` (default gabapentin, 355k reports), which reads them. ``--study-only`` on the
warehouse above, quiet machine, one run:

    faers study --fresh (priors fitted)   174.6    6.27 GiB    14.29 GiB
    faers study gabapentin (cached)        23.9    5.49 GiB    14.29 GiB
    fitted: study_priors 62.5, study_background 47.4, study_margins 18.5, study_reports 18.4, dbt compile 8.5, ...
    cached: study_reports 4.5, study_events 4.0, dbt compile 3.6, study_tto 1.8, study_signals 1.4, ...

A second run: 147.8 s fitted (study_priors 56.2, study_background 40.3, study_reports 16.4, study_margins 14.1),
21.6 s cached; ``faers study`` of baclofen again, from the cache: 24.6 s.

The default study's window (2004Q1-2024Q3) on that warehouse updated to 2025Q1, i.e. an as-of snapshot (another
machine of the same kind, 2026-12-05, after the snapshot became kept lines, docs/scaling.md):

    faers study --fresh (priors fitted)   257.8    6.54 GiB    14.91 GiB
    faers study gabapentin (cached)        28.9    4.38 GiB    14.91 GiB
    fitted: study_priors 105.4, study_background 56.4, study_reports 26.7, study_co_suspects 10.8, ...
    cached: study_asof_cases 4.8, dbt compile 3.5, study_tto 2.4, study_reports 2.3, study_indications 1.8, ...

With study_co_suspects' early join (the next run): 247.1 s fitted (6.33 GiB; study_co_suspects under 1 s), 31.2 s
cached (4.40 GiB); ``faers study`` from the cache alone 28.9-31.2 s over five runs, median 29.1 s. With the study
drug's rows read once (step study_drug_case_drugs, the run after):

    faers study --fresh (priors fitted)   235.2    6.55 GiB    14.91 GiB
    faers study gabapentin (cached)        27.3    5.04 GiB    14.91 GiB
    cached: study_asof_cases 4.9, dbt compile 3.3, study_drug_case_drugs 2.6, study_reports 2.4, study_asof_tto 1.8

The history regenerated after the full-size generator gave each drug a PT profile (2026-12-05; its MGPS prior is
interior, as FAERS's is, where the old history's sat on the boundary and signals published no EBGM; the same
report versions, kept cases and fct_case_drug rows, 6,427,336 drug-event cells instead of 7,972,422;
docs/scaling.md), the same machine as the runs above, ``--no-read-csv --keep``:

    faers load                            315.0    1.43 GiB     4.50 GiB
    faers build                           558.7    6.38 GiB    12.99 GiB
    faers update (+2024Q3, 420,000)       122.4    6.63 GiB    14.23 GiB
    faers study --fresh (priors fitted)   126.5    6.25 GiB    14.23 GiB
    faers study gabapentin (cached)        25.5    5.48 GiB    14.23 GiB
    update: dbt 104.8 s; mgps_prior_fit 19.3, signals 16.8, drug_event_cells 9.3, assert_therapies_... 9.2, ...
    fitted: study_priors 43.1, study_background 31.7, study_reports 21.1, study_margins 8.5, study_events 5.7, ...

Then +2024Q4 (121.4 s, dbt 104.8 s) and ``--study-only``, the default window now an as-of snapshot: 177.6 s
fitted (study_priors 54.2, study_background 42.1, study_reports 26.9), 27.8 s cached.

The same history after signals handed its distinct (a, expected) to the UDF in lists (signal_udf_stats_batch;
2026-12-05 evening, 2 cores, 23.5 GiB, load average 2.1-2.6 from the run itself, ``--no-read-csv --keep``; the
same counts, prior, signal changes and study results as the run above):

    faers load                            314.0    0.98 GiB     4.50 GiB
    faers build                           573.3    6.40 GiB    13.01 GiB
    faers update (+2024Q3, 420,000)       116.7    6.64 GiB    14.22 GiB
    faers study --fresh (priors fitted)   121.4    6.13 GiB    14.22 GiB
    faers study gabapentin (cached)        25.0    5.49 GiB    14.22 GiB
    update: dbt 99.8 s; mgps_prior_fit 20.8, signals 11.9, assert_therapies_... 9.7, drug_event_cells 8.9, ...
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from loaders.quarters import Quarter

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_FIRST, DEFAULT_LAST = "2004Q1", "2024Q2"
LAERS_REPORTS = (100_000, 200_000)
"""Reports of the first (2004Q1) and last (2012Q3) LAERS quarter; linear in between."""
FAERS_REPORTS = (220_000, 420_000)
"""Reports of 2012Q4 and of 2018Q4, linear in between; 420k from 2018Q4 on."""
MIN_REPORTS = 1000
"""The full-size generator's minimum."""


def reports_per_quarter(quarter: Quarter, scale: float) -> int:
    """FDA-like report versions of ``quarter`` times ``scale`` (at least MIN_REPORTS)."""
    if quarter.is_laers:
        last = Quarter(2012, 3).index
        share = quarter.index / last
        full = LAERS_REPORTS[0] + share * (LAERS_REPORTS[1] - LAERS_REPORTS[0])
    else:
        first, top = Quarter(2012, 4).index, Quarter(2018, 4).index
        share = min(1.0, (quarter.index - first) / (top - first))
        full = FAERS_REPORTS[0] + share * (FAERS_REPORTS[1] - FAERS_REPORTS[0])
    return max(MIN_REPORTS, round(full * scale))


def quarter_range(first: Quarter, last: Quarter) -> list[Quarter]:
    """Every quarter from ``first`` to ``last``, inclusive."""
    out, year, q = [], first.year, first.q
    while (year, q) <= (last.year, last.q):
        out.append(Quarter(year, q))
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    return out


def next_quarter(quarter: Quarter) -> Quarter:
    return Quarter(quarter.year + 1, 1) if quarter.q == 4 else Quarter(quarter.year, quarter.q + 1)


def synthetic_study(study: Path, workdir: Path) -> Path:
    """The study file to run on the synthetic history: ``study`` itself, or a copy of it in ``workdir`` with
    ``meddra: {hierarchy: demo}`` when it asks for the licensed MedDRA (which a synthetic warehouse never has:
    its SOC/HLGT/HLT scope then resolves through the shipped demo hierarchy, as on `faers sample` zips)."""
    import yaml

    config = yaml.safe_load(study.read_text())
    meddra = config.get("meddra") or {}
    if isinstance(meddra, str):
        meddra = {"hierarchy": meddra}
    if meddra.get("hierarchy", "licensed") != "licensed":
        return study
    config["meddra"] = {**meddra, "hierarchy": "demo"}
    copy = workdir / f"{study.stem}_demo_meddra.yml"
    copy.write_text(yaml.safe_dump(config, sort_keys=False))
    print(f"study: {study.name} asks for the licensed MedDRA; running {copy} (meddra: hierarchy: demo)", flush=True)
    return copy


def other_drug_study(study: Path, workdir: Path, drug: str) -> Path:
    """A copy of ``study`` for another drug (``drug`` as its generic name, no brands): the same population, so it
    reads the priors and margins the first study cached (faers.study.priors_cache)."""
    import yaml

    config = yaml.safe_load(study.read_text())
    config["name"] = f"{config.get('name', study.stem)}: the same study of {drug}"
    config["drug"] = {"generic": drug}
    copy = workdir / f"{study.stem}_{drug}.yml"
    copy.write_text(yaml.safe_dump(config, sort_keys=False))
    return copy


# --- generation --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Generated:
    """One generated quarter: its folder, reports and bytes of text (the members, uncompressed)."""

    quarter: Quarter
    folder: Path
    reports: int
    text_bytes: int
    zip_bytes: int


def generate_quarter(root: Path, quarter: Quarter, scale: float) -> Generated:
    """The full-size synthetic ``quarter`` in ``root/<quarter>/`` (reused when its truth.json is there)."""
    from faers.sample import generate

    folder = root / str(quarter)
    reports = reports_per_quarter(quarter, scale)
    truth_file = folder / "truth.json"
    truth = json.loads(truth_file.read_text()) if truth_file.exists() else None
    if truth is None or truth.get("n_cases_generated") != reports:
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        generate(folder, full_size=True, quarters=[str(quarter)], n_cases=reports, seed=1000 + quarter.index)
        print(f"  generated {quarter}: {reports:,} reports in {time.perf_counter() - started:.1f} s", flush=True)
    archive = folder / quarter.zip_name
    with zipfile.ZipFile(archive) as zf:
        text = sum(info.file_size for info in zf.infolist())
    return Generated(quarter, folder, reports, text, archive.stat().st_size)


# --- timed stages ------------------------------------------------------------------------------------------


@dataclass
class Stage:
    """One timed child process."""

    name: str
    seconds: float
    peak_rss_bytes: int
    db_bytes: int
    returncode: int
    nodes: dict[str, float] = field(default_factory=dict)
    dbt_seconds: float | None = None
    steps: dict[str, float] = field(default_factory=dict)  # a study's timings.json: seconds per step
    tail: str = ""
    cpu_seconds: float = 0.0  # the child's user + system CPU time
    steal: float | None = None  # the machine's CPU steal during the stage (Linux), a share of its busy time


def _file_size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def cpu_jiffies() -> tuple[int, int] | None:
    """The machine's (busy, steal) CPU time in clock ticks since boot, all CPUs, from /proc/stat's first line
    (Linux); None where there is none. Busy is user + nice + system + irq + softirq; steal is the time the
    hypervisor ran something else while this machine had work."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
        user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[1:9])
    except (OSError, ValueError):
        return None
    return user + nice + system + irq + softirq, steal


def steal_share(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    """Steal over busy + steal between two cpu_jiffies() readings: the share of the CPU time the machine wanted
    that it did not get. A stage slower than another run of the same code with a higher share ran on a
    busier host."""
    if before is None or after is None:
        return None
    busy, steal = after[0] - before[0], after[1] - before[1]
    return steal / (busy + steal) if busy + steal > 0 else None


def run_stage(name: str, args: list[str], db: Path, target: Path, env: dict[str, str] | None = None) -> Stage:
    """Run ``faers <args>`` in a child process; wall time, its peak RSS, dbt's run_results.json if any.

    The stages share ``target`` as a user's commands share the checkout's target/: dbt's partial parse of
    one stage serves the next (a study compiles on the build's parse); only the last run_results.json goes."""
    (target / "run_results.json").unlink(missing_ok=True)
    child_env = {
        **os.environ,
        "FAERS_DUCKDB": str(db),
        "DBT_TARGET_PATH": str(target),
        "DBT_LOG_PATH": str(target / "logs"),
        "DBT_WRITE_JSON": "true",  # faers build/update write dbt's run_results.json only when asked
        "COLUMNS": "1000",  # the command's one-line summary on one line (rich wraps at 80 columns off a terminal)
        **(env or {}),
    }
    command = [sys.executable, "-m", "faers.cli", *args]
    print(f"{name}: faers {' '.join(args)}", flush=True)
    jiffies = cpu_jiffies()
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=child_env, cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    steal = steal_share(jiffies, cpu_jiffies())
    returncode = os.waitstatus_to_exitcode(status)
    stage = Stage(
        name,
        seconds,
        usage.ru_maxrss * 1024,
        _file_size(db),
        returncode,
        tail=output[-3000:],
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        steal=steal,
    )
    results_file = target / "run_results.json"
    if results_file.exists():
        results = json.loads(results_file.read_text())
        stage.nodes = {r["unique_id"]: float(r["execution_time"]) for r in results["results"]}
        stage.dbt_seconds = float(results["elapsed_time"])
    print(f"  {seconds:.1f} s, peak RSS {stage.peak_rss_bytes / 2**30:.2f} GiB, exit {returncode}", flush=True)
    summary = next((line.strip() for line in reversed(output.splitlines()) if line.strip()), "")
    print(f"  {summary}", flush=True)  # e.g. faers update's stages: download, load, build, change log
    if returncode != 0:
        print(output[-3000:], flush=True)
    return stage


def time_read_csv(generated: list[Generated], workdir: Path) -> tuple[float, int]:
    """DuckDB ``read_csv`` of every quarter's members into one DuckDB file (extraction untimed): seconds, rows.

    The same options as benchmarks/load.py (all text, ``$``-separated, no quoting), one ``CREATE TABLE AS``
    per member; DuckDB's own settings (the baseline is DuckDB as it comes)."""
    db = workdir / "read_csv.duckdb"
    extracted = workdir / "extracted"
    db.unlink(missing_ok=True)
    seconds, rows = 0.0, 0
    try:
        with duckdb.connect(str(db)) as conn:
            for item in generated:
                shutil.rmtree(extracted, ignore_errors=True)
                extracted.mkdir(parents=True)
                files = []
                with zipfile.ZipFile(item.folder / item.quarter.zip_name) as zf:
                    for index, info in enumerate(zf.infolist()):
                        path = extracted / f"m{index}.txt"
                        with zf.open(info) as source, path.open("wb") as sink:
                            shutil.copyfileobj(source, sink, 16 << 20)
                        files.append((path, "deleted" not in info.filename.lower()))
                started = time.perf_counter()
                for index, (path, has_header) in enumerate(files):
                    table = f"q{item.quarter.year}_{item.quarter.q}_{index}"
                    conn.execute(
                        f"CREATE TABLE {table} AS SELECT * FROM read_csv('{path}', delim = '$', quote = '', "
                        f"escape = '', header = {str(has_header).lower()}, all_varchar = true, null_padding = true)"
                    )
                    rows += conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
                seconds += time.perf_counter() - started
    finally:
        shutil.rmtree(extracted, ignore_errors=True)
        db.unlink(missing_ok=True)
    return seconds, rows


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """A local HTTP server over ``folder`` (FDA's download folder stand-in); yields its base address."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


# --- report ------------------------------------------------------------------------------------------------


def _gib(value: int) -> str:
    return f"{value / 2**30:.2f} GiB"


def warehouse_counts(db: Path) -> dict[str, object]:
    """Kept cases, drug-event cells and the MGPS fit of the built warehouse."""
    queries = {
        "report versions (raw.demo)": "select count(*) from raw.demo",
        "kept cases (dim_case)": "select count(*) from main.dim_case",
        "fct_case_drug rows": "select count(*) from main.fct_case_drug",
        "drug-event cells": "select count(*) from main.drug_event_cells",
        "mgps prior": "select alpha1, beta1, alpha2, beta2, p, converged, gradient_norm, n_converged_starts, "
        "message from main.mgps_prior",
    }
    out: dict[str, object] = {}
    with duckdb.connect(str(db), read_only=True) as conn:
        for label, query in queries.items():
            try:
                row = conn.execute(query).fetchone()
            except duckdb.Error as error:
                out[label] = f"n/a ({str(error).splitlines()[0]})"
                continue
            out[label] = row[0] if row is not None and len(row) == 1 else row
    return out


def print_report(
    stages: list[Stage], generated: list[Generated], extra: Generated, read_csv: tuple[float, int] | None
) -> None:
    text = sum(g.text_bytes for g in generated)
    reports = sum(g.reports for g in generated)
    load_avg = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    print()
    print(f"machine: {os.cpu_count()} cores, {ram / 2**30:.1f} GiB RAM, load average now {load_avg}")
    print(
        f"history: {len(generated)} quarters ({generated[0].quarter}..{generated[-1].quarter}), {reports:,} report "
        f"versions, {text / 1e9:.2f} GB of text, {sum(g.zip_bytes for g in generated) / 1e9:.2f} GB of zips; "
        f"update quarter {extra.quarter}: {extra.reports:,} reports, {extra.text_bytes / 1e6:.0f} MB of text"
    )
    # CPU s: the stage's own CPU time (its cores busy = CPU s / seconds); steal: the host's share (cpu_jiffies)
    print(f"{'stage':<34}{'seconds':>9}{'CPU s':>9}{'steal':>8}{'peak RSS':>12}{'DuckDB file':>13}")
    for stage in stages:
        flag = "" if stage.returncode == 0 else f"  FAILED (exit {stage.returncode})"
        steal = "-" if stage.steal is None else f"{100 * stage.steal:.1f}%"
        print(
            f"{stage.name:<34}{stage.seconds:>9.1f}{stage.cpu_seconds:>9.1f}{steal:>8}"
            f"{_gib(stage.peak_rss_bytes):>12}{_gib(stage.db_bytes):>13}{flag}"
        )
    load = next((s for s in stages if s.name == "faers load"), None)
    if read_csv is not None and load is not None:
        seconds, rows = read_csv
        print(
            f"faers load {text / 1e6 / load.seconds:.1f} MB/s vs DuckDB read_csv {text / 1e6 / seconds:.1f} MB/s "
            f"({seconds:.1f} s, {rows:,} rows) of the same text in this run: {load.seconds / seconds:.2f}x its time"
        )
    for stage in stages:
        if stage.nodes:
            top = sorted(stage.nodes.items(), key=lambda item: -item[1])[:12]
            models = sum(t for n, t in stage.nodes.items() if n.startswith("model."))
            tests = sum(t for n, t in stage.nodes.items() if n.startswith(("test.", "unit_test.")))
            print(
                f"{stage.name}: dbt elapsed {stage.dbt_seconds:.1f} s, {len(stage.nodes)} nodes "
                f"(models {models:.1f} s, tests {tests:.1f} s); slowest: "
                + ", ".join(f"{n.split('.')[-1]} {t:.1f}" for n, t in top)
            )
    for stage in stages:
        if stage.steps:
            top = sorted(stage.steps.items(), key=lambda item: -item[1])[:10]
            print(f"{stage.name}: slowest steps: " + ", ".join(f"{name} {seconds:.1f}" for name, seconds in top))
    build = next((s for s in stages if s.name == "faers build"), None)
    if build is not None and reports:
        zips = sum(g.zip_bytes for g in generated)
        print(
            f"disk per 100k reports: zips {zips / reports * 1e5 / 1e6:.0f} MB, text {text / reports * 1e5 / 1e6:.0f} "
            f"MB, warehouse after build {build.db_bytes / reports * 1e5 / 1e6:.0f} MB"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, required=True, help="Folder for the zips and the warehouse.")
    parser.add_argument("--scale", type=float, default=1.0, help="Fraction of FDA's reports per quarter.")
    parser.add_argument("--first", default=DEFAULT_FIRST, help="First quarter of the history.")
    parser.add_argument("--last", default=DEFAULT_LAST, help="Last quarter of the history.")
    parser.add_argument("--quarters", help="Comma-separated quarters instead of --first..--last.")
    parser.add_argument("--update-quarter", help="The quarter `faers update` adds (default: the one after).")
    parser.add_argument("--study", type=Path, default=PROJECT_DIR / "studies" / "baclofen.yml")
    parser.add_argument(
        "--second-drug",
        default="gabapentin",
        help="The drug of the second study (the first study's population: its priors come from the cache).",
    )
    parser.add_argument("--no-read-csv", action="store_true", help="Skip the read_csv baseline.")
    parser.add_argument("--keep", action="store_true", help="Keep the warehouse files at the end.")
    parser.add_argument(
        "--study-only",
        action="store_true",
        help="Time only `faers study` on the warehouse an earlier run left in --workdir (with --keep).",
    )
    parser.add_argument(
        "--load-only",
        action="store_true",
        help="Time only `faers load` (and read_csv) into a scratch DuckDB file, deleted at the end; a kept "
        "warehouse in --workdir is left as it is.",
    )
    args = parser.parse_args(argv)

    if args.scale <= 0:
        parser.error("--scale must be > 0")
    try:
        if args.quarters:
            quarters = sorted({Quarter.parse(q) for q in args.quarters.split(",") if q.strip()})
        else:
            quarters = quarter_range(Quarter.parse(args.first), Quarter.parse(args.last))
        update = Quarter.parse(args.update_quarter) if args.update_quarter else next_quarter(quarters[-1])
    except ValueError as error:
        parser.error(str(error))
    if not quarters:
        parser.error("no quarters: --first is after --last")
    if update in quarters:
        parser.error(f"--update-quarter {update} is already in the history")
    workdir: Path = args.workdir.resolve()
    zips, served, downloads = workdir / "zips", workdir / "served", workdir / "downloads"
    db, target = workdir / "warehouse.duckdb", workdir / "dbt_target"
    for folder in (zips, served):
        folder.mkdir(parents=True, exist_ok=True)

    print(f"generating {len(quarters)} quarters at scale {args.scale} into {zips} ...", flush=True)
    generated = [generate_quarter(zips, quarter, args.scale) for quarter in quarters]
    extra = generate_quarter(workdir / "update_zip", update, args.scale)
    shutil.copyfile(extra.folder / update.zip_name, served / update.zip_name)

    if args.load_only and args.study_only:
        parser.error("--load-only and --study-only exclude each other")
    if args.load_only:
        db = workdir / "load_only.duckdb"
    if args.study_only:
        if not db.is_file():
            parser.error(f"--study-only: no warehouse {db} (run once with --keep)")
        stages: list[Stage] = []
        read_csv = None
    else:
        for stale in (db, db.with_name(db.name + ".wal")):
            stale.unlink(missing_ok=True)
        shutil.rmtree(downloads, ignore_errors=True)
        stages = [run_stage("faers load", ["load", *(str(g.folder) for g in generated), "--db", str(db)], db, target)]
        read_csv = None if args.no_read_csv else time_read_csv(generated, workdir)
    if read_csv is not None:
        print(f"read_csv baseline: {read_csv[0]:.1f} s, {read_csv[1]:,} rows", flush=True)
    staged = not (args.study_only or args.load_only)
    if all(stage.returncode == 0 for stage in stages) and staged:
        stages.append(run_stage("faers build", ["build", "--db", str(db)], db, target))
    if all(stage.returncode == 0 for stage in stages) and staged:
        with serve(served) as base_url:
            stages.append(
                run_stage(
                    f"faers update (+{update}, {extra.reports:,})",
                    ["update", "--from", str(update), "--dir", str(downloads), "--base-url", base_url, "--db", str(db)],
                    db,
                    target,
                )
            )
    if all(stage.returncode == 0 for stage in stages) and not args.load_only:
        study = synthetic_study(args.study.resolve(), workdir)
        second = other_drug_study(study, workdir, args.second_drug)
        runs = (
            ("faers study --fresh (priors fitted)", study, workdir / "study", ["--fresh"]),
            (f"faers study {args.second_drug} (cached)", second, workdir / "study_second", []),
        )
        for name, file, out, flags in runs:
            if any(stage.returncode != 0 for stage in stages):
                break
            shutil.rmtree(out, ignore_errors=True)
            stages.append(run_stage(name, ["study", str(file), "--out", str(out), "--db", str(db), *flags], db, target))
            if (out / "timings.json").exists():
                stages[-1].steps = json.loads((out / "timings.json").read_text())
    complete = db.exists() and all(stage.returncode == 0 for stage in stages) and not args.load_only
    counts = warehouse_counts(db) if complete else {}
    print_report(stages, generated, extra, read_csv)
    for label, value in counts.items():
        print(f"{label}: {value:,}" if isinstance(value, int) else f"{label}: {value}")
    if args.load_only or (not args.keep and not args.study_only):
        for path in (db, db.with_name(db.name + ".wal")):
            path.unlink(missing_ok=True)
    return 0 if all(s.returncode == 0 for s in stages) else 1


if __name__ == "__main__":
    raise SystemExit(main())
