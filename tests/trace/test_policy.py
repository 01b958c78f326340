"""Tests of the risk policy."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from bp2.trace.policy import RiskPolicy
from tests.trace.factory import REPO

BASE: dict[str, Any] = yaml.safe_load((REPO / "risk" / "policy.yaml").read_text())


def _policy(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data.update(changes)
    return data


@pytest.mark.verifies("SRS-033")
def test_repository_policy_is_valid() -> None:
    """It accepts the repository's risk policy."""
    policy = RiskPolicy.model_validate(BASE)
    assert len(policy.severity) * len(policy.probability) == sum(
        len(row) for row in policy.matrix.values())


@pytest.mark.verifies("SRS-034")
def test_assess_looks_up_the_matrix() -> None:
    """It computes the level and acceptability of a severity × probability pair."""
    policy = RiskPolicy.model_validate(BASE)
    high = policy.assess("catastrophic", "frequent")
    low = policy.assess("negligible", "improbable")
    assert (high.level, high.acceptable) == ("high", False)
    assert (low.level, low.acceptable) == ("low", True)


@pytest.mark.verifies("SRS-033")
def test_refuses_a_missing_cell() -> None:
    """It refuses a matrix row with fewer cells than probabilities."""
    matrix = dict(BASE["matrix"], minor=["low", "low", "medium", "medium"])
    with pytest.raises(ValidationError, match="needs one per probability"):
        RiskPolicy.model_validate(_policy(matrix=matrix))


@pytest.mark.verifies("SRS-033")
def test_refuses_a_missing_severity_row() -> None:
    """It refuses a matrix without a row for every severity."""
    matrix = {k: v for k, v in BASE["matrix"].items() if k != "serious"}
    with pytest.raises(ValidationError, match="one row per severity"):
        RiskPolicy.model_validate(_policy(matrix=matrix))


@pytest.mark.verifies("SRS-033")
def test_refuses_an_unknown_level() -> None:
    """It refuses a matrix cell naming an undefined level."""
    matrix = dict(BASE["matrix"], minor=["low", "low", "medium", "medium", "extreme"])
    with pytest.raises(ValidationError, match="unknown level"):
        RiskPolicy.model_validate(_policy(matrix=matrix))


@pytest.mark.verifies("SRS-033")
def test_refuses_risk_falling_as_probability_rises() -> None:
    """It refuses a row that ranks a more probable risk lower."""
    matrix = dict(BASE["matrix"], minor=["low", "medium", "low", "medium", "high"])
    with pytest.raises(ValidationError, match="probability rises"):
        RiskPolicy.model_validate(_policy(matrix=matrix))


@pytest.mark.verifies("SRS-033")
def test_refuses_risk_falling_as_severity_rises() -> None:
    """It refuses a column that ranks a more severe risk lower."""
    matrix = dict(BASE["matrix"], catastrophic=["medium", "medium", "medium", "high", "high"])
    with pytest.raises(ValidationError, match="severity rises"):
        RiskPolicy.model_validate(_policy(matrix=matrix))


@pytest.mark.verifies("SRS-033")
def test_refuses_a_policy_with_no_acceptable_level() -> None:
    """It refuses a policy in which no level is acceptable."""
    levels = [dict(level, acceptable=False) for level in BASE["levels"]]
    with pytest.raises(ValidationError, match="at least one risk level"):
        RiskPolicy.model_validate(_policy(levels=levels))
