"""A link has not been reviewed yet (it is written in short form, without a fingerprint).

A link written as a bare ID (``parents: [UN-001]``) carries no fingerprint, so a later change to
its target could not be detected.  It is reported as a warning — the link was presumably
reviewed with the change that added it — until ``bp2 trace review <ID> --by <NAME>`` stamps it.
A release gate runs ``bp2 trace check --strict``, where this warning counts as an error.

Fix: review the item against its targets and run ``bp2 trace review``.
"""

from __future__ import annotations

from collections.abc import Iterator

from bp2.trace.findings import CheckInfo, Finding, Severity
from bp2.trace.graph import TraceGraph

IMPLEMENTS = ("SRS-035",)

CHECK = CheckInfo("unreviewed-link", Severity.WARNING,
                  "a link has no review stamp (fingerprint) yet")


def run(graph: TraceGraph) -> Iterator[Finding]:
    pending: dict[str, list[str]] = {}
    for edge in graph.edges:
        if edge.stored is not None and not edge.stored.reviewed and edge.target in graph.items:
            pending.setdefault(edge.source, []).append(edge.target)
    for source, targets in pending.items():
        yield CHECK.finding(source, f"link(s) to {', '.join(targets)} not yet reviewed",
                            f"run 'bp2 trace review {source} --by NAME' after reviewing it",
                            graph.path_of(source))
