"""A known anomaly is still open or only investigated.

IEC 62304 §5.8.2 and §9: before release every known anomaly is evaluated — fixed in a version,
or accepted with a risk evaluation.  An anomaly that is ``open`` or ``investigated`` has neither.

Fix: fix it (``status: fixed``, ``fixed_in``) or accept it (``status: accepted`` with a
``risk_evaluation``).
"""

from __future__ import annotations

from collections.abc import Iterator

from bp2.trace.findings import CheckInfo, Finding, Severity
from bp2.trace.graph import TraceGraph
from bp2.trace.items import Anomaly, AnomalyStatus

IMPLEMENTS = ("SRS-051",)

CHECK = CheckInfo("anomaly-open", Severity.WARNING, "a known anomaly is not yet resolved")


def run(graph: TraceGraph) -> Iterator[Finding]:
    for anom_id in graph.ids("ANOM"):
        anomaly = graph.items[anom_id]
        assert isinstance(anomaly, Anomaly)
        if anomaly.status in (AnomalyStatus.OPEN, AnomalyStatus.INVESTIGATED):
            affects = ", ".join(anomaly.affects) or "no item named"
            yield CHECK.finding(anom_id, f"{anomaly.status} (affects {affects})",
                                "fix it in a version or accept it with a risk evaluation",
                                graph.path_of(anom_id))
