"""Tests of the missing-document check."""

from __future__ import annotations

import pytest

from tests.trace.factory import Project


@pytest.mark.verifies("SRS-032")
def test_reports_a_missing_intended_use(project: Project) -> None:
    """It reports a design history without an intended-use statement."""
    (project.root / "requirements" / "intended-use.yaml").unlink()
    findings = [f for f in project.check().findings if f.check_id == "missing-document"]
    assert [f.where for f in findings] == ["requirements/intended-use.yaml"]


@pytest.mark.verifies("SRS-033")
def test_reports_a_missing_risk_policy(project: Project) -> None:
    """It reports a design history without a risk policy, and computes no risk."""
    (project.root / "risk" / "policy.yaml").unlink()
    report = project.check()
    assert [f.where for f in report.findings if f.check_id == "missing-document"] == [
        "risk/policy.yaml"]
    assert not [f for f in report.findings if f.check_id == "residual-risk-unacceptable"]
