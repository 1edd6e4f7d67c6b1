"""dbt-duckdb plugin: registers the project's Python UDFs on dbt's DuckDB connection.

Enabled in profiles.yml (``plugins: - module: faers.dbt_plugin``). UDFs exist only on that connection,
so every model that calls one is materialised as a table, never a view.
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from faers.udfs import register
from loaders.settings import apply_settings


class Plugin(BasePlugin):
    """Registers gamma_quantile, digamma, trigamma, mgps_qn and mgps_quantile (faers.udfs) for dbt."""

    def configure_connection(self, conn: Any) -> None:
        """Called by dbt-duckdb on its connection, before any model runs: memory_limit and temp_directory
        (FAERS_MEMORY_LIMIT / FAERS_TEMP_DIR, loaders.settings), then the UDFs."""
        apply_settings(conn)
        register(conn)
