"""KING-robust kinship, IBS0 and the inferred degree (pure module bp2.stages.qc_family.kinship)."""

from __future__ import annotations

import numpy as np
import pytest

from bp2.stages.qc_family.genotypes import Code
from bp2.stages.qc_family.kinship import (
    PairCounts,
    infer_relationship,
    pair_counts,
    relationships_agree,
)
from bp2.stages.qc_family.pedigree import DegreeCutoffs, Relationship

KING = DegreeCutoffs(0.354, 0.177, 0.0884, 0.0442)
R, H, A, M = Code.HOM_REF, Code.HET, Code.HOM_ALT, Code.MISSING


def codes(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.int8)


@pytest.mark.verifies("SRS-181")
def test_hand_computed_counts_and_kinship() -> None:
    """It counts het-het, opposite homozygotes and each sample's hets over informative sites."""
    #            site:  1  2  3  4  5  6  7  8  9  10 11
    first = codes(H, H, A, H, R, H, A, R, A, H, M)
    second = codes(H, R, H, H, H, A, A, R, R, H, A)
    counts = pair_counts(first, second)
    # site 8 (both 0/0) and site 11 (first missing) are not informative → 9 sites;
    # het-het at 1, 4, 10 → 3; opposite homozygotes at 9 → 1;
    # first het at 1, 2, 4, 6, 10 → 5; second het at 1, 3, 4, 5, 10 → 5.
    assert counts == PairCounts(n_sites=9, het_het=3, ibs0=1, het_1=5, het_2=5)
    # φ = ½ − (5 + 5 − 2·3 + 4·1) / (4·min(5, 5)) = ½ − 8/20 = 0.1
    assert counts.kinship == pytest.approx(0.1)
    assert counts.ibs0_fraction == pytest.approx(1 / 9)


@pytest.mark.verifies("SRS-181")
def test_between_family_form_uses_the_smaller_het_count() -> None:
    """It divides by four times the smaller heterozygote count (KING between-family form)."""
    counts = PairCounts(n_sites=100, het_het=20, ibs0=2, het_1=30, het_2=50)
    # ½ − (30 + 50 − 40 + 8) / (4·30) = ½ − 48/120 = 0.1
    assert counts.kinship == pytest.approx(0.1)
    # the equivalent form (N_AaAa − 2 N_AAaa)/(2 min) + ½ − ¼ (N_i + N_j)/min
    assert counts.kinship == pytest.approx((20 - 4) / 60 + 0.5 - 0.25 * 80 / 30)


@pytest.mark.verifies("SRS-181")
def test_duplicate_and_parent_offspring_expectations() -> None:
    """It gives ½ for identical genotypes and ¼ with no IBS0 for a transmitted-allele pattern."""
    same = codes(H, H, A, R, H, A, H)
    assert pair_counts(same, same).kinship == pytest.approx(0.5)
    # parent het at 4 sites, child het at 4 sites, both het at 2, never opposite homozygotes:
    parent = codes(H, H, H, H, R, A)
    child = codes(H, H, R, A, H, H)
    counts = pair_counts(parent, child)
    assert (counts.het_het, counts.ibs0, counts.het_1, counts.het_2) == (2, 0, 4, 4)
    assert counts.kinship == pytest.approx(0.5 - (4 + 4 - 4) / 16)  # 0.25


@pytest.mark.verifies("SRS-183")
def test_kinship_undefined_without_heterozygotes() -> None:
    """It leaves kinship undefined when one sample has no heterozygous informative site."""
    counts = pair_counts(codes(A, A, R), codes(H, A, A))
    assert counts.het_1 == 0 and counts.kinship is None
    assert pair_counts(codes(R, R), codes(R, M)).ibs0_fraction is None


@pytest.mark.verifies("SRS-182")
@pytest.mark.parametrize(
    ("kinship", "ibs0", "expected"),
    [
        (0.49, 0.0, Relationship.DUPLICATE),
        (0.25, 0.0005, Relationship.PARENT_OFFSPRING),
        (0.25, 0.01, Relationship.PARENT_OFFSPRING),  # at the limit
        (0.25, 0.02, Relationship.FULL_SIBLINGS),
        (0.354, 0.0, Relationship.PARENT_OFFSPRING),  # KING: first degree up to 0.354
        (0.12, 0.03, Relationship.SECOND_DEGREE),
        (0.06, 0.05, Relationship.THIRD_DEGREE),
        (0.0442, 0.08, Relationship.UNRELATED),
        (-0.02, 0.08, Relationship.UNRELATED),
    ],
)
def test_king_cutoffs(kinship: float, ibs0: float, expected: Relationship) -> None:
    """It classifies pairs by KING's published kinship cut-offs and the parent-offspring IBS0."""
    assert infer_relationship(kinship, ibs0, KING, 0.01) is expected


@pytest.mark.verifies("SRS-182")
def test_agreement_rules() -> None:
    """It accepts only the PED's relationship, with third degree and unrelated optionally alike."""
    po, fs = Relationship.PARENT_OFFSPRING, Relationship.FULL_SIBLINGS
    unrelated, third = Relationship.UNRELATED, Relationship.THIRD_DEGREE
    assert relationships_agree(po, po, True)
    assert not relationships_agree(po, fs, True)
    assert not relationships_agree(po, unrelated, True)
    assert not relationships_agree(unrelated, Relationship.SECOND_DEGREE, True)
    assert relationships_agree(unrelated, third, True)
    assert relationships_agree(third, unrelated, True)
    assert not relationships_agree(unrelated, third, False)
    assert relationships_agree(Relationship.FIRST_DEGREE, fs, False)
