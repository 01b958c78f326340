"""A link, ``IMPLEMENTS`` declaration, ``verifies`` marker, Gherkin tag or test result names an ID
that no item file defines (a dangling link).

A dangling link usually means a typo, a deleted item, or an item not yet written.  Evidence
pointing at nothing proves nothing, and an item that nothing points at may look uncovered.

Fix: correct the ID, write the missing item, or remove the link.
"""

from __future__ import annotations

from collections.abc import Iterator

from bp2.trace.findings import CheckInfo, Finding, Severity
from bp2.trace.graph import TraceGraph
from bp2.trace.ids import is_item_id

IMPLEMENTS = ("SRS-041",)

CHECK = CheckInfo("unknown-link", Severity.ERROR, "a link, tag, marker or IMPLEMENTS names an "
                  "ID that does not exist")

_HINT = "correct the ID, write the missing item, or remove the link"


def run(graph: TraceGraph) -> Iterator[Finding]:
    items = graph.items
    for edge in graph.edges:
        if edge.target not in items:
            yield CHECK.finding(edge.source, f"{edge.path} links to {edge.target}, which does "
                                "not exist", _HINT, graph.path_of(edge.source))
    for ref in graph.harvest.code:
        for claimed in ref.ids:
            if is_item_id(claimed) and claimed not in items:
                yield CHECK.finding(claimed, f"IMPLEMENTS in {ref.owner} names {claimed}, which "
                                    "does not exist", _HINT, f"{ref.path}:{ref.line}")
    for marker in graph.harvest.markers:
        if is_item_id(marker.id) and marker.id not in items:
            what = "verifies marker" if marker.source == "verifies" else "tag"
            yield CHECK.finding(marker.id, f"{what} @{marker.id} on '{marker.owner}' names an ID "
                                "that does not exist", _HINT, f"{marker.path}:{marker.line}")
    for claimed, loaded in sorted(graph.results_for.items()):
        if is_item_id(claimed) and claimed not in items:
            tests = sorted({r.nodeid for r in loaded})
            shown = ", ".join(tests[:3]) + (" …" if len(tests) > 3 else "")
            yield CHECK.finding(claimed, f"{len(tests)} test result(s) claim {claimed}, which "
                                f"does not exist ({shown})", _HINT, loaded[0].source)
