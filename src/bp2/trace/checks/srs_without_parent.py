"""A software requirement has no parent.

Every SRS is derived from a user need (or from another SRS that is): an SRS with an empty
``parents`` list cannot be traced to why it exists.

Fix: add the user need(s) it serves to ``parents``.
"""

from __future__ import annotations

from collections.abc import Iterator

from bp2.trace.findings import CheckInfo, Finding, Severity
from bp2.trace.graph import TraceGraph

IMPLEMENTS = ("SRS-042",)

CHECK = CheckInfo("srs-without-parent", Severity.ERROR, "a software requirement has no parent")


def run(graph: TraceGraph) -> Iterator[Finding]:
    for srs_id, srs in graph.requirements():
        if not srs.parents:
            yield CHECK.finding(srs_id, "parents is empty", "add the user need(s) it serves, "
                                "e.g. parents: [UN-001]", graph.path_of(srs_id))
