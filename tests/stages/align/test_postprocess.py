"""The samtools steps after alignment: index and flagstat of the finished file, side by side."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bp2.errors import EnvironmentProblem
from bp2.stages.align.postprocess import index_and_flagstat
from tests.stages.align.data import require_tools

SAM = (
    "@HD\tVN:1.6\tSO:coordinate\n@SQ\tSN:chr1\tLN:1000\n"
    "r1\t99\tchr1\t101\t60\t4M\t=\t301\t204\tACGT\tIIII\n"
    "r2\t1123\tchr1\t101\t60\t4M\t=\t301\t204\tACGT\tIIII\n"  # 99 + 1024: duplicate
    "r1\t147\tchr1\t301\t60\t4M\t=\t101\t-204\tACGT\tIIII\n"
    "r2\t1171\tchr1\t301\t60\t4M\t=\t101\t-204\tACGT\tIIII\n"  # 147 + 1024
)


def small_bam(tmp_path: Path) -> Path:
    sam, bam = tmp_path / "a.sam", tmp_path / "a.bam"
    sam.write_text(SAM)
    subprocess.run(["samtools", "view", "--no-PG", "-b", "-o", str(bam), str(sam)], check=True)
    return bam


@pytest.mark.verifies("SRS-122", "SRS-131")
def test_index_and_flagstat_of_one_file(tmp_path: Path) -> None:
    """It indexes the file and returns its flagstat counts, duplicates included."""
    require_tools("samtools")
    bam = small_bam(tmp_path)
    counts = json.loads(index_and_flagstat(bam, tmp_path / "a.bam.bai", 2))
    assert counts["QC-passed reads"]["total"] == 4
    assert counts["QC-passed reads"]["duplicates"] == 2
    assert (tmp_path / "a.bam.bai").stat().st_size > 0


@pytest.mark.verifies("SRS-122")
def test_failing_index_is_reported(tmp_path: Path) -> None:
    """It reports samtools index failing even though flagstat of the same file succeeded."""
    require_tools("samtools")
    bam = small_bam(tmp_path)
    with pytest.raises(EnvironmentProblem, match="'samtools index' exited"):
        index_and_flagstat(bam, tmp_path / "missing-folder" / "a.bam.bai", 2)
