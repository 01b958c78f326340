"""Parameters of ``qc_alignment``: thresholds default to Genomics England's published values.

Source tags ([S3], [S5]) are those of ``../shared/domain/gel-rare-disease.md`` §4: [S3] GEL
"Quality control" (Mira), [S5] GEL "Case flags in the CIP-API and Interpretation Portal".
"""

from __future__ import annotations

from pydantic import Field, model_validator

from bp2.stages.base import StageParams


class QcAlignmentParams(StageParams):
    min_mapq: int = Field(
        default=11, ge=0, le=255,
        description="Reads count for depth (and SNP alleles) when MAPQ ≥ this. GEL counts "
        "bases 'from reads with MAPQ >10' [S3] (gel-rare-disease.md §4), i.e. MAPQ ≥ 11.")
    coverage_depth: int = Field(
        default=15, ge=1,
        description="Depth of GEL's genome coverage check: bases at ≥15× [S3][S5].")
    min_fraction_at_coverage_depth: float = Field(
        default=0.95, ge=0.0, le=1.0,
        description="LOW_COVERAGE (a hard failure unless the sample is saliva) when the "
        "fraction of autosomal (or targeted autosomal) bases at ≥ coverage_depth is below "
        "this. GEL: ≥95 % of the autosomal genome at ≥15× [S3][S5].")
    min_q30_bases: int = Field(
        default=85_000_000_000, ge=0,
        description="Yield check: the sample passes with more than this many Q≥30 bases "
        "(non-duplicate, overlapping mates once). GEL: >85×10⁹ for a genome [S3]. Scaled to "
        "the reference's length when it is shorter than q30_genome_length; 0 accepts any yield.")
    q30_genome_length: int = Field(
        default=3_100_000_000, gt=0,
        description="Length of the genome min_q30_bases refers to (GRCh38, 3.1 Gb). For a "
        "shorter reference the threshold scales by reference length / this (bp2 assumption: "
        "GEL's yield is a depth requirement, ~27× of Q30 bases per reference base).")
    max_contamination: float = Field(
        default=0.03, ge=0.0, le=0.5,
        description="Contamination check fails when the estimated fraction exceeds this. "
        "GEL: VerifyBamID contamination >3 % fails [S3].")
    report_depths: tuple[int, ...] = Field(
        default=(1, 10, 15, 20, 30), min_length=1,
        description="Depth levels at which the fraction of autosomal target bases is "
        "reported (information, not checks).")
    panel_depths: tuple[int, ...] = Field(
        default=(15, 20), min_length=1,
        description="Depth levels of the per-gene coding coverage of the applied panels' "
        "green genes (the issue asks for ≥15× and ≥20×).")
    exon_min_depth: int = Field(
        default=15, ge=1,
        description="A panel gene's coding exon is listed as under-covered when fewer than "
        "exon_min_fraction of its coding bases reach this depth (default: GEL's 15×).")
    exon_min_fraction: float = Field(
        default=1.0, ge=0.0, le=1.0,
        description="See exon_min_depth; 1.0 lists every exon with any coding base below it.")
    min_site_base_quality: int = Field(
        default=20, ge=0, le=93,
        description="Base quality a read base needs to count at a common-SNP site for the "
        "contamination estimate (VerifyBamID's default minQ is 20).")
    contamination_min_af: float = Field(
        default=0.01, gt=0.0, lt=0.5,
        description="Common-SNP sites are used when min_af ≤ AF ≤ 1 − min_af.")
    contamination_min_sites: int = Field(
        default=100, ge=1,
        description="Fewer covered common-SNP sites than this leave contamination not "
        "assessed (an estimate from few sites is not reliable).")
    sex_x_tolerance: float = Field(
        default=0.3, gt=0.0, lt=0.5,
        description="The X copy number must lie within this of a whole number to be called.")
    sex_y_absent_max: float = Field(
        default=0.1, ge=0.0,
        description="Y copy number below this: no Y.")
    sex_y_present_min: float = Field(
        default=0.3, gt=0.0,
        description="Y copy number from this: Y present (between the two: ambiguous).")
    fail_unassessed: bool = Field(
        default=True,
        description="A hard check that could not be assessed (no common-SNP sites, no X/Y in "
        "the reference or target) fails the sample. Turn off only for data that cannot "
        "support the check (e.g. a single-chromosome test window), and say so.")

    @model_validator(mode="after")
    def _y_limits(self) -> QcAlignmentParams:
        if self.sex_y_absent_max > self.sex_y_present_min:
            raise ValueError("sex_y_absent_max must not exceed sex_y_present_min")
        return self
