"""Tests of the srs-without-code check."""

from __future__ import annotations

import pytest

from tests.trace.factory import Project, srs

pytestmark = pytest.mark.verifies("SRS-042")


def test_reports_a_requirement_nothing_implements(project: Project) -> None:
    """It reports an SRS that no IMPLEMENTS names and that has no exemption."""
    project.item(srs("SRS-002"))
    assert project.found("srs-without-code") == {"SRS-002"}


def test_an_exemption_is_accepted(project: Project) -> None:
    """It accepts an SRS with a stated exemption instead of code."""
    project.item(srs("SRS-002", exemption="Met by the laboratory's SOP, not by code."))
    assert project.found("srs-without-code") == set()


def test_a_stage_class_attribute_counts(project: Project) -> None:
    """It accepts IMPLEMENTS declared as a class attribute of a stage."""
    project.item(srs("SRS-002"))
    project.write("src/app/stages/align/__init__.py",
                  "class AlignStage:\n    IMPLEMENTS = ('SRS-002',)\n")
    assert project.found("srs-without-code") == set()
