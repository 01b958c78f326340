"""Tests of local haplotype re-genotyping's pure arithmetic (hand-computed cases)."""

from __future__ import annotations

import math

import pytest

from bp2.stages.call.haplotypes import (
    Pair,
    SampleCall,
    allele_depths,
    apply_alleles,
    choose,
    decompose,
    genotype_likelihoods,
    marginal_pl,
    overlaps,
    pairs,
    phasings,
    query_span,
    read_candidates,
    read_log_likelihoods,
    repeat_span,
    trim,
)

# dataset 11 / GIAB HG001 at chr20:10,040,806 (0-based start): a T9 run then an A6 run
JUNCTION = "TAACAATTTTTTTTTAAAAAAGAAAA"


@pytest.mark.verifies("SRS-154")
def test_repeat_span_joins_adjacent_repeats() -> None:
    """It widens a deletion in a poly-T over the whole T run and the poly-A right after it."""
    # the deletion AT>A sits at 5-6; T run is 6-14, A run 15-20
    assert repeat_span(JUNCTION, 5, 7) == (5, 21)
    # a base outside any repeat stays as it is
    assert repeat_span("ACGTAGCTAG", 4, 5) == (4, 5)


@pytest.mark.verifies("SRS-154")
def test_repeat_span_finds_a_dinucleotide_repeat() -> None:
    """It widens a CA-repeat indel over the CA run, not beyond."""
    seq = "GGTCTTACACACACACAGTTC"
    assert repeat_span(seq, 8, 9) == (6, 17)


@pytest.mark.verifies("SRS-157")
def test_an_snv_on_an_indel_anchor_does_not_clash() -> None:
    """It applies an SNV on the anchor base of a deletion, but not inside the deleted bases."""
    window = "GATTTC"
    deletion, anchor_snv, inside_snv = (1, "ATT", "A"), (1, "A", "G"), (2, "T", "C")
    assert not overlaps(deletion, anchor_snv) and overlaps(deletion, inside_snv)
    assert apply_alleles(window, 0, [deletion, anchor_snv]) == "GGTC"
    assert apply_alleles(window, 0, [deletion, inside_snv]) is None
    assert apply_alleles(window, 10, [(11, "A", "C")]) == "GCTTTC"  # window at 10
    assert apply_alleles(window, 0, [(1, "C", "G")]) is None  # REF disagrees with the window


@pytest.mark.verifies("SRS-154", "SRS-157")
def test_phasings_drop_the_less_confident_of_two_clashing_alleles() -> None:
    """It phases a 1/1 deletion and a clashing 1/1 SNV as the deletion alone on both copies."""
    deletion, snv, other = (1, "ATT", "A"), (2, "T", "C"), (8, "G", "A")
    result = phasings([(deletion, deletion), (snv, snv), (None, other)])
    assert result == [((deletion,), (deletion, other)), ((deletion, other), (deletion,))]
    assert phasings([]) == []
    assert phasings([(other,)]) == [((other,),)]  # haploid


@pytest.mark.verifies("SRS-154")
def test_query_span_of_reads_with_anchors() -> None:
    """It maps a window to read coordinates and refuses reads not aligned at both anchors."""
    # read aligned at 100: 10M 2I 10M 3D 10M  (ref 100-133, read 32 bases)
    cigar = [(0, 10), (1, 2), (0, 10), (2, 3), (0, 10)]
    assert query_span(cigar, 100, 105, 115) == (5, 17)  # the 2 inserted bases are inside
    assert query_span(cigar, 100, 105, 130) == (5, 29)  # the 3 deleted bases are not read
    assert query_span(cigar, 100, 95, 115) is None  # starts before the read
    assert query_span(cigar, 100, 121, 125) is None  # starts inside the deletion
    assert query_span([(4, 5), (0, 20)], 100, 100, 110) == (5, 15)  # soft clip skipped


@pytest.mark.verifies("SRS-154")
def test_read_candidates_need_support_fraction_and_reference_anchors() -> None:
    """It keeps window sequences seen in 2+ fragments and 20 % of a sample, with ref anchors."""
    window = "ACGTTTTTGCA"
    het = "ACGTTTTGCA"
    other = "ACGTTTGCA"
    moved_anchor = "TCGTTTTGCA"
    sample_a = [window] * 6 + [het] * 4 + [other] + [moved_anchor] * 3
    sample_b = [window] * 20 + [other] * 3  # 3 of 23 < 20 %
    found = read_candidates({"a": sample_a, "b": sample_b}, 2, 0.2, window, 2)
    assert found == [window, het]


@pytest.mark.verifies("SRS-154")
def test_read_log_likelihoods_count_edits_and_cap() -> None:
    """It scores -2 per edit at 1 % error and floors a haplotype at the cap below the best."""
    haps = ["GGACGTACGTAA", "GGACGAACGTAA", "GGTTTTTTTTAA"]
    values = read_log_likelihoods("ACGTACGT", haps, 0.01, 3.0)
    assert values[0] == 0.0
    assert values[1] == pytest.approx(-2.0)
    assert values[2] == pytest.approx(-3.0)  # many edits, floored at the cap


@pytest.mark.verifies("SRS-154")
def test_genotype_likelihoods_mix_two_haplotypes() -> None:
    """It gives a heterozygote the mean of its haplotypes per fragment, and haploid pairs of one."""
    assert pairs(3, 2) == [(0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2)]
    assert pairs(2, 1) == [(0,), (1,)]
    fragments = [[0.0, -3.0], [-3.0, 0.0]]
    lik = genotype_likelihoods(fragments, 2, 2)
    assert lik[(0, 0)] == pytest.approx(-3.0)
    assert lik[(1, 1)] == pytest.approx(-3.0)
    half = math.log10((1 + 1e-3) / 2)
    assert lik[(0, 1)] == pytest.approx(2 * half)
    assert genotype_likelihoods(fragments, 1, 2) == {(0,): -3.0, (1,): -3.0}


@pytest.mark.verifies("SRS-154")
def test_choose_needs_the_margin_over_the_called_genotype() -> None:
    """It replaces the called genotype only when the best beats it by min_lr phred."""
    lik: dict[Pair, float] = {(0, 0): -10.0, (0, 1): -1.5, (1, 1): -3.0}
    assert choose(lik, [(1, 1)], 20.0) == (1, 1)  # 15 phred better: not enough
    assert choose(lik, [(1, 1)], 10.0) == (0, 1)
    assert choose(lik, [(1, 1), (0, 1)], 20.0) == (0, 1)  # best phasing of the calls
    assert choose(lik, [], 20.0) == (0, 1)  # nothing consistent was called: best outright
    flat: dict[Pair, float] = {(0, 0): 0.0, (0, 1): 0.0}
    assert choose(flat, [], 20.0) is None  # and no read to decide
    tie: dict[Pair, float] = {(0, 0): -1.0, (0, 1): -1.0}
    assert choose(tie, [(0, 1)], 0.0) == (0, 1)  # a tie never wins


@pytest.mark.verifies("SRS-157")
def test_decompose_writes_unit_indels_and_substitutions_as_giab() -> None:
    """It writes a T9A6 > T7A7 junction as AT>A plus T>A, and a CA-repeat pair as two deletions."""
    assert decompose("GCAATTTTTTTTTAAAAAAG", "GCAATTTTTTTAAAAAAAG", 100) == [
        (103, "AT", "A"), (112, "T", "A")]
    ref = "ATTTAAACACACACACACAC"
    assert decompose(ref, "ATTTAACCACACACACAC", 0) == [(3, "TA", "T"), (7, "CA", "C")]
    assert decompose("GACT", "GGT", 0) == [(0, "GA", "G"), (2, "C", "G")]
    assert decompose("ACGTT", "ACGTTT", 0) == [(2, "G", "GT")]  # left-aligned insertion
    assert decompose("ACGT", "ACGT", 0) == []


@pytest.mark.verifies("SRS-157")
def test_decompose_joins_an_insertion_and_the_deletion_after_it() -> None:
    """It writes an insertion and the deletion right after it as one complex record."""
    assert decompose("GTGT", "GCAAAC", 0) == [(0, "GTGT", "GCAAAC")]


@pytest.mark.verifies("SRS-157")
def test_trim_keeps_one_anchor_base() -> None:
    """It trims shared flanks to the parsimonious allele, keeping an indel's anchor."""
    assert trim((9, "TTTCCTTCC", "TTCC")) == (9, "TTTCCT", "T")
    assert trim((9, "CAT", "CGT")) == (10, "A", "G")


@pytest.mark.verifies("SRS-157")
def test_marginal_pl_by_dosage() -> None:
    """It gives each dosage of an allele the best genotype with that many carrying copies."""
    lik: dict[Pair, float] = {(0, 0): -10.0, (0, 1): -2.0, (0, 2): 0.0, (1, 1): -5.0,
                              (1, 2): -1.0, (2, 2): -3.0}
    call = SampleCall((0, 2), lik)
    # allele carried by candidate 2 only: dose 0 best (0,0)/(0,1)/(1,1) = -2; dose 1 = 0; dose 2 -3
    assert marginal_pl(call, [False, False, True]) == (20, 0, 30)
    haploid = SampleCall((1,), {(0,): -4.0, (1,): 0.0})
    assert marginal_pl(haploid, [False, True]) == (40, 0)


@pytest.mark.verifies("SRS-157")
def test_allele_depths_count_fragments_that_tell_the_sides_apart() -> None:
    """It counts a fragment for REF or ALT when it fits that side strictly better, else not."""
    fragments = [[0.0, -2.0, -3.0], [-2.0, 0.0, -3.0], [0.0, 0.0, 0.0], [-3.0, -3.0, 0.0]]
    # homozygous for candidate 1: fragments compared with the reference only
    assert allele_depths(fragments, (1, 1), [False, True, False]) == (1, 1)
    # heterozygous 0/2, allele carried by candidate 2
    assert allele_depths(fragments, (0, 2), [False, False, True]) == (2, 1)
