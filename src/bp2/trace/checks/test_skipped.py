"""A test linked to an item was skipped (or is an expected failure) and so verified nothing.

A skip is not a pass: a requirement whose only tests were skipped has no evidence (reported by
``srs-without-passing-test``).  This warning lists every skipped linked test so a reviewer sees
why — typically missing test data or tools.

Fix: provide what the test needs so it runs, or explain the skip in the verification plan.
"""

from __future__ import annotations

from collections.abc import Iterator

from bp2.trace.findings import CheckInfo, Finding, Severity
from bp2.trace.graph import TraceGraph
from bp2.trace.ids import is_item_id

IMPLEMENTS = ("SRS-044",)

CHECK = CheckInfo("test-skipped", Severity.WARNING, "a test linked to an item did not run")


def run(graph: TraceGraph) -> Iterator[Finding]:
    for claimed, loaded in graph.results_for.items():
        if not is_item_id(claimed):
            continue
        for entry in loaded:
            result = entry
            if result.outcome.not_run:
                why = f": {result.message}" if result.message else ""
                yield CHECK.finding(claimed, f"{result.nodeid} {result.outcome}{why}",
                                    "make the test run (data, tools) or justify the skip",
                                    entry.source)
