"""Tests of the un-without-srs check."""

from __future__ import annotations

import pytest

from tests.trace.factory import Project, un

pytestmark = pytest.mark.verifies("SRS-042")


def test_reports_a_need_no_requirement_derives_from(project: Project) -> None:
    """It reports UN-002 when no SRS lists it as a parent."""
    project.item(un("UN-002"))
    assert project.found("un-without-srs") == {"UN-002"}


def test_baseline_need_is_covered(project: Project) -> None:
    """It finds nothing when every need has a derived requirement."""
    assert project.found("un-without-srs") == set()
