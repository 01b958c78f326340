"""Tests of ``bp2 trace show``."""

from __future__ import annotations

import pytest

from bp2.errors import UsageError
from bp2.trace.api import show
from tests.trace.factory import Project

pytestmark = pytest.mark.verifies("SRS-048")


def test_srs_chain_up_and_down(project: Project) -> None:
    """It shows SRS-001's parent need and controlling hazard above, code and tests below."""
    text = "\n".join(show(project.root, "SRS-001"))
    up, down = text.split("\nup:\n")[1].split("\ndown:\n")
    assert "UN-001" in up and "reviewed by Test Reviewer" in up and "HAZ-001" in up
    assert "code   src/app/core.py:3 <module>" in down
    assert "test   passed   tests/test_core.py::test_it" in down


def test_hazard_chain_shows_controls_and_risk(project: Project) -> None:
    """It shows a hazard's risk levels and its controls down to their tests."""
    lines = show(project.root, "HAZ-001")
    assert "  initial risk: high (serious × probable, NOT acceptable)" in lines
    assert any(line.strip().startswith("test   passed") for line in lines)


def test_user_need_chain_shows_findings(project: Project) -> None:
    """It lists the item's own findings."""
    project.edit("UN-001", statement="A user needs something new.")
    lines = show(project.root, "SRS-001")
    assert any("suspect-link" in line for line in lines)
    assert any("SUSPECT" in line for line in lines)


def test_unknown_item_is_a_usage_error(project: Project) -> None:
    """It refuses an ID that is not in the design history."""
    with pytest.raises(UsageError, match="unknown item"):
        show(project.root, "SRS-404")
