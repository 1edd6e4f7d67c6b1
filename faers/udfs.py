"""Vectorised Python UDFs for what DuckDB lacks (gamma quantiles, digamma, gamma-mixture quantiles).

``register(conn)`` registers them on any DuckDB connection: the dbt plugin calls it, and so can an analyst.
"""

from __future__ import annotations

import duckdb


def register(conn: duckdb.DuckDBPyConnection) -> None:
    """Register every UDF of the project on ``conn`` (idempotent)."""
