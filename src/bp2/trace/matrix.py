"""The trace matrix as typed view objects, built from the graph and the findings.

Two chains are shown:

* requirements — user need → SRS → code → tests → outcome: one row per SRS, naming the user
  needs it derives from (directly or through parent SRS), in the order of its first need; a
  user need without SRS gets a row of its own, and an SRS that reaches no need comes last;
* risk — hazard → risk control → SRS → tests → outcome, with the initial and residual risk
  computed from the risk policy.

Renderers (:mod:`bp2.trace.render`) only format these objects.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from bp2.trace.checks import ALL_CHECKS, check_documentation
from bp2.trace.findings import Finding, Severity
from bp2.trace.graph import TraceGraph
from bp2.trace.ids import ItemId
from bp2.trace.items import SoftwareRequirement, UserNeed
from bp2.trace.policy import Assessment

IMPLEMENTS = ("SRS-046",)

OK, WARNING, ERROR = "ok", "warning", "error"
_STATUS_RANK = {OK: 0, WARNING: 1, ERROR: 2}


def _worst(*statuses: str) -> str:
    return max(statuses, key=_STATUS_RANK.__getitem__, default=OK)


@dataclass(frozen=True, order=True)
class TestView:
    nodeid: str
    outcome: str
    duration: float


@dataclass(frozen=True)
class SrsView:
    id: str
    title: str
    type: str
    safety_class: str
    links: str  # "reviewed" | "unreviewed" | "suspect" (worst of its parent links)
    code: tuple[str, ...]
    exemption: str | None
    tests: tuple[TestView, ...]
    passed: int
    failed: int
    not_run: int
    outcome: str  # "verified" | "failed" | "not run" | "no result" | "untested"
    status: str
    hazards: tuple[str, ...]


@dataclass(frozen=True)
class RequirementRow:
    needs: tuple[tuple[str, str], ...]  # (UN ID, title) of every user need above the SRS
    srs: SrsView | None
    status: str


@dataclass(frozen=True)
class RiskRow:
    haz_id: str
    haz_title: str
    harm: str
    initial: Assessment | None
    control: int  # 1-based; 0 when the hazard has no control
    measure: str
    reduces: str
    srs_id: str
    srs: SrsView | None
    link: str
    residual: Assessment | None
    status: str


@dataclass(frozen=True)
class CheckView:
    id: str
    severity: str
    title: str
    documentation: str


@dataclass
class Matrix:
    project: str
    results: list[str]
    commit: str | None
    dirty: bool | None
    counts: dict[str, int]
    errors: int
    warnings: int
    requirements: list[RequirementRow] = field(default_factory=list)
    risk: list[RiskRow] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    checks: list[CheckView] = field(default_factory=list)
    policy_rows: list[tuple[str, list[tuple[str, bool]]]] = field(default_factory=list)
    probability_names: list[str] = field(default_factory=list)
    system_class: str | None = None


def _srs_view(graph: TraceGraph, srs_id: ItemId, srs: SoftwareRequirement,
              suspects: set[tuple[str, str]]) -> SrsView:
    links = "reviewed"
    for link in srs.parents:
        if (srs_id, link.id) in suspects:
            links = "suspect"
            break
        if not link.reviewed:
            links = "unreviewed"
    results = graph.results_for.get(srs_id, [])
    tests = tuple(sorted(TestView(r.nodeid, r.outcome.value, r.duration)
                         for r in results))
    tally = graph.tally.get(srs_id)
    passed, failed, not_run = (0, 0, 0) if tally is None else (tally.passed, tally.failed,
                                                               tally.not_run)
    if failed:
        outcome = "failed"
    elif passed:
        outcome = "verified"
    elif results:
        outcome = "not run"
    elif graph.markers_for.get(srs_id):
        outcome = "no result"
    else:
        outcome = "untested"
    code = tuple(sorted({ref.label for ref in graph.code_for.get(srs_id, [])}))
    status = OK if outcome == "verified" else ERROR
    if not code and srs.exemption is None:
        status = ERROR
    elif not code:
        status = _worst(status, WARNING)  # exemption: shown for review
    if links == "suspect" or not srs.parents:
        status = ERROR
    elif links == "unreviewed":
        status = _worst(status, WARNING)
    hazards = tuple(sorted({e.source for e in graph.children(srs_id, "HAZ.controls")}))
    return SrsView(srs_id, srs.title, str(srs.type), str(srs.safety_class), links, code,
                   srs.exemption, tests, passed, failed, not_run, outcome, status, hazards)


def build_matrix(graph: TraceGraph, findings: list[Finding]) -> Matrix:
    suspects = {(str(e.source), str(e.target)) for e in graph.edges if graph.is_suspect(e)}
    counts: dict[str, int] = defaultdict(int)
    for item_id in graph.items:
        counts[item_id.kind] += 1
    commits = {s.commit for s in graph.sources if s.commit}
    matrix = Matrix(
        project=graph.history.root.name,
        results=[f"{s.path} ({s.format}, {s.count} results)" for s in graph.sources],
        commit=next(iter(commits)) if len(commits) == 1 else None,
        dirty=any(bool(s.dirty) for s in graph.sources) if graph.sources else None,
        counts=dict(counts),
        errors=sum(1 for f in findings if f.severity is Severity.ERROR),
        warnings=sum(1 for f in findings if f.severity is Severity.WARNING),
        findings=findings,
        system_class=(None if graph.history.intended_use is None
                      else str(graph.history.intended_use.safety_class)),
    )
    views: dict[ItemId, SrsView] = {}
    under_un: dict[ItemId, list[ItemId]] = defaultdict(list)
    needs_of: dict[ItemId, list[ItemId]] = {}
    orphans: list[ItemId] = []
    for srs_id, srs in graph.requirements():
        views[srs_id] = _srs_view(graph, srs_id, srs, suspects)
        needs = needs_of[srs_id] = graph.user_needs_above(srs_id)
        if needs:
            under_un[needs[0]].append(srs_id)
        else:
            orphans.append(srs_id)

    def title(un_id: ItemId) -> str:
        need = graph.items[un_id]
        assert isinstance(need, UserNeed)
        return need.title

    covered = {un for needs in needs_of.values() for un in needs}
    for un_id in graph.ids("UN"):
        if un_id not in covered:
            matrix.requirements.append(RequirementRow(((un_id, title(un_id)),), None, ERROR))
        for srs_id in under_un.get(un_id, []):
            view = views[srs_id]
            named = tuple((str(un), title(un)) for un in needs_of[srs_id])
            matrix.requirements.append(RequirementRow(named, view, view.status))
    for srs_id in orphans:
        matrix.requirements.append(RequirementRow((), views[srs_id], ERROR))
    for haz_id, hazard in graph.hazards():
        initial, residual = graph.initial_risk(hazard), graph.residual_risk(hazard)
        residual_status = OK if residual is None or residual.acceptable else ERROR
        if not hazard.controls:
            matrix.risk.append(RiskRow(haz_id, hazard.title, hazard.harm, initial, 0, "", "", "",
                                       None, "", residual, ERROR))
        for index, control in enumerate(hazard.controls, start=1):
            srs_view = views.get(control.srs.id)
            link = ("suspect" if (haz_id, control.srs.id) in suspects
                    else "reviewed" if control.srs.reviewed else "unreviewed")
            verified = srs_view is not None and srs_view.passed > 0
            status = _worst(residual_status, OK if verified else ERROR,
                            ERROR if link == "suspect" else WARNING if link == "unreviewed"
                            else OK)
            matrix.risk.append(RiskRow(
                haz_id, hazard.title, hazard.harm, initial, index, control.measure,
                ", ".join(control.reduces), control.srs.id, srs_view, link, residual, status))
    matrix.checks = [CheckView(c.CHECK.id, str(c.CHECK.severity), c.CHECK.title,
                               check_documentation(c)) for c in ALL_CHECKS]
    policy = graph.policy
    if policy is not None:
        matrix.probability_names = list(policy.probability_names)
        for sev in reversed(policy.severity_names):
            matrix.policy_rows.append(
                (sev, [(cell, policy.level(cell).acceptable) for cell in policy.matrix[sev]]))
    return matrix

