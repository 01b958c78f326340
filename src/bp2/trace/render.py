"""Render a :class:`~bp2.trace.matrix.Matrix` as HTML, CSV, XLSX or JSON, written atomically.

The HTML page is static and self-contained (inline style and script, no network): a search box
and a status filter narrow every table client-side.  Item text is untrusted and escaped by
Jinja2's autoescape; a Content-Security-Policy allows only the page's own style and script (by
hash), so text that slipped through could still not run.  Output is deterministic: the same
design history and results give the same bytes (XLSX aside, whose container records times).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from bp2.fileio import atomic_path, pretty_json, write_text_atomic
from bp2.trace.matrix import Matrix, RequirementRow, RiskRow, TestView

IMPLEMENTS = ("SRS-046", "SRS-047", "SRS-053")

Format = Literal["html", "csv", "xlsx", "json"]
FORMATS: tuple[Format, ...] = ("html", "csv", "xlsx", "json")


def _asset(name: str) -> str:
    return resources.files("bp2.trace").joinpath("templates", name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


class _TestList:
    """Jinja filter: the test lines of one requirement as HTML, escaped here in one pass.

    A requirement can have hundreds of tests and is listed under each of its user needs;
    escaping every value through the template dominated the render time, so each list is built
    once, with every value escaped by ``html.escape``.
    """

    def __init__(self) -> None:
        self.done: dict[int, Markup] = {}

    def __call__(self, tests: tuple[TestView, ...]) -> Markup:
        html = self.done.get(id(tests))  # the views live until rendering ends
        if html is None:
            html = self.done[id(tests)] = Markup("".join(  # noqa: S704 - values escaped below
                f'<code class="{escape(t.outcome)}">{escape(t.outcome)}</code> '
                f"{escape(t.nodeid, quote=False)}<br>" for t in tests))
        return html


def render_html(matrix: Matrix) -> str:
    env = Environment(
        loader=PackageLoader("bp2.trace", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters["test_list"] = _TestList()
    style, script = _asset("matrix.css"), _asset("matrix.js")
    counts = [(kind, matrix.counts[kind]) for kind in ("UN", "SRS", "HAZ", "VAL", "ANOM")
              if kind in matrix.counts]
    return env.get_template("matrix.html.j2").render(
        m=matrix, counts=counts,
        style=Markup(style), script=Markup(script),  # noqa: S704 - bp2's own packaged assets
        style_hash=_csp_hash(style), script_hash=_csp_hash(script),
    )


REQUIREMENT_COLUMNS = ("un_ids", "un_titles", "srs_id", "srs_title", "type", "safety_class",
                       "links", "code", "exemption", "passed", "failed", "not_run", "tests",
                       "outcome", "status")
RISK_COLUMNS = ("hazard_id", "hazard_title", "harm", "initial_risk", "initial_acceptable",
                "control", "measure", "reduces", "srs_id", "link", "srs_outcome",
                "residual_risk", "residual_acceptable", "status")
FINDING_COLUMNS = ("severity", "check", "item", "message", "hint", "where")


def requirement_record(row: RequirementRow) -> dict[str, Any]:
    s = row.srs
    return {
        "un_ids": " ".join(un for un, _ in row.needs),
        "un_titles": " | ".join(title for _, title in row.needs),
        "srs_id": s.id if s else "", "srs_title": s.title if s else "",
        "type": s.type if s else "", "safety_class": s.safety_class if s else "",
        "links": s.links if s else "", "code": " ".join(s.code) if s else "",
        "exemption": (s.exemption or "") if s else "",
        "passed": s.passed if s else 0, "failed": s.failed if s else 0,
        "not_run": s.not_run if s else 0,
        "tests": " ".join(f"{t.nodeid}={t.outcome}" for t in s.tests) if s else "",
        "outcome": s.outcome if s else "no SRS", "status": row.status,
    }


def risk_record(row: RiskRow) -> dict[str, Any]:
    return {
        "hazard_id": row.haz_id, "hazard_title": row.haz_title, "harm": row.harm,
        "initial_risk": row.initial.level if row.initial else "",
        "initial_acceptable": row.initial.acceptable if row.initial else "",
        "control": row.control or "", "measure": row.measure, "reduces": row.reduces,
        "srs_id": row.srs_id, "link": row.link,
        "srs_outcome": row.srs.outcome if row.srs else ("unknown SRS" if row.srs_id else ""),
        "residual_risk": row.residual.level if row.residual else "",
        "residual_acceptable": row.residual.acceptable if row.residual else "",
        "status": row.status,
    }


def render_csv(matrix: Matrix) -> str:
    """One table: requirement rows then risk rows, told apart by the ``chain`` column."""
    buffer = io.StringIO()
    columns = ("chain", *REQUIREMENT_COLUMNS,
               *(c for c in RISK_COLUMNS if c not in REQUIREMENT_COLUMNS))
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for req in matrix.requirements:
        record = {"chain": "requirement", **requirement_record(req)}
        writer.writerow({k: _cell(v) for k, v in record.items()})
    for risk in matrix.risk:
        record = {"chain": "risk", **risk_record(risk)}
        record["srs_title"] = risk.srs.title if risk.srs else ""
        writer.writerow({k: _cell(v) for k, v in record.items()})
    return buffer.getvalue()


def render_json(matrix: Matrix) -> str:
    doc = {
        "format": "bp2-trace-matrix/1",
        "project": matrix.project,
        "commit": matrix.commit,
        "dirty": matrix.dirty,
        "results": matrix.results,
        "system_safety_class": matrix.system_class,
        "counts": matrix.counts,
        "errors": matrix.errors,
        "warnings": matrix.warnings,
        "requirements": [
            {**requirement_record(r),
             "code": list(r.srs.code) if r.srs else [],
             "tests": [{"nodeid": t.nodeid, "outcome": t.outcome, "duration": t.duration}
                       for t in r.srs.tests] if r.srs else [],
             "hazards": list(r.srs.hazards) if r.srs else []}
            for r in matrix.requirements
        ],
        "risk": [risk_record(r) for r in matrix.risk],
        "findings": [f.as_dict() for f in matrix.findings],
        "checks": [{"id": c.id, "severity": c.severity, "title": c.title} for c in matrix.checks],
    }
    return pretty_json(doc)


def write_xlsx(matrix: Matrix, out: Path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheets: list[tuple[str, tuple[str, ...], list[dict[str, Any]]]] = [
        ("Requirements", REQUIREMENT_COLUMNS, [requirement_record(r) for r in matrix.requirements]),
        ("Risk", RISK_COLUMNS, [risk_record(r) for r in matrix.risk]),
        ("Findings", FINDING_COLUMNS, [f.as_dict() for f in matrix.findings]),
        ("Checks", ("id", "severity", "title", "documentation"),
         [{"id": c.id, "severity": c.severity, "title": c.title,
           "documentation": c.documentation} for c in matrix.checks]),
    ]
    for title, columns, records in sheets:
        sheet = book.create_sheet(title)
        sheet.append(list(columns))
        for record in records:
            sheet.append([_cell(record[c]) for c in columns])
    with atomic_path(out) as tmp:
        book.save(tmp)


def _cell(value: Any) -> Any:
    """Spreadsheet-safe value: text that a spreadsheet would run as a formula is quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def write_matrix_file(matrix: Matrix, fmt: Format, out: Path) -> None:
    if fmt == "xlsx":
        write_xlsx(matrix, out)
        return
    text = {"html": render_html, "csv": render_csv, "json": render_json}[fmt](matrix)
    write_text_atomic(out, text)
