"""dbt-duckdb plugin: registers the project's Python UDFs on dbt's DuckDB connection.

Enabled in profiles.yml (``plugins: - module: faers.dbt_plugin``). UDFs exist only on that connection,
so every model that calls one is materialised as a table, never a view. It also makes dbt-duckdb's Ctrl-C
cancel skip connections that are already closed (``_cancel_skips_closed_connections``). Also here, as the one
home of the project's patches to dbt: ``schedule_longest_chain_first``, which ``faers.dbt.run_dbt`` applies.
"""

from __future__ import annotations

import contextlib
from typing import Any

import duckdb
from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.adapters.duckdb.plugins import BasePlugin
from dbt.graph.queue import GraphQueue
from dbt.task.runnable import GraphRunnableTask

from faers.udfs import register
from loaders.settings import apply_settings
from loaders.storage import keep_row_groups


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


def schedule_longest_chain_first() -> None:
    """dbt starts, of the nodes ready to run, the one with the longest chain of nodes after it (its height in the
    graph dbt runs, tests included: in a build a model's tests gate its children), when a thread is free.

    dbt's own order is the lowest topological level first, and it hands every ready node to its thread pool at
    once, where the nodes wait in arrival order: so the priority hardly mattered, and with two threads short
    branches (a 25 s test on dim_case, drug_name_audit, the relationship tests) took both threads while the chain
    fct_case_drug -> its tests -> fct_case_drug_ingredient -> its tests -> drug_event_cells -> mgps_prior_fit ->
    signals waited. Now the queue hands out a node only when fewer nodes are out than dbt has threads, and scores
    by height. Measured on the whole history (docs/scaling.md): an update's dbt part 96.7-99.3 -> 91.3 s; a full
    build gains nothing (521.5 vs 530.8 s, one run each: side by side, two heavy nodes only share the cores).
    Only the order of ready nodes changes: a node still starts after everything it depends on.

    Applied by ``faers.dbt.run_dbt`` (faers build, update, study) before dbt starts: dbt builds its queue before
    it opens a connection, so the plugin's ``initialize`` would come too late for the invocation. A plain ``dbt
    build`` keeps dbt's order."""
    if getattr(GraphQueue._get_scores, "longest_chain_first", False):
        return
    original_get = GraphQueue.get
    original_run_queue = GraphRunnableTask.run_queue

    def _get_scores(self: GraphQueue, graph: Any) -> dict[str, int]:  # graph: dbt's networkx DiGraph
        heights: dict[str, int] = {}

        def height(node: str) -> int:
            if node not in heights:
                heights[node] = 1 + max((height(child) for child in graph.successors(node)), default=0)
            return heights[node]

        return {node: -height(node) for node in graph.nodes()}  # lower scores run first

    def get(self: GraphQueue, block: bool = True, timeout: float | None = None) -> Any:
        threads = getattr(self, "faers_threads", None)
        if threads and block:
            with self.some_task_done:  # notified by mark_done, under the queue's lock
                while len(self.in_progress) >= threads:
                    self.some_task_done.wait()
        return original_get(self, block, timeout)

    def run_queue(self: GraphRunnableTask, pool: Any) -> None:
        if self.job_queue is not None:
            self.job_queue.faers_threads = self.config.threads  # type: ignore[attr-defined]
        original_run_queue(self, pool)

    _get_scores.longest_chain_first = True  # type: ignore[attr-defined]
    GraphQueue._get_scores = _get_scores  # type: ignore[method-assign]
    GraphQueue.get = get  # type: ignore[method-assign]
    GraphRunnableTask.run_queue = run_queue  # type: ignore[method-assign]


class Plugin(BasePlugin):
    """Registers gamma_quantile, digamma, trigamma, mgps_qn and mgps_quantile (faers.udfs) for dbt."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        """Called once when dbt-duckdb loads the plugin, before any connection opens."""
        _cancel_skips_closed_connections()

    def configure_connection(self, conn: Any) -> None:
        """Called by dbt-duckdb on its connection, before any model runs: memory_limit and temp_directory
        (FAERS_MEMORY_LIMIT / FAERS_TEMP_DIR, loaders.settings), checkpoints without vacuum
        (loaders.storage.keep_row_groups), then the UDFs."""
        apply_settings(conn)
        keep_row_groups(conn)
        register(conn)
