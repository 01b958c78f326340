"""A hazard's residual risk is not acceptable under the risk policy.

ISO 14971 §7.3: after the controls, the residual risk is evaluated with the acceptability
criteria of the risk management plan.  The level is looked up in ``risk/policy.yaml`` from the
residual severity and probability — never typed by hand.  A residual risk that the policy does
not accept blocks release until it is reduced further or a benefit-risk analysis (§7.4) is
approved and the policy says so.

Fix: add or strengthen controls and lower the residual estimate they justify.
"""

from __future__ import annotations

from collections.abc import Iterator

from bp2.trace.findings import CheckInfo, Finding, Severity
from bp2.trace.graph import TraceGraph

IMPLEMENTS = ("SRS-043",)

CHECK = CheckInfo("residual-risk-unacceptable", Severity.ERROR,
                  "a hazard's residual risk is not acceptable")


def run(graph: TraceGraph) -> Iterator[Finding]:
    for haz_id, hazard in graph.hazards():
        residual = graph.residual_risk(hazard)
        if residual is not None and not residual.acceptable:
            yield CHECK.finding(haz_id, f"residual risk {residual.label}",
                                "reduce the risk further with verified controls",
                                graph.path_of(haz_id))
