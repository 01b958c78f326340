"""Tests of the ``call`` stage on real data (datasets 1 and 2 of ../shared/data)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pysam
import pytest

from bp2.engine.execute import execute_unit
from bp2.stages.call import CallOutputs, CallParams, CallStage
from bp2.stages.call.stage import WORK
from tests.stages.call.answer_key import ANSWER_KEY
from tests.stages.call.datasets import ds1_inputs, score_trio, trio_inputs

STAGE = CallStage()


def run(inputs: object, outdir: Path, threads: int = 2, **params: object) -> CallOutputs:
    outputs, _ = execute_unit(STAGE, inputs, CallParams(**params), outdir,  # type: ignore[arg-type]
                              unit="case", threads=threads, seed=13485)
    assert isinstance(outputs, CallOutputs)
    return outputs


def records(vcf: Path) -> list[tuple[str, int, str, str, tuple[tuple[int | None, ...], ...], str]]:
    with pysam.VariantFile(str(vcf)) as handle:
        return [(r.chrom, r.pos, r.ref or "", ",".join(r.alts or ()),
                 tuple(tuple(r.samples[s].get("GT") or ()) for s in handle.header.samples),
                 ";".join(r.filter)) for r in handle]


@pytest.fixture(scope="module")
def ds1_run(tmp_path_factory: pytest.TempPathFactory) -> CallOutputs:
    return run(ds1_inputs(), tmp_path_factory.mktemp("ds1") / "out")


@pytest.mark.verifies("SRS-140", "SRS-153")
def test_answer_key(ds1_run: CallOutputs) -> None:
    """It meets the answer key: recall and precision >= DeepVariant's on dataset 1 vs GIAB."""
    ANSWER_KEY.check(ds1_run)
    assert ANSWER_KEY.normalise(ds1_run).count(b"\n") == len(records(ds1_run.vcf))


@pytest.mark.verifies("SRS-147", "SRS-148")
def test_identical_bytes_whatever_the_threads_or_outdir(ds1_run: CallOutputs,
                                                         tmp_path: Path) -> None:
    """It writes byte-identical VCF and index with 1 thread in another directory."""
    other = run(ds1_inputs(), tmp_path / "elsewhere" / "out", threads=1)
    assert other.vcf.read_bytes() == ds1_run.vcf.read_bytes()
    assert other.vcf_index.read_bytes() == ds1_run.vcf_index.read_bytes()
    assert other.stats.read_bytes() == ds1_run.stats.read_bytes()


@pytest.mark.verifies("SRS-147", "SRS-149")
def test_header_names_no_path_and_scratch_is_gone(ds1_run: CallOutputs) -> None:
    """It keeps paths, versions and command lines out of the header and removes its scratch."""
    header = subprocess.run(["bcftools", "view", "--no-version", "-h", str(ds1_run.vcf)],
                            capture_output=True, text=True, check=True).stdout
    assert "##reference=file://ucsc.hg19.chr20.unittest.fasta.gz\n" in header
    assert not [ln for ln in header.splitlines() if ln.startswith("##bcftools")]
    assert str(ds1_run.vcf.parent) not in header and "/tmp" not in header
    assert header.splitlines()[-1].split("\t")[9:] == ["NA12878"]
    outdir = ds1_run.vcf.parent
    assert not (outdir / WORK).exists()
    assert sorted(p.name for p in outdir.iterdir()) == [
        "call_stats.json", "calls.vcf.gz", "calls.vcf.gz.tbi", "outputs.json", "ploidy.txt",
        "provenance.json"]


@pytest.mark.verifies("SRS-144", "SRS-145", "SRS-146")
def test_normalised_filtered_indexed_and_counted(ds1_run: CallOutputs) -> None:
    """It writes biallelic left-aligned records with PASS/LowQual, a usable index and true stats."""
    recs = records(ds1_run.vcf)
    assert all("," not in alt for *_, alt, _, _ in [r[:4] + r[4:] for r in recs])
    assert {r[5] for r in recs} <= {"PASS", "LowQual"}
    # an independent check of normalisation: bcftools norm finds nothing left to change
    check = subprocess.run(
        ["bcftools", "norm", "-f", str(ds1_inputs().reference), "-m", "-both", "-Ov",
         str(ds1_run.vcf)], capture_output=True, text=True, check=True)
    assert "total/split/realigned/skipped:\t" + f"{len(recs)}/0/0/0" in check.stderr
    with pysam.VariantFile(str(ds1_run.vcf), index_filename=str(ds1_run.vcf_index)) as vcf:
        assert len(list(vcf.fetch("chr20", 10_000_000, 10_010_000))) > 0
    import json

    stats = json.loads(ds1_run.stats.read_text())
    passing = [r for r in recs if r[5] == "PASS"]
    assert stats["all"]["records"] == len(recs)
    assert stats["pass"]["records"] == len(passing)
    assert stats["pass"]["snv"] == sum(len(r[2]) == 1 and len(r[3]) == 1 for r in passing)
    low = subprocess.run(["bcftools", "view", "-H", "-i", "QUAL<10", str(ds1_run.vcf)],
                         capture_output=True, text=True, check=True).stdout.count("\n")
    assert stats["filters"].get("LowQual", 0) == low


@pytest.mark.verifies("SRS-152")
def test_homozygous_insertion_is_regenotyped(ds1_run: CallOutputs, tmp_path: Path) -> None:
    """It calls GIAB's 1|1 insertion at chr20:10,001,436 as 1/1, recording bcftools' 0/1."""
    def at(vcf: Path) -> dict[str, object]:
        with pysam.VariantFile(str(vcf)) as handle:
            rec = next(r for r in handle if r.pos == 10_001_436 and len(r.alts[0]) == 6)  # type: ignore[index]
            sample = rec.samples["NA12878"]
            return {"GT": sample["GT"], "IRG": sample.get("IRG"), "ISR": sample.get("ISR")}

    mine = at(ds1_run.vcf)
    assert mine["GT"] == (1, 1) and mine["IRG"] == "0/1"
    n_ref, n_alt = mine["ISR"]  # type: ignore[misc]
    assert n_ref == 0 and n_alt >= 20
    plain = run(ds1_inputs(), tmp_path / "plain", regenotype_indels=False)
    assert at(plain.vcf)["GT"] == (0, 1)  # what bcftools alone says


@pytest.mark.verifies("SRS-148")
def test_chunking_does_not_change_the_calls(ds1_run: CallOutputs, tmp_path: Path) -> None:
    """It gives the same records with 20 kb chunks (dozens of chunk boundaries) as with 10 Mb."""
    small = run(ds1_inputs(), tmp_path / "small", chunk_size=20_000)
    assert records(small.vcf) == records(ds1_run.vcf)
    assert small.vcf.read_bytes() == ds1_run.vcf.read_bytes()


@pytest.mark.verifies("SRS-140")
def test_regions_bed_restricts_calling(ds1_run: CallOutputs, tmp_path: Path) -> None:
    """It calls only inside the regions BED, the same records as the whole-reference run."""
    bed = tmp_path / "regions.bed"
    bed.write_text("chr20\t10002000\t10004000\n")
    part = run(ds1_inputs(regions=bed), tmp_path / "part")
    inside = [r for r in records(ds1_run.vcf) if 10_002_000 < r[1] <= 10_004_000]
    assert records(part.vcf) == inside and inside


@pytest.mark.verifies("SRS-140", "SRS-153")
def test_trio_joint_calling(tmp_path: Path) -> None:
    """It calls the CEPH trio jointly, one column per sample ID, child as good as DeepTrio."""
    outputs = run(trio_inputs(), tmp_path / "trio")
    with pysam.VariantFile(str(outputs.vcf)) as vcf:
        assert list(vcf.header.samples) == ["HG001", "NA12891", "NA12892"]
    result = score_trio(outputs.vcf, "HG001")
    # DeepTrio's shipped child calls score 48/48 TP, 0 FP here (data README); allow one error
    assert result.total.tp + result.total.fn == 48
    assert result.total.tp >= 47 and result.total.fp <= 1, result.as_dict()


@pytest.mark.verifies("SRS-141", "SRS-143")
def test_explicit_ploidy_file_sets_haploid_and_absent_genotypes(tmp_path: Path) -> None:
    """It follows a given ploidy file by sex: male haploid, females (mother, child) none."""
    ploidy = tmp_path / "ploidy.txt"
    text = ("* * * M 2\n* * * F 2\n* * * U 2\n"
            "20 10000001 10005000 M 1\n20 10005001 10010000 F 0\n")
    ploidy.write_text(text)
    outputs = run(trio_inputs(ploidy=ploidy), tmp_path / "trio")
    assert outputs.ploidy.read_text() == text
    seen = set()
    with pysam.VariantFile(str(outputs.vcf)) as vcf:
        for rec in vcf:
            if not 10_000_001 <= rec.pos <= 10_010_000:
                continue
            father, mother = rec.samples["NA12891"]["GT"], rec.samples["NA12892"]["GT"]
            child = rec.samples["HG001"]["GT"]
            if rec.pos <= 10_005_000:
                assert len(father) == 1 and len(mother) == 2 and len(child) == 2
                seen.add("haploid")
            else:
                assert len(father) == 2 and mother in ((None,), ()) and child in ((None,), ())
                seen.add("absent")
    assert seen == {"haploid", "absent"}


@pytest.mark.verifies("SRS-141")
def test_generated_ploidy_for_an_autosome_only_reference(ds1_run: CallOutputs) -> None:
    """It records a ploidy table of diploid defaults for a reference holding only chr20."""
    lines = [ln for ln in ds1_run.ploidy.read_text().splitlines() if not ln.startswith("#")]
    assert lines == ["*\t*\t*\tM\t2", "*\t*\t*\tF\t2", "*\t*\t*\tU\t2"]


@pytest.mark.verifies("SRS-140", "SRS-141")
def test_bind_takes_samples_sex_and_reference_from_the_case(tmp_path: Path) -> None:
    """It binds every samplesheet row's BAM, the PED sex over the sheet's, and the reference."""
    from bp2.case import (
        CaseInputs,
        Pedigree,
        PedRecord,
        Phenotype,
        SampleRow,
        Samplesheet,
        Sex,
    )
    from bp2.resources import FileRef, Resource, Resources
    from bp2.stages.base import BindContext

    ds1 = ds1_inputs()
    digest = "0" * 64
    sheet = Samplesheet(path=tmp_path / "s.csv", rows=(SampleRow(
        sample="NA12878", sex=Sex.UNKNOWN, bam=ds1.samples[0].bam,
        bam_index=ds1.samples[0].bam_index, line=2),))
    ped = Pedigree(path=tmp_path / "p.ped", records=(PedRecord(
        family="F", individual="NA12878", father=None, mother=None, sex=Sex.FEMALE,
        phenotype=Phenotype.AFFECTED, line=1),))
    resources = Resources(reference=Resource(
        path=ds1.reference, sha256=digest, build="GRCh37-hg19", version="test",
        index=FileRef(path=ds1.reference_index, sha256=digest),
        gzi=FileRef(path=ds1.reference_gzi, sha256=digest)))  # type: ignore[arg-type]
    case = CaseInputs(samplesheet=sheet, pedigree=ped, resources=resources)
    bound = STAGE.bind(BindContext(case=case, upstream={}), "case")
    assert bound.samples[0].sex is Sex.FEMALE  # PED sex, the sheet said unknown
    assert (bound.reference, bound.reference_index, bound.build) == (
        ds1.reference, ds1.reference_index, "GRCh37-hg19")
    assert bound.samples[0].bam == ds1.samples[0].bam and bound.ploidy is None
