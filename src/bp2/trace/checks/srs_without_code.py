"""A software requirement has no implementing code and no justified exemption.

Code declares what it implements with ``IMPLEMENTS = ("SRS-…",)`` — as a class attribute of a
stage (``src/bp2/stages/<id>/``) or of any class, or at module level — harvested without
importing the code.  A requirement met by something other than code (a document, a process)
states why in its ``exemption`` field; the matrix shows exempt requirements as warnings so a
reviewer sees every one.

Fix: add the SRS ID to ``IMPLEMENTS`` where it is implemented, or write an ``exemption``.
"""

from __future__ import annotations

from collections.abc import Iterator

from bp2.trace.findings import CheckInfo, Finding, Severity
from bp2.trace.graph import TraceGraph

IMPLEMENTS = ("SRS-042",)

CHECK = CheckInfo("srs-without-code", Severity.ERROR,
                  "a software requirement has no implementing code and no exemption")


def run(graph: TraceGraph) -> Iterator[Finding]:
    for srs_id, srs in graph.requirements():
        if srs.exemption is None and not graph.code_for.get(srs_id):
            yield CHECK.finding(srs_id, "no code declares IMPLEMENTS for it and it has no "
                                "exemption", f"add '{srs_id}' to IMPLEMENTS where it is "
                                "implemented, or state an exemption", graph.path_of(srs_id))
