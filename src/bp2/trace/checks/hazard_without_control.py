"""A hazard has no risk-control measure.

ISO 14971 §7.1: risk control measures are identified for each hazard whose risk needs
reducing.  In this design history every hazard records at least one control, each pointing at
the SRS that implements it — a hazard judged acceptable as it stands still names the measure
that keeps it so — which makes the completeness of risk control (§7.6) checkable.

Fix: add a control (measure, ``srs``, what it ``reduces``, ``new_risks``) to the hazard.
"""

from __future__ import annotations

from collections.abc import Iterator

from bp2.trace.findings import CheckInfo, Finding, Severity
from bp2.trace.graph import TraceGraph

IMPLEMENTS = ("SRS-043",)

CHECK = CheckInfo("hazard-without-control", Severity.ERROR, "a hazard has no risk control")


def run(graph: TraceGraph) -> Iterator[Finding]:
    for haz_id, hazard in graph.hazards():
        if not hazard.controls:
            initial = graph.initial_risk(hazard)
            level = "" if initial is None else f" (initial risk {initial.label})"
            yield CHECK.finding(haz_id, f"no risk-control measure{level}",
                                "add a control whose srs implements the measure",
                                graph.path_of(haz_id))
