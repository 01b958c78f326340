"""The intake stage's Inputs, Outputs and Params."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

from bp2.case import SAMPLE_ID
from bp2.reads import check_reads_kind
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
        check_reads_kind(self.fastq_1, self.fastq_2, self.bam, self.bam_index)
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
