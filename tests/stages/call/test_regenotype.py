"""Tests of indel re-genotyping from spanning reads (pure parts, hand-computed)."""

from __future__ import annotations

import math

import pytest

from bp2.stages.call.regenotype import (
    HET,
    HOM,
    decide,
    fragment_counts,
    haplotypes,
    indel_event,
    log10_likelihoods,
    read_support,
)

#                  0         1         2
#                  0123456789012345678901234567
REF = "TTGCAAGGCTACTAATGCC"  # the dataset 1 insertion context: ...A AGGCT A CTAATG...


def base(i: int) -> str:
    return REF[i] if 0 <= i < len(REF) else ""


@pytest.mark.verifies("SRS-152")
def test_insertion_span_covers_the_repeat() -> None:
    """It trims 'AAGGCTA>AAGGCTAGGCTA' to an AGGCT insertion that slides over AGGCTA."""
    event = indel_event(4, "AAGGCTA", "AAGGCTAGGCTA", base)
    # trimmed: insertion of 'AGGCT' before 0-based 5; it can slide right over 'AGGCTA'
    # (bases 5-10) and not left (base 4 'A' != the unit's last base 'T')
    assert (event.pos0, event.ref, event.alt) == (5, "", "AGGCT")
    assert (event.lo, event.hi) == (5, 11)


@pytest.mark.verifies("SRS-152")
def test_deletion_span_in_a_homopolymer() -> None:
    """It finds the whole homopolymer as the span of a one-base deletion."""
    seq = "GCAAAAT"
    event = indel_event(1, "CA", "C", lambda i: seq[i] if 0 <= i < len(seq) else "")
    assert (event.pos0, event.ref, event.alt, event.lo, event.hi) == (2, "A", "", 2, 6)


@pytest.mark.verifies("SRS-152")
def test_a_read_ending_inside_the_repeat_cannot_tell() -> None:
    """It counts a spanning read for its allele and leaves a read ending in the repeat out."""
    event = indel_event(4, "AAGGCTA", "AAGGCTAGGCTA", base)
    hap_ref, hap_alt = haplotypes(event, 0, REF)
    assert hap_alt == "TTGCAAGGCTAGGCTACTAATGCC"
    assert read_support("GCAAGGCTAGGCTACTAAT", hap_ref, hap_alt) == 1  # spans: ALT
    assert read_support("GCAAGGCTACTAAT", hap_ref, hap_alt) == 0  # spans: REF
    assert read_support("TTGCAAGGCTA", hap_ref, hap_alt) is None  # ends in the repeat
    assert read_support("GCAAGGCTAGGC", hap_ref, hap_alt) == 1  # mis-aligned end, still ALT


@pytest.mark.verifies("SRS-152")
def test_mates_count_once() -> None:
    """It counts a fragment once, drops one whose mates disagree, and ignores undecided reads."""
    votes = [("a", 1), ("a", 1), ("b", 0), ("c", 1), ("c", 0), ("d", None), ("e", None),
             ("e", 1)]
    assert fragment_counts(votes) == (1, 2)  # b -> REF; a, e -> ALT; c dropped; d undecided


@pytest.mark.verifies("SRS-152")
def test_decision_arithmetic() -> None:
    """It turns 0/1 into 1/1 for 0 REF / 20 ALT fragments with PL and GQ from the binomial."""
    lik = log10_likelihoods(0, 20, 0.02)
    assert lik[1] == pytest.approx(20 * math.log10(0.5))  # -6.0206
    assert lik[2] == pytest.approx(20 * math.log10(0.98))  # -0.1755
    decision = decide(0, 20, HET, 0.02, 20.0)
    assert decision is not None and decision.genotype == HOM
    # PL(0/1) = -10 * (20 log10 0.5 - 20 log10 0.98) = 58.45 -> 58; PL(0/0) = 20*17 - 1.8 -> 338
    assert decision.pl == (338, 58, 0)
    assert decision.gq == 58
    assert decision.lr == pytest.approx(58.45, abs=0.01)


@pytest.mark.verifies("SRS-152")
def test_decision_keeps_the_caller_when_evidence_is_weak() -> None:
    """It keeps bcftools' genotype when the advantage is under min_lr or the data say 0/0."""
    assert decide(0, 3, HET, 0.02, 20.0) is None  # 3 fragments: 10*(3*log10(.98/.5)) = 8.8
    assert decide(10, 9, HET, 0.02, 20.0) is None  # heterozygous already
    assert decide(12, 12, HOM, 0.02, 20.0).genotype == HET  # type: ignore[union-attr]
    assert decide(20, 0, HET, 0.02, 20.0) is None  # would be 0/0: never removes a variant
    assert decide(0, 20, (0, 0), 0.02, 20.0) is None  # never creates one
