"""Verdicts on too few sites: contradiction fails, otherwise insufficient, never a pass."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bp2.stages.qc_family.checks import (
    Flag,
    RelatednessSettings,
    Status,
    check_mendel,
    check_pair,
)
from bp2.stages.qc_family.kinship import PairCounts
from bp2.stages.qc_family.mendel import MendelCounts
from bp2.stages.qc_family.pedigree import DegreeCutoffs, FamilyUnit, Relationship

SETTINGS = RelatednessSettings(DegreeCutoffs(0.354, 0.177, 0.0884, 0.0442), 0.01, 1000, True,
                               genotype_error_rate=0.01, alpha=0.001)
PO = Relationship.PARENT_OFFSPRING
TRIO = FamilyUnit(child="kid", father="dad", mother="mum")


@pytest.mark.verifies("SRS-189")
def test_swapped_pair_on_few_sites_fails_with_figures() -> None:
    """It fails a declared parent-offspring pair with 7 IBS0 of 60 sites, naming every figure."""
    # the CEPH child↔mother swap: father vs the mother's reads, 10 kb of chr20
    counts = PairCounts(n_sites=60, het_het=1, ibs0=7, het_1=47, het_2=7)
    check = check_pair("HG001", "NA12891", PO, 0.25, counts, SETTINGS)
    assert (check.status, check.flag) == (Status.FAIL, Flag.RELATEDNESS_DISCORDANCE)
    assert check.p_value is not None and check.p_value < 1e-5
    for text in ("kinship -2.3571", "IBS0 0.1167 = 7 of 60 informative sites",
                 "7 of 60 informative sites are opposite homozygotes", "p = 2.43e-06 < 0.001"):
        assert text in check.message


@pytest.mark.verifies("SRS-189", "SRS-183")
def test_consistent_pair_on_few_sites_stays_insufficient() -> None:
    """It keeps a parent-offspring pair with no IBS0 on 59 sites insufficient, with its p-value."""
    counts = PairCounts(n_sites=59, het_het=4, ibs0=0, het_1=17, het_2=7)
    check = check_pair("HG001", "NA12891", PO, 0.25, counts, SETTINGS)
    assert (check.status, check.flag) == (Status.INSUFFICIENT_DATA, Flag.INSUFFICIENT_SITES)
    assert check.p_value == 1.0 and "binomial p = 1" in check.message
    # one IBS0 in 59 is what genotype error allows (p ≈ 0.45)
    one = check_pair("a", "b", PO, 0.25, PairCounts(59, 4, 1, 17, 7), SETTINGS)
    assert one.status is Status.INSUFFICIENT_DATA


@pytest.mark.verifies("SRS-189")
def test_undefined_kinship_can_still_be_contradicted() -> None:
    """It fails a parent-offspring pair without heterozygotes when IBS0 is significant."""
    counts = PairCounts(n_sites=1500, het_het=0, ibs0=400, het_1=0, het_2=200)
    check = check_pair("a", "b", PO, 0.25, counts, SETTINGS)
    assert (check.status, check.flag) == (Status.FAIL, Flag.RELATEDNESS_DISCORDANCE)
    assert "kinship undefined" in check.message


@pytest.mark.verifies("SRS-183")
def test_only_parent_offspring_pairs_are_tested() -> None:
    """It does not test IBS0 for a pair the PED declares unrelated: that stays insufficient."""
    counts = PairCounts(n_sites=60, het_het=1, ibs0=30, het_1=20, het_2=20)
    check = check_pair("a", "b", Relationship.UNRELATED, 0.0, counts, SETTINGS)
    assert (check.status, check.p_value) == (Status.INSUFFICIENT_DATA, None)


@pytest.mark.verifies("SRS-189")
def test_trio_on_few_sites_fails_only_when_significant() -> None:
    """It fails 45 of 58 inconsistent genotypes, and keeps 3 of 67 (p 0.15 at 2 %) insufficient."""
    swap = check_mendel(TRIO, MendelCounts(58, 45, {"20": (58, 45)}), 1000, 0.02, 0.001)
    assert (swap.status, swap.flag) == (Status.FAIL, Flag.MENDELIAN_ERROR_RATE)
    assert "45 Mendelian-inconsistent genotypes in 58 informative sites" in swap.message
    assert "significantly above the limit (binomial p = 8.59e-65 < 0.001)" in swap.message
    weak = check_mendel(TRIO, MendelCounts(67, 3, {"20": (67, 3)}), 1000, 0.02, 0.001)
    assert (weak.status, weak.flag) == (Status.INSUFFICIENT_DATA, Flag.INSUFFICIENT_SITES)
    assert "not significantly above the limit, binomial p = 0.151" in weak.message
    empty = check_mendel(TRIO, MendelCounts(0, 0, {}), 1000, 0.02, 0.001)
    assert (empty.status, empty.p_value) == (Status.INSUFFICIENT_DATA, None)


@pytest.mark.verifies("SRS-183", "SRS-189")
@given(n=st.integers(0, 999), data=st.data())
def test_never_a_pass_on_too_few_sites(n: int, data: st.DataObject) -> None:
    """It never passes a pair or a trio with fewer sites than the minimum, whatever the counts."""
    ibs0 = data.draw(st.integers(0, n))
    het_het = data.draw(st.integers(0, n - ibs0))
    het_1 = data.draw(st.integers(het_het, n - ibs0))
    het_2 = data.draw(st.integers(het_het, n - ibs0))
    relation = data.draw(st.sampled_from(list(Relationship)))
    counts = PairCounts(n, het_het, ibs0, het_1, het_2)
    assert check_pair("a", "b", relation, 0.25, counts, SETTINGS).status is not Status.PASS
    bad = data.draw(st.integers(0, n))
    mendel = check_mendel(TRIO, MendelCounts(n, bad, {}), 1000, 0.02, 0.001)
    assert mendel.status is not Status.PASS
