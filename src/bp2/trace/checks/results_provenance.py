"""The test results cannot be tied to a clean tree, or there are none.

Release evidence must come from a clean tree at a known commit.  ``bp2 trace check`` refuses a
bp2 results file from another commit or with other test files outright; this warning covers
what it accepts with reservations: results from a tree with uncommitted changes, JUnit XML or
Cucumber JSON (which carry no tree identity), and no results at all.

Fix: commit, run the suite on the clean tree, and check its results.
"""

from __future__ import annotations

from collections.abc import Iterator

from bp2.trace.findings import CheckInfo, Finding, Severity
from bp2.trace.graph import TraceGraph

IMPLEMENTS = ("SRS-044",)

CHECK = CheckInfo("results-provenance", Severity.WARNING,
                  "test results are missing, from a dirty tree, or not tied to a tree")


def run(graph: TraceGraph) -> Iterator[Finding]:
    if not graph.sources:
        yield CHECK.finding(None, "no test results were given, so nothing counts as verified",
                            "run pytest (it writes .bp2-results/results.json) or give --results")
    for source in graph.sources:
        if source.format == "bp2" and source.dirty:
            yield CHECK.finding(None, f"results from commit {(source.commit or '?')[:12]} with "
                                "uncommitted changes: not release evidence",
                                "commit, then rerun the suite", source.path)
        elif not source.tied_to_tree:
            yield CHECK.finding(None, f"{source.format} results carry no commit or test-file "
                                "digest, so they cannot be tied to this tree",
                                "prefer bp2 results written by the pytest plugin", source.path)
