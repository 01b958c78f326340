"""How one sample's reads are given: paired FASTQ, or an aligned BAM/CRAM with its index.

The single rule every model holding a sample's reads applies (the intake stage's
``SampleReads``, the align stage's ``AlignInputs``): exactly one kind, and each kind complete.

It lives in its own module rather than in :mod:`bp2.case` because every stage's locked code
digest includes :mod:`bp2.case` (``pipeline/stage-lock.json``): a rule used by two stages would
otherwise re-version all of them.  The samplesheet parser (:func:`bp2.case.parse_samplesheet`)
still states the same rule with row and column in its errors.
"""

from __future__ import annotations

from pathlib import Path


def reads_kind_problem(fastq_1: Path | None, fastq_2: Path | None, bam: Path | None,
                       bam_index: Path | None) -> str | None:
    """What is wrong with the combination of reads given (None when it is one complete kind)."""
    fastq = fastq_1 is not None or fastq_2 is not None
    aligned = bam is not None or bam_index is not None
    if fastq == aligned:
        return "give either fastq_1 and fastq_2, or bam and bam_index"
    if fastq and (fastq_1 is None or fastq_2 is None):
        return "paired reads need both fastq_1 and fastq_2"
    if aligned and (bam is None or bam_index is None):
        return "an aligned input needs both bam and bam_index"
    return None


def check_reads_kind(fastq_1: Path | None, fastq_2: Path | None, bam: Path | None,
                     bam_index: Path | None) -> None:
    """Raise ``ValueError`` (a pydantic validation error in a model validator) on a problem."""
    problem = reads_kind_problem(fastq_1, fastq_2, bam, bam_index)
    if problem is not None:
        raise ValueError(problem)
