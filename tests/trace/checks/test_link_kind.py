"""Tests of the link-kind check."""

from __future__ import annotations

import pytest

from tests.trace.factory import Project, control, haz, passing, val

pytestmark = pytest.mark.verifies("SRS-041")


def test_reports_a_control_pointing_at_a_user_need(project: Project) -> None:
    """It reports a hazard control whose requirement is a user need."""
    project.item(haz("HAZ-002", controls=[control("UN-001")]))
    assert "HAZ-002" in project.found("link-kind")


def test_reports_validation_of_a_requirement(project: Project) -> None:
    """It reports a validation protocol that validates an SRS instead of a user need."""
    project.item(val("VAL-002", validates=["SRS-001"]))
    assert project.found("link-kind") == {"VAL-002"}


def test_reports_code_and_tests_claiming_a_hazard(project: Project) -> None:
    """It reports code implementing, and a test verifying, a hazard or user need."""
    project.code("app/haz.py", ("HAZ-001",))
    project.test_file("test_un.py", ("UN-001",), name="test_un")
    project.results([passing("tests/test_core.py::test_it", "SRS-001")])
    assert project.found("link-kind") == {"HAZ-001", "UN-001"}
