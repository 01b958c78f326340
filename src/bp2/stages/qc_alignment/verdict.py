"""QC checks, case flags and the sample's pass/fail verdict (pure).

Hard checks (a failure stops tiering and reporting for the case — the engine applies the stop;
this stage reports the verdict and why):

==============  ====================================================  =====================
check           passes when                                           flag when it fails
==============  ====================================================  =====================
coverage        fraction of autosomal (target) bases at ≥15× ≥ 0.95   ``LOW_COVERAGE``
q30_yield       Q≥30 bases > 85×10⁹                                   ``LOW_Q30_YIELD``
contamination   estimated fraction ≤ 0.03                             ``CONTAMINATION``
sex             inferred sex equals the declared sex                  ``SEX_DISCORDANCE``
==============  ====================================================  =====================

(Thresholds are parameters; defaults are GEL's, see :mod:`.params`.)  A saliva sample is exempt
from ``coverage``: the check reads ``exempt``, the sample keeps ``LOW_COVERAGE`` and gets
``SALIVA_SAMPLE``, as GEL does.  A check that cannot be measured is ``not_assessed`` with a
``*_NOT_ASSESSED`` flag and fails the sample when ``fail_unassessed`` is on (the default).

Flags that do not fail a sample: ``UNUSUAL_SEX_KARYOTYPE`` (GEL's name; not XX or XY),
``UNKNOWN_DECLARED_SEX``, ``PANEL_GENES_UNDER_COVERED`` (a green gene has an under-covered
coding exon), ``PANEL_GENES_NOT_ASSESSED`` (a green gene is absent from the gene model or has no
coding sequence).  GEL's ``INCORRECT_OR_DISCORDANT_SEX_KARYOTYPE`` corresponds to
``SEX_DISCORDANCE`` here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

from bp2.stages.qc_alignment.contamination import ContaminationEstimate
from bp2.stages.qc_alignment.params import QcAlignmentParams
from bp2.stages.qc_alignment.sex import SexInference, SexStatus

IMPLEMENTS = ("SRS-162", "SRS-163", "SRS-167", "SRS-168")

Status = Literal["pass", "fail", "not_assessed", "exempt"]


class Check(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    description: str
    metric: str
    value: float | int | str | None
    comparison: str
    threshold: float | int | str | None
    status: Status
    flag: str | None  # the flag raised by this check (None when it passed)
    reason: str
    source: str


@dataclass(frozen=True)
class Verdict:
    status: Literal["pass", "fail"]
    checks: tuple[Check, ...]
    flags: tuple[str, ...]
    failure_reasons: tuple[str, ...]


@dataclass(frozen=True)
class PanelSummary:
    genes_under_covered: int
    genes_not_assessed: int


def _pct(value: float) -> str:
    return f"{100 * value:.2f} %"


@dataclass(frozen=True)
class _Spec:
    """What a check is, before it is measured."""

    id: str
    description: str
    metric: str
    comparison: str
    threshold: float | int | str | None
    source: str

    def make(self, value: float | int | str | None, status: Status, flag: str | None,
             reason: str) -> Check:
        return Check(id=self.id, description=self.description, metric=self.metric, value=value,
                     comparison=self.comparison, threshold=self.threshold, status=status,
                     flag=flag, reason=reason, source=self.source)


def coverage_check(fraction: float | None, params: QcAlignmentParams, saliva: bool) -> Check:
    depth, minimum = params.coverage_depth, params.min_fraction_at_coverage_depth
    spec = _Spec(
        "coverage",
        f"fraction of autosomal (target) bases at ≥{depth}× (MAPQ ≥ {params.min_mapq}, "
        "duplicates removed, overlapping mates once)",
        f"autosomal_fraction_at_{depth}x", ">=", minimum,
        "GEL [S3][S5]: ≥95 % of the autosomal genome at ≥15×",
    )
    if fraction is None:
        return spec.make(None, "not_assessed", "COVERAGE_NOT_ASSESSED",
                         "no autosomal target bases to measure")
    if fraction >= minimum:
        return spec.make(fraction, "pass", None,
                         f"{_pct(fraction)} of autosomal bases at ≥{depth}×")
    reason = f"only {_pct(fraction)} of autosomal bases at ≥{depth}× (needs {_pct(minimum)})"
    if saliva:
        return spec.make(fraction, "exempt", "LOW_COVERAGE", reason + "; saliva sample: exempt")
    return spec.make(fraction, "fail", "LOW_COVERAGE", reason)


def yield_check(q30_bases: int, params: QcAlignmentParams, reference_length: int) -> Check:
    """GEL's Q30 yield check, the threshold scaled down for a reference shorter than a genome."""
    scale = min(1.0, reference_length / params.q30_genome_length)
    minimum = round(params.min_q30_bases * scale)
    spec = _Spec("q30_yield",
                 "bases with quality ≥30 (primary, non-duplicate, overlapping mates once)",
                 "q30_bases", ">", minimum, "GEL [S3]: >85×10⁹ Q30 bases for a genome")
    if q30_bases > minimum:
        return spec.make(q30_bases, "pass", None, f"{q30_bases:,} Q30 bases")
    return spec.make(q30_bases, "fail", "LOW_Q30_YIELD",
                     f"{q30_bases:,} Q30 bases (needs more than {minimum:,})")


def contamination_check(estimate: ContaminationEstimate | None, sites_available: int,
                        params: QcAlignmentParams) -> Check:
    maximum = params.max_contamination
    spec = _Spec("contamination",
                 "estimated fraction of reads from another individual (allele balance at "
                 "common-SNP sites, maximum likelihood)",
                 "contamination_fraction", "<=", maximum,
                 "GEL [S3]: VerifyBamID contamination >3 % fails")
    if estimate is None or estimate.sites_used < params.contamination_min_sites:
        used = 0 if estimate is None else estimate.sites_used
        why = ("no common-SNP sites were given" if sites_available == 0 else
               f"{used} covered common-SNP sites (needs {params.contamination_min_sites})")
        return spec.make(None, "not_assessed", "CONTAMINATION_NOT_ASSESSED", why)
    value = estimate.fraction
    if value <= maximum:
        return spec.make(value, "pass", None, f"estimated contamination {_pct(value)} over "
                         f"{estimate.sites_used} sites")
    return spec.make(value, "fail", "CONTAMINATION",
                     f"estimated contamination {_pct(value)} exceeds {_pct(maximum)} "
                     f"(95 % interval {_pct(estimate.ci_low)}-{_pct(estimate.ci_high)})")


def sex_check(sex: SexInference) -> Check:
    spec = _Spec("sex",
                 "sex inferred from X/Y depth against the declared (samplesheet/PED) sex",
                 "inferred_karyotype", "matches declared sex", str(sex.declared_sex),
                 "GEL [S4][S5]: sex discordance flags; QC failure stops the case")
    if sex.status is SexStatus.DISCORDANT:
        return spec.make(sex.karyotype, "fail", "SEX_DISCORDANCE", sex.reason)
    if sex.status is SexStatus.NOT_ASSESSED:
        return spec.make(sex.karyotype, "not_assessed", "SEX_NOT_ASSESSED", sex.reason)
    if sex.status is SexStatus.UNDETERMINED:
        return spec.make(sex.karyotype, "not_assessed", "SEX_UNDETERMINED", sex.reason)
    return spec.make(sex.karyotype, "pass", None, sex.reason)


def decide(checks: tuple[Check, ...], sex: SexInference, panels: PanelSummary,
           params: QcAlignmentParams, saliva: bool) -> Verdict:
    """The flags and the sample's verdict from its checks (see the module docstring)."""
    flags = {c.flag for c in checks if c.flag is not None}
    if saliva:
        flags.add("SALIVA_SAMPLE")
    if sex.unusual:
        flags.add("UNUSUAL_SEX_KARYOTYPE")
    if sex.status is SexStatus.DECLARED_UNKNOWN:
        flags.add("UNKNOWN_DECLARED_SEX")
    if panels.genes_under_covered:
        flags.add("PANEL_GENES_UNDER_COVERED")
    if panels.genes_not_assessed:
        flags.add("PANEL_GENES_NOT_ASSESSED")
    failing = [c for c in checks
               if c.status == "fail" or (c.status == "not_assessed" and params.fail_unassessed)]
    reasons = tuple(
        f"{c.id}: {c.reason}" + (" (not assessed)" if c.status == "not_assessed" else "")
        for c in failing)
    return Verdict("fail" if failing else "pass", checks, tuple(sorted(flags)), reasons)
