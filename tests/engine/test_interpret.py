"""Tests of ``bp2 interpret``: annotate → panels → tier → report on a VCF bp2 did not call."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bp2.engine.interpret import interpret_pipeline, parse_gene_field
from bp2.errors import PipelineDefinitionError, UsageError
from bp2.fileio import sha256_file
from bp2.pipeline import load_pipeline
from bp2.stages.registry import REGISTRY
from tests.stages.annotate.helpers import slice_giab_vcf
from tests.stages.annotate.snpeff_report import corrected_slice_gtf
from tests.stages.report.helpers import page_count, pdf_text
from tests.testdata import data_file

BP2 = str(Path(sys.executable).with_name("bp2"))
ASHK = "family_trio_vcfs/slivar_ashkenazi_trio/"
SCOUT_VEP = "annotation/scout_vep104_annotated.vcf"
GENMOD = "family_trio_vcfs/genmod_inheritance_models/"
PANELS = "panels/scout_panelapp_panels.jsonl"
# the panel records of scout_panelapp_panels.jsonl (MANIFEST: 522, 1141, 399)
PANEL_VERSIONS = {"Familial melanoma": "2.5", "Acute rhabdomyolysis": "2.8",
                  "Additional findings health related": "0.116"}


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def pipeline_file(directory: Path) -> Path:
    """A definition listing the stages interpret runs, pinned at the installed versions."""
    directory.mkdir(parents=True, exist_ok=True)
    lines = ["pipeline: bp2-germline", "version: 0.1.0", "seed: 13485", "stages:"]
    for stage_id in ("panels", "tier", "report"):
        lines += [f"  - id: {stage_id}", f"    version: {REGISTRY[stage_id].VERSION}"]
    path = directory / "pipeline.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def interpret(tmp_path: Path, vcf: Path, ped: Path, *extra: str,
              name: str = "out") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BP2, "interpret", "--vcf", str(vcf), "--pedigree", str(ped), "--outdir",
         str(tmp_path / name), "--pipeline", str(pipeline_file(tmp_path / "def")), "--quiet",
         *extra], capture_output=True, text=True, check=False)


def tiers(outdir: Path) -> dict[str, int]:
    counts: dict[str, int] = json.loads((outdir / "tier" / "summary.json").read_text())["tiers"]
    return counts


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-275", "SRS-276", "SRS-278")
def test_ashkenazi_trio_with_a_panelapp_file(tmp_path: Path) -> None:
    """It tiers the GIAB trio's BCSQ-annotated VCF against three PanelApp panels and reports it."""
    vcf, ped = data_file(ASHK + "ashk-trio.vcf.gz"), data_file(ASHK + "ashk-trio.ped")
    proc = interpret(tmp_path, vcf, ped, "--panel", str(data_file(PANELS)),
                     "--accept-missing-frequencies")
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "bp2.log", "panels", "report", "run.json", "tier"]  # no annotate: BCSQ used as given
    run = json.loads((out / "run.json").read_text())
    assert run["status"] == "completed" and run["case"]["vcf"]["sha256"]
    assert run["params"]["tier"]["require_frequency_annotation"] is False
    summary = json.loads((out / "tier" / "summary.json").read_text())
    assert summary["annotation"]["consequence_key"] == "BCSQ"
    text = flat(pdf_text(out / "report" / "report.pdf"))
    assert "Case ID ash" in text
    assert "HG002 male affected HG003 HG004" in text
    for name, version in PANEL_VERSIONS.items():
        assert name in text and f" {version} " in text, name
    counts = tiers(out)
    assert counts["TIER1"] + counts["TIER2"] > 0  # CPT2 is green on Acute rhabdomyolysis
    assert "Tier 1 Tier 2 Tier 3 " + " ".join(
        f"{counts[t]} variant(s)" for t in ("TIER1", "TIER2", "TIER3")) in text
    assert "interpretation of a VCF called elsewhere (no reads)" in text
    assert "Sample QC was not performed" in text
    assert "a missing frequency counts as 0" in text  # the limitation of --accept-missing-...
    assert "consequences from bcftools csq (BCSQ): no HGVS" in text
    assert page_count(out / "report" / "report.pdf") < 100


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-277")
def test_ashkenazi_trio_without_panels_gives_tier3_only(tmp_path: Path) -> None:
    """It still tiers without any panel: Tier 3 only, and the report says no panel applied."""
    vcf, ped = data_file(ASHK + "ashk-trio.vcf.gz"), data_file(ASHK + "ashk-trio.ped")
    proc = interpret(tmp_path, vcf, ped, "--accept-missing-frequencies")
    assert proc.returncode == 0, proc.stderr
    counts = tiers(tmp_path / "out")
    assert counts["TIER1"] == counts["TIER2"] == 0 and counts["TIER3"] > 0
    text = flat(pdf_text(tmp_path / "out" / "report" / "report.pdf"))
    assert "No panel was applied: only Tier 3" in text
    assert f"{counts['TIER3'] - 100} further Tier 3 variant(s) are not listed" in text


def _justhusky_ped(directory: Path) -> Path:
    """A PED for the scout VEP example's samples (the nf-core justhusky family)."""
    ped = directory / "justhusky.ped"
    ped.write_text("justhusky\tearlycasualcaiman\t0\t0\t1\t1\n"
                   "justhusky\thugelymodelbat\tearlycasualcaiman\tslowlycivilbuck\t1\t2\n"
                   "justhusky\tslowlycivilbuck\t0\t0\t2\t1\n")
    return ped


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-276", "SRS-278")
def test_pre_annotated_vep_vcf_is_tiered_from_its_csq(tmp_path: Path) -> None:
    """It reads VEP CSQ of a VCF annotated elsewhere: the record as shipped (FILTER '.') is not
    tiered; made a de novo PASS call, its VEP HGVS reaches the report as Tier 3."""
    vcf = data_file(SCOUT_VEP)
    ped = _justhusky_ped(tmp_path)
    proc = interpret(tmp_path, vcf, ped, "--accept-missing-frequencies")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((tmp_path / "out" / "tier" / "summary.json").read_text())
    assert summary["annotation"]["consequence_key"] == "CSQ"
    assert summary["records"]["filter_missing"] == 1 and summary["tiers"]["TIER3"] == 0
    text = flat(pdf_text(tmp_path / "out" / "report" / "report.pdf"))
    assert "1 of 1 allele(s) did not have FILTER=PASS (1 with no filter applied" in text
    # the same record as a PASS de novo call (father 0/1 -> 0/0): NPHP4 missense, no panel
    lines = []
    for line in vcf.read_text().splitlines():
        if not line.startswith("#"):
            cols = line.split("\t")
            cols[6] = "PASS"
            cols[9] = "0/0:47:47,0:56:0,56,65:.."
            line = "\t".join(cols)
        lines.append(line)
    edited = tmp_path / "de_novo.vcf"
    edited.write_text("\n".join(lines) + "\n")
    proc = interpret(tmp_path, edited, ped, "--accept-missing-frequencies", name="out2")
    assert proc.returncode == 0, proc.stderr
    assert tiers(tmp_path / "out2")["TIER3"] == 1
    text = flat(pdf_text(tmp_path / "out2" / "report" / "report.pdf"))
    assert "Tier 3 #1: 1:5924512 C>A" in text
    assert "ENST00000378156.4:c.3882G>T" in text and "ENSP00000367398.4:p.Arg1294Ser" in text
    assert "NPHP4 (ENSG00000131697)" in text


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-279")
def test_gene_field_reads_gene_names_from_another_info_key(tmp_path: Path) -> None:
    """It takes genes from INFO/Annotation of genmod's VCF (no consequences): the variants
    segregate by gene and the report states that only the ClinVar route could tier."""
    source = data_file(GENMOD + "test_vcf_regions.vcf")
    vcf = tmp_path / "family1.vcf"
    # family 1's columns only (a case is one family); the header gains the FORMAT lines it
    # lacks; X is dropped: the header gives no X length, so its PARs would be unknown
    lines = []
    for line in source.read_text().splitlines():
        if line.startswith("#CHROM"):
            lines += ['##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
                      '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allele depths">',
                      '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">']
        if line.startswith("#") or not line.startswith("X\t"):
            lines.append("\t".join(line.split("\t")[:12]) if not line.startswith("##")
                         else line)
    vcf.write_text("\n".join(lines) + "\n")
    ped = data_file(GENMOD + "recessive_trio.ped")
    proc = interpret(tmp_path, vcf, ped, "--gene-field", "INFO/Annotation",
                     "--accept-missing-frequencies")
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "out"
    summary = json.loads((out / "tier" / "summary.json").read_text())
    assert summary["annotation"]["consequence_key"] == "INFO/Annotation"
    assert sum(summary["tiers"].values()) == 0  # no consequence, no ClinVar: nothing tiered
    segregation = (out / "tier" / "segregation.tsv").read_text()
    assert "SAMD11" in segregation  # gene names flowed from INFO/Annotation
    text = flat(pdf_text(out / "report" / "report.pdf"))
    assert "genes from INFO/Annotation only" in text
    assert "Consequence annotation read from: INFO/Annotation" in text


@pytest.mark.verifies("SRS-279")
def test_gene_field_clinvar_route_reaches_tier1(tmp_path: Path) -> None:
    """It tiers a gene-field variant by the ClinVar route: a de novo pathogenic variant in a
    green panel gene is Tier 1 without any consequence annotation."""
    vcf = tmp_path / "genes.vcf"
    vcf.write_text(
        "##fileformat=VCFv4.2\n##contig=<ID=1,length=249250621>\n"
        '##FILTER=<ID=PASS,Description="All filters passed">\n'
        '##INFO=<ID=GENE,Number=.,Type=String,Description="gene symbols">\n'
        '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="ClinVar significance">\n'
        '##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="ClinVar review">\n'
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tkid\tdad\tmum\n"
        "1\t1000\t.\tC\tT\t50\tPASS\tGENE=CPT2;CLNSIG=Pathogenic;"
        "CLNREVSTAT=criteria_provided,_multiple_submitters,_no_conflicts\tGT\t0/1\t0/0\t0/0\n")
    ped = tmp_path / "trio.ped"
    ped.write_text("T\tkid\tdad\tmum\t1\t2\nT\tdad\t0\t0\t1\t1\nT\tmum\t0\t0\t2\t1\n")
    panel = tmp_path / "panel.json"
    record = next(json.loads(line) for line in data_file(PANELS).read_text().splitlines()
                  if json.loads(line)["id"] == 1141)
    panel.write_text(json.dumps(record))
    proc = interpret(tmp_path, vcf, ped, "--gene-field", "GENE", "--panel", str(panel),
                     "--accept-missing-frequencies")
    assert proc.returncode == 0, proc.stderr
    assert tiers(tmp_path / "out")["TIER1"] == 1
    text = flat(pdf_text(tmp_path / "out" / "report" / "report.pdf"))
    assert "Tier 1 #1: 1:1000 C>T" in text and "route clinvar" in text
    assert "Acute rhabdomyolysis v2.8 (panel 1141)" in text


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-275", "SRS-276")
def test_refuses_bad_inputs_all_at_once_before_any_work(tmp_path: Path) -> None:
    """It reports every input problem at once (exit 3) and leaves OUTDIR untouched."""
    vcf = data_file(GENMOD + "test_vcf_regions.vcf")  # six samples, two families' worth
    ped = data_file(GENMOD + "recessive_trio.ped")
    proc = interpret(tmp_path, vcf, ped)
    assert proc.returncode == 3
    err = flat(proc.stderr)
    assert "in the VCF only: father_2, mother_2, proband_2" in err
    assert "no consequence annotation (INFO CSQ, ANN or BCSQ)" in err
    assert "--gene-field INFO/KEY" in err and "--accept-missing-frequencies" in err
    assert not (tmp_path / "out").exists()
    proc = interpret(tmp_path, data_file(SCOUT_VEP), _justhusky_ped(tmp_path),
                     "--gene-field", "INFO/Annotation", "--accept-missing-frequencies")
    assert proc.returncode == 3 and "carries CSQ consequences" in flat(proc.stderr)


@pytest.mark.verifies("SRS-275")
def test_pipeline_is_the_definitions_own_entries(tmp_path: Path) -> None:
    """It runs the definition's entries for panels, tier and report (annotate only with a gene
    model), with the command-line tier overrides, and refuses a definition lacking one."""
    pipeline = load_pipeline(pipeline_file(tmp_path))
    chosen = interpret_pipeline(pipeline, annotate=False,
                                tier_overrides={"gene_field": "GENE"})
    assert [e.id for e in chosen.stages] == ["panels", "tier", "report"]
    assert chosen.get("tier").params.gene_field == "GENE"  # type: ignore[attr-defined]
    with pytest.raises(PipelineDefinitionError, match="annotate"):
        interpret_pipeline(pipeline, annotate=True, tier_overrides={})
    assert parse_gene_field("INFO/GENE") == parse_gene_field("GENE") == "GENE"
    with pytest.raises(UsageError):
        parse_gene_field("FORMAT/GT")


# --- with a gene model: annotate runs, multi-allelic records split -------------------------------

SLICE = "grch38_chr22_slice_nfcore/"
STANDARD_CODE = dict(zip(
    (a + b + c for a in "TCAG" for b in "TCAG" for c in "TCAG"),
    "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG", strict=True))


def _slice_case(tmp_path: Path, *, population_af: bool) -> tuple[Path, Path, Path]:
    """GIAB HG001 on the chr22 slice as an affected singleton, with resources naming the
    reference, the corrected slice GTF and (optionally) the slice's gnomAD records."""
    directory = tmp_path / "case"
    directory.mkdir()
    vcf = slice_giab_vcf(directory / "giab.vcf")
    gtf = corrected_slice_gtf(data_file(SLICE + "annotation/genome.gtf"),
                              data_file(SLICE + "annotation/genome.gff3"), directory / "slice.gtf")

    def ref(path: Path) -> dict[str, str]:
        return {"path": str(path), "sha256": sha256_file(path)}

    build = {"build": "GRCh38 chr22:16570000-16610000", "version": "nf-core test-datasets"}
    resources: dict[str, object] = {
        "reference": {**ref(data_file(SLICE + "reference/genome.fasta")), **build,
                      "index": ref(data_file(SLICE + "reference/genome.fasta.fai"))},
        "gene_model": {**ref(gtf), **build, "version": "Ensembl 103, moved +2,027 bp"},
    }
    if population_af:
        resources["population_af"] = {
            **ref(data_file(SLICE + "known_sites/gnomAD.r2.1.1.vcf.gz")), **build,
            "version": "gnomAD r2.1.1 (slice subset)",
            "index": ref(data_file(SLICE + "known_sites/gnomAD.r2.1.1.vcf.gz.tbi"))}
    path = directory / "resources.yaml"
    path.write_text(yaml.safe_dump(resources))
    ped = directory / "hg001.ped"
    ped.write_text("NA12878\tHG001\t0\t0\t2\t2\n")
    return vcf, ped, path


def _gene_model_pipeline(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    lines = ["pipeline: bp2-germline", "version: 0.1.0", "seed: 13485", "stages:"]
    for stage_id in ("annotate", "panels", "tier", "report"):
        lines += [f"  - id: {stage_id}", f"    version: {REGISTRY[stage_id].VERSION}"]
    path = directory / "pipeline.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _rows(path: Path) -> list[dict[str, str]]:
    lines = path.read_text().splitlines()
    return [dict(zip(lines[0].split("\t"), line.split("\t"), strict=True)) for line in lines[1:]]


def _slice_interpret(tmp_path: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    vcf, ped, resources = _slice_case(tmp_path, population_af=True)
    return subprocess.run(
        [BP2, "interpret", "--vcf", str(vcf), "--pedigree", str(ped), "--resources",
         str(resources), "--outdir", str(out), "--pipeline",
         str(_gene_model_pipeline(tmp_path / "def")), "--quiet", *extra],
        capture_output=True, text=True, check=False)


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-282", "SRS-283", "SRS-280")
def test_gene_model_run_splits_multiallelic_calls_and_tiers_each_alt(tmp_path: Path) -> None:
    """With a gene model and the slice's gnomAD records it annotates GIAB HG001's chr22 slice
    calls (three multi-allelic, two 2/1 calls), judges every ALT on its own genotype, and tiers
    nothing: the one candidate worked out by hand below, CCT8L2 21594 A>G, has gnomAD AF 0.908."""
    out = tmp_path / "out"
    proc = _slice_interpret(tmp_path, out, "--accept-missing-frequencies")
    assert proc.returncode == 0, proc.stderr
    annotate = json.loads((out / "annotate" / "annotate_summary.json").read_text())
    assert (annotate["records"], annotate["multiallelic_records_split"],
            annotate["records_written"]) == (81, 3, 84)
    assert annotate["population_af"]["alleles_matched"] > 0
    summary = json.loads((out / "tier" / "summary.json").read_text())
    assert summary["records"]["vcf_records"] == 84  # tier reads the split records
    assert summary["records"]["symbolic_alleles_skipped"] == 1  # 14660 G>* (the 1/2 call's *)
    assert summary["annotation"]["consequence_key"] == "CSQ"

    # Per-ALT genotypes: GIAB's 1/2 and 2/1 calls are heterozygous for each ALT (the other ALT
    # becomes REF, as bcftools norm -m-any re-codes), so each ALT passes the dominant filters as
    # a heterozygote and never the homozygous SimpleRecessive one.
    segregation = _rows(out / "tier" / "segregation.tsv")
    split = {("14660", "G", "C"): "HG001=0/1", ("26000", "AAAAT", "A"): "HG001=0/1",
             ("26000", "AAAATAAAT", "A"): "HG001=1/0", ("29198", "AAT", "A"): "HG001=0/1",
             ("29198", "AATAT", "A"): "HG001=1/0"}
    for key, genotype in split.items():
        rows = [r for r in segregation if (r["pos"], r["ref"], r["alt"]) == key]
        assert {r["genotypes"] for r in rows} == {genotype}, key
        assert "InheritedAutosomalDominant" in {r["segregation"] for r in rows}, key
        assert "SimpleRecessive" not in {r["segregation"] for r in rows}, key

    # The expected tiering, worked out by hand.  No panel, so only Tier 3: a HIGH or MODERATE
    # consequence in a protein-coding gene, segregating (any filter), within the frequency
    # thresholds.  The slice's gnomAD file carries only the overall AF (its header declares the
    # population keys, its records do not), accepted here with --accept-missing-frequencies, so
    # the overall gnomAD_AF is the gnomAD test.  The slice's only protein-coding gene is CCT8L2
    # (minus strand, one coding exon, GTF CDS rows); GIAB calls inside its CDS are 21594 A>G
    # and 22177 A>G, both 1/1 in HG001 (SimpleRecessive in an affected singleton).  22177 is
    # the third base of a GCT (Ala) codon -> GCC, synonymous (LOW): not tiered.  21594 is
    # worked out below from the FASTA and the GTF alone: the first base of a TGG (Trp) codon, G
    # on the plus strand = C on the transcript, CGG (Arg): missense, a Tier 3 candidate by
    # impact; but gnomAD gives it AF 0.908 (recessive threshold 0.01), so it is not tiered
    # (before the overall AF was tested it was, as "rare").  The multi-allelic calls lie in
    # lncRNA/pseudogene genes (MODIFIER consequences): not tiered.
    cds = [line.split("\t") for line in (tmp_path / "case" / "slice.gtf").read_text().splitlines()
           if "\tCDS\t" in line and 'transcript_id "ENST00000359963"' in line]
    assert len(cds) == 1 and cds[0][6] == "-"
    cds_start, cds_end = int(cds[0][3]), int(cds[0][4])
    c_position = cds_end - 21594 + 1  # minus strand: c.1 is the highest CDS base
    codon_number, offset = (c_position - 1) // 3 + 1, (c_position - 1) % 3
    assert cds_start <= 21594 and offset == 0
    complement = str.maketrans("ACGT", "TGCA")
    fasta = data_file(SLICE + "reference/genome.fasta").read_text().split("\n", 1)[1]
    plus = fasta.replace("\n", "")[21594 - 3:21594]  # positions 21592..21594
    codon = plus.translate(complement)[::-1]
    alt_codon = "C" + codon[1:]  # ALT G on the plus strand is C on the transcript
    assert (codon, STANDARD_CODE[codon], STANDARD_CODE[alt_codon]) == ("TGG", "W", "R")
    (row,) = [r for r in _rows(out / "annotate" / "consequences.tsv")
              if (r["POS"], r["ALT"], r["Feature"]) == ("21594", "G", "ENST00000359963")]
    assert (row["Consequence"], row["IMPACT"], row["SYMBOL"]) == (
        "missense_variant", "MODERATE", "CCT8L2")
    assert row["HGVSc"] == f"ENST00000359963.4:c.{c_position}T>C"
    assert row["HGVSp"] == f"ENSP00000353048.3:p.Trp{codon_number}Arg"
    assert row["gnomAD_AF"] == "0.908047"  # the slice's gnomAD record rs2236639
    assert {r["segregation"] for r in segregation if (r["pos"], r["alt"]) == ("21594", "G")} == {
        "SimpleRecessive"}  # it segregates; frequency alone keeps it off the shortlist
    assert _rows(out / "tier" / "tiers.tsv") == []
    assert summary["annotation"]["overall_af_only_alleles"] > 0
    text = flat(pdf_text(out / "report" / "report.pdf"))
    assert "No panel was applied" in text and f"p.Trp{codon_number}Arg" not in text
    assert "carried none of the per-population AFs" in text  # the accepted gap, stated
    assert "frequency_threshold_overall" in text  # the bp2 assumption, listed


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-284", "SRS-276")
def test_overall_only_gnomad_resource_is_refused_unless_accepted(tmp_path: Path) -> None:
    """It refuses, before any work (exit 3, OUTDIR untouched), a population-frequency resource
    that gives only an overall AF (the slice's gnomAD file), naming --accept-missing-frequencies."""
    out = tmp_path / "out"
    proc = _slice_interpret(tmp_path, out)
    assert proc.returncode == 3
    err = flat(proc.stderr)
    assert "carries no per-population allele frequencies" in err
    assert "--accept-missing-frequencies" in err
    assert not out.exists()


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-276")
def test_gene_model_without_population_af_is_refused_before_any_work(tmp_path: Path) -> None:
    """It refuses resources with a gene model but no population_af (exit 3, OUTDIR untouched)
    unless --accept-missing-frequencies is given."""
    vcf, ped, resources = _slice_case(tmp_path, population_af=False)
    proc = subprocess.run(
        [BP2, "interpret", "--vcf", str(vcf), "--pedigree", str(ped), "--resources",
         str(resources), "--outdir", str(tmp_path / "out"), "--pipeline",
         str(_gene_model_pipeline(tmp_path / "def")), "--quiet"],
        capture_output=True, text=True, check=False)
    assert proc.returncode == 3
    assert "no population_af" in flat(proc.stderr) and "--accept-missing-frequencies" in flat(
        proc.stderr)
    assert not (tmp_path / "out").exists()
