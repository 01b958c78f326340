"""One test claims to verify more requirements than the trace model allows (default 3).

A test that verifies many requirements at once is usually an end-to-end smoke test; a pass
tells little about each requirement and a failure points at none.  Prefer focused tests.

Fix: split the test, or narrow its ``verifies`` marker to what it really checks.
"""

from __future__ import annotations

from collections.abc import Iterator

from bp2.trace.findings import CheckInfo, Finding, Severity
from bp2.trace.graph import TraceGraph
from bp2.trace.ids import ItemId, is_item_id

IMPLEMENTS = ("SRS-044",)

CHECK = CheckInfo("test-claims-too-many", Severity.WARNING,
                  "one test claims more requirements than the limit")


def run(graph: TraceGraph) -> Iterator[Finding]:
    limit = graph.model.max_srs_per_test
    seen: set[str] = set()
    for loaded in graph.results:
        result = loaded
        if len(result.ids) <= limit:
            continue
        srs = sorted({i for i in result.ids if is_item_id(i) and ItemId(i).kind == "SRS"},
                     key=lambda i: ItemId(i).sort_key)
        if len(srs) > limit and result.nodeid not in seen:
            seen.add(result.nodeid)
            yield CHECK.finding(srs[0], f"{result.nodeid} claims {len(srs)} requirements "
                                f"({', '.join(srs)}); the limit is {limit}",
                                "split the test or narrow its verifies marker", loaded.source)
