"""The one rule for how a sample's reads are given (bp2.reads), as the stages apply it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bp2.reads import reads_kind_problem
from bp2.stages.align.stage import AlignInputs
from bp2.stages.intake.models import SampleReads

R1, R2, BAM, BAI = Path("r1.fq.gz"), Path("r2.fq.gz"), Path("s.bam"), Path("s.bam.bai")
CASES = [
    ((R1, R2, None, None), None),
    ((None, None, BAM, BAI), None),
    ((None, None, None, None), "give either fastq_1 and fastq_2, or bam and bam_index"),
    ((R1, R2, BAM, BAI), "give either fastq_1 and fastq_2, or bam and bam_index"),
    ((R1, R2, None, BAI), "give either fastq_1 and fastq_2, or bam and bam_index"),
    ((R1, None, None, None), "paired reads need both fastq_1 and fastq_2"),
    ((None, None, BAM, None), "an aligned input needs both bam and bam_index"),
]


@pytest.mark.parametrize(("files", "problem"), CASES)
def test_rule_and_both_stages_agree(files: tuple[Path | None, ...], problem: str | None) -> None:
    """It accepts exactly one complete kind of reads, and align and intake refuse the same
    combinations with the same message."""
    assert reads_kind_problem(*files) == problem
    fields = dict(zip(("fastq_1", "fastq_2", "bam", "bam_index"), files, strict=True))
    for model, extra in ((SampleReads, {}), (AlignInputs, {"reference": Path("r.fa"),
                                                           "reference_index": Path("r.fa.fai")})):
        if problem is None:
            model.model_validate({"sample": "S1", **extra, **fields})
        else:
            with pytest.raises(ValidationError, match=problem):
                model.model_validate({"sample": "S1", **extra, **fields})
