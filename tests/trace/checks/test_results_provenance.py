"""Tests of the results-provenance check."""

from __future__ import annotations

import pytest

from tests.trace.factory import Project
from tests.trace.test_results import JUNIT

pytestmark = pytest.mark.verifies("SRS-044")


def test_warns_when_there_are_no_results(project: Project) -> None:
    """It warns that nothing counts as verified when no results are given."""
    (project.root / ".bp2-results" / "results.json").unlink()
    findings = [f for f in project.check().findings if f.check_id == "results-provenance"]
    assert len(findings) == 1 and "no test results" in findings[0].message


def test_warns_about_results_without_tree_identity(project: Project) -> None:
    """It warns that JUnit results cannot be tied to the tree."""
    path = project.write("junit.xml", JUNIT)
    findings = [f for f in project.check([path]).findings if f.check_id == "results-provenance"]
    assert [f.where for f in findings] == ["junit.xml"]
