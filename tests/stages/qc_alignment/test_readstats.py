"""Flag counts (samtools flagstat semantics), insert sizes and quality counts."""

from __future__ import annotations

from array import array

import pytest

from bp2.stages.qc_alignment.readstats import (
    FlagCounts,
    count_at_least,
    insert_size_of,
    summarise_insert_sizes,
)


@pytest.mark.verifies("SRS-160")
def test_flag_counts_follow_flagstat() -> None:
    """It counts primary, paired, proper, singleton and other-contig reads as flagstat does."""
    counts = FlagCounts()
    counts.add(99, 60, 0, 0)  # proper pair read 1
    counts.add(147, 60, 0, 0)  # its mate
    counts.add(73, 3, 0, 0)  # mate unmapped: singleton
    counts.add(133, 0, 0, 0)  # the unmapped mate
    counts.add(65, 4, 0, 1)  # mate on another contig, MAPQ < 5
    counts.add(1123, 60, 0, 0)  # duplicate (1024 + 99)
    counts.add(353, 60, 0, 0)  # secondary (256 + 97)
    counts.add(2145, 60, 0, 0)  # supplementary (2048 + 97)
    counts.add(611, 60, 0, 0)  # QC-failed (512 + 99)
    assert (counts.total, counts.primary, counts.secondary, counts.supplementary) == (9, 7, 1, 1)
    assert (counts.paired, counts.properly_paired, counts.singletons) == (7, 4, 1)
    assert (counts.mapped, counts.primary_mapped, counts.primary_duplicates) == (8, 6, 1)
    assert (counts.mate_other_contig, counts.mate_other_contig_mapq5, counts.qcfail) == (1, 0, 1)
    assert (counts.read1, counts.read2, counts.both_mapped) == (5, 2, 5)


@pytest.mark.verifies("SRS-160")
def test_insert_sizes() -> None:
    """It takes |TLEN| of read 1 of clean same-contig pairs and reports median and quartiles."""
    assert insert_size_of(99, 0, 0, 300) == 300
    assert insert_size_of(83, 0, 0, -250) == 250
    assert insert_size_of(147, 0, 0, -300) is None  # read 2
    assert insert_size_of(1123, 0, 0, 300) is None  # duplicate
    assert insert_size_of(97, 0, 1, 300) is None  # other contig
    assert insert_size_of(99, 0, 0, 0) is None
    summary = summarise_insert_sizes(array("l", [100, 200, 300, 400, 1000]))
    assert (summary.pairs, summary.q1, summary.median, summary.q3, summary.iqr) == (
        5, 200.0, 300.0, 400.0, 200.0)
    assert summarise_insert_sizes(array("l")).median is None


@pytest.mark.verifies("SRS-162")
def test_quality_counts() -> None:
    """It counts qualities at or above a threshold in a slice, and none when absent."""
    quals = array("B", [10, 30, 31, 29, 40])
    assert count_at_least(quals, 30) == 3
    assert count_at_least(quals, 30, 2, 4) == 1
    assert count_at_least(None, 30) == 0
