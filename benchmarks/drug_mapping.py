"""Benchmark of the drug-name mapping: the share of primary-suspect DRUG rows, and of reports, mapped to their
true ingredients, by era (LAERS 2004Q1-2012Q3 / FAERS 2012Q4 on), against the target of 98%.

A synthetic history of LAERS and FAERS quarters is generated with the full-size generator and its realistic
drug-name noise (``faers sample --full-size --drug-noise realistic``: brand-only LAERS names, prod_ai from
2014Q3 on with salts and a few blanks, doses, forms, routes, manufacturer tails, misspellings, combinations,
unknown names), one quarter in memory at a time, into a folder the user chooses; it is loaded with
``loaders.load_paths`` and built with ``dbt build`` (the drug marts and everything upstream, data tests
included).
The truth of every drug row (``drug_truth_YYYYqN.parquet``: its ingredient set) is joined to
``main.fct_case_drug`` on (primary_id, drug_seq); a row is mapped when its ingredients (from
``main.fct_case_drug_ingredient`` when the warehouse has it, else ``fct_case_drug.drug`` split on ``\\``)
equal the true set. A report counts as mapped when all its primary-suspect rows are. Rows whose true name is
an unknown (UNKNOWN, NOT REPORTED) are left out of the shares and reported apart (mapped to nothing is right).

    python benchmarks/drug_mapping.py --workdir /tmp/drug_mapping            # 5 quarters of 400k cases
    python benchmarks/drug_mapping.py --workdir /tmp/drug_mapping --cases 50000 --keep
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parent.parent
TARGET = 0.98
"""Share of primary-suspect rows and of reports mapped to the true ingredients, per era."""
DEFAULT_QUARTERS: tuple[str, ...] = ("2009Q1", "2011Q4", "2013Q2", "2016Q3", "2021Q4")
"""Two LAERS quarters, a FAERS quarter before prod_ai (2014Q3), two FAERS quarters with prod_ai."""
DEFAULT_CASES = 400_000
ERAS: tuple[str, ...] = ("LAERS", "FAERS")
DRUG_MODELS: tuple[str, ...] = ("fct_case_drug", "fct_case_drug_ingredient")
"""The marts measured; the build selects each that the project has, with everything upstream."""


@dataclass
class EraShare:
    """Mapped primary-suspect rows and reports of one era."""

    rows: int
    rows_mapped: int
    reports: int
    reports_mapped: int
    unknown_rows: int
    unknown_rows_left_unmapped: int

    @property
    def row_share(self) -> float:
        return self.rows_mapped / self.rows if self.rows else 0.0

    @property
    def report_share(self) -> float:
        return self.reports_mapped / self.reports if self.reports else 0.0


@dataclass
class MappingResult:
    """Shares by era, rows by mapping_source (when the warehouse records it), the most frequent misses, and
    the seconds of each stage."""

    eras: dict[str, EraShare]
    by_source: list[tuple[str, str, int, int]] = field(default_factory=list)
    misses: list[tuple[str, str, str | None, int]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    history: str = ""

    def meets_target(self, target: float = TARGET) -> bool:
        return all(e.row_share >= target and e.report_share >= target for e in self.eras.values())

    def summary(self) -> str:
        lines = [f"{'era':<6} {'PS rows':>9} {'mapped':>7} {'reports':>9} {'mapped':>7}  target"]
        for era, share in self.eras.items():
            lines.append(
                f"{era:<6} {share.rows:>9,} {share.row_share:>7.2%} {share.reports:>9,} {share.report_share:>7.2%}"
                f"  {TARGET:.0%}"
            )
        for era, share in self.eras.items():
            lines.append(
                f"{era}: {share.unknown_rows:,} PS rows with an unknown name, "
                f"{share.unknown_rows_left_unmapped:,} of them left without ingredient"
            )
        if self.by_source:
            lines.append("by mapping_source (era, source, PS rows, mapped to the true ingredients):")
            lines += [f"  {era:<6} {source:<14} {rows:>9,} {ok:>9,}" for era, source, rows, ok in self.by_source]
        if self.misses:
            lines.append("most frequent misses (raw name, true ingredients, mapped, PS rows):")
            lines += [f"  {name!r} -> {true!r}, got {got!r}: {n:,}" for name, true, got, n in self.misses]
        if self.seconds:
            lines.append("seconds: " + ", ".join(f"{stage} {s:.1f}" for stage, s in self.seconds.items()))
        return "\n".join(lines)


def generate_history(sample_dir: Path, quarters: list[str], cases: int, seed: int) -> None:
    """The synthetic history with realistic drug-name noise (one quarter in memory at a time)."""
    from faers.sample import generate

    generate(sample_dir, quarters=quarters, n_cases=cases, seed=seed, full_size=True, drug_noise="realistic")


def load_history(sample_dir: Path, db_path: Path) -> None:
    from loaders import load_paths

    report = load_paths([sample_dir], db_path, progress=False)
    if report.failed:
        raise RuntimeError(f"load failed: {report.failed}")


def drug_models() -> list[str]:
    """The measured marts this project has."""
    return [m for m in DRUG_MODELS if any(PROJECT_DIR.glob(f"models/**/{m}.sql"))]


def build(db_path: Path) -> None:
    """``dbt build`` of the drug marts and everything upstream (seeds, staging, dedup, name mapping) with their
    data tests; unit tests (which do not read the data) are left to the test suite."""
    from faers.dbt import run_dbt

    options = ["--quiet", "--indirect-selection", "cautious", "--exclude-resource-type", "unit_test"]
    run_dbt(["build", *options, "--select", *(f"+{m}" for m in drug_models())], db_path=db_path)


def _columns(conn: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = conn.execute(
        "select column_name from information_schema.columns where table_schema = 'main' and table_name = ?",
        [table],
    ).fetchall()
    return {name for (name,) in rows}


def measure(db_path: Path, sample_dir: Path, n_misses: int = 15) -> MappingResult:
    """Join the drug-row truth to the warehouse and count, by era, what maps to the true ingredients."""
    conn = duckdb.connect(str(db_path), read_only=True)
    try:
        if _columns(conn, "fct_case_drug_ingredient"):
            mapped = """
                select primary_id, drug_seq,
                    array_to_string(list_sort(list_distinct(list(ingredient))), '\\') as mapped
                from main.fct_case_drug_ingredient
                where ingredient is not null
                group by primary_id, drug_seq
            """
        else:
            mapped = """
                select primary_id, drug_seq,
                    array_to_string(list_sort(list_distinct(string_split(drug, '\\'))), '\\') as mapped
                from main.fct_case_drug
                where drug is not null
            """
        source = "drugs.mapping_source" if "mapping_source" in _columns(conn, "fct_case_drug") else "null"
        truth_glob = str(sample_dir / "drug_truth_*.parquet")
        conn.execute(
            f"""
            create temp table ps_rows as
            with truth as (
                select * from read_parquet('{truth_glob}') where role_cod = 'PS'
            ),
            mapped as ({mapped})
            select
                case when truth.quarter < '2012Q4' then 'LAERS' else 'FAERS' end as era,
                truth.primary_id,
                truth.drug_seq,
                truth.ingredients,
                drugs.drug_name,
                {source} as mapping_source,
                mapped.mapped,
                mapped.mapped is not distinct from nullif(truth.ingredients, '') as is_right
            from truth
            inner join main.fct_case_drug as drugs
                on truth.primary_id = drugs.primary_id and truth.drug_seq = drugs.drug_seq
            left join mapped
                on truth.primary_id = mapped.primary_id and truth.drug_seq = mapped.drug_seq
            """
        )
        eras: dict[str, EraShare] = {}
        for era in ERAS:
            known = conn.execute(
                "select count(*), count(*) filter (where is_right) from ps_rows where era = ? and ingredients <> ''",
                [era],
            ).fetchall()[0]
            reports = conn.execute(
                """
                select count(*), count(*) filter (where all_right) from (
                    select primary_id, bool_and(is_right) as all_right from ps_rows
                    where era = ? and ingredients <> '' group by primary_id
                )
                """,
                [era],
            ).fetchall()[0]
            unknown = conn.execute(
                "select count(*), count(*) filter (where is_right) from ps_rows where era = ? and ingredients = ''",
                [era],
            ).fetchall()[0]
            eras[era] = EraShare(known[0], known[1], reports[0], reports[1], unknown[0], unknown[1])
        by_source = conn.execute(
            """
            select era, coalesce(mapping_source, '(none)'), count(*), count(*) filter (where is_right)
            from ps_rows where ingredients <> ''
            group by all order by era desc, 3 desc
            """
        ).fetchall()
        misses = conn.execute(
            f"""
            select drug_name, ingredients, mapped, count(*) from ps_rows
            where not is_right and ingredients <> ''
            group by all order by 4 desc, 1 limit {int(n_misses)}
            """
        ).fetchall()
    finally:
        conn.close()
    if source == "null":
        by_source = []
    return MappingResult(eras=eras, by_source=by_source, misses=misses)


def run(workdir: Path, quarters: list[str], cases: int, seed: int, reuse: bool = False) -> MappingResult:
    """Generate (unless ``reuse`` and already there), load, build and measure; time each stage."""
    sample_dir, db_path = workdir / "sample", workdir / "warehouse.duckdb"
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    if not (reuse and (sample_dir / "truth.json").exists()):
        shutil.rmtree(sample_dir, ignore_errors=True)
        generate_history(sample_dir, quarters, cases, seed)
        seconds["generate"] = time.perf_counter() - started
    if not (reuse and db_path.exists()):
        db_path.unlink(missing_ok=True)
        started = time.perf_counter()
        load_history(sample_dir, db_path)
        seconds["load"] = time.perf_counter() - started
    started = time.perf_counter()
    build(db_path)
    seconds["dbt build"] = time.perf_counter() - started
    started = time.perf_counter()
    result = measure(db_path, sample_dir)
    seconds["measure"] = time.perf_counter() - started
    result.seconds = seconds
    truth = json.loads((sample_dir / "truth.json").read_text(encoding="utf-8"))
    result.history = (
        f"quarters {', '.join(truth['quarters'])}: {truth['n_cases_generated']:,} cases, seed {truth['seed']}, "
        f"drug noise {truth['drug_noise']}"
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, required=True, help="folder for the sample and the warehouse")
    parser.add_argument("--quarters", default=",".join(DEFAULT_QUARTERS), help="comma-separated quarters")
    parser.add_argument("--cases", type=int, default=DEFAULT_CASES, help="cases per quarter")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--reuse", action="store_true", help="reuse the sample and warehouse already in workdir")
    parser.add_argument("--keep", action="store_true", help="keep the workdir (default: removed at the end)")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    quarters = [q.strip() for q in args.quarters.split(",") if q.strip()]
    try:
        result = run(args.workdir, quarters, args.cases, args.seed, reuse=args.reuse)
    finally:
        if not args.keep:
            shutil.rmtree(args.workdir / "sample", ignore_errors=True)
            (args.workdir / "warehouse.duckdb").unlink(missing_ok=True)
    print(result.history)
    print(result.summary())
    return 0 if result.meets_target() else 1


if __name__ == "__main__":
    sys.exit(main())
