"""A user need has no software requirement derived from it.

ISO 13485 §7.3.3 and IEC 62304 §5.2 expect every user need to be translated into design inputs.
A user need that no SRS lists among its ``parents`` is not designed for.

Fix: write the SRS that meets the need (with ``parents: [UN-…]``), or retire the need.
"""

from __future__ import annotations

from collections.abc import Iterator

from bp2.trace.findings import CheckInfo, Finding, Severity
from bp2.trace.graph import TraceGraph

IMPLEMENTS = ("SRS-042",)

CHECK = CheckInfo("un-without-srs", Severity.ERROR, "a user need has no software requirement")


def run(graph: TraceGraph) -> Iterator[Finding]:
    for un_id in graph.ids("UN"):
        if not graph.children(un_id, "SRS.parents"):
            yield CHECK.finding(un_id, "no SRS lists this user need among its parents",
                                "write the SRS that meets it, with parents: [" + un_id + "]",
                                graph.path_of(un_id))
