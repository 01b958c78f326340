"""A software requirement has no passing test in the results.

IEC 62304 §5.7 asks for every requirement to be verified, with recorded results.  A test links
to an SRS with ``@pytest.mark.verifies("SRS-…")`` or a Gherkin tag ``@SRS-…``; the requirement
counts as tested only when at least one linked test *passed* in the results given to
``bp2 trace check`` (by default ``.bp2-results/results.json``).  Tests that were written but not
run, skipped or failed do not count.

Fix: write a test that verifies it, or run the test suite so its result is recorded.
"""

from __future__ import annotations

from collections.abc import Iterator

from bp2.trace.findings import CheckInfo, Finding, Severity
from bp2.trace.graph import TraceGraph

IMPLEMENTS = ("SRS-042",)

CHECK = CheckInfo("srs-without-passing-test", Severity.ERROR,
                  "a software requirement has no passing test")


def run(graph: TraceGraph) -> Iterator[Finding]:
    for srs_id, _ in graph.requirements():
        if graph.has_passing_test(srs_id):
            continue
        results = graph.results_for.get(srs_id, [])
        markers = graph.markers_for.get(srs_id, [])
        if results:
            outcomes = sorted({str(r.outcome) for r in results})
            detail = f"{len(results)} linked result(s), none passed ({', '.join(outcomes)})"
            hint = "make the linked tests pass"
        elif markers:
            detail = f"{len(markers)} test(s) claim it but none has a result"
            hint = "run the test suite so the results record them"
        else:
            detail = "no test claims it"
            hint = f"add a test marked @pytest.mark.verifies(\"{srs_id}\") or a scenario " \
                   f"tagged @{srs_id}"
        yield CHECK.finding(srs_id, detail, hint, graph.path_of(srs_id))
