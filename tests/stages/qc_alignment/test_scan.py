"""The read pass on a hand-made BAM whose depths, counts and Q30 bases are worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pysam
import pytest

from bp2.engine.execute import execute_unit
from bp2.errors import InputError
from bp2.stages.qc_alignment import (
    QcAlignmentInputs,
    QcAlignmentOutputs,
    QcAlignmentParams,
    QcAlignmentStage,
)
from bp2.stages.qc_alignment.scan import aligned_segments, overlap_q30
from tests.stages.qc_alignment.data import samtools_depth

# chr1: 100 bp whose last 10 bases are N; chr2: 50 bp with no reads.
REFERENCE = ">chr1\n" + "ACGTTGCA" * 11 + "AC" + "N" * 10 + "\n>chr2\n" + "ACGTTGCAAC" * 5 + "\n"
I40, Q20, Q2 = "I", "5", "#"
# name flag pos(1-based) mapq cigar mate-pos tlen quality
RECORDS = [
    # a proper pair whose mates overlap on 21-30: A covers 11-30, B covers 21-40
    ("pairA", 99, 11, 60, "20M", 21, 30, I40 * 20),
    ("pairA", 147, 21, 60, "20M", 11, -30, I40 * 10 + Q2 * 10),
    # a duplicate: never counted for depth or Q30
    ("dup", 1107, 41, 60, "10M", 41, 10, I40 * 10),
    ("dup", 1187, 41, 60, "10M", 41, -10, I40 * 10),
    # MAPQ 5: no depth, but its Q30 bases count (yield does not filter on MAPQ)
    ("lowq", 65, 51, 5, "10M", 51, 0, I40 * 5 + Q20 * 5),
    ("lowq", 129, 51, 5, "10M", 51, 0, Q20 * 10),
    # a deletion: 61-65 and 68-72 covered, 66-67 not
    ("del", 0, 61, 60, "5M2D5M", 0, 0, I40 * 10),
    # the same record twice (as in the shipped dataset 1 BAM): counted once for depth and Q30
    ("twice", 0, 75, 60, "5M", 0, 0, I40 * 5),
    ("twice", 0, 75, 60, "5M", 0, 0, I40 * 5),
    # secondary: nothing; soft clip: 3 clipped Q40 bases count for Q30 but not depth
    ("sec", 256, 81, 60, "5M", 0, 0, I40 * 5),
    ("clip", 0, 85, 60, "3S5M", 0, 0, I40 * 8),
    # an unplaced unmapped read: Q30 only
    ("unmapped", 4, 0, 0, "*", 0, 0, I40 * 6),
]
# depth over chr1's 90 real bases, by hand:
#   11-20: 1 (A)  21-30: 1 (A and B overlap, once)  31-40: 1 (B)         -> 30 bases at 1
#   51-60: 0 (MAPQ 5)  61-65, 68-72: 1 (del)                             -> 10 bases at 1
#   75-79: 1 (twice, once)  85-89: 1 (clip)                              -> 10 bases at 1
DEPTH_ONE_BASES = 50
# Q30 by hand: A 20; B 10 Q40 bases all over A's 21-30 (not counted again) -> 0; lowq 5 + 0;
# del 10; twice 5 (second copy over the first); clip 8; unmapped 6 -> 54
Q30_BASES = 20 + 0 + 5 + 10 + 5 + 8 + 6


def sam_text() -> str:
    header = "@HD\tVN:1.6\tSO:coordinate\n@SQ\tSN:chr1\tLN:100\n@SQ\tSN:chr2\tLN:50\n" \
             "@RG\tID:S1\tSM:S1\n"
    lines = []
    for name, flag, pos, mapq, cigar, mate, tlen, quals in RECORDS:
        length = len(quals)
        seq = ("ACGT" * 10)[:length]
        rname = "*" if flag & 4 else "chr1"
        rnext = "=" if mate else "*"
        lines.append("\t".join([name, str(flag), rname, str(pos), str(mapq), cigar, rnext,
                                str(mate), str(tlen), seq, quals, "RG:Z:S1"]))
    return header + "\n".join(lines) + "\n"


@pytest.fixture
def handmade(tmp_path: Path) -> QcAlignmentInputs:
    fasta = tmp_path / "ref.fa"
    fasta.write_text(REFERENCE)
    pysam.faidx(str(fasta))
    sam = tmp_path / "reads.sam"
    sam.write_text(sam_text())
    bam = tmp_path / "reads.bam"
    pysam.sort("-o", str(bam), str(sam))
    pysam.index(str(bam))
    return QcAlignmentInputs(sample="S1", alignments=bam, alignments_index=Path(f"{bam}.bai"),
                             reference=fasta, reference_index=Path(f"{fasta}.fai"))


def run(inputs: QcAlignmentInputs, outdir: Path) -> dict[str, object]:
    outputs, _ = execute_unit(QcAlignmentStage(), inputs,
                              QcAlignmentParams(min_q30_bases=0, fail_unassessed=False), outdir,
                              unit="S1")
    assert isinstance(outputs, QcAlignmentOutputs)
    loaded: dict[str, object] = json.loads(outputs.qc_json.read_text())
    return loaded


@pytest.mark.verifies("SRS-161", "SRS-162", "SRS-160")
def test_handmade_depth_counts_and_q30(handmade: QcAlignmentInputs, tmp_path: Path) -> None:
    """It counts depth, overlap once, duplicates/MAPQ/N/deletions and Q30 exactly as by hand."""
    qc = run(handmade, tmp_path / "out")
    metrics = qc["metrics"]
    assert isinstance(metrics, dict)
    coverage = metrics["coverage"]
    assert coverage["autosomal_target_bases"] == 90 + 50  # chr1's N bases left out
    assert coverage["mean_depth"] == round(DEPTH_ONE_BASES / 140, 4)
    assert coverage["pct_at_1x"] == round(100 * DEPTH_ONE_BASES / 140, 6)
    assert coverage["pct_at_10x"] == 0
    assert metrics["yield"]["q30_bases"] == Q30_BASES
    reads = metrics["reads"]
    assert (reads["total_records"], reads["secondary"], reads["primary_duplicates"]) == (12, 1, 2)
    assert reads["primary_mapped"] == 10 and reads["paired"] == 6
    assert metrics["insert_size"]["pairs"] == 1 and metrics["insert_size"]["median"] == 30
    assert qc["contig_mean_depth"] == {"chr1": round(DEPTH_ONE_BASES / 90, 4), "chr2": 0.0}


@pytest.mark.verifies("SRS-161")
def test_handmade_against_samtools(handmade: QcAlignmentInputs, tmp_path: Path) -> None:
    """It agrees with samtools depth -s, which counts the repeated unpaired record twice."""
    bed = tmp_path / "real.bed"
    bed.write_text("chr1\t0\t90\n")
    depths = samtools_depth(handmade.alignments, bed)
    # samtools pairs the two copies of 'twice' only for proper pairs: it counts both
    assert sum(depths) == DEPTH_ONE_BASES + 5
    assert sum(1 for d in depths if d >= 1) == DEPTH_ONE_BASES


@pytest.mark.verifies("SRS-170")
def test_sex_not_assessed_without_x_and_y(handmade: QcAlignmentInputs, tmp_path: Path) -> None:
    """It needs no PAR table for a reference without X/Y, and reports sex as not assessed."""
    qc = run(handmade, tmp_path / "out")
    checks = qc["checks"]
    assert isinstance(checks, list)
    sex = next(c for c in checks if c["id"] == "sex")
    assert sex["status"] == "not_assessed" and "no chrX and chrY" in sex["reason"]


@pytest.mark.verifies("SRS-170")
def test_refuses_a_bam_from_a_reference_with_other_lengths(handmade: QcAlignmentInputs,
                                                           tmp_path: Path) -> None:
    """It refuses alignments whose shared contig has another length than the reference's."""
    fasta = tmp_path / "other.fa"
    fasta.write_text(">chr1\n" + "A" * 120 + "\n")
    pysam.faidx(str(fasta))
    other = handmade.model_copy(update={"reference": fasta,
                                        "reference_index": Path(f"{fasta}.fai")})
    with pytest.raises(InputError) as caught:
        run(other, tmp_path / "out")
    assert "chr1 is 100 bp in the alignments but 120 bp in the reference" in caught.value.title


@pytest.mark.verifies("SRS-162")
def test_overlap_q30_counts_bases_over_the_mate() -> None:
    """It finds the Q30 bases of a read that lie on its mate's aligned blocks, through a CIGAR."""
    segments = aligned_segments([(4, 2), (0, 5), (1, 1), (0, 4)], 100)  # 2S5M1I4M at 100
    assert segments == [(100, 105, 2), (105, 109, 8)]
    quals = pysam.qualitystring_to_array("II" + "I#III" + "I" + "I#II")
    assert overlap_q30(segments, quals, [(103, 107)]) == 3  # 103,104 (q2..q3 → I,I) + 105,106
