"""Tests of the anomaly-open check."""

from __future__ import annotations

import pytest

from tests.trace.factory import Project

pytestmark = pytest.mark.verifies("SRS-051")


def test_warns_about_an_open_anomaly(project: Project) -> None:
    """It warns about an open anomaly and not about a fixed one."""
    project.item({"id": "ANOM-001", "title": "Odd", "description": "Odd output.",
                  "affects": ["SRS-001"], "found_in": "0.1.0", "status": "open"})
    project.item({"id": "ANOM-002", "title": "Odd", "description": "Odd output.",
                  "affects": ["SRS-001"], "found_in": "0.1.0", "status": "fixed",
                  "investigation": "Typo.", "fixed_in": "0.1.1"})
    assert project.found("anomaly-open") == {"ANOM-001"}
