"""Tests of the srs-not-ears check."""

from __future__ import annotations

import pytest

from tests.trace.factory import Project, srs

pytestmark = pytest.mark.verifies("SRS-042")


@pytest.mark.parametrize("statement", [
    "The widget shall answer.", "When asked, the widget shall answer.",
    "While idle, the widget shall sleep.", "If the disk is full, then the widget shall stop.",
    "Where logging is on, the widget shall log."])
def test_accepts_the_ears_patterns(project: Project, statement: str) -> None:
    """It accepts statements in each EARS pattern."""
    project.item(srs("SRS-001", statement=statement))
    assert project.found("srs-not-ears") == set()


@pytest.mark.parametrize("statement", ["Answers shall be quick.",
                                       "If the disk is full the widget shall stop."])
def test_warns_about_other_forms(project: Project, statement: str) -> None:
    """It warns about a statement outside the patterns, or an If without then."""
    project.item(srs("SRS-001", statement=statement))
    assert project.found("srs-not-ears") == {"SRS-001"}
