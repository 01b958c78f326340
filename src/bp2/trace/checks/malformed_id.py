"""An item file's name or place is wrong, or an ID is written in a malformed way.

Item files are named after their ID (``SRS-012.yaml``), live in the folder the trace model gives
their kind, and their ``id`` field repeats the file name.  IDs match
``^(UN|SRS|HAZ|VAL|ANOM)-\\d{3,4}$`` wherever they are written: in item links, in ``IMPLEMENTS``
declarations, in ``verifies`` markers, in Gherkin tags and in test results.  ``IMPLEMENTS`` and
``verifies`` must be literals, because they are read without importing the code.

Fix: rename or move the file, correct the ``id`` field, or correct the ID where it is written.
"""

from __future__ import annotations

from collections.abc import Iterator

from bp2.trace.findings import CheckInfo, Finding, Severity
from bp2.trace.graph import TraceGraph
from bp2.trace.ids import is_item_id

IMPLEMENTS = ("SRS-030",)

CHECK = CheckInfo("malformed-id", Severity.ERROR,
                  "an item file is misnamed or misplaced, or an ID is malformed")

_HINT_ID = "write IDs as KIND-NNN (UN, SRS, HAZ, VAL or ANOM and 3-4 digits), e.g. SRS-012"


def run(graph: TraceGraph) -> Iterator[Finding]:
    for misfiled in graph.history.misfiled:
        yield CHECK.finding(misfiled.item_id, misfiled.message,
                            "name the file after the item's ID and keep it in its kind's folder "
                            "(see traceability/model.yaml)", misfiled.path)
    for ref in graph.harvest.code:
        for claimed in ref.ids:
            if not is_item_id(claimed):
                yield CHECK.finding(claimed, f"IMPLEMENTS in {ref.owner} names '{claimed}', "
                                    "which is not an item ID", _HINT_ID, f"{ref.path}:{ref.line}")
    for marker in graph.harvest.markers:
        if not is_item_id(marker.id):
            what = "verifies marker" if marker.source == "verifies" else "tag"
            yield CHECK.finding(marker.id, f"{what} '{marker.id}' on '{marker.owner}' is not "
                                "an item ID", _HINT_ID, f"{marker.path}:{marker.line}")
    for problem in graph.harvest.problems:
        yield CHECK.finding(None, problem.message, "use literal strings and tuples",
                            f"{problem.path}:{problem.line}")
    seen: set[tuple[str, str]] = set()
    for loaded in graph.results:
        for claimed in loaded.ids:
            if not is_item_id(claimed) and (claimed, loaded.nodeid) not in seen:
                seen.add((claimed, loaded.nodeid))
                yield CHECK.finding(claimed, f"test {loaded.nodeid} claims '{claimed}', "
                                    "which is not an item ID", _HINT_ID, loaded.source)
