"""A hazard's residual severity or probability is higher than before the controls.

Controls reduce risk; a residual estimate above the initial one is a mistake in the analysis.
A new risk introduced by a control (ISO 14971 §7.5) is recorded in the control's ``new_risks``
and, if it is a new hazard, analysed as a hazard of its own.

Fix: correct the initial or residual estimate.
"""

from __future__ import annotations

from collections.abc import Iterator

from bp2.trace.findings import CheckInfo, Finding, Severity
from bp2.trace.graph import TraceGraph

IMPLEMENTS = ("SRS-043",)

CHECK = CheckInfo("residual-above-initial", Severity.ERROR,
                  "a residual severity or probability is above the initial one")


def run(graph: TraceGraph) -> Iterator[Finding]:
    for haz_id, hazard in graph.hazards():
        for change in graph.risk_changes(hazard):
            if change.after_rank > change.before_rank:
                yield CHECK.finding(haz_id, f"residual {change.dimension} '{change.after}' is "
                                    f"above the initial '{change.before}'", "correct the "
                                    "estimate; record risks added by controls in new_risks",
                                    graph.path_of(haz_id))
