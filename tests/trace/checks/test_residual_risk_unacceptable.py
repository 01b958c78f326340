"""Tests of the residual-risk-unacceptable check."""

from __future__ import annotations

import pytest

from tests.trace.factory import Project

pytestmark = pytest.mark.verifies("SRS-043", "SRS-034")


def test_reports_a_residual_risk_the_policy_rejects(project: Project) -> None:
    """It reports a residual risk that the matrix ranks high."""
    project.edit("HAZ-001", residual={"severity": "serious", "probability": "probable"})
    findings = [f for f in project.check().findings if f.check_id == "residual-risk-unacceptable"]
    assert [(f.item_id, f.message) for f in findings] == [
        ("HAZ-001", "residual risk high (serious × probable, NOT acceptable)")]


def test_accepts_a_residual_risk_the_policy_accepts(project: Project) -> None:
    """It finds nothing when the residual risk is acceptable (serious × remote is medium)."""
    assert project.found("residual-risk-unacceptable") == set()
