"""What tests/spark builds on both engines: the compared marts, the builds' vars and dbt arguments."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

# every mart of the default build, compared (a table of schema main on either engine that is not here fails)
MARTS = (
    "dim_case",
    "drug_name_audit",
    "fct_case_drug",
    "fct_case_drug_ingredient",
    "fct_case_indication",
    "fct_case_outcome",
    "fct_case_reaction",
    "fct_case_report_source",
    "fct_case_therapy",
    "drug_event_cells",
    "mgps_prior_fit",
    "mgps_prior",
    "signals",
    "tto",
)
# what an adjustment var rebuilds
SIGNAL_MARTS = ("drug_event_cells", "mgps_prior_fit", "mgps_prior", "signals")
# With a given prior: the stratified E of the two engines agrees to ~1e-15 (its sums run in another order), and
# on the sample the truncated fit's optimum is a flat point-mass limit whose path (iterations, converged starts)
# moves with such bits; the fit itself (one code path, faers.mgps) is compared in the default build.
STRATA_VARS = {
    "expected_strata": ["sex", "age_group", "report_year", "reporter_country", "occp_cod"],
    "expected_year_band": 3,
    "mgps_prior": [0.2, 0.1, 2.0, 4.0, 0.3333],
}
NO_TESTS = ["--exclude", "resource_type:test", "resource_type:unit_test"]
DEFAULT_BUILD = ["build", "--select", *(f"+{mart}" for mart in MARTS), *NO_TESTS]
SIGNALS_BUILD = ["build", "--select", *SIGNAL_MARTS, *NO_TESTS]


@dataclass(frozen=True)
class BothTargets:
    """The marts of each build (``default``, ``strata``, ``masked``) on each engine, as Arrow tables."""

    duckdb: Mapping[str, Mapping[str, pa.Table]]
    spark: Mapping[str, Mapping[str, pa.Table]]
    spark_main_tables: frozenset[str]
    masked_drugs: tuple[str, ...]
    duckdb_path: Path
    parquet_dir: Path
