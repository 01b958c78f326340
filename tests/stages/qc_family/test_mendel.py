"""Mendelian consistency rules and counts (pure module bp2.stages.qc_family.mendel)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from bp2.stages.qc_family.genotypes import Code
from bp2.stages.qc_family.mendel import (
    ABSENT,
    TABLE,
    Rule,
    Verdict,
    judge,
    mendel_counts,
)

R, H, A, M = Code.HOM_REF, Code.HET, Code.HOM_ALT, Code.MISSING
HR, HA = Code.HAP_REF, Code.HAP_ALT
OK, BAD, NI = Verdict.CONSISTENT, Verdict.INCONSISTENT, Verdict.NOT_INFORMATIVE
BI = Rule.BIPARENTAL


@pytest.mark.verifies("SRS-184")
@pytest.mark.parametrize(
    ("child", "father", "mother", "rule", "verdict"),
    [
        (H, H, R, BI, OK),  # ALT from the father
        (A, H, H, BI, OK),
        (A, R, H, BI, BAD),  # the father has no ALT to give
        (R, A, R, BI, BAD),  # the father has no REF to give
        (H, R, R, BI, BAD),  # de novo-like
        (H, A, A, BI, BAD),
        (R, R, R, BI, NI),  # nothing carries ALT
        (H, M, H, BI, NI),  # a parent is not called
        (M, H, H, BI, NI),
        (A, ABSENT, H, BI, OK),  # duo: the unknown father may give ALT
        (A, ABSENT, R, BI, BAD),  # duo: opposite homozygotes
        (H, HA, R, BI, OK),  # female child on chrX: ALT from the hemizygous father
        (A, HR, H, BI, BAD),  # female child cannot be 1/1 with a REF father
        (HA, R, H, Rule.X_MALE, OK),  # male: his X allele from his mother
        (A, R, H, Rule.X_MALE, OK),  # diploid homozygous call of a male
        (HA, A, R, Rule.X_MALE, BAD),  # the father's X does not go to a son
        (H, R, H, Rule.X_MALE, BAD),  # a male cannot be heterozygous on chrX non-PAR
        (HR, R, R, Rule.X_MALE, NI),
        (HA, R, M, Rule.X_MALE, NI),  # mother not called
        (HA, R, ABSENT, Rule.X_MALE, NI),
        (A, R, R, Rule.SKIP, NI),  # sex unknown: chrX non-PAR not judged
    ],
)
def test_rule(child: int, father: int, mother: int, rule: Rule, verdict: Verdict) -> None:
    """It applies Mendel's rule per region and child sex, and only on informative sites."""
    assert judge(child, father, mother, rule) is verdict


@pytest.mark.verifies("SRS-184")
def test_table_is_the_rule() -> None:
    """It judges columns by a lookup table equal to the written rule for every combination."""
    codes = [M, R, H, A, HR, HA]
    for rule_index, rule in enumerate((Rule.BIPARENTAL, Rule.X_MALE, Rule.SKIP)):
        for child, father, mother in itertools.product(codes, [*codes, ABSENT],
                                                       [*codes, ABSENT]):
            assert TABLE[rule_index, child + 1, father + 1, mother + 1] == judge(
                child, father, mother, rule)


@pytest.mark.verifies("SRS-184")
def test_counts_per_contig() -> None:
    """It counts informative and inconsistent sites in total and per chromosome."""
    child = np.array([H, A, H, R, H], dtype=np.int8)
    father = np.array([H, R, R, R, M], dtype=np.int8)
    mother = np.array([R, H, R, R, H], dtype=np.int8)
    contigs = np.array([0, 0, 1, 1, 1], dtype=np.int16)
    counts = mendel_counts(child, father, mother, contigs, ("chr1", "chr2"), BI)
    # chr1: OK, BAD (father 0/0 under a 1/1 child); chr2: BAD (de novo), NI, NI (father missing)
    assert (counts.n_sites, counts.n_inconsistent) == (3, 2)
    assert counts.by_contig == {"chr1": (2, 1), "chr2": (1, 1)}
    assert counts.rate == pytest.approx(2 / 3)
    duo = mendel_counts(child, None, mother, contigs, ("chr1", "chr2"), BI)
    assert (duo.n_sites, duo.n_inconsistent) == (4, 0)
