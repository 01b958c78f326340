"""Tests of the trace matrix view objects."""

from __future__ import annotations

import pytest

from bp2.trace.matrix import build_matrix
from tests.trace.factory import Project, passing, srs, un

pytestmark = pytest.mark.verifies("SRS-046")


def _matrix(project: Project):  # type: ignore[no-untyped-def]
    report = project.check()
    return build_matrix(report.graph, report.findings)


def test_requirement_chain_of_the_baseline(project: Project) -> None:
    """It shows UN-001 → SRS-001 → its code → its passing test → verified."""
    matrix = _matrix(project)
    [row] = matrix.requirements
    assert (row.needs, row.srs.id if row.srs else None, row.status) == (
        (("UN-001", "Need UN-001"),), "SRS-001", "ok")
    assert row.srs is not None and row.srs.code == ("src/app/core.py:3 <module>",)
    assert [(t.nodeid, t.outcome) for t in row.srs.tests] == [("tests/test_core.py::test_it",
                                                               "passed")]
    assert row.srs.outcome == "verified" and row.srs.hazards == ("HAZ-001",)


def test_risk_chain_with_computed_levels(project: Project) -> None:
    """It shows HAZ-001 → control → SRS-001 with the initial and residual risk computed."""
    [row] = _matrix(project).risk
    assert (row.haz_id, row.control, row.srs_id, row.link) == ("HAZ-001", 1, "SRS-001",
                                                               "reviewed")
    assert row.initial is not None and row.initial.level == "high"
    assert row.residual is not None and (row.residual.level, row.residual.acceptable) == (
        "medium", True)


def test_derived_and_uncovered_requirements_get_rows(project: Project) -> None:
    """It lists a derived SRS with its user need, a UN without SRS, and an exempt SRS."""
    project.item(srs("SRS-002", parents=["SRS-001"], exemption="Met by the SOP, not code."))
    project.item(un("UN-002"))
    project.results([passing("tests/test_core.py::test_it", "SRS-001", "SRS-002")])
    rows = [([un for un, _ in r.needs], r.srs.id if r.srs else None, r.status)
            for r in _matrix(project).requirements]
    assert rows == [(["UN-001"], "SRS-001", "ok"), (["UN-001"], "SRS-002", "warning"),
                    (["UN-002"], None, "error")]
