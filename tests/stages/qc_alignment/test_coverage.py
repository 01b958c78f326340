"""Depth summaries over region classes, N masking, plot bins and exon depths (pure numpy)."""

from __future__ import annotations

import numpy as np
import pytest

from bp2.stages.qc_alignment.coverage import (
    HIST_CAP,
    CoverageCollector,
    DepthSummary,
    ExonTarget,
)


@pytest.mark.verifies("SRS-161")
def test_depth_summary() -> None:
    """It keeps exact sums, fractions at each level and the lower median, capping the histogram."""
    summary = DepthSummary()
    summary.add(np.array([0, 10, 15, 20, 5000], dtype=np.int32))
    assert (summary.bases, summary.depth_sum, summary.mean) == (5, 5045, 1009.0)
    assert summary.fraction_at_least(15) == 0.6 and summary.fraction_at_least(0) == 1.0
    assert summary.histogram[HIST_CAP] == 1 and summary.median() == 15.0
    assert DepthSummary().mean is None and DepthSummary().fraction_at_least(15) is None


@pytest.mark.verifies("SRS-161", "SRS-164")
def test_collector_masks_n_and_splits_classes_across_chunks() -> None:
    """It folds chunks into classes over non-N bases only, and exon depths across chunk edges."""
    classes = {"autosomal": {"chr1": ((2, 8),)}, "x_nonpar": {"chrX": ((0, 4),)},
               "y_nonpar": {}}
    exon = ExonTarget(0, "chr1", 3, 7)
    collector = CoverageCollector(classes, [exon], [15, 20], {"chr1": 10, "chrX": 4}, 100)
    depth = np.array([1, 2, 30, 16, 14, 20, 0, 9, 9, 9], dtype=np.int32)
    collector.consume("chr1", 0, depth[:5], b"ACGTN")  # position 4 is N
    collector.consume("chr1", 5, depth[5:], b"ACGTA")
    collector.consume("chrX", 0, np.array([6, 6, 6, 6], dtype=np.int32), b"nnAC")
    auto = collector.summaries["autosomal"]
    assert (auto.bases, auto.depth_sum) == (5, 30 + 16 + 20 + 0 + 9)  # positions 2,3,5,6,7
    x = collector.summaries["x_nonpar"]
    assert (x.bases, x.mean) == (2, 6.0)
    record = collector.exons[0]  # positions 3-6: 16, 14, 20, 0 (N does not matter for CDS)
    assert (record.bases, record.depth_sum, record.min_depth) == (4, 50, 0)
    assert record.at_least == {15: 2, 20: 1}
    assert collector.contig_mean("chr1") == pytest.approx((sum(depth) - 14) / 9)
    starts, means = collector.binned_means()["chr1"]
    assert list(starts) == [0] and means[0] == pytest.approx(75 / 5)
