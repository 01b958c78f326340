"""A hazard claims a risk reduction that no verified control supports.

The probability of a software failure is taken as 1 (IEC/TR 80002-1), so only the probability
that the failure leads to harm, and the severity, can be reduced — and each reduction must cite
a control that is *verified*.  For each dimension (severity, probability) whose residual value
is lower than the initial one, at least one control must declare that it ``reduces`` that
dimension and its SRS must have a passing test.

Fix: link a verified control that reduces that dimension, or restore the initial estimate.
"""

from __future__ import annotations

from collections.abc import Iterator

from bp2.trace.findings import CheckInfo, Finding, Severity
from bp2.trace.graph import TraceGraph

IMPLEMENTS = ("SRS-043",)

CHECK = CheckInfo("risk-reduction-unsupported", Severity.ERROR,
                  "a risk reduction is not supported by a verified control")


def run(graph: TraceGraph) -> Iterator[Finding]:
    for haz_id, hazard in graph.hazards():
        for change in graph.risk_changes(hazard):
            if change.after_rank >= change.before_rank:
                continue
            dimension = change.dimension
            claiming = [c for c in hazard.controls if dimension in c.reduces]
            verified = [c for c in claiming if graph.has_passing_test(c.srs.id)]
            if verified:
                continue
            if claiming:
                srs = ", ".join(sorted({c.srs.id for c in claiming}))
                detail = f"the controls that reduce it ({srs}) have no passing test"
            else:
                detail = f"no control declares that it reduces {dimension}"
            yield CHECK.finding(haz_id, f"{dimension} is reduced from '{change.before}' to "
                                f"'{change.after}' but {detail}", "verify a control that reduces "
                                "it, or restore the initial estimate", graph.path_of(haz_id))
