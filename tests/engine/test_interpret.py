"""Tests of ``bp2 interpret``: annotate → panels → tier → report on a VCF bp2 did not call."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bp2.engine.interpret import interpret_pipeline, parse_gene_field
from bp2.errors import PipelineDefinitionError, UsageError
from bp2.pipeline import load_pipeline
from bp2.stages.registry import REGISTRY
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
