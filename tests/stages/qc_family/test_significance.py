"""The exact binomial tail behind contradictions on few sites (module .significance)."""

from __future__ import annotations

from fractions import Fraction
from math import comb

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bp2.stages.qc_family.significance import binomial_tail, format_p


def exact_tail(k: int, n: int, p: Fraction) -> Fraction:
    return sum((comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1)), Fraction(0))


@pytest.mark.verifies("SRS-189")
@given(n=st.integers(0, 80), data=st.data(),
       p=st.fractions(min_value=Fraction(1, 1000), max_value=Fraction(999, 1000)))
def test_matches_exact_rational_sum(n: int, data: st.DataObject, p: Fraction) -> None:
    """It equals the exact rational sum of binomial terms P(X ≥ k) to 1e-9 relative error."""
    k = data.draw(st.integers(0, n + 1))
    expected = float(exact_tail(k, n, p))
    assert binomial_tail(k, n, float(p)) == pytest.approx(expected, rel=1e-9, abs=1e-300)


@pytest.mark.verifies("SRS-189")
def test_hand_values_and_edges() -> None:
    """It gives the hand-computed tails and the edge cases k = 0, k > n, p = 0 and p = 1."""
    # 1 - 0.99^60 - 60·0.01·0.99^59 - … : 7 IBS0 of 60 sites at 1 % (the CEPH swap)
    assert binomial_tail(7, 60, 0.01) == pytest.approx(2.4282e-6, rel=1e-4)
    assert binomial_tail(1, 10, 0.5) == pytest.approx(1 - 0.5**10)
    assert binomial_tail(0, 5, 0.3) == 1.0
    assert binomial_tail(6, 5, 0.3) == 0.0
    assert binomial_tail(1, 5, 0.0) == 0.0
    assert binomial_tail(5, 5, 1.0) == 1.0
    # far tail without underflow to a wrong value: 45 of 58 at 2 %
    assert 1e-66 < binomial_tail(45, 58, 0.02) < 1e-63


@pytest.mark.verifies("SRS-189")
def test_refuses_impossible_arguments() -> None:
    """It refuses a negative count, a count beyond n + 1 or a probability outside [0, 1]."""
    for k, n, p in ((-1, 5, 0.1), (7, 5, 0.1), (1, 5, 1.5), (1, -1, 0.1)):
        with pytest.raises(ValueError, match="binomial_tail"):
            binomial_tail(k, n, p)


@pytest.mark.verifies("SRS-189")
def test_format_p() -> None:
    """It writes p-values readably: 3 significant digits, scientific below 0.001."""
    assert format_p(0.151) == "p = 0.151"
    assert format_p(2.4282e-6) == "p = 2.43e-06"
    assert format_p(0.0) == "p < 1e-300"
