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
STRATA_VARS = {
    "expected_strata": ["sex", "age_group", "report_year", "reporter_country", "occp_cod"],
    "expected_year_band": 3,
    "mgps_likelihood": "truncated",
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
