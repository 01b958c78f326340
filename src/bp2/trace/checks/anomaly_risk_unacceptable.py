"""A known anomaly was accepted although its risk is not acceptable under the risk policy.

An anomaly may be released unfixed only when its risk evaluation (severity × probability, looked
up in ``risk/policy.yaml``) is acceptable.

Fix: fix the anomaly, or correct the evaluation.
"""

from __future__ import annotations

from collections.abc import Iterator

from bp2.trace.findings import CheckInfo, Finding, Severity
from bp2.trace.graph import TraceGraph
from bp2.trace.items import Anomaly

IMPLEMENTS = ("SRS-051",)

CHECK = CheckInfo("anomaly-risk-unacceptable", Severity.ERROR,
                  "an accepted anomaly's risk is not acceptable")


def run(graph: TraceGraph) -> Iterator[Finding]:
    if graph.policy is None:
        return
    for anom_id in graph.ids("ANOM"):
        anomaly = graph.items[anom_id]
        assert isinstance(anomaly, Anomaly)
        evaluation = anomaly.risk_evaluation
        if evaluation is None:
            continue
        risk = graph.policy.assess(evaluation.severity, evaluation.probability)
        if not risk.acceptable:
            yield CHECK.finding(anom_id, f"accepted with risk {risk.label}",
                                "fix the anomaly before release", graph.path_of(anom_id))
