"""Tests of the unreviewed-link check."""

from __future__ import annotations

import pytest

from tests.trace.factory import Project, srs

pytestmark = pytest.mark.verifies("SRS-035")


def test_warns_about_short_form_links(project: Project) -> None:
    """It warns about an SRS whose parents are bare IDs, listing them."""
    project.item(srs("SRS-001", parents=["UN-001"]))
    findings = [f for f in project.check().findings if f.check_id == "unreviewed-link"]
    assert [(f.item_id, str(f.severity)) for f in findings] == [("SRS-001", "warning")]


def test_strict_mode_fails_on_the_warning(project: Project) -> None:
    """It fails the check in strict mode when a link is unreviewed."""
    project.item(srs("SRS-001", parents=["UN-001"]))
    assert not project.check().failed
    assert project.check(strict=True).failed
