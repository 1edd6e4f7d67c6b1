"""dbt-duckdb plugin: registers the project's Python UDFs on dbt's DuckDB connection.

Enabled in profiles.yml (``plugins: - module: faers.dbt_plugin``). UDFs exist only on that connection,
so every model that calls one is materialised as a table, never a view.
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from faers.udfs import register


class Plugin(BasePlugin):
    def configure_connection(self, conn: Any) -> None:
        register(conn)
