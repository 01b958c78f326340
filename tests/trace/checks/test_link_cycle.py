"""Tests of the link-cycle check."""

from __future__ import annotations

import pytest

from tests.trace.factory import Project, srs

pytestmark = pytest.mark.verifies("SRS-041")


def test_reports_a_two_item_cycle(project: Project) -> None:
    """It reports SRS-002 and SRS-003 listing each other as parents, once."""
    project.item(srs("SRS-002", parents=["SRS-003"]))
    project.item(srs("SRS-003", parents=["SRS-002"]))
    findings = [f for f in project.check().findings if f.check_id == "link-cycle"]
    assert [(f.item_id, f.message) for f in findings] == [
        ("SRS-002", "links form a cycle through SRS-002, SRS-003")]


def test_reports_an_item_that_is_its_own_parent(project: Project) -> None:
    """It reports an SRS listed among its own parents."""
    project.item(srs("SRS-002", parents=["UN-001", "SRS-002"]))
    assert project.found("link-cycle") == {"SRS-002"}


def test_a_chain_is_not_a_cycle(project: Project) -> None:
    """It accepts a chain of derived requirements."""
    project.item(srs("SRS-002", parents=["SRS-001"]))
    project.item(srs("SRS-003", parents=["SRS-002", "SRS-001"]))
    assert project.found("link-cycle") == set()
