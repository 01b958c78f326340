"""Two files define the same item.

An ID names one item.  Two files with the same ID (in different sub-folders, or as ``.yaml`` and
``.yml``), or with the same kind and number written with different padding (``SRS-120`` and
``SRS-0120``), make every link to that ID ambiguous.  Only the first file (in path order) is
loaded; the others are ignored until this is fixed.

Fix: give one of the items a new, unused ID (never reuse the ID of a retired item).
"""

from __future__ import annotations

from collections.abc import Iterator

from bp2.trace.findings import CheckInfo, Finding, Severity
from bp2.trace.graph import TraceGraph

IMPLEMENTS = ("SRS-030",)

CHECK = CheckInfo("duplicate-id", Severity.ERROR, "two item files define the same ID")


def run(graph: TraceGraph) -> Iterator[Finding]:
    for definitions in graph.history.definitions.values():
        if len(definitions) < 2:
            continue
        first_id, first_path = definitions[0]
        for other_id, other_path in definitions[1:]:
            same = "the same ID" if other_id == first_id else f"the same number as {first_id}"
            yield CHECK.finding(
                first_id, f"{other_path} defines {other_id}, {same} as {first_path}; it is "
                "ignored", "give one of them a new, unused ID", other_path)
