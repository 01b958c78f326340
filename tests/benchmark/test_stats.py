"""Wilson score intervals against hand-computed values."""

from __future__ import annotations

import pytest

from bp2.benchmark.stats import wilson_interval


@pytest.mark.verifies("SRS-300")
def test_all_successes_lower_bound() -> None:
    """It gives 48/48 a 95 % lower bound of 0.926 and an upper bound of exactly 1."""
    lower, upper = wilson_interval(48, 48)
    # n/(n + z^2) = 48 / (48 + 3.841459) = 0.925899...
    assert lower == pytest.approx(48 / (48 + 1.959963984540054**2), abs=1e-12)
    assert round(lower, 3) == 0.926
    assert upper == 1.0


@pytest.mark.verifies("SRS-300")
def test_half_and_zero() -> None:
    """It gives the textbook intervals for 5/10 and 0/10."""
    lower, upper = wilson_interval(5, 10)
    # centre 0.5, half-width z*sqrt(0.025 + z^2/400)/(1 + z^2/10)
    assert lower == pytest.approx(0.236593, abs=1e-6)
    assert upper == pytest.approx(0.763407, abs=1e-6)
    lower, upper = wilson_interval(0, 10)
    assert lower == 0.0
    assert upper == pytest.approx(3.841459 / (10 + 3.841459), abs=1e-6)


@pytest.mark.verifies("SRS-300")
def test_empty_and_invalid() -> None:
    """It returns (0, 1) when nothing was counted and refuses impossible counts."""
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson_interval(3, 2)
    with pytest.raises(ValueError):
        wilson_interval(-1, 2)
