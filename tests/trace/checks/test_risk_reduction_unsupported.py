"""Tests of the risk-reduction-unsupported check."""

from __future__ import annotations

import pytest

from tests.trace.factory import Project, control, passing

pytestmark = pytest.mark.verifies("SRS-043")


def test_reports_a_severity_reduction_no_control_claims(project: Project) -> None:
    """It reports a lower residual severity when every control reduces only probability."""
    project.edit("HAZ-001", residual={"severity": "minor", "probability": "remote"})
    findings = [f for f in project.check().findings
                if f.check_id == "risk-reduction-unsupported"]
    assert [f.message for f in findings] == [
        "severity is reduced from 'serious' to 'minor' but no control declares that it "
        "reduces severity"]


def test_reports_a_reduction_whose_control_is_unverified(project: Project) -> None:
    """It reports a probability reduction when the reducing control's SRS has no passing test."""
    results = project.results([passing("tests/test_core.py::test_it", "SRS-001",
                                       outcome="failed")])
    assert project.found("risk-reduction-unsupported", [results]) == {"HAZ-001"}


def test_accepts_a_reduction_by_a_verified_control(project: Project) -> None:
    """It accepts a severity reduction claimed by a control whose SRS passed its test."""
    project.edit("HAZ-001", controls=[control(reduces=["severity", "probability"])],
                 residual={"severity": "minor", "probability": "remote"})
    assert project.found("risk-reduction-unsupported") == set()
