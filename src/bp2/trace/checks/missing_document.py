"""The intended-use statement or the risk policy is missing.

``requirements/intended-use.yaml`` states the intended use and the system's IEC 62304 safety
class with its rationale (the class decides which activities are required);
``risk/policy.yaml`` holds the acceptability matrix (ISO 14971 §4.4) from which every risk level
is computed.  The paths come from the trace model.

Fix: write the missing file.
"""

from __future__ import annotations

from collections.abc import Iterator

from bp2.trace.findings import CheckInfo, Finding, Severity
from bp2.trace.graph import TraceGraph

IMPLEMENTS = ("SRS-032", "SRS-033")

CHECK = CheckInfo("missing-document", Severity.ERROR,
                  "the intended-use statement or the risk policy is missing")


def run(graph: TraceGraph) -> Iterator[Finding]:
    docs = graph.model.documents
    if graph.history.intended_use is None:
        yield CHECK.finding(None, "no intended-use statement", "write the intended use, users, "
                            "environment and the system safety class with its rationale",
                            docs.intended_use)
    if graph.history.policy is None:
        yield CHECK.finding(None, "no risk policy: risk levels cannot be computed",
                            "write the severity and probability scales and the acceptability "
                            "matrix", docs.risk_policy)
