"""``bp2 benchmark`` on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bp2.cli import app
from tests.testdata import data_file

DECOMP = "happy_unit_cases/decomp"


@pytest.mark.verifies("SRS-312")
def test_benchmark_command_runs(tmp_path: Path) -> None:
    """It benchmarks hap.py's decomp case, prints recall with its interval and exits 0."""
    result = CliRunner().invoke(app, [
        "benchmark", "--truth", str(data_file(f"{DECOMP}/decomp_test.truth.vcf.gz")),
        "--query", str(data_file(f"{DECOMP}/decomp_test.query.vcf.gz")),
        "--confident", str(data_file(f"{DECOMP}/decomp_test.conf.bed.gz")),
        "--outdir", str(tmp_path / "out"), "--pass-only"])
    assert result.exit_code == 0, result.output
    assert "recall 1.0000" in result.output
    assert (tmp_path / "out" / "summary.csv").read_text().count("\n") == 3  # header + PASS rows


@pytest.mark.verifies("SRS-312")
def test_bad_stratum_is_a_usage_error(tmp_path: Path) -> None:
    """It refuses --stratify without NAME=BED as a usage error (exit 2)."""
    from bp2.errors import UsageError

    result = CliRunner().invoke(app, [
        "benchmark", "--truth", "t.vcf", "--query", "q.vcf", "--outdir", str(tmp_path),
        "--stratify", "nobed"])
    assert isinstance(result.exception, UsageError)
    assert result.exception.exit_code == 2
