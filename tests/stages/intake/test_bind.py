"""How intake builds its inputs from the case (bind)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bp2.case import CaseInputs, read_pedigree, read_samplesheet
from bp2.errors import InputError
from bp2.fileio import sha256_file
from bp2.resources import FileRef, Resource, Resources
from bp2.stages.base import CASE_UNIT, BindContext, StageContext
from bp2.stages.intake import IntakeParams, IntakeStage
from tests.stages.intake.cases import write_bam, write_case, write_pair, write_reference

STAGE = IntakeStage()


def ref_of(path: Path) -> FileRef:
    return FileRef(path=path, sha256=sha256_file(path))


def resource(path: Path, index: Path | None = None, gzi: Path | None = None) -> Resource:
    return Resource(path=path, sha256=sha256_file(path), build="custom", version="1",
                    index=None if index is None else ref_of(index),
                    gzi=None if gzi is None else ref_of(gzi))


@pytest.mark.verifies("SRS-101", "SRS-110")
def test_bind_takes_every_file_from_the_case(tmp_path: Path) -> None:
    """It binds the samplesheet's reads, the reference with .fai/.gzi and checkable resources."""
    (tmp_path / "ref").mkdir()
    ref = write_reference(tmp_path / "ref", {"ctgA": 2000})
    r1, r2 = write_pair(tmp_path, "KID", 8)
    bam, bai = write_bam(tmp_path / "MUM.bam", {"ctgA": 2000}, {"ctgA": 4})
    write_case(tmp_path, [{"sample": "KID", "sex": "male", "fastq_1": r1.name,
                           "fastq_2": r2.name},
                          {"sample": "MUM", "sex": "female", "bam": bam.name,
                           "bam_index": bai.name}],
               ["F\tKID\t0\tMUM\t1\t2", "F\tMUM\t0\t0\t2\t1"], ref)
    bed = tmp_path / "targets.bed"
    bed.write_text("ctgA\t0\t100\n")
    ploidy = tmp_path / "ploidy.tsv"
    ploidy.write_text("ctgA\t2\n")
    case = CaseInputs(
        samplesheet=read_samplesheet(tmp_path / "samplesheet.csv"),
        pedigree=read_pedigree(tmp_path / "case.ped"),
        resources=Resources(reference=resource(ref.fasta, ref.fai, ref.gzi),
                            gene_model=resource(bed), ploidy=resource(ploidy)),
    )
    inputs = STAGE.bind(BindContext(case=case, upstream={}), CASE_UNIT)
    assert (inputs.reference, inputs.reference_index, inputs.reference_gzi) == (
        ref.fasta, ref.fai, ref.gzi)
    assert [(r.sample, r.fastq_1, r.bam) for r in inputs.reads] == [
        ("KID", r1, None), ("MUM", None, bam)]
    assert inputs.reads[1].bam_index == bai
    assert [(r.name, r.path) for r in inputs.resources] == [("gene_model", bed)]  # not ploidy
    outputs = STAGE.run(inputs, IntakeParams(), StageContext(outdir=tmp_path / "out"))
    assert outputs.intake_json.is_file()


@pytest.mark.verifies("SRS-107")
def test_bind_refuses_a_reference_without_fai(tmp_path: Path) -> None:
    """It refuses to bind a reference that has no .fai in the resources, saying how to make one."""
    (tmp_path / "ref").mkdir()
    ref = write_reference(tmp_path / "ref", {"ctgA": 2000})
    r1, r2 = write_pair(tmp_path, "KID", 4)
    write_case(tmp_path, [{"sample": "KID", "sex": "male", "fastq_1": r1, "fastq_2": r2}],
               ["F\tKID\t0\t0\t1\t2"], ref)
    case = CaseInputs(samplesheet=read_samplesheet(tmp_path / "samplesheet.csv"),
                      pedigree=read_pedigree(tmp_path / "case.ped"),
                      resources=Resources(reference=resource(ref.fasta)))
    with pytest.raises(InputError) as info:
        STAGE.bind(BindContext(case=case, upstream={}), CASE_UNIT)
    assert "no FASTA index" in info.value.title and "samtools faidx" in info.value.hint
