"""Tests of the unknown-link check."""

from __future__ import annotations

import pytest

from tests.trace.factory import Project, passing, srs

pytestmark = pytest.mark.verifies("SRS-041")


def test_reports_a_dangling_parent(project: Project) -> None:
    """It reports an SRS whose parent does not exist."""
    project.item(srs("SRS-002", parents=["UN-404"]))
    assert project.found("unknown-link") == {"SRS-002"}


def test_reports_dangling_code_marker_tag_and_result(project: Project) -> None:
    """It reports unknown IDs named by IMPLEMENTS, verifies markers, feature tags and results."""
    project.code("app/extra.py", ("SRS-101",))
    project.test_file("test_extra.py", ("SRS-102",), name="test_extra")
    project.write("verification/features/a.feature", "Feature: A\n  @SRS-103\n  Scenario: B\n")
    results = project.results([passing("tests/test_core.py::test_it", "SRS-001", "SRS-104")])
    assert project.found("unknown-link", [results]) == {"SRS-101", "SRS-102", "SRS-103",
                                                         "SRS-104"}
