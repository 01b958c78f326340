"""Intake on the public test data: the answer key, dataset 1 FASTQ and BAM, and refusals of
BAMs of another build."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bp2.engine.execute import execute_unit
from bp2.errors import InputError
from bp2.stages.base import StageContext
from bp2.stages.intake import IntakeInputs, IntakeOutputs, IntakeParams, IntakeStage
from bp2.stages.intake.models import ResourceFile, SampleReads
from tests.stages.intake.answer_key import ANSWER_KEY
from tests.testdata import data_file

STAGE = IntakeStage()
D1 = "grch37_chr20_NA12878_deepvariant"
HG19 = f"{D1}/reference/ucsc.hg19.chr20.unittest.fasta.gz"
TRIO = "grch37_chr20_trio_deeptrio"
HS37D5 = f"{TRIO}/reference/hs37d5.chr20.fa.gz"


def case(folder: Path, sample: str, sex: str, reads: SampleReads, reference: str
         ) -> IntakeInputs:
    folder.mkdir(parents=True, exist_ok=True)
    columns = ["sample", "sex", "fastq_1", "fastq_2", "bam", "bam_index"]
    row = [sample, sex] + [str(getattr(reads, c) or "") for c in columns[2:]]
    (folder / "samplesheet.csv").write_text(",".join(columns) + "\n" + ",".join(row) + "\n")
    (folder / "case.ped").write_text(f"F\t{sample}\t0\t0\t{1 if sex == 'male' else 2}\t2\n")
    return IntakeInputs(samplesheet=folder / "samplesheet.csv", pedigree=folder / "case.ped",
                        reads=(reads,), reference=data_file(reference),
                        reference_index=data_file(reference + ".fai"),
                        reference_gzi=data_file(reference + ".gzi"))


def run(inputs: IntakeInputs, outdir: Path) -> dict[str, Any]:
    outputs = STAGE.run(inputs, IntakeParams(), StageContext(outdir=outdir))
    summary: dict[str, Any] = json.loads(outputs.intake_json.read_text())
    return summary


def samtools_count(bam: Path) -> int:
    return int(subprocess.run(["samtools", "view", "-c", str(bam)], capture_output=True,
                              text=True, check=True).stdout)


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-103", "SRS-104", "SRS-106", "SRS-108", "SRS-112")
def test_answer_key_trio_with_two_processes(tmp_path: Path) -> None:
    """It passes the answer key (trio FASTQs, hs37d5) with 2 processes, same bytes as with 1."""
    inputs, params = ANSWER_KEY.build(tmp_path / "inputs")
    outputs, provenance = execute_unit(STAGE, inputs, params, tmp_path / "out", unit="case",
                                       threads=2)
    ANSWER_KEY.check(outputs)
    assert isinstance(outputs, IntakeOutputs) and provenance.stage == "intake"
    serial, _ = execute_unit(STAGE, inputs, params, tmp_path / "out1", unit="case", threads=1)
    assert ANSWER_KEY.normalise(serial) == ANSWER_KEY.normalise(outputs)


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-103", "SRS-104", "SRS-108")
def test_dataset1_fastq_with_hg19(tmp_path: Path) -> None:
    """It accepts dataset 1's FASTQ pair with the hg19 reference: 25,839 pairs, build hg19."""
    reads = SampleReads(sample="NA12878",
                        fastq_1=data_file(f"{D1}/derived/NA12878_S1.chr20.10_10p1mb_R1.fastq.gz"),
                        fastq_2=data_file(f"{D1}/derived/NA12878_S1.chr20.10_10p1mb_R2.fastq.gz"))
    summary = run(case(tmp_path, "NA12878", "female", reads, HG19), tmp_path / "out")
    sample = summary["samples"][0]
    assert sample["read_pairs"] == 25_839  # README, dataset 1
    build = summary["reference"]["build"]
    assert build["builds"] == ["GRCh37-hg19"] and build["recognised_by"] == "names+lengths"


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-109", "SRS-112")
def test_dataset1_bam_with_hg19_is_accepted(tmp_path: Path) -> None:
    """It accepts dataset 1's hg19 BAM (all hg19 contigs in its header) with the chr20 FASTA."""
    bam = data_file(f"{D1}/reads/NA12878_S1.chr20.10_10p1mb.bam")
    reads = SampleReads(sample="NA12878", bam=bam, bam_index=data_file(
        f"{D1}/reads/NA12878_S1.chr20.10_10p1mb.bam.bai"))
    sample = run(case(tmp_path, "NA12878", "female", reads, HG19),
                 tmp_path / "out")["samples"][0]
    assert sample["records"] == samtools_count(bam) == 52_035  # MANIFEST: 52,035 records
    assert sample["contigs_with_reads"] == ["chr20"]
    assert sample["build"]["builds"] == ["GRCh37-hg19"]


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-109")
def test_trio_bam_with_hs37d5_is_accepted(tmp_path: Path) -> None:
    """It accepts dataset 2's child BAM with the hs37d5 reference it was aligned to."""
    bam = data_file(f"{TRIO}/reads/HG001.chr20.10_10p1mb_sorted.bam")
    reads = SampleReads(sample="HG001", bam=bam, bam_index=data_file(
        f"{TRIO}/reads/HG001.chr20.10_10p1mb_sorted.bam.bai"))
    sample = run(case(tmp_path, "HG001", "female", reads, HS37D5),
                 tmp_path / "out")["samples"][0]
    assert sample["records"] == samtools_count(bam) == 1_823  # MANIFEST: 1,823 records
    assert sample["read_group_samples"] == ["HG001"]


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-109")
@pytest.mark.parametrize(("bam", "reference", "words"), [
    (f"{TRIO}/reads/HG001.chr20.10_10p1mb_sorted.bam", HG19,
     ("GRCh37 with 1000 Genomes/Ensembl b37 or hs37d5 naming ('20')",
      "GRCh37 with UCSC hg19 naming ('chr20')")),
    ("grch38_chr22_slice_nfcore/reads/NA12878.chr22.bam", HG19,
     ("GRCh38 with UCSC hg38 naming ('chr20')", "GRCh37 with UCSC hg19 naming ('chr20')")),
    (f"{D1}/reads/NA12878_S1.chr20.10_10p1mb.bam", HS37D5,
     ("GRCh37 with UCSC hg19 naming", "b37 or hs37d5 naming")),
])
def test_real_bams_of_another_build_are_refused(tmp_path: Path, bam: str, reference: str,
                                                words: tuple[str, str]) -> None:
    """It refuses real BAMs against a reference of another build or naming, naming both."""
    reads = SampleReads(sample="S1", bam=data_file(bam), bam_index=data_file(bam + ".bai"))
    with pytest.raises(InputError) as info:
        run(case(tmp_path, "S1", "female", reads, reference), tmp_path / "out")
    assert "another genome build" in info.value.title
    assert all(word in info.value.title for word in words), info.value.title
    assert info.value.field == "reads[0].bam" and info.value.path == str(data_file(bam))
    assert not (tmp_path / "out" / "intake.json").exists()


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-108", "SRS-110")
def test_custom_slice_reference_with_its_resources(tmp_path: Path) -> None:
    """It accepts the nf-core chr22 slice (custom build) with its slice-coordinate resources and
    refuses the full-chr22 GIAB truth VCF against it."""
    d5 = "grch38_chr22_slice_nfcore"
    reads = SampleReads(
        sample="NA12878",
        fastq_1=data_file(f"{d5}/derived/NA12878.chr22_16570000_16610000_R1.fastq.gz"),
        fastq_2=data_file(f"{d5}/derived/NA12878.chr22_16570000_16610000_R2.fastq.gz"))
    fasta = data_file(f"{d5}/reference/genome.fasta")
    base = case(tmp_path / "case", "NA12878", "female", reads, HG19)
    sites = [ResourceFile(name=name, path=data_file(f"{d5}/known_sites/{name}.vcf.gz"),
                          index=data_file(f"{d5}/known_sites/{name}.vcf.gz.tbi"))
             for name in ("dbsnp_146.hg38", "gnomAD.r2.1.1", "mills_and_1000G.indels")]
    gtf = ResourceFile(name="gene_model", path=data_file(f"{d5}/annotation/genome.gtf"))
    inputs = base.model_copy(update={
        "reference": fasta, "reference_index": data_file(f"{d5}/reference/genome.fasta.fai"),
        "reference_gzi": None, "resources": (*sites, gtf)})
    summary = run(inputs, tmp_path / "out")
    assert summary["samples"][0]["read_pairs"] == 4_949  # README, dataset 5
    assert summary["reference"]["build"]["label"] == "unrecognised (custom)"
    assert [r["shared_with_reference"] for r in summary["resources"]] == [["chr22"]] * 4
    truth = ResourceFile(name="truth", path=data_file(f"{d5}/truth/NA12878_GIAB.chr22.vcf.gz"),
                         index=data_file(f"{d5}/truth/NA12878_GIAB.chr22.vcf.gz.csi"))
    with pytest.raises(InputError) as info:
        run(inputs.model_copy(update={"resources": (truth,)}), tmp_path / "out2")
    assert "'chr22' is 50,818,468 bp in the file but 40,001 bp in the reference" in \
        info.value.title
    assert "GRCh38 with UCSC hg38 naming" in info.value.title
