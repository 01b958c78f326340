"""Population frequencies and ClinVar matched by normalised allele, never by position alone."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pysam
import pytest

from bp2.demo import DemoCase
from bp2.stages.annotate import AnnotateInputs, AnnotateOutputs, AnnotateParams, AnnotateStage
from bp2.stages.annotate.alleles import Allele, AlleleKey, normalise
from bp2.stages.annotate.lookup import parse_info, records_in_lines
from bp2.stages.base import StageContext
from tests.stages.annotate.helpers import read_annotated
from tests.stages.annotate.snpeff_report import corrected_slice_gtf, slice_truth_vcf
from tests.stages.annotate.toy import ToyGenome
from tests.testdata import data_file

SLICE = "grch38_chr22_slice_nfcore/"


@pytest.mark.verifies("SRS-205")
def test_normalise_left_aligns_and_trims() -> None:
    """It left-aligns an indel written right-shifted and trims shared bases (bcftools norm)."""
    genome = ToyGenome()
    # plus 118-122 is AAAAA (c.8-c.12): deleting its last A, written at 121 as AA>A
    assert normalise("plus", 121, "AA", "A", genome) == AlleleKey("plus", 117, "GA", "G")
    assert normalise("plus", 117, "GA", "G", genome) == AlleleKey("plus", 117, "GA", "G")
    # a padded SNV (CG>CA at 115-116... written with an extra shared base) is trimmed to 1 base
    assert normalise("plus", 114, "GC", "GA", genome) == AlleleKey("plus", 115, "C", "A")
    assert Allele.from_vcf("plus", 117, "GA", "G") == Allele("plus", 118, 118, "A", "")


@pytest.mark.verifies("SRS-205", "SRS-206")
def test_resource_records_split_per_allele() -> None:
    """It splits a multi-ALT resource record and takes Number=A values per ALT."""
    lines = ["plus\t121\trs1\tAA\tA,AAA\t.\tPASS\tAF=0.1,0.2;AF_nfe=0.3,.;CLNSIG=Benign"]
    keys = {"AF": "A", "AF_nfe": "A", "CLNSIG": "."}
    records = list(records_in_lines(lines, keys, ToyGenome()))
    assert [r.key for r in records] == [AlleleKey("plus", 117, "GA", "G"),
                                       AlleleKey("plus", 117, "G", "GA")]
    assert records[0].values == {"AF": "0.1", "AF_nfe": "0.3", "CLNSIG": "Benign"}
    assert records[1].values == {"AF": "0.2", "CLNSIG": "Benign"}
    assert parse_info("DB;AF=1") == {"DB": "", "AF": "1"}


@pytest.mark.verifies("SRS-205", "SRS-206")
def test_demo_traps_matched_by_allele(demo_case: DemoCase,
                                      demo_annotated: AnnotateOutputs) -> None:
    """It ignores the other-ALT records at P1 (frequency) and D3 (ClinVar), as bcftools does."""
    _, records = read_annotated(demo_annotated.vcf)
    by_label = {r.label: r for r in records if r.label}
    assert "gnomAD_AF" not in by_label["P1"].info
    assert "CLNSIG" not in by_label["D3"].info
    review = "criteria_provided,_multiple_submitters,_no_conflicts"
    assert by_label["P6"].info["CLNREVSTAT"] == review
    assert by_label["P6"].info["CLNVID"].isdigit()
    # bcftools annotate (a second tool, matching REF and ALT) agrees on every record
    theirs = subprocess.run(
        ["bcftools", "annotate", "--no-version", "-a", str(demo_case.clinvar),
         "-c", "INFO/CLNSIG,INFO/CLNREVSTAT", str(demo_case.truth_vcf)],
        capture_output=True, text=True, check=True).stdout
    frequencies = subprocess.run(
        ["bcftools", "annotate", "--no-version", "-a", str(demo_case.population_af),
         "-c", "INFO/AF", str(demo_case.truth_vcf)], capture_output=True, text=True,
        check=True).stdout
    clinvar = _info_by_site(theirs, "CLNSIG")
    frequency = _info_by_site(frequencies, "AF")
    for record in records:
        site = (record.chrom, record.pos, record.ref, record.alt)
        assert record.info.get("CLNSIG") == clinvar.get(site), site
        assert record.info.get("gnomAD_AF") == frequency.get(site), site
    assert sum(1 for r in records if "gnomAD_AF" in r.info) > 100


def _info_by_site(vcf_text: str, key: str) -> dict[tuple[str, int, str, str], str]:
    found = {}
    for line in vcf_text.splitlines():
        if line.startswith("#"):
            continue
        cols = line.split("\t")
        info = dict(item.partition("=")[::2] for item in cols[7].split(";") if item)
        if key in info:
            found[(cols[0], int(cols[1]), cols[3], cols[4])] = info[key]
    return found


@pytest.mark.verifies("SRS-205")
def test_real_gnomad_slice_matches_bcftools(tmp_path: Path) -> None:
    """It copies gnomAD r2.1.1 AF to GIAB and gnomAD alleles of the chr22 slice as bcftools does."""
    gnomad = data_file(SLICE + "known_sites/gnomAD.r2.1.1.vcf.gz")
    vcf = slice_truth_vcf(data_file(SLICE + "truth/NA12878_GIAB.chr22.vcf.gz"), gnomad,
                          tmp_path / "records.vcf.gz")
    gtf = corrected_slice_gtf(data_file(SLICE + "annotation/genome.gtf"),
                              data_file(SLICE + "annotation/genome.gff3"), tmp_path / "slice.gtf")
    inputs = AnnotateInputs(
        vcf=vcf, reference=data_file(SLICE + "reference/genome.fasta"),
        reference_index=data_file(SLICE + "reference/genome.fasta.fai"), gene_model=gtf,
        population_af=gnomad,
        population_af_index=data_file(SLICE + "known_sites/gnomAD.r2.1.1.vcf.gz.tbi"),
        population_af_version="gnomAD r2.1.1 (nf-core subset)")
    outputs = AnnotateStage().run(inputs, AnnotateParams(), StageContext(outdir=tmp_path / "o"))
    _, records = read_annotated(outputs.vcf)
    theirs = _info_by_site(subprocess.run(
        ["bcftools", "annotate", "--no-version", "-a", str(gnomad), "-c", "INFO/AF", str(vcf)],
        capture_output=True, text=True, check=True).stdout, "AF")
    ours = {(r.chrom, r.pos, r.ref, r.alt): r.info["gnomAD_AF"]
            for r in records if "gnomAD_AF" in r.info}
    assert len(theirs) > 3000
    assert all(ours.get(site) == value for site, value in theirs.items())
    extra = set(ours) - set(theirs)  # found only after normalisation (none in this slice)
    assert len(extra) <= 0.01 * len(theirs), sorted(extra)[:5]
    assert pysam.VariantFile(str(outputs.vcf)).header.info["gnomAD_AF"].number == "A"
