"""The ``call`` stage through ``bp2 stage run``: exit codes, messages, and files read."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.stages.call.datasets import DS1_BAM, HG19, TRIO, score_ds1
from tests.testdata import data_file


def write_inputs(folder: Path, **changes: object) -> Path:
    inputs: dict[str, object] = {
        "samples": [{"sample": "NA12878", "sex": "female", "bam": str(data_file(DS1_BAM)),
                     "bam_index": str(data_file(DS1_BAM + ".bai"))}],
        "reference": str(data_file(HG19)), "reference_index": str(data_file(HG19 + ".fai")),
        "reference_gzi": str(data_file(HG19 + ".gzi")), "build": "GRCh37",
    }
    sample = dict(inputs["samples"][0])  # type: ignore[index]
    for key, value in changes.items():
        if key in sample:
            sample[key] = value
        else:
            inputs[key] = value
    inputs["samples"] = [sample]
    path = folder / "inputs.json"
    path.write_text(json.dumps(inputs))
    return path


def bp2_call(bp2_exe: str, inputs: Path, outdir: Path, env: dict[str, str] | None = None
             ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([bp2_exe, "stage", "run", "call", "--inputs", str(inputs), "--outdir",
                           str(outdir), "--threads", "2"], capture_output=True, text=True,
                          env=env, check=False)


@pytest.mark.verifies("SRS-150")
def test_truncated_bam_is_refused(bp2_exe: str, tmp_path: Path) -> None:
    """It exits 3 for a BAM cut short, naming the file and the missing end-of-file marker."""
    bam = tmp_path / "cut.bam"
    bam.write_bytes(data_file(DS1_BAM).read_bytes()[:500_000])
    result = bp2_call(bp2_exe, write_inputs(tmp_path, bam=str(bam)), tmp_path / "out")
    assert result.returncode == 3, result.stderr
    assert "truncated" in result.stderr and "cut.bam" in result.stderr


@pytest.mark.verifies("SRS-150")
def test_wrong_index_file_is_refused(bp2_exe: str, tmp_path: Path) -> None:
    """It exits 3 when bam_index is not a BAM index, naming the field."""
    result = bp2_call(bp2_exe, write_inputs(tmp_path, bam_index=str(data_file(HG19 + ".fai"))),
                      tmp_path / "out")
    assert result.returncode == 3, result.stderr
    assert "samples[0].bam_index" in result.stderr


@pytest.mark.verifies("SRS-150")
def test_bam_of_another_naming_is_refused(bp2_exe: str, tmp_path: Path) -> None:
    """It exits 3 for a BAM whose contigs ('20') are not the reference's ('chr20')."""
    bam = f"{TRIO}/reads/HG001.chr20.10_10p1mb_sorted.bam"
    result = bp2_call(bp2_exe, write_inputs(tmp_path, sample="HG001", bam=str(data_file(bam)),
                                            bam_index=str(data_file(bam + ".bai"))),
                      tmp_path / "out")
    assert result.returncode == 3, result.stderr
    assert "naming" in result.stderr


@pytest.mark.verifies("SRS-150")
def test_sample_swap_is_refused(bp2_exe: str, tmp_path: Path) -> None:
    """It exits 3 when the BAM's read groups belong to another sample than the one named."""
    result = bp2_call(bp2_exe, write_inputs(tmp_path, sample="NA12891"), tmp_path / "out")
    assert result.returncode == 3, result.stderr
    assert "NA12878" in result.stderr and "swap" in result.stderr


@pytest.mark.verifies("SRS-142")
def test_reference_of_another_build_is_refused(bp2_exe: str, tmp_path: Path) -> None:
    """It exits 3 when the declared build's chrX length disagrees with the reference's."""
    fasta = tmp_path / "tiny.fa"
    fasta.write_text(">chrX\n" + "ACGT" * 30 + "\n")
    fai = tmp_path / "tiny.fa.fai"
    fai.write_text("chrX\t155270560\t6\t120\t121\n")  # claims GRCh37 X length
    result = bp2_call(bp2_exe, write_inputs(tmp_path, reference=str(fasta),
                                            reference_index=str(fai), reference_gzi=None,
                                            build="GRCh38"), tmp_path / "out")
    assert result.returncode == 3, result.stderr
    assert "not GRCh38" in result.stderr


@pytest.mark.verifies("SRS-151")
def test_missing_bcftools_is_an_environment_problem(bp2_exe: str, tmp_path: Path) -> None:
    """It exits 4 naming bcftools and how to install it when bcftools is not on PATH."""
    env = {**os.environ, "PATH": str(tmp_path / "empty-bin")}
    result = bp2_call(bp2_exe, write_inputs(tmp_path), tmp_path / "out", env=env)
    assert result.returncode == 4, result.stderr
    assert "bcftools" in result.stderr and "apt-get install" in result.stderr


@pytest.mark.verifies("SRS-149", "SRS-140")
def test_runs_on_only_the_named_files(bp2_exe: str, tmp_path: Path) -> None:
    """It runs in a folder holding only the named files, with companions under odd names."""
    folder = tmp_path / "isolated"
    folder.mkdir()
    names = {"reads.bam": data_file(DS1_BAM), "reads-index.bin": data_file(DS1_BAM + ".bai"),
             "genome.fa.gz": data_file(HG19), "genome-fai.txt": data_file(HG19 + ".fai"),
             "genome-gzi.bin": data_file(HG19 + ".gzi")}
    for name, source in names.items():
        shutil.copyfile(source, folder / name)
    (folder / "inputs.json").write_text(json.dumps({
        "samples": [{"sample": "NA12878", "sex": "female", "bam": "reads.bam",
                     "bam_index": "reads-index.bin"}],
        "reference": "genome.fa.gz", "reference_index": "genome-fai.txt",
        "reference_gzi": "genome-gzi.bin"}))
    before = sorted(p.name for p in folder.iterdir())
    result = bp2_call(bp2_exe, folder / "inputs.json", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in folder.iterdir()) == before  # nothing written beside inputs
    provenance = json.loads((tmp_path / "out" / "provenance.json").read_text())
    assert set(provenance["input_files"]) == {
        "samples[0].bam", "samples[0].bam_index", "reference", "reference_index",
        "reference_gzi"}
    assert score_ds1(tmp_path / "out" / "calls.vcf.gz").total.recall == 1.0
