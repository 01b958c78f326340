"""Answer key of the ``align`` stage: dataset 1, checked against two independent sources.

1. **Duplicates**: the same 25,839 read pairs aligned with the minimap2 command line
   (``minimap2 -ax sr``) and marked with ``samtools fixmate -m | sort | markdup`` in the test:
   the stage's duplicate count must be within 0.5 % of that count.
2. **Positions**: the original DeepVariant test BAM of these reads, aligned upstream by bwa
   0.6.1: of the primary reads mapped by both, at least 99 % must start within 10 bp of the
   upstream position on the same contig.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pysam

from bp2.stages.align import AlignOutputs, AlignParams
from bp2.stages.align.stage import PROGRAM_ID
from bp2.stages.base import StageInputs, StageOutputs, StageParams
from tests.stages.align.data import (
    UPSTREAM_BAM,
    command_line_markdup,
    fastq_files,
    fastq_inputs,
    reference_files,
)
from tests.stages.conformance import AnswerKey
from tests.testdata import data_file

DUPLICATE_TOLERANCE = 0.005
POSITION_WINDOW = 10
POSITION_AGREEMENT = 0.99
_PRIMARY_EXCLUDED = 0x4 | 0x100 | 0x800


def build(tmp: Path) -> tuple[StageInputs, StageParams]:
    tmp.mkdir(parents=True, exist_ok=True)
    return fastq_inputs(*fastq_files()), AlignParams()


def duplicate_count(bam: Path) -> int:
    """Primary reads flagged duplicate (0x400), counted from the file's own flags."""
    with pysam.AlignmentFile(str(bam)) as handle:
        return sum(1 for r in handle.fetch(until_eof=True)
                   if r.is_duplicate and not r.flag & (0x100 | 0x800))


def primary_positions(bam: Path) -> dict[tuple[str, bool], tuple[str, int]]:
    """(read name, is read 1) → (contig, 0-based start) of each primary mapped read."""
    with pysam.AlignmentFile(str(bam)) as handle:
        return {(str(r.query_name), r.is_read1): (str(r.reference_name), r.reference_start)
                for r in handle.fetch(until_eof=True) if not r.flag & _PRIMARY_EXCLUDED}


def position_agreement(ours: Path, upstream: Path) -> tuple[int, int]:
    """(reads mapped by both, of which within POSITION_WINDOW bp on the same contig)."""
    mine, theirs = primary_positions(ours), primary_positions(upstream)
    shared = mine.keys() & theirs.keys()
    close = sum(1 for key in shared if mine[key][0] == theirs[key][0]
                and abs(mine[key][1] - theirs[key][1]) <= POSITION_WINDOW)
    return len(shared), close


def check(outputs: StageOutputs) -> None:
    assert isinstance(outputs, AlignOutputs) and outputs.bam is not None
    ours = duplicate_count(outputs.bam)
    with tempfile.TemporaryDirectory(prefix="bp2-align-key-") as tmp:
        cli_bam = command_line_markdup(reference_files()[0], *fastq_files(), Path(tmp))
        expected = duplicate_count(cli_bam)
    assert expected > 0
    assert abs(ours - expected) <= DUPLICATE_TOLERANCE * expected, (ours, expected)
    shared, close = position_agreement(outputs.bam, data_file(UPSTREAM_BAM))
    assert shared > 50_000, shared  # nearly all of the 51,678 reads are mapped by both
    assert close >= POSITION_AGREEMENT * shared, (close, shared)


def normalise(outputs: StageOutputs) -> bytes:
    """Header and records as SAM text with each record's tags sorted, then the metrics JSON.

    The stage's own version in its ``@PG`` line is masked: the lock keys entries by version
    already, and a patch release with identical output must normalise to the same bytes.
    """
    assert isinstance(outputs, AlignOutputs) and outputs.bam is not None
    lines: list[str] = []
    with pysam.AlignmentFile(str(outputs.bam)) as handle:
        lines += [_mask_own_version(line)
                  for line in str(handle.header).rstrip("\n").split("\n")]
        for read in handle.fetch(until_eof=True):
            fields = read.to_string().split("\t")
            lines.append("\t".join(fields[:11] + sorted(fields[11:])))
    return ("\n".join(lines) + "\n").encode() + outputs.metrics.read_bytes()


def _mask_own_version(header_line: str) -> str:
    if not header_line.startswith(f"@PG\tID:{PROGRAM_ID}\t"):
        return header_line
    return "\t".join("VN:(stage version)" if field.startswith("VN:") else field
                     for field in header_line.split("\t"))


ANSWER_KEY = AnswerKey(
    stage_id="align",
    source=(
        "duplicate count of samtools markdup on the same reads aligned by the minimap2 command "
        "line (run in the test), and read positions of the DeepVariant test BAM "
        "(reads/NA12878_S1.chr20.10_10p1mb.bam, aligned upstream by bwa 0.6.1)"
    ),
    build=build,
    check=check,
    normalise=normalise,
)
