"""Render the release bundle: static HTML pages (every item ID a link), the matrix exports, the
validation report as PDF, the SOUP list and SBOM, the resources lock and the records.

Pages are rendered from typed view objects with Jinja2 (``StrictUndefined``, autoescape on: item
text, test messages and VCF-derived figures are untrusted).  Every page is self-contained: its
style (and the matrix page's filter script) is inline and allowed by hash in a strict
Content-Security-Policy, nothing is fetched from the network, and links are relative, so the
bundle works offline from any folder.  Output is deterministic: dates come from the release
commit; run times and durations appear only in the pages and records named in
:data:`VOLATILE`.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from bp2.fileio import pretty_json, write_bytes_atomic, write_text_atomic
from bp2.release.features import Feature, requirement_tags
from bp2.release.impact import ChangeImpact
from bp2.release.model import Decision, StepRecord
from bp2.release.soup import Inventory
from bp2.trace.api import CheckReport
from bp2.trace.graph import TraceGraph
from bp2.trace.items import (
    Anomaly,
    AnomalyStatus,
    Hazard,
    SoftwareRequirement,
    ValidationProtocol,
)
from bp2.trace.matrix import Matrix
from bp2.trace.policy import Assessment
from bp2.trace.results import LoadedResult
from bp2.validation.record import ValidationRecord

IMPLEMENTS = ("SRS-372", "SRS-373", "SRS-374", "SRS-375", "SRS-376", "SRS-378", "SRS-379",
              "SRS-382")

VOLATILE: tuple[str, ...] = (
    "steps.html",
    "verification.html",
    "matrix.json",
    "records/steps.json",
    "records/test-results.json",
)
"""Bundle files whose content legitimately differs between two releases of the same commit:
step start/finish times and durations, and test durations (the verification report and the
matrix's JSON export list them).  Logs and validation records (with
their run times) are added by the release as they are written."""

_ID_IN_TEXT = re.compile(r"\b(?:UN|SRS|HAZ|VAL|ANOM)-\d{3,4}\b")


@dataclass(frozen=True)
class ResourceRow:
    source: str
    name: str
    kind: str
    build: str
    version: str
    path: str
    sha256: str
    verified: str  # "sha256 verified" | "recorded by the validation run" | "declared"


@dataclass
class BundleData:
    """Everything the pages show."""

    version: str
    project: str
    commit: str
    date: str
    previous: str | None
    decision: Decision
    steps: list[StepRecord]
    dirty_files: list[str]
    report: CheckReport | None
    matrix: Matrix | None
    records: dict[str, ValidationRecord] | None
    validation_dir: str
    inventory: Inventory | None
    soup_files: list[str]
    impact: ChangeImpact | None
    resources: list[ResourceRow]
    features: list[Feature]
    extra_files: list[str] = field(default_factory=list)


def _asset(name: str) -> str:
    return resources.files("bp2.release").joinpath("templates", name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


class Renderer:
    def __init__(self, data: BundleData, out: Path) -> None:
        self.data = data
        self.out = out
        self.env = Environment(
            loader=PackageLoader("bp2.release", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined, keep_trailing_newline=True,
        )
        graph = data.report.graph if data.report is not None else None
        self.known: set[str] = set() if graph is None else {str(i) for i in graph.items}
        self.env.filters["idlink"] = self.idlink
        self.env.filters["linkify"] = self.linkify
        self.env.filters["num"] = _num
        self.env.filters["imgsrc"] = self.imgsrc
        self.plain = False
        self.style = _asset("release.css")
        self.script = _asset("release.js")

    # --- filters -------------------------------------------------------------------------------

    def idlink(self, item_id: Any, rel: str = "") -> Markup:
        text = str(item_id)
        if self.plain:  # the PDF: absolute file links would tie it to the build folder
            return Markup('<span class="id">{}</span>').format(text)
        if text in self.known:
            return Markup('<a class="id" href="{}items/{}.html">{}</a>').format(rel, text, text)
        return Markup('<span class="id unknown">{}</span>').format(text)

    def imgsrc(self, rel_path: str, rel: str = "") -> str:
        """An image's address: relative in HTML; inline data in the PDF, whose image names
        WeasyPrint derives from the address (a build-folder path would change every build)."""
        path = (self.out / rel_path).resolve()
        if not self.plain or not path.is_relative_to(self.out.resolve()) or not path.is_file():
            return rel + rel_path  # a missing plot shows as a broken image, not a crash
        data = path.read_bytes()
        suffix = rel_path.rsplit(".", 1)[-1]
        kind = "image/svg+xml" if suffix == "svg" else f"image/{suffix}"
        return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"

    def linkify(self, text: Any, rel: str = "") -> Markup:
        escaped = str(escape(str(text)))
        return Markup(_ID_IN_TEXT.sub(  # noqa: S704 - text escaped above, IDs are [A-Z0-9-]
            lambda m: str(self.idlink(m.group(0), rel)), escaped))

    # --- pages ---------------------------------------------------------------------------------

    def page(self, rel_path: str, template: str, title: str, *, script: bool = False,
             **context: Any) -> None:
        depth = rel_path.count("/")
        rel = "../" * depth
        csp = (f"default-src 'none'; style-src '{_csp_hash(self.style)}'; "
               f"script-src {repr(_csp_hash(self.script)) if script else repr('none')}; "
               "img-src 'self' data:; base-uri 'none'; form-action 'none'")
        html = self.env.get_template(template).render(
            d=self.data, rel=rel, title=title, csp=csp,
            style=Markup(self.style),  # noqa: S704 - bp2's own packaged stylesheet
            script=Markup(self.script) if script else None,  # noqa: S704 - bp2's own script
            **context)
        write_text_atomic(self.out / rel_path, html)

    def render_all(self) -> list[str]:
        """Write every page; returns the relative paths written."""
        d = self.data
        written: list[str] = []

        def page(rel_path: str, template: str, title: str, **kw: Any) -> None:
            self.page(rel_path, template, title, **kw)
            written.append(rel_path)

        graph = d.report.graph if d.report is not None else None
        page("index.html", "index.html.j2", "Release evidence")
        page("steps.html", "steps.html.j2", "Release steps")
        page("release-notes.html", "notes.html.j2", "Release notes",
             anomalies=_anomalies(graph))
        page("soup.html", "soup.html.j2", "SOUP list and SBOM")
        page("resources.html", "resources.html.j2", "Resources lock")
        page("impact.html", "impact.html.j2", "Change impact")
        if graph is not None and d.matrix is not None:
            page("matrix.html", "matrix.html.j2", "Traceability matrix", script=True,
                 m=d.matrix)
            page("verification.html", "verification.html.j2", "Verification report",
                 srs=_srs_views(graph), features=_feature_views(d.features, graph),
                 failed=[r for r in graph.results if r.outcome.failing])
            page("validation.html", "validation.html.j2", "Validation report",
                 protocols=_protocols(graph, d.records), pdf=False)
            page("risk.html", "risk.html.j2", "Risk management report",
                 risk=_risk_view(graph))
            for item_id in sorted(graph.items, key=lambda i: i.sort_key):
                page(f"items/{item_id}.html", "item.html.j2", str(item_id),
                     item=_item_view(graph, str(item_id)))
            self.write_pdf(graph)
            written.append("validation.pdf")
        return written

    def write_pdf(self, graph: TraceGraph) -> None:
        """The validation report as PDF (WeasyPrint), images read from the bundle."""
        from weasyprint import HTML

        self.plain = True
        html = self.env.get_template("validation.html.j2").render(
            d=self.data, rel="", title="Validation report", csp="", style=Markup(self.style),  # noqa: S704
            script=None, protocols=_protocols(graph, self.data.records), pdf=True)
        self.plain = False
        pdf = HTML(string=html, base_url=str(self.out) + "/").write_pdf()
        write_bytes_atomic(self.out / "validation.pdf", pdf)


def _num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


# --- view builders ------------------------------------------------------------------------------


def _results_view(results: list[LoadedResult]) -> list[dict[str, Any]]:
    return [{"nodeid": r.nodeid, "outcome": r.outcome.value, "duration": r.duration,
             "message": r.message or ""} for r in sorted(results, key=lambda r: r.nodeid)]


def _srs_views(graph: TraceGraph) -> list[dict[str, Any]]:
    out = []
    for srs_id, srs in graph.requirements():
        results = graph.results_for.get(srs_id, [])
        tally = graph.tally.get(srs_id)
        outcome = ("failed" if tally and tally.failed else "verified" if tally and tally.passed
                   else "not run" if results else "no result")
        out.append({"id": str(srs_id), "title": srs.title, "statement": srs.statement,
                    "safety_class": str(srs.safety_class), "outcome": outcome,
                    "tests": _results_view(results),
                    "markers": sorted({f"{m.path}:{m.line} {m.owner}"
                                       for m in graph.markers_for.get(srs_id, [])})})
    return out


def _feature_views(features: list[Feature], graph: TraceGraph) -> list[dict[str, Any]]:
    out = []
    for feature in features:
        scenarios = []
        for scenario in feature.scenarios:
            name = scenario.python_name
            matched = [r for r in graph.results
                       if r.nodeid.split("::")[-1].split("[")[0] == name]
            scenarios.append({"name": scenario.name, "line": scenario.line,
                              "ids": requirement_tags(feature, scenario),
                              "steps": scenario.steps, "results": _results_view(matched)})
        out.append({"path": feature.path, "name": feature.name,
                    "description": " ".join(feature.description),
                    "background": feature.background, "scenarios": scenarios})
    return out


def _protocols(graph: TraceGraph,
               records: dict[str, ValidationRecord] | None) -> list[dict[str, Any]]:
    out = []
    for val_id in graph.ids("VAL"):
        protocol = graph.items[val_id]
        assert isinstance(protocol, ValidationProtocol)
        out.append({"id": str(val_id), "p": protocol,
                    "validates": [str(link.id) for link in protocol.validates],
                    "record": None if records is None else records.get(str(val_id))})
    return out


def _risk_view(graph: TraceGraph) -> dict[str, Any]:
    policy = graph.policy
    hazards: list[dict[str, Any]] = []
    before: dict[tuple[str, str], list[str]] = {}
    after: dict[tuple[str, str], list[str]] = {}
    for haz_id, hazard in graph.hazards():
        initial, residual = graph.initial_risk(hazard), graph.residual_risk(hazard)
        before.setdefault((hazard.severity, hazard.probability), []).append(str(haz_id))
        after.setdefault((hazard.residual.severity, hazard.residual.probability),
                         []).append(str(haz_id))
        controls = []
        for control in hazard.controls:
            tally = graph.tally.get(control.srs.id)
            verified = tally is not None and tally.passed > 0 and not tally.failed
            controls.append({"measure": control.measure, "srs": str(control.srs.id),
                             "reduces": ", ".join(control.reduces),
                             "new_risks": control.new_risks,
                             "tests": _results_view(graph.results_for.get(control.srs.id, [])),
                             "verified": verified})
        hazards.append({"id": str(haz_id), "h": hazard, "initial": initial,
                        "residual": residual, "controls": controls,
                        "all_verified": bool(controls) and all(c["verified"] for c in controls)})
    residuals = [(str(h["id"]), r) for h in hazards
                 if isinstance(r := h["residual"], Assessment)]
    levels: dict[str, int] = {}
    for _, r in residuals:
        levels[r.level] = levels.get(r.level, 0) + 1
    rows = []
    if policy is not None:
        for sev in reversed(policy.severity_names):
            cells = []
            for i, prob in enumerate(policy.probability_names):
                level = policy.level(policy.matrix[sev][i])
                cells.append({"level": level.name, "acceptable": level.acceptable,
                              "before": before.get((sev, prob), []),
                              "after": after.get((sev, prob), [])})
            rows.append((sev, cells))
    unacceptable = [h_id for h_id, r in residuals if not r.acceptable]
    unverified = [h["id"] for h in hazards if not h["all_verified"]]
    return {"hazards": hazards, "rows": rows,
            "probabilities": list(policy.probability_names) if policy else [],
            "levels": sorted(levels.items()), "unacceptable": unacceptable,
            "unverified": unverified,
            "policy_levels": list(policy.levels) if policy else []}


def _anomalies(graph: TraceGraph | None) -> list[dict[str, Any]]:
    if graph is None:
        return []
    out = []
    for anom_id in graph.ids("ANOM"):
        anomaly = graph.items[anom_id]
        assert isinstance(anomaly, Anomaly)
        risk = None
        if anomaly.risk_evaluation is not None and graph.policy is not None:
            ev = anomaly.risk_evaluation
            risk = graph.policy.assess(ev.severity, ev.probability)
        out.append({"id": str(anom_id), "a": anomaly, "risk": risk,
                    "open": anomaly.status in (AnomalyStatus.OPEN, AnomalyStatus.INVESTIGATED)})
    return out


def _item_view(graph: TraceGraph, item_id: str) -> dict[str, Any]:
    item = graph.items[item_id]  # type: ignore[index]
    fields = []
    for name, value in item.model_dump(mode="json").items():
        if name in ("id",):
            continue
        fields.append((name, _flatten(value)))
    up = [(e.link, str(e.target), e.path) for e in graph.outgoing.get(item_id, [])]
    down = [(e.link, str(e.source), e.path) for e in graph.incoming.get(item_id, [])]
    view: dict[str, Any] = {
        "id": item_id, "kind": item_id.split("-")[0], "title": item.title,
        "path": graph.path_of(item_id), "fields": fields, "up": up, "down": down,
        "code": sorted({ref.label for ref in graph.code_for.get(item_id, [])}),
        "tests": _results_view(graph.results_for.get(item_id, [])),
        "markers": sorted({f"{m.path}:{m.line} {m.owner}"
                           for m in graph.markers_for.get(item_id, [])}),
        "is_srs": isinstance(item, SoftwareRequirement), "is_haz": isinstance(item, Hazard),
    }
    if isinstance(item, Hazard):
        view["initial"], view["residual"] = graph.initial_risk(item), graph.residual_risk(item)
    return view


def _flatten(value: Any, indent: int = 0) -> str:
    if isinstance(value, dict):
        return "\n".join(f"{'  ' * indent}{k}: {_flatten(v, indent + 1).lstrip()}"
                         for k, v in value.items() if v not in (None, [], {}))
    if isinstance(value, list):
        return "\n".join(f"{'  ' * indent}- {_flatten(v, indent + 1).lstrip()}" for v in value)
    return "" if value is None else str(value)


def write_json(out: Path, rel: str, value: Any) -> str:
    write_text_atomic(out / rel, pretty_json(value))
    return rel

