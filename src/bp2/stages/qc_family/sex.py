"""Sex inferred from chrX genotypes, and the optional sex inferred by ``qc_alignment``.

Pure functions over genotype codes and parsed JSON.

**From the VCF.**  On chrX outside the pseudo-autosomal regions a male has one X, so his
genotypes there are hemizygous: heterozygous calls are rare (mapping artefacts), while a female
is heterozygous at a large share of her variant sites.  For each sample the check counts, over
the used chrX non-PAR SNV sites where the sample carries the ALT allele:

* **genotype basis** (the sample's X was called diploid): heterozygous fraction =
  het / (het + hom-alt);
* **allele-depth basis** (most of the sample's X calls are haploid — the caller set the ploidy
  from the PED sex, so the GT alone would only repeat the PED): the fraction of sites whose
  ``FORMAT/AD`` looks heterozygous (:class:`~bp2.stages.qc_family.genotypes.Balance`).  Without
  AD such a sample has no independent VCF evidence (basis ``none``).

Fraction ≤ ``x_het_fraction_male_max`` → male; ≥ ``x_het_fraction_female_min`` → female; in
between → ambiguous (possible sex-chromosome aneuploidy, mosaicism or contamination); fewer than
``min_x_sites`` counted sites → unknown (insufficient data).

**From qc_alignment.**  Each optional file is a ``qc_alignment`` ``qc.json``: an object with
``sample`` (the sample ID) and ``metrics.sex.inferred_sex`` (``male``, ``female`` or
``unknown``), and optionally ``metrics.sex.karyotype`` (``XY``, ``XX``, ``XXY``, …, quoted in the
message); other keys are ignored.  That inference (from sex-chromosome depth) does not depend on
the called ploidy.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bp2.case import Sex
from bp2.errors import InputError
from bp2.stages.qc_family.genotypes import Balance, Code


class InferredSex(StrEnum):
    MALE = "male"
    FEMALE = "female"
    AMBIGUOUS = "ambiguous"
    UNKNOWN = "unknown"  # not enough evidence


class Basis(StrEnum):
    GENOTYPE = "genotype"
    ALLELE_DEPTH = "allele_depth"
    NONE = "none"  # haploid calls without allele depths: no independent evidence


@dataclass(frozen=True)
class SexThresholds:
    min_sites: int
    male_max: float
    female_min: float


@dataclass(frozen=True)
class XEvidence:
    """Counts over one sample's used chrX non-PAR SNV sites."""

    het: int
    hom_alt: int
    haploid: int
    diploid: int  # diploid calls of any kind (hom-ref included)
    ad_balanced: int
    ad_alt: int

    @property
    def basis(self) -> Basis:
        if self.haploid <= self.diploid:
            return Basis.GENOTYPE
        return Basis.ALLELE_DEPTH if self.ad_balanced + self.ad_alt else Basis.NONE

    @property
    def counted(self) -> tuple[int, int]:
        """(heterozygous-looking, counted sites) on the basis used."""
        basis = self.basis
        if basis is Basis.GENOTYPE:
            return self.het, self.het + self.hom_alt
        if basis is Basis.ALLELE_DEPTH:
            return self.ad_balanced, self.ad_balanced + self.ad_alt
        return 0, 0


@dataclass(frozen=True)
class SexInference:
    evidence: XEvidence
    basis: Basis
    n_sites: int
    het_fraction: float | None
    inferred: InferredSex


def x_evidence(codes: npt.NDArray[np.int8], balance: npt.NDArray[np.int8]) -> XEvidence:
    """Count one sample's chrX non-PAR codes and allele-balance views."""
    return XEvidence(
        het=int((codes == Code.HET).sum()),
        hom_alt=int((codes == Code.HOM_ALT).sum()),
        haploid=int(np.isin(codes, (Code.HAP_REF, Code.HAP_ALT)).sum()),
        diploid=int(np.isin(codes, (Code.HOM_REF, Code.HET, Code.HOM_ALT)).sum()),
        ad_balanced=int((balance == Balance.AD_BALANCED).sum()),
        ad_alt=int((balance == Balance.AD_ALT).sum()),
    )


def infer_sex(evidence: XEvidence, thresholds: SexThresholds) -> SexInference:
    """The sex the chrX evidence points to (module docstring)."""
    het, n_sites = evidence.counted
    fraction = het / n_sites if n_sites else None
    if fraction is None or n_sites < thresholds.min_sites:
        inferred = InferredSex.UNKNOWN
    elif fraction <= thresholds.male_max:
        inferred = InferredSex.MALE
    elif fraction >= thresholds.female_min:
        inferred = InferredSex.FEMALE
    else:
        inferred = InferredSex.AMBIGUOUS
    return SexInference(evidence, evidence.basis, n_sites, fraction, inferred)


_SEX_WORDS = {"male": Sex.MALE, "female": Sex.FEMALE, "unknown": Sex.UNKNOWN}
_EXAMPLE = ('the qc_alignment qc.json: {"sample": "HG002", "metrics": {"sex": '
            '{"inferred_sex": "male", "karyotype": "XY"}}, …}')


@dataclass(frozen=True)
class AlignmentSex:
    """qc_alignment's sex inference for one sample."""

    sample: str
    sex: Sex
    karyotype: str | None

    def describe(self) -> str:
        karyotype = f" (karyotype {self.karyotype})" if self.karyotype else ""
        return f"qc_alignment inferred {self.sex.value}{karyotype}"


def parse_alignment_sex(data: Any, path: Path) -> AlignmentSex:
    """The sample and its inferred sex from one qc_alignment ``qc.json`` (module docstring)."""
    if not isinstance(data, dict):
        raise InputError("the alignment QC file must hold a JSON object", path=path,
                         field="alignment_sex", hint=f"give {_EXAMPLE}")
    sample = data.get("sample")
    if not isinstance(sample, str) or not sample:
        raise InputError("the alignment QC file has no 'sample'", path=path, field="sample",
                         hint=f"give {_EXAMPLE}")
    metrics = data.get("metrics")
    sex_block = metrics.get("sex") if isinstance(metrics, dict) else None
    sex = sex_block.get("inferred_sex") if isinstance(sex_block, dict) else None
    if not isinstance(sex, str) or sex.strip().lower() not in _SEX_WORDS:
        raise InputError(
            f"invalid or missing metrics.sex.inferred_sex {sex!r} for sample '{sample}'",
            path=path, field="metrics.sex.inferred_sex",
            hint="use male, female or unknown, as qc_alignment writes it",
        )
    assert isinstance(sex_block, dict)
    karyotype = sex_block.get("karyotype")
    return AlignmentSex(sample, _SEX_WORDS[sex.strip().lower()],
                        karyotype if isinstance(karyotype, str) and karyotype else None)
