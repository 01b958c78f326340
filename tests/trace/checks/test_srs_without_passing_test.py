"""Tests of the srs-without-passing-test check."""

from __future__ import annotations

import pytest

from tests.trace.factory import Project, passing

pytestmark = pytest.mark.verifies("SRS-042")


def test_baseline_requirement_is_verified(project: Project) -> None:
    """It finds nothing when the linked test passed."""
    assert project.found("srs-without-passing-test") == set()


@pytest.mark.parametrize("outcome", ["failed", "skipped", "error", "xfailed"])
def test_reports_a_requirement_whose_tests_did_not_pass(project: Project, outcome: str) -> None:
    """It reports an SRS whose only linked test did not pass."""
    results = project.results([passing("tests/test_core.py::test_it", "SRS-001",
                                       outcome=outcome)])
    assert project.found("srs-without-passing-test", [results]) == {"SRS-001"}


def test_a_claim_without_a_result_is_not_evidence(project: Project) -> None:
    """It reports an SRS claimed by a test when the results do not include that test."""
    results = project.results([])
    findings = [f for f in project.check([results]).findings
                if f.check_id == "srs-without-passing-test"]
    assert [f.message for f in findings] == ["1 test(s) claim it but none has a result"]
