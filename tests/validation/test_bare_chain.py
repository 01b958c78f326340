"""The bare minimap2 + samtools + bcftools chain on the demo's synthetic reads."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from bp2.errors import EnvironmentProblem
from bp2.validation import bare_chain


@pytest.fixture(scope="module")
def demo_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bp2.demo import generate_demo_case

    case = tmp_path_factory.mktemp("demo") / "case"
    generate_demo_case(case, seed=13485, depth=3)
    return case


@pytest.mark.verifies("SRS-334")
def test_bare_chain_aligns_and_calls(demo_case: Path, tmp_path: Path) -> None:
    """It aligns with minimap2 -ax sr, sorts and indexes, and calls with bcftools call -mv."""
    reads = {"proband": (demo_case / "reads" / "proband_R1.fastq.gz",
                         demo_case / "reads" / "proband_R2.fastq.gz")}
    run = bare_chain.run(reads, demo_case / "reference.fa", tmp_path, threads=2)
    assert run.bams["proband"].is_file() and Path(f"{run.bams['proband']}.bai").is_file()
    assert Path(f"{run.vcf}.tbi").is_file()
    with gzip.open(run.vcf, "rt") as handle:
        lines = handle.read().splitlines()
    assert any(line.startswith("#CHROM") and line.endswith("proband") for line in lines)
    assert sum(not line.startswith("#") for line in lines) > 100
    assert set(run.versions) == {"minimap2", "samtools", "bcftools"}
    assert "minimap2 -ax sr" in run.commands[0] and "bcftools call -mv" in run.commands[-1]
    assert not list(tmp_path.glob("*.bp2tmp*"))


@pytest.mark.verifies("SRS-334")
def test_a_missing_tool_is_an_environment_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    """It stops with exit 4 and the install command when a tool of the chain is missing."""
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(EnvironmentProblem) as err:
        bare_chain.require_tools()
    assert "apt-get install" in err.value.hint
