"""dbt-duckdb plugin: registers the project's Python UDFs on dbt's DuckDB connection.

Enabled in profiles.yml (``plugins: - module: faers.dbt_plugin``). UDFs exist only on that connection,
so every model that calls one is materialised as a table, never a view. It also makes dbt-duckdb's Ctrl-C
cancel skip connections that are already closed (``_cancel_skips_closed_connections``).
"""

from __future__ import annotations

import contextlib
from typing import Any

import duckdb
from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.adapters.duckdb.plugins import BasePlugin

from faers.udfs import register
from loaders.settings import apply_settings


def _cancel_skips_closed_connections() -> None:
    """On Ctrl-C dbt cancels every open connection, dbt-duckdb by ``cursor().interrupt()``; a connection that a
    worker thread closed a moment before raises "Connection already closed", which dbt then reported with a
    traceback as the build's error (exit 1, not an interrupt). A closed connection runs nothing, so there is
    nothing to cancel."""
    original = DuckDBConnectionManager.cancel
    if getattr(original, "skips_closed_connections", False):
        return

    def cancel(self: Any, connection: Any) -> None:
        with contextlib.suppress(duckdb.ConnectionException):
            original(self, connection)

    cancel.skips_closed_connections = True  # type: ignore[attr-defined]
    DuckDBConnectionManager.cancel = cancel  # type: ignore[method-assign]


class Plugin(BasePlugin):
    """Registers gamma_quantile, digamma, trigamma, mgps_qn and mgps_quantile (faers.udfs) for dbt."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        """Called once when dbt-duckdb loads the plugin, before any connection opens."""
        _cancel_skips_closed_connections()

    def configure_connection(self, conn: Any) -> None:
        """Called by dbt-duckdb on its connection, before any model runs: memory_limit and temp_directory
        (FAERS_MEMORY_LIMIT / FAERS_TEMP_DIR, loaders.settings), then the UDFs."""
        apply_settings(conn)
        register(conn)
