"""qc_alignment end to end on dataset 1: answer key, verdict, determinism, CRAM, CLI, bind."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pysam
import pytest

from bp2.case import CaseInputs, Sex, parse_pedigree, parse_samplesheet
from bp2.engine.execute import execute_unit
from bp2.errors import InputError
from bp2.fileio import sha256_file
from bp2.resources import FileRef, Resource, Resources
from bp2.stages.align import AlignOutputs
from bp2.stages.base import BindContext, StageContext
from bp2.stages.qc_alignment import (
    QcAlignmentInputs,
    QcAlignmentOutputs,
    QcAlignmentParams,
    QcAlignmentStage,
)
from tests.stages.qc_alignment import answer_key
from tests.stages.qc_alignment.data import (
    SAMPLE,
    ds1_bam,
    ds1_bed,
    ds1_inputs,
    ds1_reference,
    hg002_bam,
    run_tool,
    samtools_depth,
)

STAGE = QcAlignmentStage()


def run(inputs: QcAlignmentInputs, outdir: Path, params: QcAlignmentParams | None = None
        ) -> QcAlignmentOutputs:
    outputs, _ = execute_unit(STAGE, inputs, params or answer_key.params(), outdir,
                              unit=inputs.sample)
    assert isinstance(outputs, QcAlignmentOutputs)
    return outputs


def load(outputs: QcAlignmentOutputs) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(outputs.qc_json.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def ds1_outputs(tmp_path_factory: pytest.TempPathFactory) -> QcAlignmentOutputs:
    return run(ds1_inputs(), tmp_path_factory.mktemp("ds1"))


@pytest.mark.verifies("SRS-160", "SRS-161", "SRS-173")
def test_answer_key(tmp_path: Path) -> None:
    """It agrees with samtools depth -s, flagstat and view on dataset 1 and its confident BED."""
    key = answer_key.ANSWER_KEY
    inputs, params = key.build(tmp_path / "inputs")
    assert isinstance(inputs, QcAlignmentInputs) and isinstance(params, QcAlignmentParams)
    outputs = run(inputs, tmp_path / "out", params)
    key.check(outputs)
    assert key.normalise(outputs) == key.normalise(run(inputs, tmp_path / "again", params))


@pytest.mark.verifies("SRS-161")
def test_original_bam_close_to_samtools(ds1_outputs: QcAlignmentOutputs) -> None:
    """On the shipped BAM (111 repeated records) it is within 0.5 % of samtools depth -s."""
    bam, _ = ds1_bam()
    depths = samtools_depth(bam, ds1_bed())
    coverage = load(ds1_outputs)["metrics"]["coverage"]
    samtools_mean = sum(depths) / len(depths)
    assert abs(coverage["mean_depth"] - samtools_mean) <= 0.005 * samtools_mean
    assert coverage["mean_depth"] < samtools_mean  # a repeated record is counted once
    for level in (15, 30):
        at = 100 * sum(1 for d in depths if d >= level) / len(depths)
        assert abs(coverage[f"pct_at_{level}x"] - at) <= 0.1, level


@pytest.mark.verifies("SRS-173")
def test_runs_in_seconds_on_dataset_1(tmp_path: Path) -> None:
    """It checks the 52,035 records of dataset 1 over the whole read window within 10 s."""
    window = tmp_path / "window.bed"
    window.write_text("chr20\t9995000\t10105000\n")
    start = time.perf_counter()
    outputs = run(ds1_inputs(target_bed=window), tmp_path / "out")
    elapsed = time.perf_counter() - start
    assert elapsed < 10, elapsed
    qc = load(outputs)
    assert qc["metrics"]["coverage"]["autosomal_target_bases"] == 110_000
    assert qc["metrics"]["reads"]["total_records"] == 52_035


@pytest.mark.verifies("SRS-161")
def test_whole_window_against_samtools(tmp_path: Path) -> None:
    """It matches samtools depth -s over the whole 110 kb read window (all bases real, not N)."""
    window = tmp_path / "window.bed"
    window.write_text("chr20\t9995000\t10105000\n")
    bam, index = answer_key.without_repeated_records(ds1_bam()[0], tmp_path / "clean.bam")
    qc = load(run(ds1_inputs(bam, index, target_bed=window), tmp_path / "out"))
    lines = run_tool("samtools", "depth", "-s", "-a", "-Q", "11", "-G",
                     "UNMAP,SECONDARY,QCFAIL,DUP", "-b", str(window), str(bam)).splitlines()
    depths = [int(line.split("\t")[2]) for line in lines]
    coverage = qc["metrics"]["coverage"]
    assert len(depths) == coverage["autosomal_target_bases"]
    assert coverage["mean_depth"] == round(sum(depths) / len(depths), 4)
    at15 = sum(1 for d in depths if d >= 15)
    assert coverage["pct_at_15x"] == round(100 * at15 / len(depths), 6)


@pytest.mark.verifies("SRS-161")
def test_reference_n_bases_leave_the_denominator(tmp_path: Path) -> None:
    """It leaves the hg19 test FASTA's N bases (before 9,995,001) out of the target bases."""
    window = tmp_path / "window.bed"
    window.write_text("chr20\t9990000\t10000000\n")  # 5,000 N then 5,000 real bases
    qc = load(run(ds1_inputs(target_bed=window), tmp_path / "out"))
    assert qc["metrics"]["coverage"]["autosomal_target_bases"] == 5_000
    assert qc["context"]["autosomal_target_bases_incl_N"] == 10_000


@pytest.mark.verifies("SRS-168", "SRS-162", "SRS-165", "SRS-167")
def test_default_gel_thresholds_fail_a_test_window_with_reasons(tmp_path: Path) -> None:
    """With GEL's defaults a 9 kb chr20 window fails on Q30 yield and on unassessed checks."""
    qc = load(run(ds1_inputs(), tmp_path / "out", QcAlignmentParams()))
    assert qc["status"] == "fail"
    statuses = {c["id"]: c["status"] for c in qc["checks"]}
    assert statuses == {"coverage": "pass", "q30_yield": "fail", "contamination": "not_assessed",
                        "sex": "not_assessed"}
    assert {"LOW_Q30_YIELD", "SEX_NOT_ASSESSED", "CONTAMINATION_NOT_ASSESSED"} <= set(qc["flags"])
    reasons = " | ".join(qc["failure_reasons"])
    # 85×10⁹ scaled to the 63,025,520 bp chr20 reference: 85e9 × 63,025,520 / 3.1e9 = 1,728,119,097
    assert "needs more than 1,728,119,097" in reasons and "no chrX and chrY" in reasons
    assert "no common-SNP sites" in reasons
    tsv = dict(line.split("\t", 1) for line in
               (tmp_path / "out" / f"{SAMPLE}.qc.tsv").read_text().splitlines()[1:])
    assert tsv["qc.status"].startswith("fail")
    assert tsv["coverage.pct_at_15x"].split("\t")[2:] == ["coverage", ">= 95", "pass"]
    assert qc["thresholds"]["min_q30_bases"] == 85_000_000_000


@pytest.mark.verifies("SRS-163")
def test_low_coverage_fails_unless_saliva(tmp_path: Path) -> None:
    """It fails LOW_COVERAGE at a 60× requirement, and marks a saliva sample exempt instead."""
    strict = QcAlignmentParams(min_q30_bases=0, fail_unassessed=False, coverage_depth=60)
    qc = load(run(ds1_inputs(), tmp_path / "blood", strict))
    check = next(c for c in qc["checks"] if c["id"] == "coverage")
    assert (qc["status"], check["status"], check["flag"]) == ("fail", "fail", "LOW_COVERAGE")
    assert "at ≥60×" in check["reason"] and "needs 95.00 %" in check["reason"]
    saliva = load(run(ds1_inputs(saliva=True), tmp_path / "saliva", strict))
    check = next(c for c in saliva["checks"] if c["id"] == "coverage")
    assert (saliva["status"], check["status"]) == ("pass", "exempt")
    assert {"LOW_COVERAGE", "SALIVA_SAMPLE"} <= set(saliva["flags"])


@pytest.mark.verifies("SRS-169")
def test_outputs_are_byte_identical_on_rerun(ds1_outputs: QcAlignmentOutputs, tmp_path: Path
                                             ) -> None:
    """It writes the same JSON, TSVs and PNG bytes when run again, and leaves nothing else."""
    again = run(ds1_inputs(), tmp_path)
    for name in ("qc_json", "qc_tsv", "panel_coverage", "coverage_plot"):
        assert sha256_file(getattr(again, name)) == sha256_file(getattr(ds1_outputs, name)), name
    assert again.coverage_plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"Software" not in again.coverage_plot.read_bytes()
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([f"{SAMPLE}.qc.json", f"{SAMPLE}.qc.tsv",
                           f"{SAMPLE}.panel_coverage.tsv", f"{SAMPLE}.coverage.png",
                           "outputs.json", "provenance.json"])


@pytest.mark.verifies("SRS-160", "SRS-161")
def test_cram_gives_the_bam_metrics(ds1_outputs: QcAlignmentOutputs, tmp_path: Path) -> None:
    """It reads a CRAM of dataset 1 through its explicit reference and gives the BAM's metrics."""
    ref, _, _ = ds1_reference()
    bam, _ = ds1_bam()
    cram = tmp_path / "sample.cram"
    run_tool("samtools", "view", "--no-PG", "-C", "-T", str(ref), "-o", str(cram), str(bam))
    run_tool("samtools", "index", str(cram))
    qc = load(run(ds1_inputs(cram, Path(str(cram) + ".crai")), tmp_path / "out"))
    assert qc["metrics"] == load(ds1_outputs)["metrics"]
    assert not (tmp_path / "out" / ".work").exists()


@pytest.mark.verifies("SRS-170")
def test_refuses_alignments_of_another_reference(tmp_path: Path) -> None:
    """It refuses HG002 reads aligned to hs37d5 ('20') against the hg19 ('chr20') reference."""
    bam, bai = hg002_bam()
    with pytest.raises(InputError) as caught:
        STAGE.run(ds1_inputs(bam, bai, sample="HG002"), answer_key.params(),
                  StageContext(outdir=tmp_path))
    assert "share no contig name" in caught.value.title
    assert caught.value.path == str(bam)


@pytest.mark.verifies("SRS-170")
def test_refuses_another_samples_reads(tmp_path: Path) -> None:
    """It refuses a BAM whose read group SM is not the sample (a possible swap)."""
    with pytest.raises(InputError) as caught:
        STAGE.run(ds1_inputs(sample="NA12891"), answer_key.params(),
                  StageContext(outdir=tmp_path))
    assert "belong to sample(s) NA12878, not 'NA12891'" in caught.value.title


@pytest.mark.verifies("SRS-170")
def test_refuses_x_without_par_coordinates(tmp_path: Path) -> None:
    """It refuses a reference with chrX when neither a ploidy file nor a known build is given."""
    fasta = tmp_path / "ref.fa"
    fasta.write_text(">chr1\n" + "ACGT" * 25 + "\n>chrX\n" + "ACGT" * 25 + "\n")
    pysam.faidx(str(fasta))
    inputs = ds1_inputs(reference=fasta, reference_index=Path(str(fasta) + ".fai"),
                        reference_gzi=None, reference_build="custom-1", target_bed=None)
    with pytest.raises(InputError) as caught:
        STAGE.run(inputs, answer_key.params(), StageContext(outdir=tmp_path / "out"))
    assert "no pseudo-autosomal region (PAR) coordinates for build 'custom-1'" in caught.value.title
    assert "ploidy" in caught.value.hint


def bp2(exe: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([exe, *args], capture_output=True, text=True, check=False, cwd=cwd)


@pytest.mark.verifies("SRS-170", "SRS-169")
def test_cli_reads_only_the_named_files(bp2_exe: str, tmp_path: Path) -> None:
    """It runs through 'bp2 stage run' in a folder holding only copies of the named files."""
    case = tmp_path / "case"
    case.mkdir()
    bam, bai = ds1_bam()
    ref, fai, gzi = ds1_reference()
    names = {}
    for field, source in (("alignments", bam), ("alignments_index", bai), ("reference", ref),
                          ("reference_index", fai), ("reference_gzi", gzi),
                          ("target_bed", ds1_bed())):
        shutil.copyfile(source, case / f"{field}{''.join(source.suffixes[-1:])}")
        names[field] = f"{field}{''.join(source.suffixes[-1:])}"
    (case / "inputs.json").write_text(json.dumps({"sample": SAMPLE, **names}))
    (case / "params.json").write_text(json.dumps({"min_q30_bases": 0, "fail_unassessed": False}))
    before = sorted(p.name for p in case.iterdir())
    proc = bp2(bp2_exe, "stage", "run", "qc_alignment", "--inputs", "inputs.json", "--params",
               "params.json", "--outdir", str(tmp_path / "out"), cwd=case)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert sorted(p.name for p in case.iterdir()) == before
    qc = json.loads((tmp_path / "out" / f"{SAMPLE}.qc.json").read_text())
    assert qc["status"] == "pass"
    assert qc["metrics"]["coverage"]["autosomal_target_bases"] == 8999
    provenance = json.loads((tmp_path / "out" / "provenance.json").read_text())
    assert set(provenance["input_files"]) == set(names)


@pytest.mark.verifies("SRS-170")
def test_cli_refuses_a_bed_contig_missing_from_the_reference(bp2_exe: str, tmp_path: Path
                                                              ) -> None:
    """It exits 3 naming the BED file and line when a BED contig is not in the reference."""
    bed = tmp_path / "targets.bed"
    bed.write_text("chr20\t10000000\t10000100\n20\t10000000\t10000100\n")
    inputs = ds1_inputs(target_bed=bed).model_dump(mode="json")
    (tmp_path / "inputs.json").write_text(json.dumps(inputs))
    proc = bp2(bp2_exe, "stage", "run", "qc_alignment", "--inputs", "inputs.json", "--outdir",
               str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr + proc.stdout
    message = " ".join((proc.stderr + proc.stdout).split())
    assert "BED contig '20' is not in the reference" in message
    assert "targets.bed:2" in message


@pytest.mark.verifies("SRS-170")
def test_cli_refuses_panels_without_a_gene_model(bp2_exe: str, tmp_path: Path) -> None:
    """It exits 3 when panels are given without the gene model needed to find their exons."""
    panel = tmp_path / "panel.json"
    panel.write_text("{}")
    inputs = ds1_inputs().model_dump(mode="json")
    inputs["panels"] = [str(panel)]
    (tmp_path / "inputs.json").write_text(json.dumps(inputs))
    proc = bp2(bp2_exe, "stage", "run", "qc_alignment", "--inputs", "inputs.json", "--outdir",
               str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr + proc.stdout
    assert "panels need a gene_model" in " ".join((proc.stderr + proc.stdout).split())


@pytest.mark.verifies("SRS-165")
def test_bind_takes_align_outputs_and_declared_sex(tmp_path: Path) -> None:
    """It binds the align stage's BAM and index, the reference, resources, panels and PED sex."""
    ref, fai, gzi = ds1_reference()
    bam, bai = ds1_bam()
    sheet = tmp_path / "samplesheet.csv"
    sheet.write_text(f"sample,sex,bam,bam_index\n{SAMPLE},unknown,{bam},{bai}\n")
    ped = tmp_path / "case.ped"
    ped.write_text(f"F1\t{SAMPLE}\t0\t0\t2\t2\n")
    ploidy = tmp_path / "ploidy.txt"
    ploidy.write_text("* * * M 2\n")
    panel = tmp_path / "panel.json"
    panel.write_text("{}")

    def resource(path: Path, index: Path | None = None, gzi_path: Path | None = None
                 ) -> Resource:
        return Resource(path=path, sha256="0" * 64, build="GRCh37-hg19", version="test",
                        index=None if index is None else FileRef(path=index, sha256="0" * 64),
                        gzi=None if gzi_path is None else FileRef(path=gzi_path, sha256="0" * 64))

    resources = Resources(reference=resource(ref, fai, gzi), gene_model=resource(tmp_path / "g"),
                          common_snps=resource(tmp_path / "snps.vcf.gz"),
                          ploidy=resource(ploidy))
    case = CaseInputs(samplesheet=parse_samplesheet(sheet.read_text(), sheet),
                      pedigree=parse_pedigree(ped.read_text(), ped), resources=resources,
                      panels=(panel,))
    aligned = AlignOutputs(bam=tmp_path / "a.bam", bam_index=tmp_path / "a.bam.bai",
                           metrics=tmp_path / "m.json")
    inputs = STAGE.bind(BindContext(case=case, upstream={("align", SAMPLE): aligned}), SAMPLE)
    assert (inputs.alignments, inputs.alignments_index) == (aligned.bam, aligned.bam_index)
    assert (inputs.reference, inputs.reference_index, inputs.reference_gzi) == (ref, fai, gzi)
    assert inputs.declared_sex is Sex.FEMALE  # unknown in the sheet, female in the PED
    assert inputs.reference_build == "GRCh37-hg19"
    assert inputs.common_snps == tmp_path / "snps.vcf.gz"
    assert (inputs.gene_model, inputs.panels, inputs.ploidy) == (tmp_path / "g", (panel,), ploidy)
    assert inputs.target_bed is None
    cram = AlignOutputs(cram=tmp_path / "a.cram", cram_index=tmp_path / "a.cram.crai",
                        metrics=tmp_path / "m.json")
    bound = STAGE.bind(BindContext(case=case, upstream={("align", SAMPLE): cram}), SAMPLE)
    assert bound.alignments == tmp_path / "a.cram"
