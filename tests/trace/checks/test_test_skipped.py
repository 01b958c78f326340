"""Tests of the test-skipped check."""

from __future__ import annotations

import pytest

from tests.trace.factory import Project, passing

pytestmark = pytest.mark.verifies("SRS-044")


def test_warns_about_a_skipped_linked_test(project: Project) -> None:
    """It warns about a skipped test linked to an item."""
    results = project.results([passing("tests/test_core.py::test_it", "SRS-001"),
                               passing("tests/test_core.py::test_data", "SRS-001",
                                       outcome="skipped")])
    findings = [f for f in project.check([results]).findings if f.check_id == "test-skipped"]
    assert [(f.item_id, str(f.severity)) for f in findings] == [("SRS-001", "warning")]
