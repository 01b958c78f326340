"""The mixture likelihood on simulated read counts with known contamination (pure numpy)."""

from __future__ import annotations

import numpy as np
import pytest

from bp2.stages.qc_alignment.contamination import ContaminationEstimate, estimate_contamination


def simulate(alpha: float, sites: int, depth: int, seed: int
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Observed bases of a sample mixed with a fraction ``alpha`` of an unrelated genome."""
    rng = np.random.default_rng(seed)
    af = rng.uniform(0.05, 0.5, sites)
    sample = rng.binomial(2, af)
    other = rng.binomial(2, af)
    site_of, alt_of, qual_of = [], [], []
    for index in range(sites):
        from_other = rng.random(depth) < alpha
        carries = np.where(from_other, rng.random(depth) < other[index] / 2,
                           rng.random(depth) < sample[index] / 2)
        quality = rng.choice([20, 30, 37], depth)
        error = rng.random(depth) < 10 ** (-quality / 10)
        other_base = rng.integers(0, 3, depth)  # an error shows one of the 3 other bases
        kept = ~error | (other_base == 0)  # a third base (neither REF nor ALT) is not used
        site_of.append(np.full(int(kept.sum()), index))
        alt_of.append((carries ^ error)[kept])
        qual_of.append(quality[kept])
    return (np.concatenate(site_of), np.concatenate(alt_of), np.concatenate(qual_of), af)


def estimate(alpha: float, seed: int = 7) -> ContaminationEstimate:
    site, alt, qual, af = simulate(alpha, 1500, 30, seed)
    result = estimate_contamination(site.astype(np.int64), alt.astype(bool),
                                    qual.astype(np.int64), af)
    assert result is not None
    return result


@pytest.mark.verifies("SRS-166")
@pytest.mark.parametrize("alpha", [0.0, 0.01, 0.03, 0.08, 0.2])
def test_recovers_simulated_contamination(alpha: float) -> None:
    """It recovers a simulated contamination fraction within one point, inside its interval."""
    result = estimate(alpha)
    assert abs(result.fraction - alpha) < 0.01, result
    assert result.ci_low - 1e-9 <= alpha <= result.ci_high, result
    assert result.sites_used == 1500 and result.bases_used > 1500 * 29
    assert result.log_likelihood >= result.log_likelihood_at_zero


@pytest.mark.verifies("SRS-166")
def test_no_bases_no_estimate() -> None:
    """It gives no estimate when no read base was observed at any site."""
    empty = np.zeros(0, dtype=np.int64)
    assert estimate_contamination(empty, empty.astype(bool), empty, np.array([0.3])) is None


@pytest.mark.verifies("SRS-166")
def test_deterministic() -> None:
    """It returns the same estimate for the same observations."""
    assert estimate(0.04, seed=3) == estimate(0.04, seed=3)
