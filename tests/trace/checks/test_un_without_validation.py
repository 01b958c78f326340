"""Tests of the un-without-validation check."""

from __future__ import annotations

import pytest

from tests.trace.factory import Project

pytestmark = pytest.mark.verifies("SRS-042")


def test_reports_a_need_without_a_protocol(project: Project) -> None:
    """It reports UN-001 once its only validation protocol is removed."""
    project.remove("VAL-001")
    assert project.found("un-without-validation") == {"UN-001"}
