"""``faers demo``: the whole product on the bundled synthetic generator, end to end."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from loaders.paths import PROJECT_DIR, warehouse_path

BACLOFEN_STUDY = PROJECT_DIR / "studies" / "baclofen.yml"


def run_demo(out: Path, db: Path | None) -> Path:
    """Sample -> load -> dbt build -> baclofen study (tables + report). Returns the report's path."""
    from faers.dbt import run_dbt
    from faers.report import write_study_report
    from faers.sample import generate
    from faers.serve.cli import serve_command
    from faers.study.run import run_study
    from loaders import load_paths

    console = Console()
    out = out.resolve()
    db_path = (db or warehouse_path()).resolve()
    zips = out / "zips"
    console.rule("[bold]1/4 synthetic FAERS sample")
    generate(zips)
    console.rule(f"[bold]2/4 load into {db_path}")
    report = load_paths([zips], db_path, progress=True)
    if report.failed:
        raise SystemExit(f"demo: {len(report.failed)} file(s) failed to load")
    console.rule("[bold]3/4 dbt build (models, seeds, data-quality tests, the explorer's tables)")
    run_dbt(["build"], db_path=db_path, dbt_vars={"explorer": True})
    console.rule("[bold]4/4 baclofen study")
    result = run_study(BACLOFEN_STUDY, out / "baclofen", db_path, report=write_study_report)
    report_path = Path(result.report_path)
    console.print(f"demo: warehouse {db_path}; study tables in {out / 'baclofen'}; report {report_path}")
    console.print(f"demo: browse the warehouse with: {serve_command(db_path)}", markup=False, soft_wrap=True)
    return report_path
