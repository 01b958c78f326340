"""A software requirement's safety class is above the system's, or contradicts a risk control.

IEC 62304 §4.3: software items take the system's safety class unless a rationale segregates
them into a lower one; no item can be in a *higher* class than the system.  A requirement that
implements a risk control for a hazard is part of a software item that contributes to a
hazardous situation, so it cannot be class A.

Fix: correct the requirement's ``safety_class`` (or the system class in the intended-use file).
"""

from __future__ import annotations

from collections.abc import Iterator

from bp2.trace.findings import CheckInfo, Finding, Severity
from bp2.trace.graph import TraceGraph
from bp2.trace.items import SafetyClass

IMPLEMENTS = ("SRS-032",)

CHECK = CheckInfo("safety-class", Severity.ERROR,
                  "a requirement's safety class is above the system's or too low for a control")

_RANK = {SafetyClass.A: 0, SafetyClass.B: 1, SafetyClass.C: 2}


def run(graph: TraceGraph) -> Iterator[Finding]:
    intended = graph.history.intended_use
    system = None if intended is None else intended.safety_class
    for srs_id, srs in graph.requirements():
        if system is not None and _RANK[srs.safety_class] > _RANK[system]:
            yield CHECK.finding(srs_id, f"class {srs.safety_class} is above the system's class "
                                f"{system}", f"use class {system} or lower",
                                graph.path_of(srs_id))
        if srs.safety_class == SafetyClass.A and graph.children(srs_id, "HAZ.controls"):
            hazards = ", ".join(sorted({e.source for e in graph.children(srs_id,
                                                                         "HAZ.controls")}))
            yield CHECK.finding(srs_id, f"class A, but it implements a risk control for "
                                f"{hazards}", "a risk-control requirement is class B or C",
                                graph.path_of(srs_id))
