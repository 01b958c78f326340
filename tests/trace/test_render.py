"""Tests of the matrix renderers (HTML, CSV, XLSX, JSON)."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re

import pytest
from openpyxl import load_workbook

from bp2.trace.api import write_matrix
from bp2.trace.matrix import build_matrix
from bp2.trace.render import render_csv, render_html, render_json
from tests.trace.factory import Project

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _matrix(project: Project):  # type: ignore[no-untyped-def]
    report = project.check()
    return build_matrix(report.graph, report.findings)


@pytest.mark.verifies("SRS-047")
def test_html_escapes_untrusted_item_text(project: Project) -> None:
    """It escapes markup in item titles so it shows as text and never runs."""
    project.edit("UN-001", title=PAYLOAD)
    html = render_html(_matrix(project))
    assert PAYLOAD not in html and "&lt;script&gt;alert(" in html
    assert html.count("<script>") == 1  # only the page's own filter script


@pytest.mark.verifies("SRS-047")
def test_html_is_self_contained_with_a_strict_csp(project: Project) -> None:
    """It loads nothing from outside and allows only its own style and script by hash."""
    html = render_html(_matrix(project))
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    csp = re.search(r'content="(default-src[^"]+)"', html)
    assert csp is not None
    script = html.split("<script>")[1].split("</script>")[0]
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp.group(1)
    assert 'id="q" type="search"' in html and 'id="st"' in html


@pytest.mark.verifies("SRS-046", "SRS-053")
def test_text_formats_are_deterministic(project: Project) -> None:
    """It renders the same bytes twice from the same design history and results."""
    first = _matrix(project)
    second = _matrix(project)
    for render in (render_html, render_csv, render_json):
        assert render(first) == render(second)


@pytest.mark.verifies("SRS-046")
def test_csv_has_both_chains(project: Project) -> None:
    """It writes requirement and risk rows to one CSV told apart by the chain column."""
    rows = list(csv.DictReader(io.StringIO(render_csv(_matrix(project)))))
    assert [(r["chain"], r["srs_id"], r["status"]) for r in rows] == [
        ("requirement", "SRS-001", "ok"), ("risk", "SRS-001", "ok")]
    assert rows[1]["residual_risk"] == "medium" and rows[1]["hazard_id"] == "HAZ-001"


@pytest.mark.verifies("SRS-047")
def test_csv_defuses_formulas(project: Project) -> None:
    """It quotes text that a spreadsheet would run as a formula."""
    project.edit("UN-001", title="=HYPERLINK(\"http://x\")")
    rows = list(csv.DictReader(io.StringIO(render_csv(_matrix(project)))))
    assert rows[0]["un_titles"].startswith("'=")


@pytest.mark.verifies("SRS-046")
def test_json_lists_rows_findings_and_checks(project: Project) -> None:
    """It writes the matrix as JSON with rows, findings and the check table."""
    doc = json.loads(render_json(_matrix(project)))
    assert doc["format"] == "bp2-trace-matrix/1" and doc["errors"] == 0
    assert doc["requirements"][0]["tests"][0]["outcome"] == "passed"
    assert {c["id"] for c in doc["checks"]} >= {"suspect-link", "unknown-link"}


@pytest.mark.verifies("SRS-046")
def test_xlsx_has_a_sheet_per_table(project: Project) -> None:
    """It writes an XLSX workbook with requirements, risk, findings and checks sheets."""
    out = project.root / "out" / "matrix.xlsx"
    write_matrix(project.root, "xlsx", out)
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == ["Requirements", "Risk", "Findings", "Checks"]
    header = next(book["Requirements"].iter_rows(values_only=True))
    assert header[:3] == ("un_ids", "un_titles", "srs_id")
