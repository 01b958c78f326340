"""The intake stage's Inputs, Outputs and Params."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

from bp2.case import SAMPLE_ID
from bp2.stages.base import StageInputs, StageModel, StageOutputs, StageParams


class SampleReads(StageModel):
    """One sample's reads as the samplesheet gives them: paired FASTQ, or a BAM and its index."""

    sample: str = Field(pattern=SAMPLE_ID.pattern)
    fastq_1: Path | None = None
    fastq_2: Path | None = None
    bam: Path | None = None
    bam_index: Path | None = None  # .bai or .csi

    @model_validator(mode="after")
    def _one_kind_of_reads(self) -> SampleReads:
        fastq = self.fastq_1 is not None or self.fastq_2 is not None
        bam = self.bam is not None or self.bam_index is not None
        if fastq == bam:
            raise ValueError("give either fastq_1 and fastq_2, or bam and bam_index")
        if fastq and (self.fastq_1 is None or self.fastq_2 is None):
            raise ValueError("paired reads need both fastq_1 and fastq_2")
        if bam and (self.bam is None or self.bam_index is None):
            raise ValueError("an aligned input needs both bam and bam_index")
        return self

    @property
    def kind(self) -> str:
        return "bam" if self.bam is not None else "fastq"


class ResourceFile(StageModel):
    """A resource whose contig naming is checked against the reference (VCF/BCF, BED, GTF, GFF)."""

    name: str = Field(min_length=1)
    path: Path
    index: Path | None = None  # .tbi/.csi of a compressed VCF/BCF


class IntakeInputs(StageInputs):
    """The case's own files, the reference with its indexes, and resources to check."""

    samplesheet: Path
    pedigree: Path
    reads: tuple[SampleReads, ...] = Field(min_length=1)
    reference: Path
    reference_index: Path  # .fai
    reference_gzi: Path | None = None  # .gzi, required when the reference is bgzip-compressed
    resources: tuple[ResourceFile, ...] = ()


class IntakeOutputs(StageOutputs):
    """The case summary (JSON) and one line per sample (TSV)."""

    intake_json: Path
    summary_tsv: Path


class IntakeParams(StageParams):
    max_reads_to_check: int = Field(default=0, ge=0)  # 0 = check every record of every FASTQ
    min_reads: int = Field(default=1, ge=1)  # fewest read pairs (FASTQ) or records (BAM)
    verify_m5: bool = True  # compare declared M5 checksums with the reference's sequences
