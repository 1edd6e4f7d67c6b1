"""The order in which `faers build` / `faers update` run dbt's nodes (faers.dbt_plugin.schedule_longest_chain_first)."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import networkx as nx

from faers.dbt_plugin import schedule_longest_chain_first


class _Manifest:
    """What dbt's GraphQueue asks of a manifest: the node of a unique id."""

    def expect(self, unique_id: str) -> SimpleNamespace:
        return SimpleNamespace(unique_id=unique_id)


def test_the_longest_chain_goes_first_and_only_to_a_free_thread() -> None:
    from dbt.graph.queue import GraphQueue

    schedule_longest_chain_first()
    # GIVEN a root whose children are a chain of three (z1 -> z2 -> z3) and two leaves named to sort first
    graph = nx.DiGraph([("root", "z1"), ("z1", "z2"), ("z2", "z3"), ("root", "a_leaf"), ("root", "b_leaf")])
    queue = GraphQueue(graph, _Manifest(), set(graph.nodes))
    queue.faers_threads = 2  # what run_queue sets from dbt's threads
    assert queue.get().unique_id == "root"
    queue.mark_done("root")
    # WHEN the three children are ready: THEN the head of the chain goes first (dbt's order: level, then name)
    assert queue.get().unique_id == "z1"
    assert queue.get().unique_id == "a_leaf"
    # AND with both threads busy, the next node waits for one of them to finish
    handed: list[str] = []
    waiter = threading.Thread(target=lambda: handed.append(queue.get().unique_id))
    waiter.start()
    waiter.join(timeout=0.3)
    assert handed == []
    queue.mark_done("z1")  # z2 (a chain of two) is ready now, next to b_leaf
    waiter.join(timeout=5)
    assert handed == ["z2"]
