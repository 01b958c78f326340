"""Pairwise relatedness from genotypes: KING-robust kinship and IBS0, and the inferred degree.

Pure functions over genotype-code arrays (:mod:`bp2.stages.qc_family.genotypes`).

**Sites.**  Autosomal bi-allelic SNVs where both samples have a used diploid call and at least
one of them carries the ALT allele (a site where both are homozygous REF adds nothing to either
estimator below, so it is not counted as informative).

**Kinship** is the KING-robust *between-family* estimator, Manichaikul et al. (2010), *Robust
relationship inference in genome-wide association studies*, Bioinformatics 26(22):2867-2873,
doi:10.1093/bioinformatics/btq559, equation (11) — the estimator ``plink2 --make-king``
computes::

    φ_ij = ½ − (N_Aa(i) + N_Aa(j) − 2·N_Aa,Aa + 4·N_AA,aa) / (4 · min(N_Aa(i), N_Aa(j)))

         = (N_Aa,Aa − 2·N_AA,aa) / (2·min(N_Aa(i), N_Aa(j)))
           + ½ − ¼ · (N_Aa(i) + N_Aa(j)) / min(N_Aa(i), N_Aa(j))

where N_Aa,Aa counts sites where both are heterozygous, N_AA,aa sites with opposite homozygotes
(one 0/0, the other 1/1) and N_Aa(i) the sites where i is heterozygous (all over the pair's
sites).  When both samples have the same heterozygosity it equals the within-family form
(N_Aa,Aa − 2·N_AA,aa) / (N_Aa(i) + N_Aa(j)).  Expected values: duplicates / monozygotic twins
½, first degree ¼, second ⅛, third 1/16, unrelated 0 (negative under population differences).
It is undefined (None) when one sample has no heterozygous site.

**IBS0** is N_AA,aa / informative sites: ≈ 0 for parent-offspring (a child carries one allele
of each parent, so opposite homozygotes arise only from genotype errors or de novo mutations),
about a quarter of the unrelated value for full siblings, and largest for unrelated people.

**Degree** (KING's published cut-offs, Manichaikul et al. 2010 and the KING manual, as
parameters): φ > 2^-1.5 (0.354) duplicate; > 2^-2.5 (0.177) first degree — parent-offspring
when IBS0 ≤ the parent-offspring limit, otherwise full siblings; > 2^-3.5 (0.0884) second
degree; > 2^-4.5 (0.0442) third degree; otherwise unrelated.  KING separates parent-offspring
from siblings at IBS0 < 0.0012 on SNP arrays, whose IBS0 denominator also counts the many sites
where both are homozygous REF.  On variant-only NGS calls the genotype error is higher and the
denominator smaller: the real parent-offspring pairs measured here show IBS0 0.0000-0.0014
(Ashkenazi trio, justhusky, after the GQ/DP gates; up to 0.004 without them), unrelated pairs
0.080-0.085, so full siblings would show about a quarter of that, ≈ 0.02.  The default limit
0.01 lies between.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bp2.stages.qc_family.genotypes import Code
from bp2.stages.qc_family.pedigree import DegreeCutoffs, Relationship


@dataclass(frozen=True)
class PairCounts:
    """Genotype-pair counts of two samples over their informative sites."""

    n_sites: int  # both called, at least one carries ALT
    het_het: int  # N_Aa,Aa
    ibs0: int  # N_AA,aa: opposite homozygotes
    het_1: int  # N_Aa(i): first sample heterozygous
    het_2: int  # N_Aa(j): second sample heterozygous

    @property
    def ibs0_fraction(self) -> float | None:
        return self.ibs0 / self.n_sites if self.n_sites else None

    @property
    def kinship(self) -> float | None:
        """KING-robust between-family kinship (module docstring), None when undefined."""
        smaller = min(self.het_1, self.het_2)
        if smaller == 0:
            return None
        return 0.5 - (self.het_1 + self.het_2 - 2 * self.het_het + 4 * self.ibs0) / (4 * smaller)


def pair_counts(first: npt.NDArray[np.int8], second: npt.NDArray[np.int8]) -> PairCounts:
    """Count the genotype pairs of two samples' diploid codes at the same sites."""
    diploid = (Code.HOM_REF, Code.HET, Code.HOM_ALT)
    called = np.isin(first, diploid) & np.isin(second, diploid)
    a, b = first[called], second[called]
    informative = (a != Code.HOM_REF) | (b != Code.HOM_REF)
    het_a, het_b = a == Code.HET, b == Code.HET
    opposite = ((a == Code.HOM_REF) & (b == Code.HOM_ALT)) | (
        (a == Code.HOM_ALT) & (b == Code.HOM_REF)
    )
    return PairCounts(
        n_sites=int(informative.sum()),
        het_het=int((het_a & het_b).sum()),
        ibs0=int(opposite.sum()),
        het_1=int(het_a.sum()),
        het_2=int(het_b.sum()),
    )


def infer_relationship(
    kinship: float, ibs0_fraction: float, cutoffs: DegreeCutoffs, po_max_ibs0: float
) -> Relationship:
    """The relationship KING's cut-offs give for a kinship and IBS0 (module docstring)."""
    if kinship > cutoffs.duplicate:
        return Relationship.DUPLICATE
    if kinship > cutoffs.first:
        if ibs0_fraction <= po_max_ibs0:
            return Relationship.PARENT_OFFSPRING
        return Relationship.FULL_SIBLINGS
    if kinship > cutoffs.second:
        return Relationship.SECOND_DEGREE
    if kinship > cutoffs.third:
        return Relationship.THIRD_DEGREE
    return Relationship.UNRELATED


def relationships_agree(
    expected: Relationship, inferred: Relationship, third_degree_as_unrelated: bool
) -> bool:
    """Whether the genotypes confirm the PED's relationship for a pair."""
    if expected == inferred:
        return True
    if expected is Relationship.FIRST_DEGREE:
        return inferred in (Relationship.PARENT_OFFSPRING, Relationship.FULL_SIBLINGS)
    distant = {Relationship.THIRD_DEGREE, Relationship.UNRELATED}
    return third_degree_as_unrelated and {expected, inferred} == distant
