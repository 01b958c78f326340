"""Tests of normative-content fingerprints."""

from __future__ import annotations

import pytest

from bp2.trace.fingerprint import fingerprint
from bp2.trace.items import Hazard, SoftwareRequirement, UserNeed
from tests.trace.factory import haz, srs, un

pytestmark = pytest.mark.verifies("SRS-035")


def test_changes_when_the_statement_changes() -> None:
    """It gives a different fingerprint when a user need's statement changes."""
    before = fingerprint(UserNeed.model_validate(un()))
    after = fingerprint(UserNeed.model_validate(un(statement="A user needs something else.")))
    assert before != after


def test_ignores_editorial_changes() -> None:
    """It keeps the fingerprint when only the title or the line wrapping changes."""
    base = SoftwareRequirement.model_validate(srs())
    retitled = SoftwareRequirement.model_validate(srs(title="Better title"))
    rewrapped = SoftwareRequirement.model_validate(
        srs(statement="When asked,\n  the widget shall   answer within one second."))
    assert fingerprint(base) == fingerprint(retitled) == fingerprint(rewrapped)


def test_covers_the_hazards_harm() -> None:
    """It changes a hazard's fingerprint when its harm changes."""
    assert fingerprint(Hazard.model_validate(haz())) != fingerprint(
        Hazard.model_validate(haz(harm="Death.")))
