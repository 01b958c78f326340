"""Karyotype and sex concordance from X/Y copy numbers (pure arithmetic)."""

from __future__ import annotations

import pytest

from bp2.case import Sex
from bp2.stages.qc_alignment.sex import SexStatus, SexThresholds, infer_sex

LIMITS = SexThresholds(x_tolerance=0.3, y_absent_max=0.1, y_present_min=0.3)


@pytest.mark.verifies("SRS-165")
@pytest.mark.parametrize(("x", "y", "declared", "karyotype", "status", "unusual"), [
    (15.0, 15.0, Sex.MALE, "XY", SexStatus.CONCORDANT, False),
    (30.0, 0.3, Sex.FEMALE, "XX", SexStatus.CONCORDANT, False),
    (30.0, 0.0, Sex.MALE, "XX", SexStatus.DISCORDANT, False),
    (15.0, 0.0, Sex.FEMALE, "X0", SexStatus.CONCORDANT, True),
    (30.0, 12.0, Sex.FEMALE, "XXY", SexStatus.DISCORDANT, True),
    (45.0, 0.0, Sex.UNKNOWN, "XXX", SexStatus.DECLARED_UNKNOWN, True),
    (22.5, 0.0, Sex.FEMALE, "ambiguous", SexStatus.UNDETERMINED, False),
    (30.0, 3.0, Sex.FEMALE, "ambiguous", SexStatus.UNDETERMINED, False),
])
def test_karyotypes(x: float, y: float, declared: Sex, karyotype: str, status: SexStatus,
                    unusual: bool) -> None:
    """It reads karyotypes from depth ratios to 30× autosomes (2 × depth / autosomal depth)."""
    result = infer_sex(30.0, x, y, declared, LIMITS)
    assert (result.karyotype, result.status, result.unusual) == (karyotype, status, unusual)
    assert result.x_copy_number == pytest.approx(2 * x / 30)


@pytest.mark.verifies("SRS-165")
def test_not_assessed_without_measurements() -> None:
    """It reports not assessed, with the given reason, when X/Y or autosomal depth is missing."""
    result = infer_sex(30.0, None, None, Sex.MALE, LIMITS, not_assessed_reason="no chrX")
    assert (result.status, result.karyotype, result.reason) == (
        SexStatus.NOT_ASSESSED, None, "no chrX")
    assert infer_sex(0.0, 5.0, 5.0, Sex.MALE, LIMITS).status is SexStatus.NOT_ASSESSED
