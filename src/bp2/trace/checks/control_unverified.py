"""A risk control's requirement has no passing test.

ISO 14971 §7.2 requires the implementation of every risk-control measure to be verified.  A
control is verified when the SRS it points at has at least one passing linked test in the
results.

Fix: write or run the test that verifies the control's SRS.
"""

from __future__ import annotations

from collections.abc import Iterator

from bp2.trace.findings import CheckInfo, Finding, Severity
from bp2.trace.graph import TraceGraph

IMPLEMENTS = ("SRS-043",)

CHECK = CheckInfo("control-unverified", Severity.ERROR,
                  "a risk control's requirement has no passing test")


def run(graph: TraceGraph) -> Iterator[Finding]:
    for haz_id, hazard in graph.hazards():
        for index, control in enumerate(hazard.controls):
            srs = control.srs.id
            if srs in graph.items and not graph.has_passing_test(srs):
                yield CHECK.finding(haz_id, f"control {index + 1} ('{_short(control.measure)}') "
                                    f"is implemented by {srs}, which has no passing test",
                                    f"verify {srs} with a test marked verifies(\"{srs}\")",
                                    graph.path_of(haz_id))


def _short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
