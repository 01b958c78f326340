"""Tests of the test-claims-too-many check."""

from __future__ import annotations

import pytest

from tests.trace.factory import Project, passing, srs

pytestmark = pytest.mark.verifies("SRS-044")


def test_warns_about_a_test_claiming_four_requirements(project: Project) -> None:
    """It warns about one test claiming more than three requirements, and not about three."""
    for n in (2, 3, 4):
        project.item(srs(f"SRS-00{n}"))
    results = project.results([
        passing("t::wide", "SRS-001", "SRS-002", "SRS-003", "SRS-004"),
        passing("t::fine", "SRS-001", "SRS-002", "SRS-003")])
    findings = [f for f in project.check([results]).findings
                if f.check_id == "test-claims-too-many"]
    assert [f.message.split(" ")[0] for f in findings] == ["t::wide"]
