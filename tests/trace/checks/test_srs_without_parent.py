"""Tests of the srs-without-parent check."""

from __future__ import annotations

import pytest

from tests.trace.factory import Project, srs

pytestmark = pytest.mark.verifies("SRS-042")


def test_reports_a_requirement_with_no_parent(project: Project) -> None:
    """It reports an SRS whose parents list is empty."""
    project.item(srs("SRS-002", parents=[]))
    assert project.found("srs-without-parent") == {"SRS-002"}
