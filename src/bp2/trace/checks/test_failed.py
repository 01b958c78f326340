"""A test linked to an item failed (or errored).

A failing test is evidence *against* the item it verifies, even when another linked test
passed.  IEC 62304 §5.7.5 / §9: failures are investigated and resolved (or recorded as known
anomalies) before release.

Fix: fix the code or the test, and run the suite again.
"""

from __future__ import annotations

from collections.abc import Iterator

from bp2.trace.findings import CheckInfo, Finding, Severity
from bp2.trace.graph import TraceGraph
from bp2.trace.ids import is_item_id

IMPLEMENTS = ("SRS-044",)

CHECK = CheckInfo("test-failed", Severity.ERROR, "a test linked to an item failed")


def run(graph: TraceGraph) -> Iterator[Finding]:
    for claimed, loaded in graph.results_for.items():
        if not is_item_id(claimed):
            continue
        for entry in loaded:
            result = entry
            if result.outcome.failing:
                why = f": {result.message}" if result.message else ""
                yield CHECK.finding(claimed, f"{result.nodeid} {result.outcome}{why}",
                                    "fix the code or the test and rerun", entry.source)
