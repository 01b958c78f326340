"""Whole-chromosome benchmarking: correctness here, speed from the benchmark record (SRS-314)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bp2.benchmark import engine_digest
from bp2.benchmark.api import BenchmarkRequest, run_benchmark
from tests.testdata import data_file

FOLDER = "happy_grch38_chr21_truth"
RECORD = Path(__file__).parents[2] / "benchmarks" / "results" / "benchmark.json"


@pytest.mark.slow
@pytest.mark.verifies("SRS-314")
def test_chr21_truth_against_itself_scores_one(tmp_path: Path) -> None:
    """It scores the 65,370-record chr21 truth against itself with recall = precision = 1."""
    truth = data_file(f"{FOLDER}/PG_NA12878_hg38-chr21.vcf.gz")
    bed = data_file(f"{FOLDER}/PG_Conf_hg38-chr21.bed.gz")
    summary = run_benchmark(BenchmarkRequest(truth=truth, query=truth, confident=bed), tmp_path)
    assert all(r.recall == 1.0 and r.precision == 1.0 for r in summary.rows)
    assert summary.row("SNP", "ALL").truth_tp > 50_000


@pytest.mark.verifies("SRS-314")
def test_speed_record_is_current_and_meets_targets() -> None:
    """It finds the committed speed record measured on this engine's code and within its targets."""
    record = json.loads(RECORD.read_text(encoding="utf-8"))
    assert record["engine_digest"] == engine_digest(), (
        "benchmarks/results/benchmark.json was measured on other engine code: "
        "re-run python benchmarks/benchmark_bench.py")
    for name, target in (("self", 10.0), ("perturbed", 30.0)):
        comparison = record["comparisons"][name]
        assert comparison["target_s"] == target
        assert comparison["bp2_benchmark"]["least_cpu_s"] <= target, name
