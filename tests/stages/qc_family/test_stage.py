"""The qc_family stage as a unit: CLI exit codes and messages, isolation, determinism, binding."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bp2.case import CaseInputs, Pedigree, SampleRow, Samplesheet, read_pedigree
from bp2.errors import ExitCode, InputError, PipelineDefinitionError
from bp2.resources import Resource, Resources
from bp2.stages.base import CASE_UNIT, BindContext, StageOutputs
from bp2.stages.qc_family import QcFamilyInputs, QcFamilyParams
from tests.stages.qc_family.helpers import STAGE, run_stage, sex_of
from tests.testdata import data_file

ASHK_VCF = "family_trio_vcfs/slivar_ashkenazi_trio/ashk-trio.vcf.gz"
ASHK_PED = "family_trio_vcfs/slivar_ashkenazi_trio/ashk-trio.ped"


def run_cli(bp2_exe: str, workdir: Path, inputs: dict[str, Any],
            params: dict[str, Any] | None = None) -> subprocess.CompletedProcess[str]:
    (workdir / "inputs.json").write_text(json.dumps(inputs))
    argv = [bp2_exe, "stage", "run", "qc_family", "--inputs", str(workdir / "inputs.json"),
            "--outdir", str(workdir / "out")]
    if params is not None:
        (workdir / "params.json").write_text(json.dumps(params))
        argv += ["--params", str(workdir / "params.json")]
    return subprocess.run(argv, capture_output=True, text=True, check=False)


def copy_trio(workdir: Path) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(data_file(ASHK_VCF), workdir / "trio.vcf.gz")
    shutil.copyfile(data_file(ASHK_PED), workdir / "trio.ped")


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-186", "SRS-004")
def test_cli_reads_only_named_files(tmp_path: Path, bp2_exe: str) -> None:
    """It runs through 'bp2 stage run' in a folder holding only the named copies (no index)."""
    copy_trio(tmp_path)
    proc = run_cli(bp2_exe, tmp_path, {"vcf": "trio.vcf.gz", "pedigree": "trio.ped"})
    assert proc.returncode == ExitCode.OK, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inputs.json", "out", "trio.ped",
                                                         "trio.vcf.gz"]
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["family_qc.json", "family_qc.tsv",
                                                    "outputs.json", "provenance.json"]
    report = json.loads((out / "family_qc.json").read_text())
    assert [p["inferred"] for p in report["relatedness"]] == [
        "parent_offspring", "parent_offspring", "unrelated"]
    provenance = json.loads((out / "provenance.json").read_text())
    assert set(provenance["input_files"]) == {"vcf", "pedigree"}


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-180")
def test_cli_refuses_sample_mismatch(tmp_path: Path, bp2_exe: str) -> None:
    """It exits 3 when the VCF's samples are not the PED's, naming both lists."""
    copy_trio(tmp_path)
    (tmp_path / "trio.ped").write_text(
        "ash\tHG002\tHG003\tNA12892\t1\t2\nash\tHG003\t0\t0\t1\t0\nash\tNA12892\t0\t0\t2\t0\n")
    proc = run_cli(bp2_exe, tmp_path, {"vcf": "trio.vcf.gz", "pedigree": "trio.ped"})
    assert proc.returncode == ExitCode.BAD_INPUT, proc.stderr
    message = " ".join(proc.stderr.split())
    assert "VCF: HG002, HG003, HG004" in message
    assert "PED trio.ped: HG002, HG003, NA12892" in message
    assert "only in the VCF: HG004" in message and "only in the PED: NA12892" in message
    assert not (tmp_path / "out" / "family_qc.json").exists()


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-187")
def test_cli_refuses_truncated_vcf(tmp_path: Path, bp2_exe: str) -> None:
    """It exits 3 on a truncated bgzip VCF, naming the file, and writes no report."""
    copy_trio(tmp_path)
    data = (tmp_path / "trio.vcf.gz").read_bytes()
    (tmp_path / "trio.vcf.gz").write_bytes(data[: len(data) // 2])
    proc = run_cli(bp2_exe, tmp_path, {"vcf": "trio.vcf.gz", "pedigree": "trio.ped"})
    assert proc.returncode == ExitCode.BAD_INPUT, proc.stderr
    message = " ".join(proc.stderr.split())
    assert "cannot read the VCF" in message and "trio.vcf.gz" in message
    assert not (tmp_path / "out" / "family_qc.json").exists()


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-187")
def test_refuses_corrupt_block(tmp_path: Path) -> None:
    """It refuses a VCF corrupted mid-file, naming the last position read."""
    copy_trio(tmp_path)
    data = bytearray((tmp_path / "trio.vcf.gz").read_bytes())
    data[100_000:100_400] = b"A" * 400
    (tmp_path / "trio.vcf.gz").write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"cannot read the VCF after 1:\d+") as info:
        run_stage(tmp_path / "out", tmp_path / "trio.vcf.gz", tmp_path / "trio.ped")
    assert info.value.exit_code == ExitCode.BAD_INPUT and info.value.field == "vcf"
    assert not list((tmp_path / "out").glob("family_qc*"))


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-187")
def test_cli_refuses_bad_alignment_sex(tmp_path: Path, bp2_exe: str) -> None:
    """It exits 3 on an alignment sex JSON for a sample outside the PED, naming the file."""
    copy_trio(tmp_path)
    (tmp_path / "NA12878.json").write_text(json.dumps(
        {"sample": "NA12878", "metrics": {"sex": {"inferred_sex": "female"}}}))
    proc = run_cli(bp2_exe, tmp_path, {"vcf": "trio.vcf.gz", "pedigree": "trio.ped",
                                       "alignment_sex": ["NA12878.json"]})
    assert proc.returncode == ExitCode.BAD_INPUT, proc.stderr
    message = " ".join(proc.stderr.split())
    assert "'NA12878', who is not in the PED" in message and "NA12878.json" in message


@pytest.mark.verifies("SRS-187")
def test_cli_refuses_unordered_cutoffs(tmp_path: Path, bp2_exe: str) -> None:
    """It exits 3 when the kinship cut-off parameters do not decrease."""
    proc = run_cli(bp2_exe, tmp_path, {"vcf": "x.vcf.gz", "pedigree": "x.ped"},
                   {"kinship_first_degree_min": 0.05})
    assert proc.returncode == ExitCode.BAD_INPUT, proc.stderr
    assert "kinship cut-offs must decrease" in " ".join(proc.stderr.split())


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-185")
def test_alignment_sex_is_used(tmp_path: Path) -> None:
    """It uses qc_alignment's inferred sex where the VCF has no chrX, failing a mismatch."""
    copy_trio(tmp_path)
    for sample, sex in (("HG002", "male"), ("HG004", "male")):
        (tmp_path / f"{sample}.json").write_text(json.dumps(
            {"sample": sample, "status": "pass",
             "metrics": {"sex": {"inferred_sex": sex, "karyotype": "XY"}}}))
    _, report = run_stage(tmp_path / "out", tmp_path / "trio.vcf.gz", tmp_path / "trio.ped",
                          alignment_sex=[tmp_path / "HG002.json", tmp_path / "HG004.json"])
    assert sex_of(report, "HG002")["status"] == "pass"
    hg004 = sex_of(report, "HG004")  # PED female
    assert (hg004["status"], hg004["flag"]) == ("fail", "SEX_DISCORDANCE")
    assert "qc_alignment inferred male (karyotype XY)" in hg004["message"]
    assert hg004["alignment"] == {"inferred": "male", "karyotype": "XY"}
    assert sex_of(report, "HG003")["status"] == "insufficient_data"  # no JSON, no chrX


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-186")
def test_outputs_are_deterministic(tmp_path: Path) -> None:
    """It writes byte-identical reports for the same inputs, wherever they live."""
    copy_trio(tmp_path / "a")
    copy_trio(tmp_path / "b")
    first, _ = run_stage(tmp_path / "a" / "out", tmp_path / "a" / "trio.vcf.gz",
                         tmp_path / "a" / "trio.ped")
    second, _ = run_stage(tmp_path / "b" / "out", tmp_path / "b" / "trio.vcf.gz",
                          tmp_path / "b" / "trio.ped")
    assert first.report_json.read_bytes() == second.report_json.read_bytes()
    assert first.report_tsv.read_bytes() == second.report_tsv.read_bytes()
    assert str(tmp_path) not in first.report_json.read_text()


class _CallOutputs(StageOutputs):
    """The call stage's outputs as qc_family uses them (vcf and its index)."""

    vcf: Path
    vcf_index: Path


class _AlignmentQcOutputs(StageOutputs):
    """qc_alignment's outputs as qc_family uses them."""

    qc_json: Path
    qc_tsv: Path


def _case(pedigree: Pedigree) -> CaseInputs:
    reference = Resource(path=Path("ref.fa"), sha256="0" * 64, build="GRCh37", version="test")
    rows = tuple(SampleRow(sample=r.individual, sex=r.sex, bam=Path(f"{r.individual}.bam"),
                           bam_index=Path(f"{r.individual}.bam.bai"), line=n + 2)
                 for n, r in enumerate(pedigree.records))
    return CaseInputs(samplesheet=Samplesheet(path=Path("sheet.csv"), rows=rows),
                      pedigree=pedigree, resources=Resources(reference=reference))


@pytest.mark.verifies("SRS-180", "SRS-185")
def test_bind_takes_the_call_vcf_and_the_case_ped(tmp_path: Path) -> None:
    """It binds the call VCF, the case PED and, when run before, every qc_alignment qc.json."""
    ped_path = tmp_path / "case.ped"
    ped_path.write_text("f K D M 1 2\nf D 0 0 1 1\nf M 0 0 2 1\n")
    case = _case(read_pedigree(ped_path))
    call = _CallOutputs(vcf=tmp_path / "joint.vcf.gz", vcf_index=tmp_path / "joint.vcf.gz.tbi")
    ctx = BindContext(case=case, upstream={("call", CASE_UNIT): call})
    assert STAGE.bind(ctx, CASE_UNIT) == QcFamilyInputs(vcf=call.vcf, pedigree=ped_path)
    qc = {s: _AlignmentQcOutputs(qc_json=tmp_path / f"{s}.qc.json", qc_tsv=tmp_path / "x.tsv")
          for s in ("K", "D", "M")}
    full = BindContext(case=case, upstream={("call", CASE_UNIT): call,
                                            **{("qc_alignment", s): o for s, o in qc.items()}})
    assert STAGE.bind(full, CASE_UNIT).alignment_sex == tuple(
        tmp_path / f"{s}.qc.json" for s in ("K", "D", "M"))
    partial = BindContext(case=case, upstream={("call", CASE_UNIT): call,
                                               ("qc_alignment", "K"): qc["K"]})
    with pytest.raises(PipelineDefinitionError, match="exist for K but not for D, M"):
        STAGE.bind(partial, CASE_UNIT)
    with pytest.raises(PipelineDefinitionError, match="once per case"):
        STAGE.bind(ctx, "K")
    with pytest.raises(LookupError, match="call"):
        STAGE.bind(BindContext(case=case, upstream={}), CASE_UNIT)


@pytest.mark.verifies("SRS-183")
def test_params_defaults() -> None:
    """It defaults to KING's cut-offs and site minimums that make small data insufficient."""
    params = QcFamilyParams()
    assert (params.kinship_duplicate_min, params.kinship_first_degree_min,
            params.kinship_second_degree_min, params.kinship_third_degree_min) == (
        0.354, 0.177, 0.0884, 0.0442)
    assert params.min_kinship_sites == params.min_mendelian_sites == 1000
    assert params.min_x_sites == 20
    # contradiction on few sites (SRS-189): 1 % genotype error (GQ >= 20), tail below 0.001
    assert (params.genotype_error_rate, params.discordance_alpha) == (0.01, 0.001)
