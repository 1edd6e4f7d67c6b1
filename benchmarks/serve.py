"""Benchmark of ``faers serve``: the server time of every page type on a built warehouse.

Starts the explorer (uvicorn on 127.0.0.1, a free port) over a built warehouse, requests a few hundred pages
picked from the marts (search with typos, the heaviest and random drugs with and without filters, signal pairs,
PTs, cases with several versions, status) in random order, and prints per page type the median, 95th percentile
and maximum of the server's time (the ``Server-Timing`` header: queries and rendering) and of the wall time of
the request. Target (the issue's): median under 300 ms and p95 under 1 s for every page type on a full-size
warehouse (>= 2M reports: e.g. six ``faers sample --full-size`` quarters loaded and built, see
benchmarks/warehouse.py). Exit code 1 when a page type misses it.

    python benchmarks/serve.py --db /tmp/bench/full.duckdb --pages 300
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import duckdb
import uvicorn
from rich.console import Console
from rich.table import Table

console = Console(stderr=True)
MEDIAN_MS = 300.0
P95_MS = 1000.0


@dataclass(frozen=True)
class Sample:
    kind: str
    url: str
    status: int
    server_ms: float
    wall_ms: float


def _typo(word: str, rng: random.Random) -> str:
    """The word with one letter dropped or two neighbours swapped (what a hurried analyst types)."""
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1 :] if rng.random() < 0.5 else word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def pick_urls(db: Path, n_pages: int, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, url) pairs in random order, about n_pages of them, drawn from the marts."""
    share = max(1, n_pages // 10)
    with duckdb.connect(str(db), read_only=True) as conn:

        def column(sql: str, *params: object) -> list:
            return [row[0] for row in conn.execute(sql, list(params)).fetchall()]

        heavy = column("select drug from main.explorer_drug_summary order by n_reports desc limit ?", share)
        drugs = column("select drug from main.explorer_drug_summary order by hash(drug) limit ?", share)
        names = column(
            "select term from main.explorer_search_terms where kind = 'drug_name' and reports >= 5 "
            "order by hash(term) limit ?",
            share,
        )
        pts = column(
            "select term from main.explorer_search_terms where kind = 'pt' order by hash(term) limit ?",
            share,
        )
        pairs = conn.execute(
            "select drug, pt from main.signals where n_methods >= 1 order by hash(drug, pt) limit ?",
            [share * 2],
        ).fetchall()
        heavy_pairs = conn.execute(
            "select drug, pt from main.signals where drug in (select unnest(?::varchar[])) order by a desc limit ?",
            [heavy, share],
        ).fetchall()
        cases = column(
            "select distinct case_id from main.explorer_case_versions order by hash(case_id) limit ?",
            share * 2,
        )
        multi = column(
            "select case_id from main.explorer_case_versions group by case_id having count(*) > 2 "
            "order by hash(case_id) limit ?",
            share,
        )
    urls: list[tuple[str, str]] = []
    urls += [("search", "/search?" + urlencode({"q": _typo(d, rng)})) for d in heavy + drugs]
    urls += [("search", "/search?" + urlencode({"q": n.lower()})) for n in names]
    urls += [("search", "/search?" + urlencode({"q": p.lower()[:8]})) for p in pts[: share // 2]]
    urls += [("drug", "/drug?" + urlencode({"drug": d})) for d in heavy + drugs]
    urls += [
        ("drug_filtered", "/drug?" + urlencode({"drug": d, "min_a": 3, "min_methods": 1, "sort": "ror_lower"}))
        for d in heavy[: share // 2] + drugs[: share // 2]
    ]
    urls += [("pair", "/pair?" + urlencode({"drug": d, "pt": p})) for d, p in pairs + heavy_pairs]
    urls += [("pt", "/pt?" + urlencode({"pt": p})) for p in pts[: share // 2]]
    urls += [("case", f"/case/{c}") for c in cases + multi]
    urls += [("status", "/status")] * max(3, share // 5)
    rng.shuffle(urls)
    return urls


class Server:
    """The explorer on uvicorn in a thread of this process."""

    def __init__(self, db: Path, port: int) -> None:
        from faers.serve import create_app

        config = uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.base = f"http://127.0.0.1:{port}"

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise SystemExit("the explorer did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def fetch(base: str, kind: str, url: str) -> Sample:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(base + url, timeout=60) as response:
            response.read()
            status, timing = response.status, response.headers.get("Server-Timing", "")
    except urllib.error.HTTPError as error:
        error.read()
        status, timing = error.code, error.headers.get("Server-Timing", "")
    wall = (time.perf_counter() - started) * 1000
    server = float(timing.split("dur=")[1]) if "dur=" in timing else float("nan")
    return Sample(kind, url, status, server, wall)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--db", type=Path, required=True, help="A warehouse built with its explorer tables (faers build --explorer)."
    )
    parser.add_argument("--pages", type=int, default=300, help="About how many pages to request.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=5, help="Requests before the measured ones (not counted).")
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    urls = pick_urls(args.db.resolve(), args.pages, rng)
    with duckdb.connect(str(args.db), read_only=True) as conn:
        reports = conn.execute("select count(*) from main.dim_case").fetchone()[0]  # type: ignore[index]
        cells = conn.execute("select count(*) from main.signals").fetchone()[0]  # type: ignore[index]
    console.print(f"{args.db}: {reports:,} deduplicated reports, {cells:,} signals rows; {len(urls)} pages")
    samples: list[Sample] = []
    with Server(args.db.resolve(), args.port) as server:
        for kind, url in urls[: args.warmup]:
            fetch(server.base, kind, url)
        for kind, url in urls:
            samples.append(fetch(server.base, kind, url))
    failed = [s for s in samples if s.status != 200]
    table = Table(title="faers serve: server time per page type (ms)")
    for name in ("page", "n", "median", "p95", "max", "wall median", "wall p95", "ok"):
        table.add_column(name, justify="left" if name == "page" else "right")
    missed = []
    for kind in sorted({s.kind for s in samples}):
        times = [s.server_ms for s in samples if s.kind == kind]
        walls = [s.wall_ms for s in samples if s.kind == kind]
        median, p95 = statistics.median(times), percentile(times, 0.95)
        ok = median < MEDIAN_MS and p95 < P95_MS
        if not ok:
            missed.append(kind)
        table.add_row(
            kind, str(len(times)), f"{median:.0f}", f"{p95:.0f}", f"{max(times):.0f}",
            f"{statistics.median(walls):.0f}", f"{percentile(walls, 0.95):.0f}", "yes" if ok else "NO",
        )  # fmt: skip
    Console().print(table)
    slowest = sorted(samples, key=lambda s: -s.server_ms)[:5]
    for s in slowest:
        console.print(f"slowest: {s.server_ms:.0f} ms {s.url}", markup=False)
    if failed:
        console.print(f"{len(failed)} request(s) failed: {[(s.status, s.url) for s in failed[:5]]}", markup=False)
    return 1 if missed or failed else 0


if __name__ == "__main__":
    sys.exit(main())
