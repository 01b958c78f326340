"""Tests of the test-failed check."""

from __future__ import annotations

import pytest

from bp2.trace.results import TestResult
from tests.trace.factory import Project, passing

pytestmark = pytest.mark.verifies("SRS-044")


def test_reports_a_failing_linked_test_with_its_message(project: Project) -> None:
    """It reports a failed test linked to SRS-001 even when another linked test passed."""
    results = project.results([
        passing("tests/test_core.py::test_it", "SRS-001"),
        TestResult(nodeid="tests/test_core.py::test_other", outcome="failed",  # type: ignore[arg-type]
                   duration=0.1, ids=("SRS-001",), message="assert 2 == 3")])
    findings = [f for f in project.check([results]).findings if f.check_id == "test-failed"]
    assert [(f.item_id, f.message) for f in findings] == [
        ("SRS-001", "tests/test_core.py::test_other failed: assert 2 == 3")]
