"""The Spark target: the dbt-spark session of profiles.yml with the project's UDFs, and dbt run on it.

dbt-spark (``method: session``) runs every statement on ``SparkSession.builder...getOrCreate()`` in the dbt
process, configured by the target's ``server_side_parameters``. ``session()`` creates that same session
first (the profile rendered by dbt itself, so its env vars and defaults are the ones dbt uses) and registers
the Python UDFs on it (faers.spark_udfs); dbt then finds it and runs on it. The dbt plugin of the top-level
module ``dbt_faers`` calls it when any dbt command starts on the spark target (so a plain ``dbt build
--target spark`` works); ``run_dbt_spark`` is what ``faers build --target spark`` calls. Needs the pip extra
``spark`` (``make setup-spark``) and Java 17.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from faers.errors import FaersError, one_line
from loaders.parquet import ENV_VAR as PARQUET_ENV_VAR
from loaders.parquet import raw_parquet_dir
from loaders.paths import PROJECT_DIR

TARGET = "spark"
WAREHOUSE_ENV_VAR = "FAERS_SPARK_WAREHOUSE"


class SparkSetupError(FaersError):
    """The Spark target cannot start: the extra is not installed, or Java is missing."""


def warehouse_dir() -> Path:
    """Where the Spark target writes its tables: FAERS_SPARK_WAREHOUSE, default spark-warehouse at the repo root."""
    value = os.environ.get(WAREHOUSE_ENV_VAR)
    return Path(value).resolve() if value else PROJECT_DIR / "spark-warehouse"


def _pin_environment() -> None:
    """Absolute FAERS_SPARK_WAREHOUSE and FAERS_RAW_PARQUET, so the profile and the hooks agree whatever the cwd."""
    os.environ[WAREHOUSE_ENV_VAR] = str(warehouse_dir())
    os.environ[PARQUET_ENV_VAR] = str(raw_parquet_dir())


def session_parameters() -> dict[str, str]:
    """The spark target's server_side_parameters as dbt renders them (profiles.yml, env vars applied)."""
    from dbt.adapters.spark.connections import SparkCredentials
    from dbt.config.profile import Profile, read_profile
    from dbt.config.renderer import ProfileRenderer
    from dbt_common.context import set_invocation_context

    set_invocation_context(dict(os.environ))
    raw = read_profile(str(PROJECT_DIR))["faers"]
    _, data = Profile.render_profile(raw, "faers", TARGET, ProfileRenderer({}))
    fields = {key: value for key, value in data.items() if key not in ("type", "threads")}
    credentials = SparkCredentials.from_dict(fields)  # its __post_init__ adjusts them as dbt-spark does
    return dict(credentials.server_side_parameters)


def session(parameters: Mapping[str, str] | None = None) -> Any:
    """The SparkSession dbt-spark will use, with the UDFs registered: created with ``parameters`` (the target's
    server_side_parameters; default: the spark target of profiles.yml, rendered as dbt renders it)."""
    try:
        import dbt.adapters.spark  # noqa: F401
        import pandas  # noqa: F401
        from pyspark.sql import SparkSession

        from faers import spark_udfs
    except ImportError as error:
        raise SparkSetupError(
            f"the Spark target needs the pip extra 'spark' ({error.name} is missing): run `make setup-spark`"
        ) from error
    _pin_environment()
    # the Python workers that run the UDFs: this interpreter (its venv has pandas, scipy and this package)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in (session_parameters() if parameters is None else parameters).items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as error:  # pyspark raises its own error types when the JVM does not start
        if "JAVA" not in str(error).upper():
            raise
        raise SparkSetupError(f"the Spark session did not start ({one_line(str(error))}): install Java 17") from error
    if not os.environ.get("SPARK_REMOTE"):  # a Spark Connect session (a cluster) has no local SparkContext
        spark.sparkContext.setLogLevel("ERROR")
    # pyspark logs every failed statement with its JVM stack trace; dbt reports the error itself
    logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)
    spark_udfs.register(spark)
    return spark


def run_dbt_spark(args: Sequence[str], *, dbt_vars: Mapping[str, Any] | None = None) -> Any:
    """``dbt <args> --target spark`` in-process on the session of ``session()``; DbtError when it fails."""
    from dbt.cli.main import dbtRunner

    from faers.dbt import DbtError, failure_message

    session()
    cli_args = [*args, "--target", TARGET, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]
    if dbt_vars:
        cli_args += ["--vars", json.dumps(dict(dbt_vars))]
    result = dbtRunner().invoke(cli_args)
    if not result.success:
        raise DbtError(failure_message(args, warehouse_dir(), result))
    return result
