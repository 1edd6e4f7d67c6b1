"""``generate()``: write the sample's zips and truth.json into a folder."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from faers.sample.cases import build_sample
from faers.sample.render import render_quarter
from faers.sample.truth import SampleTruth, compute_truth
from faers.sample.write import ZipStats, check_out_dir, write_quarter_zip

TRUTH_FILE = "truth.json"

Progress = Callable[[str], None]


def generate(
    out_dir: Path,
    *,
    quarters: Sequence[str] | None = None,
    n_cases: int | None = None,
    seed: int = 42,
    full_size: bool = False,
    drug_noise: str | None = None,
    on_step: Progress | None = None,
) -> SampleTruth:
    """Write ``faers_ascii_YYYYqN.zip`` / ``aers_ascii_YYYYqN.zip`` and ``truth.json`` into ``out_dir``.

    Default: the quarters of ``cases.DEFAULT_QUARTERS`` and 5,000 distinct cases. ``full_size=True`` writes
    full-size quarters instead (``quarters``: LAERS or FAERS, default 2023Q4; ``n_cases`` per quarter, default
    400k). ``drug_noise`` (drugnames.NOISE_MODES): ``basic`` (the default sample's default: every drug name
    maps with seeds/drug_synonyms.csv) or ``realistic`` (the full-size default: the drug-name noise of real
    FAERS, drugnames.py). Same arguments, same bytes. ``on_step`` receives a short message per finished step.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if full_size:
        from faers.sample.fullsize import generate_full_size

        return generate_full_size(
            out_dir,
            quarters=quarters,
            n_cases=n_cases,
            seed=seed,
            drug_noise=drug_noise or "realistic",
            on_step=on_step,
        )
    sample = build_sample(quarters, n_cases, seed, drug_noise=drug_noise or "basic")
    check_out_dir(out_dir, {q.zip_name for q in sample.quarters})
    if on_step:
        on_step(f"built {sample.n_cases:,} cases in memory")
    stats: dict[str, ZipStats] = {}
    for quarter in sample.quarters:
        tables = render_quarter(quarter, sample.reports[quarter])
        zip_stats = write_quarter_zip(out_dir, quarter, tables, sample.deleted.get(quarter))
        stats[zip_stats.name] = zip_stats
        if on_step:
            on_step(f"wrote {zip_stats.name}")
    truth = compute_truth(sample, stats)
    truth.write(out_dir / TRUTH_FILE)
    return truth
