"""Sex-chromosome karyotype from relative depth, and its comparison with the declared sex.

Pure arithmetic.  With the autosomes diploid, the number of copies of a sex chromosome is
``2 × mean depth (X or Y, outside the PARs, non-N bases) / mean autosomal depth``.  The X copy
number is rounded to the nearest whole number when it lies within ``x_tolerance`` of it, and is
*ambiguous* otherwise.  The Y is scored by presence rather than by rounding, because much of a
real Y is ampliconic (reads with low MAPQ are not counted) so a single Y reads below 1 copy:
absent below ``y_absent_max``, present from ``y_present_min`` (then ``max(1, round(Y))``
copies), ambiguous in between.  The karyotype is ``X`` × copies + ``Y`` × copies (``XX``,
``XY``, ``XXY``, ``XYY``, ``XXX``…), ``X0`` for one X and no Y; no X at all, or an ambiguous
copy number, gives ``ambiguous``.

The genetic sex follows the Y: a Y present reads *male*, none *female* (``X0`` is female,
``XXY`` male).  It is *discordant* when the declared sex (samplesheet/PED) is male or female and
differs; an unknown declared sex is never discordant.  ``XX`` and ``XY`` are the usual
karyotypes; any other is *unusual* (GEL's ``UNUSUAL_SEX_KARYOTYPE``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bp2.case import Sex

IMPLEMENTS = ("SRS-165",)

USUAL = frozenset({"XX", "XY"})
AMBIGUOUS = "ambiguous"


class SexStatus(StrEnum):
    CONCORDANT = "concordant"
    DISCORDANT = "discordant"
    DECLARED_UNKNOWN = "declared_unknown"
    UNDETERMINED = "undetermined"  # copy numbers measured but ambiguous
    NOT_ASSESSED = "not_assessed"  # no X/Y or no autosomal depth to measure with


@dataclass(frozen=True)
class SexInference:
    x_copy_number: float | None
    y_copy_number: float | None
    karyotype: str | None  # None when not assessed
    inferred_sex: Sex
    declared_sex: Sex
    status: SexStatus
    reason: str

    @property
    def unusual(self) -> bool:
        return self.karyotype not in (None, AMBIGUOUS) and self.karyotype not in USUAL


@dataclass(frozen=True)
class SexThresholds:
    x_tolerance: float
    y_absent_max: float
    y_present_min: float


def _x_copies(value: float, tolerance: float) -> int | None:
    nearest = round(value)
    return int(nearest) if abs(value - nearest) <= tolerance else None


def _y_copies(value: float, limits: SexThresholds) -> int | None:
    if value < limits.y_absent_max:
        return 0
    if value >= limits.y_present_min:
        return max(1, round(value))
    return None


def infer_sex(autosomal_depth: float | None, x_depth: float | None, y_depth: float | None,
              declared: Sex, limits: SexThresholds, *, not_assessed_reason: str = ""
              ) -> SexInference:
    """Karyotype and concordance from mean depths (None = not measurable)."""
    if not autosomal_depth or x_depth is None or y_depth is None:
        reason = not_assessed_reason or (
            "no autosomal depth" if not autosomal_depth else "no X or Y depth to measure")
        return SexInference(None, None, None, Sex.UNKNOWN, declared, SexStatus.NOT_ASSESSED,
                            reason)
    x_cn, y_cn = 2 * x_depth / autosomal_depth, 2 * y_depth / autosomal_depth
    x_copies, y_copies = _x_copies(x_cn, limits.x_tolerance), _y_copies(y_cn, limits)
    if x_copies is None or y_copies is None or x_copies == 0:
        return SexInference(
            x_cn, y_cn, AMBIGUOUS, Sex.UNKNOWN, declared, SexStatus.UNDETERMINED,
            f"X copy number {x_cn:.2f} / Y copy number {y_cn:.2f} fit no karyotype with at "
            f"least one X (X within {limits.x_tolerance} of a whole number; Y below "
            f"{limits.y_absent_max} or from {limits.y_present_min})",
        )
    karyotype = "X0" if (x_copies, y_copies) == (1, 0) else "X" * x_copies + "Y" * y_copies
    inferred = Sex.MALE if y_copies > 0 else Sex.FEMALE
    if declared is Sex.UNKNOWN:
        status, reason = SexStatus.DECLARED_UNKNOWN, (
            f"inferred {karyotype} ({inferred}); the declared sex is unknown")
    elif declared is inferred:
        status, reason = SexStatus.CONCORDANT, (
            f"inferred {karyotype} ({inferred}) agrees with the declared sex")
    else:
        status, reason = SexStatus.DISCORDANT, (
            f"inferred {karyotype} ({inferred}) but the declared sex is {declared}")
    return SexInference(x_cn, y_cn, karyotype, inferred, declared, status, reason)
