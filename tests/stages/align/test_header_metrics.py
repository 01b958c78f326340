"""Header text, FASTA index parsing, reference identity checks and metrics parsing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bp2.errors import InputError
from bp2.stages.align.header import (
    Contig,
    ReadGroup,
    check_read_group_value,
    describe_contigs,
    parse_fai,
    reference_mismatch,
    sam_header,
)
from bp2.stages.align.metrics import build_metrics, parse_flagstat, parse_markdup_stats

FAI = Path("ref.fa.fai")
HG19 = (Contig("chr20", 63025520),)


@pytest.mark.verifies("SRS-134")
def test_fai_is_parsed() -> None:
    """It reads contig names and lengths from a 5-column .fai."""
    text = "chr20\t63025520\t7\t60\t61\nchrM\t16571\t64075946\t60\t61\n"
    assert parse_fai(text, FAI) == (Contig("chr20", 63025520), Contig("chrM", 16571))


@pytest.mark.verifies("SRS-134")
@pytest.mark.parametrize(
    ("text", "message"),
    [("chr20 63025520\n", "not a FASTA index line"), ("", "lists no contigs"),
     ("a\t1\t0\t1\t2\na\t1\t0\t1\t2\n", "listed twice"), ("a\tx\t0\t1\t2\n", "not a FASTA")],
)
def test_bad_fai_is_refused(text: str, message: str) -> None:
    """It refuses a malformed or empty .fai, naming it."""
    with pytest.raises(InputError, match=message) as info:
        parse_fai(text, FAI)
    assert info.value.path == str(FAI)


@pytest.mark.verifies("SRS-125", "SRS-121", "SRS-126")
def test_header_has_no_path_time_or_host() -> None:
    """It writes @SQ with M5 and the reference's file name, one @RG and a path-free @PG."""
    header = sam_header(HG19, ["d56007d0cc776ca9c0e4f218060eba81"], "ref.fa.gz",
                        ReadGroup("S1", "S1", "ILLUMINA", "LIB"), "bp2-align", "1.0.0", "x")
    assert header.splitlines() == [
        "@HD\tVN:1.6\tSO:unsorted\tGO:query",
        "@SQ\tSN:chr20\tLN:63025520\tM5:d56007d0cc776ca9c0e4f218060eba81\tUR:ref.fa.gz",
        "@RG\tID:S1\tSM:S1\tPL:ILLUMINA\tLB:LIB",
        "@PG\tID:bp2-align\tPN:bp2-align\tVN:1.0.0\tDS:x",
    ]


@pytest.mark.verifies("SRS-121")
@pytest.mark.parametrize("value", ["", "a\tb", "a\nb"])
def test_bad_read_group_value_is_refused(value: str) -> None:
    """It refuses an empty read-group value or one holding a tab or newline."""
    with pytest.raises(InputError, match="read-group library"):
        check_read_group_value("library", value)


@pytest.mark.verifies("SRS-128")
def test_reference_mismatch_names_the_first_difference() -> None:
    """It finds a contig renamed, resized, missing, extra or reordered."""
    hs37d5 = (Contig("20", 63025520),)
    grch38 = (Contig("chr20", 64444167),)
    two = (Contig("chr20", 63025520), Contig("chrM", 16571))
    assert reference_mismatch(HG19, HG19) is None
    assert reference_mismatch(hs37d5, HG19) == "the BAM has contig '20' which the reference lacks"
    assert reference_mismatch(grch38, HG19) == (
        "contig 'chr20' is 64444167 bp in the BAM but 63025520 bp in the reference")
    assert reference_mismatch(HG19, two) == "the reference has contig 'chrM' which the BAM lacks"
    assert reference_mismatch(two[::-1], two) == (
        "the contigs are the same but in a different order")
    assert describe_contigs(two) == "2 contigs (chr20:63025520, chrM:16571)"


FLAGSTAT = {
    "QC-passed reads": {"total": 110, "primary": 100, "secondary": 4, "supplementary": 6,
                        "duplicates": 12, "primary duplicates": 10, "primary mapped": 90,
                        "paired in sequencing": 100, "properly paired": 80,
                        "with itself and mate mapped": 86, "singletons": 4},
    "QC-failed reads": {"total": 0, "primary": 0, "secondary": 0, "supplementary": 0,
                        "duplicates": 0, "primary duplicates": 0, "primary mapped": 0,
                        "paired in sequencing": 0, "properly paired": 0,
                        "with itself and mate mapped": 0, "singletons": 0},
}


@pytest.mark.verifies("SRS-131")
def test_metrics_from_flagstat_and_markdup() -> None:
    """It counts reads, mapped, paired and duplicates, with fractions worked out here."""
    counts = parse_flagstat(json.dumps(FLAGSTAT))
    stats = parse_markdup_stats(
        "COMMAND: samtools markdup - /x/y.bam\nREAD: 110\nDUPLICATE TOTAL: 12\n"
        "ESTIMATED_LIBRARY_SIZE: 3381132\n")
    metrics = build_metrics("S1", "fastq", counts, stats)
    assert (metrics.records, metrics.primary_reads, metrics.primary_mapped) == (110, 100, 90)
    assert metrics.mapped_fraction == 0.9  # 90 / 100
    assert metrics.properly_paired_fraction == 0.8  # 80 / 100
    assert metrics.duplicate_fraction == 0.111111  # 10 / 90, six decimals
    assert metrics.markdup == {"read": 110, "duplicate_total": 12,
                               "estimated_library_size": 3381132}  # no COMMAND (paths)
