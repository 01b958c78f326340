"""Tests of the anomaly-risk-unacceptable check."""

from __future__ import annotations

import pytest

from tests.trace.factory import Project

pytestmark = pytest.mark.verifies("SRS-051")


def _accepted(anom_id: str, severity: str, probability: str) -> dict[str, object]:
    return {"id": anom_id, "title": "Odd", "description": "Odd output.", "affects": ["SRS-001"],
            "found_in": "0.1.0", "status": "accepted", "investigation": "Understood.",
            "risk_evaluation": {"severity": severity, "probability": probability,
                                "rationale": "See the investigation.", "hazards": ["HAZ-001"]}}


def test_reports_an_accepted_anomaly_with_unacceptable_risk(project: Project) -> None:
    """It reports an anomaly accepted at critical × probable and not one at minor × remote."""
    project.item(_accepted("ANOM-001", "critical", "probable"))
    project.item(_accepted("ANOM-002", "minor", "remote"))
    assert project.found("anomaly-risk-unacceptable") == {"ANOM-001"}
