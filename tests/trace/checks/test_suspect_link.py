"""Tests of the suspect-link check."""

from __future__ import annotations

import pytest

from bp2.trace.review import review
from tests.trace.factory import WHEN, Project

pytestmark = pytest.mark.verifies("SRS-035")


def test_reports_a_child_when_its_parent_changes(project: Project) -> None:
    """It reports SRS-001 and VAL-001 as suspect when UN-001's statement changes."""
    project.edit("UN-001", statement="A user needs the widget to work twice as fast.")
    findings = [f for f in project.check().findings if f.check_id == "suspect-link"]
    assert [f.item_id for f in findings] == ["SRS-001", "VAL-001"]
    assert "UN-001 (parents[0]) changed since Test Reviewer reviewed" in findings[0].message


def test_reports_a_hazard_when_its_control_requirement_changes(project: Project) -> None:
    """It reports HAZ-001 (and VAL-001 stays clean) when SRS-001's statement changes."""
    project.edit("SRS-001", statement="When asked, the widget shall answer within a minute.")
    assert project.found("suspect-link") == {"HAZ-001"}


def test_editorial_change_is_not_suspect(project: Project) -> None:
    """It does not report children when only the parent's title changes."""
    project.edit("UN-001", title="A better title")
    assert project.found("suspect-link") == set()


def test_review_clears_the_suspect_link(project: Project) -> None:
    """It stops reporting each child once that child is reviewed again."""
    project.edit("UN-001", statement="A user needs the widget to work twice as fast.")
    review(project.root, ["SRS-001"], "Second Reviewer", now=WHEN)
    assert project.found("suspect-link") == {"VAL-001"}
    review(project.root, ["VAL-001"], "Second Reviewer", now=WHEN)
    assert project.found("suspect-link") == set()
