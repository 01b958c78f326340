"""The alignment benchmark script runs and records what SRS-132 asks for (one quick repeat)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.stages.align.data import fastq_files, reference_files, require_tools

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.verifies("SRS-132")
def test_benchmark_records_ratio_memory_and_versions(tmp_path: Path) -> None:
    """It times stage and command line on dataset 1 and writes ratios, memory and versions."""
    require_tools("minimap2", "samtools")
    reference_files(), fastq_files()  # checks the sha256 of the files the script reads
    out = tmp_path / "align.json"
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "align_bench.py"), "--datasets", "1",
         "--repeats", "1", "--out", str(out)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    assert set(result["tool_versions"]) >= {"minimap2", "samtools", "mappy", "pysam"}
    one = result["datasets"]["1"]
    assert one["read_pairs"] == 25_839
    for key in ("ratio_wall", "ratio_min_wall", "ratio_cpu", "ratio_stage_duration"):
        assert one[key] > 0
    assert one["stage"]["peak_rss_mib"] > 0 and one["command_line"]["peak_rss_mib"] > 0
    assert one["duplicate_difference_pct"] <= 0.5
