"""``faers sample``: the command-line shell over :func:`faers.sample.generate`."""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console

from faers.errors import BadInputError
from faers.sample.generate import TRUTH_FILE, generate
from loaders.quarters import QuarterError


def run_sample(
    out: Path, quarters: str | None, cases: int | None, seed: int, full_size: bool, drug_noise: str | None = None
) -> None:
    """Write the sample into ``out`` with progress messages and a one-line summary; user errors exit 2."""
    console = Console(stderr=True, log_path=False, soft_wrap=True)
    quarter_list = [q.strip() for q in quarters.split(",") if q.strip()] if quarters else None
    started = time.perf_counter()
    try:
        with console.status("generating the synthetic FAERS sample") as status:

            def step(message: str) -> None:
                console.log(message)
                status.update(message)

            truth = generate(
                out,
                quarters=quarter_list,
                n_cases=cases,
                seed=seed,
                full_size=full_size,
                drug_noise=drug_noise,
                on_step=step,
            )
    except (QuarterError, ValueError, FileExistsError) as error:
        raise BadInputError(str(error)) from error
    elapsed = time.perf_counter() - started
    n_zips = len(truth.files)
    Console(soft_wrap=True).print(
        f"faers sample: {n_zips} zip(s) for {', '.join(truth.quarters)}, {truth.n_cases_generated:,} cases, "
        f"{truth.dedup['n_cases']:,} after dedup, seed {truth.seed}, in {elapsed:.1f} s -> {out} "
        f"(ground truth: {out / TRUTH_FILE})"
    )
