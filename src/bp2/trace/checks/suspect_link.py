"""A link is suspect: the item it points at changed since the link was reviewed.

Each reviewed link stores the fingerprint of its target's normative content (a user need's or
requirement's statement, …).  When the target changes, the fingerprint no longer matches and
the item holding the link must be reviewed against the new text: a changed need may call for a
changed requirement, a changed requirement for a changed risk control.  The link stays suspect
until ``bp2 trace review <ID> --by <NAME>`` re-stamps it, recording who reviewed it and when.

Fix: review the item against the changed target, then run ``bp2 trace review``.
"""

from __future__ import annotations

from collections.abc import Iterator

from bp2.trace.findings import CheckInfo, Finding, Severity
from bp2.trace.graph import TraceGraph

IMPLEMENTS = ("SRS-035",)

CHECK = CheckInfo("suspect-link", Severity.ERROR,
                  "a linked item changed since the link was reviewed")


def run(graph: TraceGraph) -> Iterator[Finding]:
    for edge in graph.edges:
        stored = edge.stored
        if stored is not None and graph.is_suspect(edge):
            when = stored.reviewed_at.date().isoformat() if stored.reviewed_at else "?"
            yield CHECK.finding(
                edge.source, f"{edge.target} ({edge.path}) changed since {stored.reviewed_by} "
                f"reviewed the link on {when}",
                f"review {edge.source} against {edge.target}, then run "
                f"'bp2 trace review {edge.source} --by NAME'", graph.path_of(edge.source))
