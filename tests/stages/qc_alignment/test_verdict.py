"""Checks, flags and the pass/fail verdict (pure)."""

from __future__ import annotations

import pytest

from bp2.case import Sex
from bp2.stages.qc_alignment.contamination import ContaminationEstimate
from bp2.stages.qc_alignment.params import QcAlignmentParams
from bp2.stages.qc_alignment.sex import SexInference, SexStatus
from bp2.stages.qc_alignment.verdict import (
    PanelSummary,
    contamination_check,
    coverage_check,
    decide,
    sex_check,
    yield_check,
)

GEL = QcAlignmentParams()
XY = SexInference(1.0, 1.0, "XY", Sex.MALE, Sex.MALE, SexStatus.CONCORDANT, "agrees")
NO_PANELS = PanelSummary(0, 0)


def estimate(fraction: float, sites: int = 500) -> ContaminationEstimate:
    return ContaminationEstimate(fraction, fraction - 0.005, fraction + 0.005, sites, sites * 30,
                                 30.0, -10.0, -20.0)


def checks(fraction: float = 0.97, q30: int = 90 * 10**9, contamination: float = 0.01,
           sex: SexInference = XY, saliva: bool = False, params: QcAlignmentParams = GEL
           ) -> tuple:  # type: ignore[type-arg]
    return (coverage_check(fraction, params, saliva), yield_check(q30, params, 3_100_000_000),
            contamination_check(estimate(contamination), 500, params), sex_check(sex))


@pytest.mark.verifies("SRS-168")
def test_a_good_genome_passes() -> None:
    """It passes a genome meeting GEL's thresholds, with no failure reasons and no flags."""
    verdict = decide(checks(), XY, NO_PANELS, GEL, saliva=False)
    assert (verdict.status, verdict.failure_reasons, verdict.flags) == ("pass", (), ())


@pytest.mark.verifies("SRS-163", "SRS-162", "SRS-167", "SRS-168")
def test_each_gel_threshold_fails_with_its_flag_and_reason() -> None:
    """It fails below 95 % at 15×, at ≤85×10⁹ Q30 bases and above 3 % contamination."""
    verdict = decide(checks(fraction=0.94, q30=85 * 10**9, contamination=0.031), XY, NO_PANELS,
                     GEL, saliva=False)
    assert verdict.status == "fail"
    assert verdict.flags == ("CONTAMINATION", "LOW_COVERAGE", "LOW_Q30_YIELD")
    assert [r.split(":")[0] for r in verdict.failure_reasons] == [
        "coverage", "q30_yield", "contamination"]
    assert "94.00 %" in verdict.failure_reasons[0]
    assert "exceeds 3.00 %" in verdict.failure_reasons[2]
    boundary = decide(checks(fraction=0.95, q30=85 * 10**9 + 1, contamination=0.03), XY,
                      NO_PANELS, GEL, saliva=False)
    assert boundary.status == "pass"


@pytest.mark.verifies("SRS-163")
def test_saliva_is_exempt_from_low_coverage() -> None:
    """It marks a saliva sample's LOW_COVERAGE exempt, keeping the flag, adding SALIVA_SAMPLE."""
    verdict = decide(checks(fraction=0.5, saliva=True), XY, NO_PANELS, GEL, saliva=True)
    assert verdict.status == "pass"
    assert verdict.flags == ("LOW_COVERAGE", "SALIVA_SAMPLE")
    assert verdict.checks[0].status == "exempt"


@pytest.mark.verifies("SRS-167", "SRS-168")
def test_unassessed_checks_fail_unless_allowed() -> None:
    """It fails a sample whose contamination or sex cannot be assessed, unless told not to."""
    unknown = SexInference(None, None, None, Sex.UNKNOWN, Sex.MALE, SexStatus.NOT_ASSESSED,
                           "no chrX")
    few_sites = (coverage_check(0.99, GEL, False), yield_check(10**11, GEL, 3_100_000_000),
                 contamination_check(estimate(0.0, sites=20), 20, GEL), sex_check(unknown))
    verdict = decide(few_sites, unknown, NO_PANELS, GEL, saliva=False)
    assert verdict.status == "fail"
    assert verdict.flags == ("CONTAMINATION_NOT_ASSESSED", "SEX_NOT_ASSESSED")
    assert "20 covered common-SNP sites (needs 100)" in verdict.failure_reasons[0]
    lenient = GEL.model_copy(update={"fail_unassessed": False})
    assert decide(few_sites, unknown, NO_PANELS, lenient, saliva=False).status == "pass"


@pytest.mark.verifies("SRS-165", "SRS-164")
def test_soft_flags() -> None:
    """It flags unusual karyotypes, unknown declared sex and panel gaps without failing."""
    xxy = SexInference(2.0, 1.0, "XXY", Sex.MALE, Sex.UNKNOWN, SexStatus.DECLARED_UNKNOWN, "x")
    verdict = decide(checks(sex=xxy), xxy, PanelSummary(2, 1), GEL, saliva=False)
    assert verdict.status == "pass"
    assert verdict.flags == ("PANEL_GENES_NOT_ASSESSED", "PANEL_GENES_UNDER_COVERED",
                             "UNKNOWN_DECLARED_SEX", "UNUSUAL_SEX_KARYOTYPE")


@pytest.mark.verifies("SRS-162")
def test_yield_threshold_scales_with_a_short_reference() -> None:
    """It scales GEL's 85×10⁹ Q30 threshold to a reference shorter than a 3.1 Gb genome."""
    # 85e9 × (31,000,000 / 3,100,000,000) = 850,000,000 Q30 bases needed for a 31 Mb reference
    assert yield_check(850_000_001, GEL, 31_000_000).status == "pass"
    assert yield_check(850_000_000, GEL, 31_000_000).status == "fail"
    assert yield_check(85_000_000_001, GEL, 6_000_000_000).status == "pass"  # never scaled up
