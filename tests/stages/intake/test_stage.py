"""The intake stage run directly on hand-made cases: what it accepts, summarises and refuses."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from bp2.engine.standalone import load_inputs
from bp2.errors import InputError, InputProblems
from bp2.stages.base import StageContext
from bp2.stages.intake import IntakeInputs, IntakeParams, IntakeStage
from bp2.stages.intake.fastq import BGZF_EOF
from tests.stages.intake.cases import (
    Reference,
    no_outputs,
    reads,
    write_bam,
    write_case,
    write_fastq,
    write_pair,
    write_reference,
)

STAGE = IntakeStage()
TRIO_PED = ["F\tKID\tDAD\tMUM\t1\t2", "F\tDAD\t0\t0\t1\t1", "F\tMUM\t0\t0\t2\t1"]


@pytest.fixture
def ref(tmp_path: Path) -> Reference:
    folder = tmp_path / "ref"
    folder.mkdir()
    return write_reference(folder, {"ctgA": 2000, "ctgB": 1500})


def run(inputs: Path, outdir: Path, **params: object) -> dict[str, Any]:
    loaded = load_inputs(STAGE, inputs)
    assert isinstance(loaded, IntakeInputs)
    outputs = STAGE.run(loaded, IntakeParams.model_validate(params), StageContext(outdir=outdir))
    summary: dict[str, Any] = json.loads(outputs.intake_json.read_text())
    return summary


def problems(inputs: Path, outdir: Path, **params: object) -> list[InputError]:
    with pytest.raises(InputError) as info:
        run(inputs, outdir, **params)
    assert no_outputs(outdir)
    error = info.value
    return list(error.problems) if isinstance(error, InputProblems) else [error]


def trio(tmp_path: Path, ref: Reference, **overrides: dict[str, str]) -> Path:
    samples = []
    for n, (sample, sex) in enumerate((("KID", "male"), ("DAD", "male"), ("MUM", "female"))):
        r1, r2 = write_pair(tmp_path, sample, 20 + n, seed=n)
        samples.append({"sample": sample, "sex": sex, "fastq_1": r1, "fastq_2": r2,
                        **overrides.get(sample, {})})
    return write_case(tmp_path, samples, TRIO_PED, ref)


@pytest.mark.verifies("SRS-112", "SRS-106", "SRS-108")
def test_a_good_trio_is_summarised(tmp_path: Path, ref: Reference) -> None:
    """It accepts a consistent trio and records sexes, phenotypes, counts, MD5s and the build."""
    inputs = trio(tmp_path, ref)
    md5 = hashlib.md5((tmp_path / "KID_R1.fastq.gz").read_bytes()).hexdigest()
    summary = run(inputs, tmp_path / "out")
    case = summary["case"]
    assert case == {"family": "F", "samples": ["KID", "DAD", "MUM"], "affected": ["KID"],
                    "samplesheet": "samplesheet.csv", "pedigree": "case.ped"}
    kid, dad, mum = summary["samples"]
    assert (kid["read_pairs"], dad["read_pairs"], mum["read_pairs"]) == (20, 21, 22)
    assert kid["bases"] == 2 * 20 * 50 and kid["files"][0]["md5"] == md5
    assert (kid["father"], kid["mother"], kid["phenotype"], mum["sex"]) == (
        "DAD", "MUM", "affected", "female")
    build = summary["reference"]["build"]
    assert build["label"] == "unrecognised (custom)" and build["recognised_by"] == "none"
    tsv = (tmp_path / "out" / "intake.tsv").read_text().splitlines()
    assert tsv[0].startswith("sample\tfamily\tfather") and tsv[1].startswith("KID\tF\tDAD\tMUM")
    assert not [p for p in (tmp_path / "out").rglob("*") if ".bp2tmp" in p.name]


@pytest.mark.verifies("SRS-112")
def test_outputs_are_byte_identical_wherever_the_inputs_are(tmp_path: Path,
                                                           ref: Reference) -> None:
    """It writes the same bytes for the same inputs copied elsewhere."""
    first = tmp_path / "a"
    first.mkdir()
    run(trio(first, ref), first / "out")
    second = tmp_path / "b"
    shutil.copytree(first, second, ignore=shutil.ignore_patterns("out"))
    run(second / "inputs.json", second / "out", max_reads_to_check=0)
    for name in ("intake.json", "intake.tsv"):
        assert (first / "out" / name).read_bytes() == (second / "out" / name).read_bytes()


@pytest.mark.verifies("SRS-106")
def test_md5_from_the_samplesheet_is_verified(tmp_path: Path, ref: Reference) -> None:
    """It accepts a matching md5 and refuses another one, naming the samplesheet line."""
    kid = write_pair(tmp_path, "KID", 20, seed=0)
    right = hashlib.md5(kid[0].read_bytes()).hexdigest()
    inputs = trio(tmp_path, ref, KID={"md5_1": right.upper()})
    summary = run(inputs, tmp_path / "out")
    assert summary["samples"][0]["files"][0]["md5_verified"] is True
    inputs = trio(tmp_path, ref, KID={"md5_1": "f" * 32})
    (problem,) = problems(inputs, tmp_path / "out2")
    assert (problem.line, problem.field) == (2, "md5_1") and right in problem.title


@pytest.mark.verifies("SRS-101")
def test_reads_must_be_the_files_the_samplesheet_names(tmp_path: Path, ref: Reference) -> None:
    """It refuses reads entries for other files, other kinds or unknown samples."""
    inputs = trio(tmp_path, ref)
    data = json.loads(inputs.read_text())
    data["reads"][1]["fastq_1"], data["reads"][2]["fastq_1"] = (data["reads"][2]["fastq_1"],
                                                                data["reads"][1]["fastq_1"])
    data["reads"].append({"sample": "EXTRA", "fastq_1": "a.fq.gz", "fastq_2": "b.fq.gz"})
    inputs.write_text(json.dumps(data))
    titles = [p.title for p in problems(inputs, tmp_path / "out")]
    assert "fastq_1 of sample 'DAD' is 'MUM_R1.fastq.gz' but the samplesheet names " \
           "'DAD_R1.fastq.gz'" in titles
    assert any("'EXTRA', which the samplesheet does not list" in t for t in titles)


@pytest.mark.verifies("SRS-102", "SRS-103", "SRS-111")
def test_every_file_is_checked_and_all_faults_reported(tmp_path: Path, ref: Reference) -> None:
    """It reports faults in several FASTQs of several samples in one refusal."""
    inputs = trio(tmp_path, ref)
    dad_r2 = tmp_path / "DAD_R2.fastq.gz"
    dad_r2.write_bytes(dad_r2.read_bytes()[: -len(BGZF_EOF)])
    records = reads(22, seed=2, prefix="MUM_")
    records[21] = (records[21][0], records[21][1], records[21][2][:-1] + "\x7f")
    write_fastq(tmp_path / "MUM_R1.fastq.gz", records, suffix="/1")
    found = {(Path(p.path or "").name, p.line) for p in problems(inputs, tmp_path / "out")}
    assert found == {("DAD_R2.fastq.gz", 84), ("MUM_R1.fastq.gz", 88)}


@pytest.mark.verifies("SRS-102")
def test_plain_gzip_fastq_is_accepted(tmp_path: Path, ref: Reference) -> None:
    """It reads FASTQs compressed with plain gzip as well as BGZF."""
    inputs = trio(tmp_path, ref)
    for path in tmp_path.glob("*_R?.fastq.gz"):
        path.write_bytes(gzip.compress(gzip.decompress(path.read_bytes()), mtime=0))
    assert run(inputs, tmp_path / "out")["samples"][0]["read_pairs"] == 20


@pytest.mark.verifies("SRS-107")
def test_reference_index_problems(tmp_path: Path, ref: Reference) -> None:
    """It refuses a missing .gzi, a .fai of another FASTA and a plain-gzip reference."""
    inputs = trio(tmp_path, ref)
    data = json.loads(inputs.read_text())
    data["reference_gzi"] = None
    inputs.write_text(json.dumps(data))
    assert any(p.field == "reference_gzi" and "no .gzi" in p.title
               for p in problems(inputs, tmp_path / "o1"))
    ref.fai.write_text("ctgA\t2000\t6\t60\t61\nctgB\t1500\t900000\t60\t61\n")
    inputs = trio(tmp_path, ref)
    (problem,) = problems(inputs, tmp_path / "o2")
    assert problem.field == "reference_index" and "does not describe this FASTA" in problem.title
    plain = tmp_path / "ref" / "plain.fa.gz"
    plain.write_bytes(gzip.compress(b">ctgA\nACGT\n", mtime=0))
    data = json.loads(inputs.read_text())
    data["reference"] = str(plain)
    inputs.write_text(json.dumps(data))
    assert any("not with bgzip" in p.title for p in problems(inputs, tmp_path / "o3"))


@pytest.mark.verifies("SRS-109", "SRS-105")
def test_bam_checks(tmp_path: Path, ref: Reference) -> None:
    """It accepts a BAM of the reference's contigs and refuses empty BAMs and stale indexes."""
    bam, bai = write_bam(tmp_path / "P1.bam", {"ctgA": 2000, "ctgB": 1500}, {"ctgA": 7})
    inputs = write_case(tmp_path, [{"sample": "P1", "sex": "male", "bam": bam, "bam_index": bai}],
                        ["F\tP1\t0\t0\t1\t2"], ref)
    sample = run(inputs, tmp_path / "out")["samples"][0]
    assert (sample["records"], sample["mapped"], sample["contigs_with_reads"]) == (
        7, 7, ["ctgA"])
    assert sample["read_group_samples"] == ["S1"]
    _other, other_bai = write_bam(tmp_path / "other.bam", {"ctgA": 2000, "ctgB": 1500},
                                 {"ctgA": 3})
    shutil.copyfile(other_bai, bai)  # an index of another BAM
    (stale,) = problems(inputs, tmp_path / "o1")
    assert "holds 7 records but its index counts 3" in stale.title
    write_bam(bam, {"ctgA": 2000, "ctgB": 1500}, {})
    (empty,) = problems(inputs, tmp_path / "o2")
    assert "holds 0 reads" in empty.title and empty.field == "reads[0].bam"


@pytest.mark.verifies("SRS-110")
def test_resource_checks(tmp_path: Path, ref: Reference) -> None:
    """It accepts a BED sharing contigs with the reference and refuses empty or unknown files."""
    inputs = trio(tmp_path, ref)
    bed, empty, other = (tmp_path / "t.bed", tmp_path / "e.bed", tmp_path / "x.tsv")
    bed.write_text("track name=x\nctgA\t0\t10\nctgZ\t0\t10\n")
    empty.write_text("# nothing\n")
    other.write_text("a\n")
    data = json.loads(inputs.read_text())
    data["resources"] = [{"name": "targets", "path": str(bed)}]
    inputs.write_text(json.dumps(data))
    (resource,) = run(inputs, tmp_path / "out")["resources"]
    assert resource["shared_with_reference"] == ["ctgA"] and resource["contigs_with_data"] == 2
    data["resources"] += [{"name": "empty", "path": str(empty)}, {"name": "x", "path": str(other)}]
    inputs.write_text(json.dumps(data))
    titles = [p.title for p in problems(inputs, tmp_path / "o1")]
    assert any("'empty' (e.bed) holds no records" in t for t in titles)
    assert any("'x' is not a format" in t for t in titles)


@pytest.mark.verifies("SRS-105")
def test_min_reads_parameter(tmp_path: Path, ref: Reference) -> None:
    """It refuses samples with fewer read pairs than min_reads."""
    inputs = trio(tmp_path, ref)
    titles = [p.title for p in problems(inputs, tmp_path / "out", min_reads=21)]
    assert titles == ["sample 'KID' has 20 read pairs, fewer than the 21 required"]
