"""Tests of the hazard-without-control check."""

from __future__ import annotations

import pytest

from tests.trace.factory import Project

pytestmark = pytest.mark.verifies("SRS-043")


def test_reports_a_hazard_whose_controls_were_removed(project: Project) -> None:
    """It reports HAZ-001 once its only control is removed, with its initial risk."""
    project.edit("HAZ-001", controls=[])
    findings = [f for f in project.check().findings if f.check_id == "hazard-without-control"]
    assert [f.item_id for f in findings] == ["HAZ-001"]
    assert "initial risk high" in findings[0].message
