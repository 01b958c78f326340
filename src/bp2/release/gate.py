"""The release gate: every reason the release must not pass, each with a link to its evidence.

The release passes only when none of these is found:

* ``dirty-tree`` — the git work tree has uncommitted or untracked files (nothing else is run);
* ``step-failed`` — a step could not run or did not finish (e.g. the suite crashed);
* ``trace-error`` — an error finding of the trace check on this run's results;
* ``test-failed`` — a test failed or errored;
* ``missing-result`` — the suite wrote no results, a requirement has no test result, or a
  validation protocol has no record;
* ``validation-failed`` — a validation acceptance criterion was not met;
* ``residual-risk`` — a hazard's residual risk is not acceptable under the risk policy;
* ``stage-not-bumped`` — a stage's code or answer-key output changed without a version bump;
* ``not-reverified`` — a requirement touched by a changed stage has no passing test in this run;
* ``soup-mismatch`` — the installed software differs from the lock file or the SOUP list.

A validation protocol recorded ``not-executed`` (a site protocol, a human review) and SOUP whose
known anomalies are not yet reviewed are shown as *notes*: they do not fail the release, and the
release approval (signatures) is where a quality manager accepts them.
"""

from __future__ import annotations

from collections.abc import Sequence

from bp2.release.impact import ChangeImpact
from bp2.release.model import Decision, Note, Reason, ReasonKind, StepRecord
from bp2.release.soup import Inventory
from bp2.trace.api import CheckReport
from bp2.trace.findings import Severity
from bp2.trace.items import ValidationProtocol
from bp2.validation.record import ValidationRecord

IMPLEMENTS = ("SRS-371", "SRS-383")

EVIDENCE_CHECKS = frozenset({"srs-without-passing-test", "control-unverified", "test-failed",
                             "test-skipped", "results-provenance",
                             "risk-reduction-unsupported"})
"""Checks that judge test evidence: before the suite has run they have nothing to judge, so the
first (structural) trace check leaves them out; the final check on this run's results has them."""


def decide(
    *,
    dirty_files: Sequence[str],
    steps: Sequence[StepRecord],
    report: CheckReport | None,
    results_written: bool,
    records: dict[str, ValidationRecord] | None,
    inventory: Inventory | None,
    impact: ChangeImpact | None,
) -> Decision:
    """Collect every gate reason (and note) from what the release found."""
    out = Decision()
    add = out.reasons.append
    if dirty_files:
        shown = ", ".join(dirty_files[:10]) + (" …" if len(dirty_files) > 10 else "")
        add(Reason(ReasonKind.DIRTY_TREE, f"{len(dirty_files)} uncommitted or untracked "
                   f"file(s): {shown}; commit or remove them and release again", None,
                   "steps.html"))
    for step in steps:
        if step.status == "failed":
            add(Reason(ReasonKind.STEP_FAILED, f"step '{step.title}' failed: {step.summary}",
                       None, f"steps.html#step-{step.name}"))
    known: set[str] = set() if report is None else {str(i) for i in report.graph.items}

    def evidence(item_id: str | None, fallback: str) -> str:
        return f"items/{item_id}.html" if item_id in known else fallback

    if report is not None:
        for f in report.findings:
            if dirty_files and f.check_id in EVIDENCE_CHECKS:
                continue  # no test ran on a dirty tree: the dirty-tree reason says why
            if f.severity is Severity.ERROR:
                add(Reason(ReasonKind.TRACE_ERROR, f"{f.check_id}: {f.message}", f.item_id,
                           evidence(f.item_id, "matrix.html#findings")))
        graph = report.graph
        for result in graph.results:
            if result.outcome.failing:
                add(Reason(ReasonKind.TEST_FAILED, f"{result.nodeid} {result.outcome.value}"
                           + (f": {result.message}" if result.message else ""), None,
                           "verification.html#failed"))
        if not dirty_files:
            if not results_written:
                add(Reason(ReasonKind.MISSING_RESULT, "the test suite wrote no results file",
                           None, "steps.html#step-tests"))
            for srs_id, _srs in graph.requirements():
                if results_written and not graph.results_for.get(srs_id):
                    add(Reason(ReasonKind.MISSING_RESULT,
                               f"{srs_id} has no test result in this run", srs_id,
                               evidence(srs_id, "verification.html")))
        for haz_id, hazard in graph.hazards():
            residual = graph.residual_risk(hazard)
            if residual is not None and not residual.acceptable:
                add(Reason(ReasonKind.RESIDUAL_RISK, f"{haz_id} residual risk "
                           f"{residual.label}", haz_id, f"risk.html#{haz_id}"))
        if records is not None:
            for val_id in graph.ids("VAL"):
                protocol = graph.items[val_id]
                assert isinstance(protocol, ValidationProtocol)
                record = records.get(val_id)
                link = f"validation.html#{val_id}"
                if record is None:
                    add(Reason(ReasonKind.MISSING_RESULT, f"{val_id} has no validation record "
                               "from this run", val_id, link))
                elif record.status == "failed":
                    failed = record.failed_criteria
                    if not failed:
                        add(Reason(ReasonKind.VALIDATION_FAILED, f"{val_id} failed: "
                                   f"{record.reason or 'no reason given'}", val_id, link))
                    for c in failed:
                        value = "no value" if c.value is None else f"{c.value:g}"
                        add(Reason(ReasonKind.VALIDATION_FAILED,
                                   f"{val_id}: {c.metric} = {value}, required {c.comparator} "
                                   f"{c.threshold:g}", val_id, link))
                elif record.status == "not-executed":
                    out.notes.append(Note(f"{val_id} was not executed by software: "
                                          f"{record.reason}", val_id, link))
    if inventory is not None:
        for problem in inventory.problems:
            add(Reason(ReasonKind.SOUP_MISMATCH, problem, None, "soup.html"))
        if inventory.unreviewed:
            out.notes.append(Note(f"{len(inventory.unreviewed)} SOUP item(s) have no recorded "
                                  "review of their known anomalies for this version", None,
                                  "soup.html"))
    if impact is not None:
        for stage in impact.stages:
            if stage.problem is not None:
                add(Reason(ReasonKind.STAGE_NOT_BUMPED, stage.problem, None,
                           f"impact.html#stage-{stage.stage}"))
            for touched in stage.unverified:
                add(Reason(ReasonKind.NOT_REVERIFIED, f"{touched} (touched by stage "
                           f"{stage.stage}) has no passing test in this run", touched,
                           evidence(touched, f"impact.html#stage-{stage.stage}")))
    out.reasons = sorted(set(out.reasons), key=lambda r: (list(ReasonKind).index(r.kind),
                                                         r.item or "", r.message))
    return out
