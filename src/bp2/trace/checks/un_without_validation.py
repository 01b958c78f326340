"""A user need has no validation protocol.

ISO 13485 §7.3.7 requires design validation: evidence that the product meets the user needs
and intended use.  Every user need is named in the ``validates`` list of at least one
validation protocol (``VAL-…``).  Whether the protocol has been *executed* is the release
gate's concern; this check asks only that validation is planned.

Fix: write a validation protocol in ``validation/`` that validates the need.
"""

from __future__ import annotations

from collections.abc import Iterator

from bp2.trace.findings import CheckInfo, Finding, Severity
from bp2.trace.graph import TraceGraph

IMPLEMENTS = ("SRS-042",)

CHECK = CheckInfo("un-without-validation", Severity.ERROR,
                  "a user need has no validation protocol")


def run(graph: TraceGraph) -> Iterator[Finding]:
    for un_id in graph.ids("UN"):
        if not graph.children(un_id, "VAL.validates"):
            yield CHECK.finding(un_id, "no validation protocol validates this user need",
                                f"write a VAL protocol with validates: [{un_id}]",
                                graph.path_of(un_id))
