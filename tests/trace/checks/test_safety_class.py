"""Tests of the safety-class check."""

from __future__ import annotations

import pytest
import yaml

from tests.trace.factory import Project, srs

pytestmark = pytest.mark.verifies("SRS-032")


def test_reports_a_requirement_above_the_system_class(project: Project) -> None:
    """It reports a class C requirement in a class B system."""
    path = project.root / "requirements" / "intended-use.yaml"
    data = yaml.safe_load(path.read_text())
    path.write_text(yaml.safe_dump({**data, "safety_class": "B"}))
    project.item(srs("SRS-001", safety_class="C"))
    assert project.found("safety-class") == {"SRS-001"}


def test_reports_a_class_a_risk_control(project: Project) -> None:
    """It reports a class A requirement that implements a hazard's risk control."""
    project.item(srs("SRS-001", safety_class="A"))
    assert project.found("safety-class") == {"SRS-001"}
