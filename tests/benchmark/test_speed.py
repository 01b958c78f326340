"""Speed of the engine on the whole Platinum Genomes chr21 truth (SRS-314)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bp2.benchmark.api import BenchmarkRequest, run_benchmark
from tests.testdata import data_file

FOLDER = "happy_grch38_chr21_truth"


@pytest.mark.slow
@pytest.mark.verifies("SRS-314")
def test_chr21_truth_against_itself_within_ten_seconds(tmp_path: Path) -> None:
    """It benchmarks the 65,370-record chr21 truth against itself in at most 10 s of CPU."""
    truth = data_file(f"{FOLDER}/PG_NA12878_hg38-chr21.vcf.gz")
    bed = data_file(f"{FOLDER}/PG_Conf_hg38-chr21.bed.gz")
    start = time.process_time()  # CPU time: the shared test machine's load does not count
    summary = run_benchmark(BenchmarkRequest(truth=truth, query=truth, confident=bed), tmp_path)
    cpu = time.process_time() - start
    assert all(r.recall == 1.0 and r.precision == 1.0 for r in summary.rows)
    assert summary.row("SNP", "ALL").truth_tp > 50_000
    assert cpu <= 10.0, f"{cpu:.1f} s CPU"
