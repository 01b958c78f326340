"""Tests of the item record models."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bp2.errors import InputError
from bp2.trace.items import Anomaly, Hazard, Link, SoftwareRequirement, ValidationProtocol
from bp2.trace.loader import load_design_history
from tests.trace.factory import Project, haz, srs, val


def _anomaly(**extra: Any) -> dict[str, Any]:
    return {"id": "ANOM-001", "title": "Odd", "description": "Something odd.",
            "affects": ["SRS-001"], "found_in": "0.1.0", **extra}


@pytest.mark.verifies("SRS-030", "SRS-035")
def test_link_accepts_short_and_long_form() -> None:
    """It reads a bare ID as an unreviewed link and the long form as a reviewed one."""
    short = Link.model_validate("UN-001")
    long = Link.model_validate({"id": "UN-001", "fingerprint": "a" * 64, "reviewed_by": "A",
                                "reviewed_at": "2025-01-01T00:00:00Z"})
    assert (short.reviewed, long.reviewed) == (False, True)


@pytest.mark.verifies("SRS-031", "SRS-035")
def test_link_refuses_a_partial_review_stamp() -> None:
    """It refuses a link with a fingerprint but no reviewer or time."""
    with pytest.raises(ValidationError, match="needs all of fingerprint"):
        Link.model_validate({"id": "UN-001", "fingerprint": "a" * 64})


@pytest.mark.verifies("SRS-031")
def test_srs_refuses_an_unknown_type_listing_the_allowed_ones() -> None:
    """It refuses an SRS type outside the list and names the allowed values."""
    with pytest.raises(ValidationError) as err:
        SoftwareRequirement.model_validate(srs(type="nice-to-have"))
    assert "functional" in str(err.value) and "usability" in str(err.value)


@pytest.mark.verifies("SRS-031")
def test_srs_refuses_a_statement_without_shall(project: Project) -> None:
    """It refuses an SRS statement that does not say what the system shall do."""
    project.item(srs("SRS-002", statement="The widget is fast."))
    with pytest.raises(InputError, match="field 'statement': must be in EARS form"):
        load_design_history(project.root)


@pytest.mark.verifies("SRS-031")
def test_srs_refuses_unknown_fields() -> None:
    """It refuses a field the SRS model does not define."""
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        SoftwareRequirement.model_validate(srs(priority="high"))


@pytest.mark.verifies("SRS-034")
@pytest.mark.parametrize("field", ["risk_level", "acceptable", "initial_risk"])
def test_hazard_refuses_typed_risk_levels(project: Project, field: str) -> None:
    """It refuses a hazard in which a risk level or acceptability is typed by hand."""
    project.item(haz("HAZ-002", **{field: "low"}))
    with pytest.raises(InputError, match=rf"field '{field}': risk levels .* are computed"):
        load_design_history(project.root)


@pytest.mark.verifies("SRS-034")
def test_hazard_refuses_a_typed_residual_level(project: Project) -> None:
    """It refuses a residual risk level typed inside the residual block."""
    data = haz("HAZ-002")
    data["residual"]["level"] = "low"
    project.item(data)
    with pytest.raises(InputError, match=r"field 'residual\.level': risk levels .* computed"):
        load_design_history(project.root)


@pytest.mark.verifies("SRS-031")
def test_hazard_needs_a_sequence_of_events_and_new_risks() -> None:
    """It requires a sequence of events and, for each control, its new risks."""
    data = haz(sequence_of_events=[])
    del data["controls"][0]["new_risks"]
    with pytest.raises(ValidationError) as err:
        Hazard.model_validate(data)
    fields = {".".join(str(p) for p in e["loc"]) for e in err.value.errors()}
    assert fields == {"sequence_of_events", "controls.0.new_risks"}


@pytest.mark.verifies("SRS-051")
@pytest.mark.parametrize(("extra", "message"), [
    ({"status": "investigated"}, "investigation"),
    ({"status": "fixed", "investigation": "Found."}, "fixed_in"),
    ({"status": "accepted", "investigation": "Found."}, "risk_evaluation"),
    ({"status": "open", "fixed_in": "1.0.0"}, "fixed_in"),
])
def test_anomaly_lifecycle_needs_the_fields_of_its_state(extra: dict[str, Any],
                                                         message: str) -> None:
    """It refuses an anomaly whose status lacks (or has) the fields that state needs."""
    with pytest.raises(ValidationError, match=message):
        Anomaly.model_validate(_anomaly(**extra))


@pytest.mark.verifies("SRS-051")
def test_anomaly_accepted_with_risk_evaluation() -> None:
    """It accepts an anomaly accepted with a risk evaluation."""
    anomaly = Anomaly.model_validate(_anomaly(
        status="accepted", investigation="Cosmetic.",
        risk_evaluation={"severity": "negligible", "probability": "remote", "rationale": "Text."}))
    assert anomaly.risk_evaluation is not None


@pytest.mark.verifies("SRS-052")
def test_validation_protocol_executed_needs_a_report() -> None:
    """It requires a report once a validation protocol has passed or failed."""
    with pytest.raises(ValidationError, match="report"):
        ValidationProtocol.model_validate(val(status="passed"))
    assert ValidationProtocol.model_validate(val(status="passed", report="r.html")).report


@pytest.mark.verifies("SRS-052")
def test_validation_dataset_needs_a_sha256() -> None:
    """It refuses a dataset without a sha256 checksum."""
    data = val()
    del data["datasets"][0]["sha256"]
    with pytest.raises(ValidationError, match="sha256"):
        ValidationProtocol.model_validate(data)
