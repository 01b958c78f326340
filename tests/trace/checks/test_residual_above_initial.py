"""Tests of the residual-above-initial check."""

from __future__ import annotations

import pytest

from tests.trace.factory import Project

pytestmark = pytest.mark.verifies("SRS-043")


def test_reports_a_residual_severity_above_the_initial(project: Project) -> None:
    """It reports a residual severity higher than the initial severity."""
    project.edit("HAZ-001", residual={"severity": "critical", "probability": "improbable"})
    findings = [f for f in project.check().findings if f.check_id == "residual-above-initial"]
    assert [f.message for f in findings] == [
        "residual severity 'critical' is above the initial 'serious'"]
