"""Tests of the validation-failed check."""

from __future__ import annotations

import pytest

from tests.trace.factory import Project

pytestmark = pytest.mark.verifies("SRS-052")


def test_reports_a_failed_protocol(project: Project) -> None:
    """It reports a validation protocol whose status is failed, naming the needs."""
    project.edit("VAL-001", status="failed", report="reports/val-001.html")
    findings = [f for f in project.check().findings if f.check_id == "validation-failed"]
    assert [(f.item_id, "UN-001" in f.message) for f in findings] == [("VAL-001", True)]


def test_a_passed_protocol_is_fine(project: Project) -> None:
    """It finds nothing for a protocol that passed."""
    project.edit("VAL-001", status="passed", report="reports/val-001.html")
    assert project.found("validation-failed") == set()
