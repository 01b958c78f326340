"""A link points at an item of a kind the trace model does not allow there.

``traceability/model.yaml`` lists, for every link (``SRS.parents``, ``HAZ.controls``,
``VAL.validates``, ``ANOM.affects``) and for code and tests, which kinds it may point at: for
example an SRS's parents are user needs or other SRS, a hazard's controls are SRS, tests verify
SRS and validation protocols validate user needs.

Fix: link to an item of an allowed kind (or change the trace model, with a reviewed reason).
"""

from __future__ import annotations

from collections.abc import Iterator

from bp2.trace.findings import CheckInfo, Finding, Severity
from bp2.trace.graph import TraceGraph
from bp2.trace.ids import ItemId, is_item_id

IMPLEMENTS = ("SRS-041",)

CHECK = CheckInfo("link-kind", Severity.ERROR,
                  "a link points at a kind of item the trace model does not allow there")


def run(graph: TraceGraph) -> Iterator[Finding]:
    model = graph.model
    for edge in graph.edges:
        allowed = model.links[edge.link]
        if edge.target.partition("-")[0] not in allowed:
            yield CHECK.finding(edge.source, f"{edge.path} links to {edge.target}, but "
                                f"{edge.link} may only point at {', '.join(allowed)}",
                                f"link to a {' or '.join(allowed)} item",
                                graph.path_of(edge.source))
    code_kinds = model.allowed("code")
    for ref in graph.harvest.code:
        for claimed in ref.ids:
            if is_item_id(claimed) and ItemId(claimed).kind not in code_kinds:
                yield CHECK.finding(claimed, f"IMPLEMENTS in {ref.owner} names {claimed}; code "
                                    f"may only implement {', '.join(code_kinds)}",
                                    "implement the SRS derived from it instead",
                                    f"{ref.path}:{ref.line}")
    test_kinds = model.allowed("tests")
    for marker in graph.harvest.markers:
        if is_item_id(marker.id) and ItemId(marker.id).kind not in test_kinds:
            yield CHECK.finding(marker.id, f"'{marker.owner}' claims to verify {marker.id}; tests "
                                f"may only verify {', '.join(test_kinds)}",
                                "verify the SRS derived from it instead",
                                f"{marker.path}:{marker.line}")
