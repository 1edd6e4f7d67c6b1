"""dbt-core plugin of this project: the Spark target's session, with the project's Python UDFs, for a plain
``dbt build --target spark``.

dbt-core imports every top-level module named ``dbt_*`` at start-up and instantiates the classes listed in its
``plugins`` once the profile and the project are loaded, before any connection opens. When the active
target is a dbt-spark ``method: session`` target, ``FaersSparkSession`` creates the SparkSession with the
target's ``server_side_parameters`` and registers the UDFs on it (faers.spark.session); dbt-spark's
connection then gets that same session from ``getOrCreate()``. Any other target (DuckDB: its own plugin
faers.dbt_plugin, enabled in profiles.yml) is left alone, and importing this module loads neither pyspark
nor the package faers.
"""

from __future__ import annotations

from typing import Any

from dbt.plugins.manager import dbtPlugin

# dbt commands that run SQL on the target (the others, e.g. parse, ls, clean, deps, need no session)
SESSION_COMMANDS = frozenset({"build", "run", "test", "seed", "snapshot", "compile", "show", "run-operation", "retry"})


def _active_profile() -> Any:
    """The profile dbt loaded for this invocation (its rendered target), or None outside a dbt command."""
    import click

    context = click.get_current_context(silent=True)
    return None if context is None or context.obj is None else context.obj.get("profile")


class FaersSparkSession(dbtPlugin):
    """On a Spark session target: the session of faers.spark.session(), the UDFs registered, before dbt runs."""

    def initialize(self) -> None:
        from dbt.flags import get_flags

        profile = _active_profile()
        credentials = getattr(profile, "credentials", None)
        if credentials is None or credentials.type != "spark" or str(getattr(credentials, "method", "")) != "session":
            return
        if getattr(get_flags(), "WHICH", None) not in SESSION_COMMANDS:
            return
        from faers.spark import session

        session(dict(credentials.server_side_parameters))


plugins = [FaersSparkSession]
