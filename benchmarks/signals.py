"""Benchmark: the whole signals build at FAERS scale, and vigipy's equivalent methods on the same table.

    python benchmarks/signals.py                      # 15M reports, 5,000 drugs x 15,000 PTs (~3.7M cells)
    python benchmarks/signals.py --reports 1000000    # a quick run
    python benchmarks/signals.py --no-vigipy

1. Generates (untimed, cached in --db) a synthetic report-level dataset shaped like FAERS: one primary
   suspect drug per report (Zipf-like popularity), 30% of reports with a secondary suspect (not counted
   under the default suspect_roles), 1-6 PTs per report drawn 65% from a drug-specific profile of 40 PTs
   and 35% from a Zipf-like global distribution. It is written as main.fct_case_drug / main.fct_case_reaction,
   the inputs of the signals models.
2. Ours (timed, own process): ``dbt run --select drug_event_cells mgps_prior signals``: cells, the MGPS
   prior fit (var mgps_likelihood) and every statistic of the mart, dbt start-up included.
3. vigipy (timed, own process; optional ``pip install vigipy``): convert() of the same (drug, pt, a) cell
   table, then gps() (its MLE prior fit), bcpnn(), ror(), prr(), with min_events=1 so that every cell is
   scored. vigipy derives margins from the cell counts, not from reports: the same work, slightly
   different margins.

Prints seconds, peak resident memory of each process and the ratios; 2 cores is the reference machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
from rich.console import Console
from rich.table import Table

console = Console(stderr=True)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def generate(db: Path, *, reports: int, drugs: int, pts: int) -> dict[str, int]:
    """Write the synthetic report-level inputs into ``db`` (replacing them)."""
    conn = duckdb.connect(str(db))
    conn.execute("create schema if not exists main")
    conn.execute(
        f"""
        create or replace table main.fct_case_drug as
        with reports as (
            select range as primary_id, hash(range, 1) as h1, hash(range, 2) as h2 from range({reports})
        )
        select
            primary_id,
            primary_id as case_id,
            1::bigint as drug_seq,
            'PS' as role_cod,
            'drug_' || floor({drugs} * pow((h1 % 1000003) / 1000003.0, 3.2))::integer as drug
        from reports
        union all
        select
            primary_id,
            primary_id,
            2,
            'SS',
            'drug_' || floor({drugs} * pow((h2 % 1000003) / 1000003.0, 2.2))::integer
        from reports
        where h2 % 10 < 3
        """
    )
    conn.execute(
        f"""
        create or replace table main.fct_case_reaction as
        with primary_suspects as (
            select primary_id, drug from main.fct_case_drug where role_cod = 'PS'
        ),
        slots as (
            select primary_suspects.primary_id, primary_suspects.drug, k, hash(primary_id, k, 3) as h
            from primary_suspects, range(6) as r(k)
            where k = 0 or hash(primary_id, 9) % 100
                < (case k when 1 then 50 when 2 then 25 when 3 then 10 when 4 then 5 else 2 end)
        )
        select distinct
            primary_id,
            primary_id as case_id,
            'pt_' || case
                when h % 100 < 65 then hash(drug, (h // 100) % 40) % {pts}
                else floor({pts} * pow(((h // 100) % 1000003) / 1000003.0, 9.0))::bigint
            end as pt
        from slots
        """
    )
    counts = {
        "drug_rows": conn.execute("select count(*) from main.fct_case_drug").fetchone()[0],  # type: ignore[index]
        "reaction_rows": conn.execute("select count(*) from main.fct_case_reaction").fetchone()[0],  # type: ignore[index]
    }
    conn.close()
    return counts


def phase_ours(db: Path, likelihood: str) -> dict[str, Any]:
    """dbt run of the three signal models; returns timings and what was built."""
    from faers.dbt import run_dbt

    start = time.perf_counter()
    result = run_dbt(
        ["run", "--select", "drug_event_cells mgps_prior signals", "--quiet"],
        db_path=db,
        dbt_vars={"mgps_likelihood": likelihood},
    )
    seconds = time.perf_counter() - start
    models = {r.node.name: round(float(r.execution_time), 2) for r in result.result}
    return {"seconds": seconds, "peak_mb": _peak_mb(), "models": models}


def describe_build(db: Path) -> dict[str, Any]:
    """What the signals build produced (read after the build process has exited)."""
    conn = duckdb.connect(str(db), read_only=True)
    cells, n = conn.execute("select count(*), max(n) from main.drug_event_cells").fetchone()  # type: ignore[misc]
    prior = conn.execute(
        "select likelihood, converged, boundary, is_usable, neg_log_likelihood, "
        "alpha1, beta1, alpha2, beta2, p from main.mgps_prior"
    ).fetchone()
    eb05_nulls = conn.execute("select count(*) - count(eb05) from main.signals").fetchone()[0]  # type: ignore[index]
    conn.close()
    return {"cells": cells, "n": n, "prior": prior, "eb05_nulls": eb05_nulls}


def phase_vigipy(db: Path) -> dict[str, Any]:
    """vigipy's GPS, BCPNN, ROR and PRR on the same (drug, pt, a) cells."""
    import vigipy

    conn = duckdb.connect(str(db), read_only=True)
    frame = conn.execute("select drug, pt, a from main.drug_event_cells").df()
    conn.close()
    timings: dict[str, float] = {}
    start = time.perf_counter()
    t0 = time.perf_counter()
    container = vigipy.convert(frame, product_label="drug", ae_label="pt", count_label="a")
    timings["convert"] = time.perf_counter() - t0
    methods = (("gps", vigipy.gps), ("bcpnn", vigipy.bcpnn), ("ror", vigipy.ror), ("prr", vigipy.prr))
    for name, method in methods:
        t0 = time.perf_counter()
        method(container, min_events=1, decision_metric="signals", decision_thres=0.0)
        timings[name] = round(time.perf_counter() - t0, 2)
    return {"seconds": time.perf_counter() - start, "peak_mb": _peak_mb(), "models": timings}


def _run_phase(phase: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run one phase in its own process (its own peak memory); return its JSON report."""
    command = [sys.executable, __file__, "--phase", phase, "--db", str(args.db)]
    command += ["--likelihood", args.likelihood]
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=os.environ.copy())
    if done.returncode != 0:
        raise RuntimeError(f"{phase} phase failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=Path("/tmp/faers_bench_signals.duckdb"))
    parser.add_argument("--reports", type=int, default=15_000_000)
    parser.add_argument("--drugs", type=int, default=5_000)
    parser.add_argument("--pts", type=int, default=15_000)
    parser.add_argument("--likelihood", choices=["full", "truncated"], default="full")
    parser.add_argument("--regenerate", action="store_true", help="Rebuild the synthetic inputs.")
    parser.add_argument("--no-vigipy", action="store_true", help="Skip the vigipy comparison.")
    parser.add_argument("--phase", choices=["ours", "vigipy"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase == "ours":
        print(json.dumps(phase_ours(args.db, args.likelihood), default=str))
        return
    if args.phase == "vigipy":
        print(json.dumps(phase_vigipy(args.db), default=str))
        return

    if args.regenerate or not args.db.exists():
        args.db.unlink(missing_ok=True)
        with console.status(f"generating {args.reports:,} synthetic reports into {args.db} (untimed)"):
            start = time.perf_counter()
            counts = generate(args.db, reports=args.reports, drugs=args.drugs, pts=args.pts)
        console.print(f"generated {counts} in {time.perf_counter() - start:.1f} s")

    with console.status("ours: dbt run drug_event_cells mgps_prior signals"):
        ours = _run_phase("ours", args)
    ours.update(describe_build(args.db))
    console.print(f"ours: {ours['seconds']:.1f} s, peak {ours['peak_mb']:.0f} MB, models {ours['models']}")
    console.print(f"  cells {ours['cells']:,}, N {ours['n']:,}, prior {ours['prior']}")
    console.print(f"  rows without eb05: {ours['eb05_nulls']:,}")

    vigi: dict[str, Any] | None = None
    if not args.no_vigipy:
        try:
            import vigipy  # noqa: F401
        except ImportError:
            console.print("vigipy is not installed (pip install vigipy): comparison skipped")
        else:
            with console.status("vigipy: convert + gps + bcpnn + ror + prr"):
                try:
                    vigi = _run_phase("vigipy", args)
                except RuntimeError as error:
                    console.print(f"vigipy failed: {error}")
            if vigi:
                console.print(f"vigipy: {vigi['seconds']:.1f} s, peak {vigi['peak_mb']:.0f} MB, {vigi['models']}")

    table = Table(title=f"signals build, {ours['cells']:,} cells, N = {ours['n']:,}, {os.cpu_count()} cores")
    for column in ("", "seconds", "peak MB"):
        table.add_column(column, justify="right")
    table.add_row("faers (dbt)", f"{ours['seconds']:.1f}", f"{ours['peak_mb']:.0f}")
    if vigi:
        table.add_row("vigipy", f"{vigi['seconds']:.1f}", f"{vigi['peak_mb']:.0f}")
        table.add_row(
            "ratio vigipy/faers",
            f"{vigi['seconds'] / ours['seconds']:.1f}x",
            f"{vigi['peak_mb'] / ours['peak_mb']:.2f}x",
        )
    console.print(table)
    ratio = f", {vigi['seconds'] / ours['seconds']:.1f}x faster than vigipy" if vigi else ""
    print(f"signals build: {ours['seconds']:.1f} s for {ours['cells']:,} cells (peak {ours['peak_mb']:.0f} MB){ratio}")


if __name__ == "__main__":
    main()
