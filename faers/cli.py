"""The ``faers`` command. Each sub-command is a thin shell over one module; imports are lazy so that
``faers --help`` stays fast.

``FaersGroup.main`` is the one place where every command ends (the console script and ``CliRunner`` both
go through it): any exception becomes one line on stderr, "faers COMMAND: what happened: what to do"
(``faers.errors.describe``), and a non-zero exit code; Ctrl-C exits 130 saying what was kept. ``--debug``
(anywhere on the command line) prints the traceback first.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

# click's exception base as this typer release ships it (typer vendors click): usage errors, exit code 2
ClickException: type[Exception] = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")

INTERRUPTED = {
    "load": "the quarter being loaded was rolled back; quarters loaded before it are kept",
    "build": "the build is recorded as interrupted; run `faers build` again before reading the marts",
    "update": "run `faers update` again: it resumes this build",
    "study": "nothing was written to the output folder",
    "report": "no report was written",
    "download": "finished files are kept and the partial one is resumed by the next run",
    "load-meddra": "nothing was loaded (one transaction)",
    "sample": "the zips written so far are complete; run the same command again (same seed, same bytes)",
    "demo": "run `faers demo` again",
}
"""What a Ctrl-C left behind, per command (default: nothing was written)."""


class _Interrupted(Exception):
    """Ctrl-C in a command, carried past typer (which would turn it into a silent exit 130)."""


class FaersGroup(TyperGroup):
    """The ``faers`` group: runs a command and turns every failure into one line and an exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as error:
            raise _Interrupted from error

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in argv
        if debug:  # accepted after the command name too
            argv = ["--debug", *(arg for arg in argv if arg != "--debug")]
        command = next((arg for arg in argv if not arg.startswith("-")), "")
        prefix = f"faers {command}".strip()
        try:
            code = super().main(argv, prog_name or "faers", complete_var, standalone_mode=False, **extra)
        except (_Interrupted, KeyboardInterrupt, typer.Abort):
            if debug:
                traceback.print_exc()
            _fail(f"{prefix}: interrupted (Ctrl-C); {INTERRUPTED.get(command, 'nothing was written')}", 130)
        except ClickException as error:  # a bad option or argument: click's message, exit 2
            if type(error).__name__ == "NoArgsIsHelpError":
                error.show()  # type: ignore[attr-defined]
                sys.exit(0)
            _fail(f"{prefix}: {error.format_message()} (see `{prefix} --help`)", error.exit_code)  # type: ignore[attr-defined]
        except typer.Exit as error:
            sys.exit(error.exit_code)
        except Exception as error:
            from faers.errors import describe

            if debug:
                traceback.print_exc()
            message, exit_code = describe(error)
            _fail(f"{prefix}: {message}", exit_code)
        sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int) -> NoReturn:
    typer.secho(" ".join(message.split()), err=True, fg="red")
    sys.exit(code)


app = typer.Typer(
    cls=FaersGroup,
    help="FAERS signal warehouse: load FDA quarterly zips into DuckDB, build the dbt warehouse, detect signals.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _options(
    debug: Annotated[bool, typer.Option("--debug", help="On an error, also print the Python traceback.")] = False,
) -> None:
    """FAERS signal warehouse: load FDA quarterly zips into DuckDB, build the dbt warehouse, detect signals."""


DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="DuckDB file (default: $FAERS_DUCKDB or warehouse.duckdb at the repo root)."),
]
VarsOption = Annotated[
    str | None,
    typer.Option(
        "--vars",
        help="dbt vars for the build as YAML/JSON, as `dbt build --vars`, e.g. '{chi2_yates: false}' "
        "(allowed values: dbt_project.yml).",
    ),
]


def _dbt_vars(text: str | None) -> dict[str, object]:
    """The --vars option as a mapping; a malformed one ends the command with one line (exit 2)."""
    from faers.errors import BadInputError
    from faers.vars import VarsError, parse_vars_option

    try:
        return parse_vars_option(text)
    except VarsError as exc:
        raise BadInputError(str(exc)) from exc


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="FAERS/LAERS quarterly zips, or folders holding them.")],
    db: DbOption = None,
    format_: Annotated[
        str,
        typer.Option(
            "--format",
            help="duckdb (default): raw.* in the warehouse file; parquet: raw tables as Parquet partitioned "
            "by quarter under --out (the Spark target's sources).",
        ),
    ] = "duckdb",
    out: Annotated[
        Path | None, typer.Option("--out", help="With --format parquet: the folder (default $FAERS_RAW_PARQUET).")
    ] = None,
) -> None:
    """Stream FDA quarterly ASCII zips into the raw schema (one transaction per quarter), or as Parquet.

    Failed files end in one FaersError line naming them (a LoadError and Ctrl-C propagate too: ``main``
    turns each into its one-line message)."""
    from faers.errors import BadInputError, FaersError
    from loaders.cli import load_with_summary
    from loaders.parquet import raw_parquet_dir

    if format_ not in ("duckdb", "parquet"):
        raise BadInputError(f"--format: expected duckdb or parquet, got {format_!r}")
    if format_ == "duckdb" and out is not None:
        raise BadInputError("--out needs --format parquet (the DuckDB file is --db)")
    parquet_dir = (out or raw_parquet_dir()) if format_ == "parquet" else None
    report = load_with_summary(paths, db, parquet_dir)
    if report.failed:
        named = "; ".join(failure.message for failure in report.failed[:3])
        more = f" and {len(report.failed) - 3} more" if len(report.failed) > 3 else ""
        raise FaersError(
            f"{len(report.failed)} file(s) failed ({named}{more}); the other quarters are loaded: fix or remove "
            "the failed files, then run `faers load` again"
        )


@app.command()
def sample(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the zips into.")],
    quarters: Annotated[
        str | None, typer.Option("--quarters", help="Comma-separated quarters, e.g. 2012Q2,2012Q3,2019Q1.")
    ] = None,
    cases: Annotated[
        int | None, typer.Option("--cases", help="Number of distinct cases (--full-size: per quarter).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same bytes).")] = 42,
    full_size: Annotated[
        bool,
        typer.Option(
            "--full-size", help="Realistic full-size quarters (~400k cases each, default 2023Q4) for benchmarks."
        ),
    ] = False,
    drug_noise: Annotated[
        str | None,
        typer.Option(
            "--drug-noise",
            help="Drug names: 'basic' (default sample's default; every name in seeds/drug_synonyms.csv) or "
            "'realistic' (--full-size default: brand-only LAERS names, doses, salts, manufacturer tails, "
            "combinations, misspellings, unknowns).",
        ),
    ] = None,
) -> None:
    """Write a deterministic synthetic FAERS sample in FDA's exact zip layout, with planted signals."""
    from faers.sample.cli import run_sample

    run_sample(out=out, quarters=quarters, cases=cases, seed=seed, full_size=full_size, drug_noise=drug_noise)


@app.command()
def build(
    db: DbOption = None,
    select: Annotated[str | None, typer.Option("--select", "-s", help="dbt selection.")] = None,
    dbt_vars: VarsOption = None,
    target: Annotated[
        str,
        typer.Option(
            "--target",
            help="duckdb (default: the warehouse file) or spark (a local PySpark session on the Parquet of "
            "`faers load --format parquet`; pip extra spark, docs/scaling.md).",
        ),
    ] = "duckdb",
    explorer: Annotated[
        bool,
        typer.Option(
            "--explorer",
            help="Also build the tables of `faers serve` (var explorer; models/marts/explorer).",
        ),
    ] = False,
) -> None:
    """Run ``dbt build`` (models, seeds and data-quality tests) on the warehouse."""
    from faers.dbt import run_dbt
    from faers.errors import BadInputError, FaersError
    from loaders.paths import warehouse_path

    build_vars = {**_dbt_vars(dbt_vars), **({"explorer": True} if explorer else {})}
    if target not in ("duckdb", "spark"):
        raise BadInputError(f"--target: expected duckdb or spark, got {target!r}")
    if target == "spark":
        from faers.spark import run_dbt_spark

        if db is not None:
            raise BadInputError("--db is the DuckDB file; the Spark target writes to $FAERS_SPARK_WAREHOUSE")
        run_dbt_spark(["build", *(["--select", select] if select else [])], dbt_vars=build_vars)
        return
    path = (db or warehouse_path()).resolve()
    if not path.is_file():
        raise FaersError(f"no warehouse at {path}: run `faers load DIR` first (or pass --db)")
    run_dbt(["build", *(["--select", select] if select else [])], db_path=path, dbt_vars=build_vars)


@app.command()
def status(db: DbOption = None) -> None:
    """Quarters loaded (line accounting, rejects), the last complete build, an incomplete one, MedDRA, the prior.

    Exit code 1 when a build is incomplete (`faers report` and `faers study` then refuse the warehouse).
    """
    from faers.status import run_status

    run_status(db)


@app.command("load-meddra")
def load_meddra(
    folder: Annotated[Path, typer.Argument(help="MedDRA ASCII distribution folder (mdhier.asc, pt.asc, ...).")],
    db: DbOption = None,
) -> None:
    """Load the licensed MedDRA hierarchy (MSSO ASCII files) into the warehouse."""
    from faers.meddra import run_load_meddra

    run_load_meddra(folder, db)


@app.command("load-rxnorm")
def load_rxnorm(
    folder: Annotated[Path, typer.Argument(help="NLM's RxNorm release folder (rrf/RXNCONSO.RRF, rrf/RXNREL.RRF).")],
    db: DbOption = None,
) -> None:
    """Load NLM's RxNorm (RRF files) into the warehouse: drug names then resolve through it at `faers build`."""
    from faers.rxnorm import run_load_rxnorm

    run_load_rxnorm(folder, db)


@app.command()
def drugs(
    search: Annotated[str, typer.Argument(help="A drug: active ingredient, brand or raw name (any case).")],
    db: DbOption = None,
    threshold: Annotated[
        float, typer.Option("--similarity", help="Jaro-Winkler similarity from which an unmapped name is listed.")
    ] = 0.85,
) -> None:
    """Every raw drug name mapped to a drug, and the unmapped names similar to it, with report counts."""
    from faers.drugs import run_drugs

    run_drugs(search, db, threshold=threshold)


@app.command()
def study(
    file: Annotated[Path, typer.Argument(help="Study file (YAML).")],
    out: Annotated[Path, typer.Option("--out", help="Output folder for tables and the report.")],
    db: DbOption = None,
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh",
            help="Fit the MGPS priors again even when an earlier study of this build and population cached them.",
        ),
    ] = False,
) -> None:
    """Run a whole disproportionality study from a study file: tables (CSV, Parquet) and the report.

    The priors of the study's populations (every drug's cells, the costly part) are cached beside the
    warehouse (<warehouse>.study_cache/) for the next study of any drug on the same build and population."""
    from faers.report import write_study_report
    from faers.study.run import run_study

    run_study(file, out, db, report=write_study_report, fresh=fresh)


@app.command()
def report(
    drug: Annotated[str, typer.Option("--drug", help="Drug (active ingredient or brand name).")],
    out: Annotated[Path, typer.Option("--out", help="HTML file to write.")] = Path("report.html"),
    scope: Annotated[
        str | None, typer.Option("--scope", help="soc:/hlgt:/hlt:/pt: prefix, a MedDRA name, or PTs separated by ';'.")
    ] = None,
    study: Annotated[
        Path | None, typer.Option("--study", help="A `faers study` output folder (default: the marts only).")
    ] = None,
    figures: Annotated[
        str | None, typer.Option("--figures", help="Also write each figure as png,svg next to the report.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Render the self-contained HTML report (Plotly forest plots) for a drug from the marts or a study folder."""
    from faers.report.cli import run_report

    formats = tuple(f.strip() for f in figures.split(",") if f.strip()) if figures else ()
    run_report(drug=drug, out=out, scope=scope, db=db, study=study, figure_formats=formats)


@app.command()
def export(
    to: Annotated[Path, typer.Option("--to", help="Folder to write the Parquet files into.")],
    db: DbOption = None,
) -> None:
    """Write every mart as Parquet (case-level marts partitioned by quarter) for other tools."""
    from faers.export import run_export

    run_export(to=to, db=db)


@app.command()
def download(
    from_quarter: Annotated[str, typer.Option("--from", help="First quarter, e.g. 2004Q1.")] = "2004Q1",
    to_quarter: Annotated[str, typer.Option("--to", help="Last quarter, or 'latest'.")] = "latest",
    folder: Annotated[Path, typer.Option("--dir", help="Download folder.")] = Path("data/faers"),
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="FDA's base address (default: fis.fda.gov).")
    ] = None,
) -> None:
    """Download FDA's quarterly ASCII zips (resumable, verified, with a manifest)."""
    from faers.download.cli import run_download

    run_download(from_quarter=from_quarter, to_quarter=to_quarter, folder=folder, base_url=base_url)


@app.command()
def update(
    from_quarter: Annotated[
        str | None,
        typer.Option("--from", help="First quarter to probe (default: earliest in the manifest, else 2004Q1)."),
    ] = None,
    folder: Annotated[Path, typer.Option("--dir", help="Download folder.")] = Path("data/faers"),
    base_url: Annotated[str | None, typer.Option("--base-url", help="FDA's base address.")] = None,
    db: DbOption = None,
    dbt_vars: VarsOption = None,
) -> None:
    """Download new quarters, load them, rebuild, and log how the signals changed."""
    from faers.download.update import run_update

    run_update(folder=folder, base_url=base_url, db=db, from_quarter=from_quarter, dbt_vars=_dbt_vars(dbt_vars))


@app.command()
def serve(
    db: DbOption = None,
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    host: Annotated[
        str, typer.Option("--host", help="Address to bind (default 127.0.0.1: this machine only).")
    ] = "127.0.0.1",
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds a page's query may run before it is stopped.")
    ] = 10.0,
) -> None:
    """Browse the warehouse in a web browser: search, drug signals, drug-event pairs, cases, status (read-only)."""
    from faers.serve.cli import run_serve

    run_serve(db, host=host, port=port, timeout=timeout)


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Working folder for the demo.")] = Path("demo"),
    db: DbOption = None,
) -> None:
    """Sample -> load -> dbt build -> baclofen study -> report, on the bundled synthetic generator."""
    from faers.demo import run_demo

    run_demo(out=out, db=db)


if __name__ == "__main__":
    app()
