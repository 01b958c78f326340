"""Mendelian consistency of a child's genotypes with its parents'.

Pure functions over genotype codes (:mod:`bp2.stages.qc_family.genotypes`).  :func:`judge` is the
rule, written out for one site; :data:`TABLE` applies it to every code combination once so that
whole genotype columns are judged by table lookup.

**Rule.**  On autosomes and the chrX pseudo-autosomal regions, and on chrX outside them for a
female child, the child's two alleles must be one from the father and one from the mother
(a haploid paternal call on chrX gives that one allele).  On chrX outside the PARs a male child
has only his mother's X: his allele (a haploid call, or a homozygous diploid call) must be one of
hers, and a heterozygous call is itself inconsistent; the father is not used.  A child whose PED
sex is unknown is not judged on chrX outside the PARs.  chrY and the mitochondrion are not used.

A parent who is not in the PED (a duo) may have given either allele, so a duo detects only
opposite homozygotes.  A site is **informative** for a child when the child and every parent the
rule uses have a used call and at least one of those calls carries the ALT allele; the rate is
inconsistent / informative sites.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum

import numpy as np
import numpy.typing as npt

from bp2.stages.qc_family.genotypes import Code

ABSENT = 5  # a parent the PED does not give


class Verdict(IntEnum):
    NOT_INFORMATIVE = 0
    CONSISTENT = 1
    INCONSISTENT = 2


class Rule(StrEnum):
    BIPARENTAL = "biparental"  # autosomes, chrX PARs, chrX non-PAR for a female child
    X_MALE = "x_male"  # chrX non-PAR for a male child: mother only
    SKIP = "skip"  # chrX non-PAR for a child of unknown sex


ALLELES: dict[int, tuple[int, ...]] = {
    Code.HOM_REF: (0, 0),
    Code.HET: (0, 1),
    Code.HOM_ALT: (1, 1),
    Code.HAP_REF: (0,),
    Code.HAP_ALT: (1,),
}


_REF = (Code.HOM_REF, Code.HAP_REF)


def judge(child: int, father: int, mother: int, rule: Rule) -> Verdict:
    """The verdict for one site (codes; a parent not in the PED is :data:`ABSENT`)."""
    if rule is Rule.SKIP or child == Code.MISSING:
        return Verdict.NOT_INFORMATIVE
    if rule is Rule.X_MALE:
        if mother in (ABSENT, Code.MISSING):
            return Verdict.NOT_INFORMATIVE
        if child in _REF and mother in _REF:
            return Verdict.NOT_INFORMATIVE
        child_alleles = set(ALLELES[child])
        if len(child_alleles) > 1:
            return Verdict.INCONSISTENT
        ok = child_alleles <= set(ALLELES[mother])
        return Verdict.CONSISTENT if ok else Verdict.INCONSISTENT
    parents = [p for p in (father, mother) if p != ABSENT]
    if not parents or any(p == Code.MISSING for p in parents):
        return Verdict.NOT_INFORMATIVE
    if child in (Code.HAP_REF, Code.HAP_ALT):
        return Verdict.NOT_INFORMATIVE  # a haploid call for a child judged on two alleles
    if all(code in _REF for code in (child, *parents)):
        return Verdict.NOT_INFORMATIVE
    from_father = set(ALLELES[father]) if father != ABSENT else {0, 1}
    from_mother = set(ALLELES[mother]) if mother != ABSENT else {0, 1}
    first, second = ALLELES[child]
    ok = (first in from_father and second in from_mother) or (
        second in from_father and first in from_mother
    )
    return Verdict.CONSISTENT if ok else Verdict.INCONSISTENT


_CODES = (Code.MISSING, Code.HOM_REF, Code.HET, Code.HOM_ALT, Code.HAP_REF, Code.HAP_ALT, ABSENT)
_RULES = (Rule.BIPARENTAL, Rule.X_MALE, Rule.SKIP)


def _build_table() -> npt.NDArray[np.int8]:
    table = np.zeros((len(_RULES), 7, 7, 7), dtype=np.int8)
    for r, rule in enumerate(_RULES):
        for child in _CODES:
            if child == ABSENT:
                continue
            for father in _CODES:
                for mother in _CODES:
                    table[r, child + 1, father + 1, mother + 1] = judge(child, father, mother,
                                                                        rule)
    return table


TABLE = _build_table()
"""TABLE[rule, child+1, father+1, mother+1] = :func:`judge` (codes shifted so MISSING is 0)."""


@dataclass(frozen=True)
class MendelCounts:
    n_sites: int
    n_inconsistent: int
    by_contig: dict[str, tuple[int, int]]  # contig → (informative, inconsistent)

    @property
    def rate(self) -> float | None:
        return self.n_inconsistent / self.n_sites if self.n_sites else None

    def __add__(self, other: MendelCounts) -> MendelCounts:
        merged = dict(self.by_contig)
        for contig, (sites, bad) in other.by_contig.items():
            old_sites, old_bad = merged.get(contig, (0, 0))
            merged[contig] = (old_sites + sites, old_bad + bad)
        return MendelCounts(self.n_sites + other.n_sites,
                            self.n_inconsistent + other.n_inconsistent, merged)


EMPTY = MendelCounts(0, 0, {})


def mendel_counts(
    child: npt.NDArray[np.int8],
    father: npt.NDArray[np.int8] | None,
    mother: npt.NDArray[np.int8] | None,
    contigs: npt.NDArray[np.int16],
    contig_names: Sequence[str],
    rule: Rule,
) -> MendelCounts:
    """Judge a child's column against its parents' (None = parent not in the PED).

    ``contigs`` holds each row's index into ``contig_names``.
    """
    absent = np.full(child.shape, ABSENT, dtype=np.int8)
    dad = absent if father is None else father
    mum = absent if mother is None else mother
    verdicts = TABLE[_RULES.index(rule), child + 1, dad + 1, mum + 1]
    informative = verdicts != Verdict.NOT_INFORMATIVE
    inconsistent = verdicts == Verdict.INCONSISTENT
    width = len(contig_names)
    sites = np.bincount(contigs[informative], minlength=width)
    bad = np.bincount(contigs[inconsistent], minlength=width)
    by_contig = {
        name: (int(sites[n]), int(bad[n])) for n, name in enumerate(contig_names) if sites[n]
    }
    return MendelCounts(int(informative.sum()), int(inconsistent.sum()), by_contig)
