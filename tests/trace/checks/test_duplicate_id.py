"""Tests of the duplicate-id check."""

from __future__ import annotations

import pytest

from tests.trace.factory import Project, srs

pytestmark = pytest.mark.verifies("SRS-030")


def test_reports_the_same_id_in_two_folders(project: Project) -> None:
    """It reports two files with the same ID in different sub-folders."""
    project.item(srs(), rel="requirements/old/SRS-001.yaml")
    findings = [f for f in project.check().findings if f.check_id == "duplicate-id"]
    assert [(f.item_id, f.where) for f in findings] == [("SRS-001",
                                                         "requirements/old/SRS-001.yaml")]


def test_reports_the_same_number_with_other_padding(project: Project) -> None:
    """It reports SRS-0001 and SRS-001 as one ID defined twice."""
    project.item(srs("SRS-0001"))
    findings = [f for f in project.check().findings if f.check_id == "duplicate-id"]
    assert len(findings) == 1
    assert "SRS-0001" in findings[0].message and "SRS-001" in findings[0].message
