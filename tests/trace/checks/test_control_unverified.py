"""Tests of the control-unverified check."""

from __future__ import annotations

import pytest

from tests.trace.factory import Project, control, passing, srs

pytestmark = pytest.mark.verifies("SRS-043")


def test_reports_a_control_whose_requirement_has_no_passing_test(project: Project) -> None:
    """It reports a hazard whose control's SRS has only a skipped test."""
    results = project.results([passing("tests/test_core.py::test_it", "SRS-001",
                                       outcome="skipped")])
    findings = [f for f in project.check([results]).findings
                if f.check_id == "control-unverified"]
    assert [f.item_id for f in findings] == ["HAZ-001"] and "SRS-001" in findings[0].message


def test_reports_each_unverified_control(project: Project) -> None:
    """It reports a second control whose SRS nothing tests."""
    project.item(srs("SRS-002", exemption="Configuration only, no code."))
    project.edit("HAZ-001", controls=[control("SRS-001"), control("SRS-002")])
    findings = [f for f in project.check().findings if f.check_id == "control-unverified"]
    assert [f.message.split(" ")[1] for f in findings] == ["2"]
