"""The annotate stage end to end: the demo answer key, determinism, refusals, GFF3, the CLI."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
from pathlib import Path

import pysam
import pytest
from pydantic import ValidationError

from bp2.annotation import CSQ_KEY, header_format_fields
from bp2.case import CaseInputs, CaseVcf, Pedigree, parse_pedigree
from bp2.demo import DemoCase
from bp2.errors import InputError
from bp2.genemodel import read_gene_model
from bp2.resources import FileRef, Resource, Resources
from bp2.stages.annotate import AnnotateInputs, AnnotateOutputs, AnnotateParams, AnnotateStage
from bp2.stages.base import CASE_UNIT, BindContext, StageContext
from tests.stages.annotate.answer_key import check_against
from tests.stages.annotate.helpers import demo_inputs, read_annotated
from tests.stages.annotate.snpeff_report import (
    SLICE_LENGTH,
    SLICE_OFFSET,
    corrected_slice_gtf,
    slice_truth_vcf,
)
from tests.testdata import data_file

STAGE = AnnotateStage()
SLICE = "grch38_chr22_slice_nfcore/"


def run(inputs: AnnotateInputs, outdir: Path, params: AnnotateParams | None = None
        ) -> AnnotateOutputs:
    return STAGE.run(inputs, params or AnnotateParams(), StageContext(outdir=outdir))


def bgzip_vcf(text: str, path: Path) -> Path:
    plain = path.with_suffix("")
    plain.write_text(text, encoding="utf-8")
    pysam.tabix_compress(str(plain), str(path), force=True)
    pysam.tabix_index(str(path), preset="vcf", force=True)
    plain.unlink()
    return path


def vcf_text(path: Path) -> str:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return handle.read()


# --- what it writes -------------------------------------------------------------------------------


@pytest.mark.verifies("SRS-200", "SRS-201", "SRS-202", "SRS-204", "SRS-205", "SRS-206")
def test_demo_answer_key(demo_case: DemoCase, demo_annotated: AnnotateOutputs) -> None:
    """It gives every planted demo variant its designed consequence, change and traps."""
    check_against(demo_annotated, demo_case.expected_tiers)


@pytest.mark.verifies("SRS-207")
def test_output_contract(demo_case: DemoCase, demo_annotated: AnnotateOutputs) -> None:
    """It writes CSQ with the contract's Format list, keeps the records, and one TSV row each."""
    header, records = read_annotated(demo_annotated.vcf)
    csq = next(line for line in header if line.startswith(f"##INFO=<ID={CSQ_KEY},"))
    fields = header_format_fields(csq.split('Description="', 1)[1].rsplit('"', 1)[0])
    for name in ("Allele", "Consequence", "IMPACT", "SYMBOL", "Gene", "Feature_type", "Feature",
                 "BIOTYPE", "EXON", "INTRON", "HGVSc", "HGVSp", "CANONICAL", "HGNC_ID"):
        assert name in fields
    original = [line.split("\t") for line in vcf_text(demo_case.truth_vcf).splitlines()
                if not line.startswith("#")]
    assert len(original) == len(records)
    annotated = [line.split("\t") for line in vcf_text(demo_annotated.vcf).splitlines()
                 if not line.startswith("#")]
    for before, after in zip(original, annotated, strict=True):
        assert before[:7] + before[8:] == after[:7] + after[8:]
        assert after[7].startswith(before[7] + ";CSQ=")
    rows = demo_annotated.consequences.read_text().splitlines()
    assert len(rows) - 1 == sum(len(r.csq) for r in records)
    assert rows[0].split("\t")[:6] == ["CHROM", "POS", "REF", "ALT", "Allele", "Consequence"]
    summary = json.loads(demo_annotated.summary.read_text())
    assert summary["alleles_annotated"] == len(records)
    assert summary["gene_model"]["invalid_coding_transcripts"] == 0
    pysam.TabixFile(str(demo_annotated.vcf), index=str(demo_annotated.vcf_index)).fetch("chr1")


@pytest.mark.verifies("SRS-207")
def test_deterministic_and_pathless(demo_case: DemoCase, demo_annotated: AnnotateOutputs,
                                    tmp_path: Path) -> None:
    """It writes byte-identical outputs on a second run, with no path or date in the header."""
    again = run(demo_inputs(demo_case), tmp_path / "again")
    for first, second in ((demo_annotated.vcf, again.vcf),
                          (demo_annotated.vcf_index, again.vcf_index),
                          (demo_annotated.consequences, again.consequences),
                          (demo_annotated.summary, again.summary)):
        assert first.read_bytes() == second.read_bytes(), first.name
    header = "\n".join(line for line in vcf_text(again.vcf).splitlines()
                       if line.startswith("##"))
    assert str(tmp_path) not in header and str(demo_case.root) not in header
    assert not re.search(r"20\d\d-\d\d-\d\d|bp2 stage run|Date=", header)
    assert not list(tmp_path.rglob("*.bp2tmp*"))


@pytest.mark.verifies("SRS-207")
def test_reannotation_replaces_keys(demo_case: DemoCase, demo_annotated: AnnotateOutputs,
                                    tmp_path: Path) -> None:
    """It replaces its own INFO keys when given an annotated VCF, never duplicating them."""
    again = run(demo_inputs(demo_case, vcf=demo_annotated.vcf), tmp_path / "re")
    assert vcf_text(again.vcf).count("##INFO=<ID=CSQ,") == 1
    def body(path: Path) -> list[str]:
        return [line for line in vcf_text(path).splitlines() if not line.startswith("#")]

    assert body(again.vcf) == body(demo_annotated.vcf)


@pytest.mark.verifies("SRS-212")
def test_canonical_only_and_parameters(demo_case: DemoCase, tmp_path: Path) -> None:
    """It reports only canonical transcripts when asked and refuses an inverted splice region."""
    outputs = run(demo_inputs(demo_case), tmp_path / "canonical",
                  AnnotateParams(transcripts="canonical"))
    _, records = read_annotated(outputs.vcf)
    entries = [e for r in records for e in r.csq]
    assert all(e["CANONICAL"] == "YES" or e["Consequence"] == "intergenic_variant"
               for e in entries)
    assert not any(e["Feature"].endswith("02") for e in entries)  # BPD6/BPD9's 2nd
    with pytest.raises(ValidationError, match="splice_region_intron_min"):
        AnnotateParams(splice_region_intron_min=9, splice_region_intron_max=8)


# --- refusals -------------------------------------------------------------------------------------


def _renamed_gtf(case: DemoCase, tmp_path: Path) -> Path:
    gtf = tmp_path / "genes.gtf"
    gtf.write_text(re.sub(r"^chr", "", case.gene_model.read_text(), flags=re.MULTILINE))
    return gtf


@pytest.mark.verifies("SRS-208")
def test_gene_model_contig_names_refused(demo_case: DemoCase, tmp_path: Path) -> None:
    """It refuses a gene model naming '1' where the reference has 'chr1', naming both files."""
    inputs = demo_inputs(demo_case).model_copy(update={"gene_model": _renamed_gtf(demo_case,
                                                                                  tmp_path)})
    with pytest.raises(InputError) as error:
        run(inputs, tmp_path / "out")
    text = str(error.value)
    assert "'1'" in text and "'chr1'" in text and "reference.fa" in text and "genes.gtf" in text


@pytest.mark.verifies("SRS-208")
def test_resource_contig_names_refused(demo_case: DemoCase, tmp_path: Path) -> None:
    """It refuses a ClinVar VCF with contigs '1', '2', 'X' against a chr-named reference."""
    text = re.sub(r"^chr", "", vcf_text(demo_case.clinvar), flags=re.MULTILINE)
    text = text.replace("##contig=<ID=", "##contig=<ID=")
    clinvar = bgzip_vcf(text, tmp_path / "clinvar.vcf.gz")
    inputs = demo_inputs(demo_case).model_copy(update={
        "clinvar": clinvar, "clinvar_index": Path(str(clinvar) + ".tbi")})
    with pytest.raises(InputError) as error:
        run(inputs, tmp_path / "out")
    assert "ClinVar VCF" in str(error.value) and "chr1" in str(error.value)


@pytest.mark.verifies("SRS-210")
@pytest.mark.parametrize(("record", "message"), [
    ("chr1\t1000\t.\tTTTT\tG\t.\tPASS\t.", "does not match the reference"),
    ("chr9\t1000\t.\tA\tG\t.\tPASS\t.", "not in the reference"),
])
def test_bad_records_refused(demo_case: DemoCase, tmp_path: Path, record: str,
                             message: str) -> None:
    """It refuses a REF that is not the reference's and unknown contigs (multi-ALT records are
    split: test_split.py)."""
    vcf = tmp_path / "calls.vcf"
    vcf.write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
                   + record + "\n")
    with pytest.raises(InputError) as error:
        run(demo_inputs(demo_case, vcf=vcf), tmp_path / "out")
    assert message in str(error.value) and error.value.line == 3


@pytest.mark.verifies("SRS-208")
def test_vcf_contig_length_refused(demo_case: DemoCase, tmp_path: Path) -> None:
    """It refuses a VCF whose header gives chr1 another length than the reference (wrong build)."""
    vcf = tmp_path / "calls.vcf"
    vcf.write_text("##fileformat=VCFv4.2\n##contig=<ID=chr1,length=248956422>\n"
                   "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
    with pytest.raises(InputError, match="length 248,956,422"):
        run(demo_inputs(demo_case, vcf=vcf), tmp_path / "out")


def _slice_inputs(tmp_path: Path, gene_model: Path) -> AnnotateInputs:
    vcf = slice_truth_vcf(data_file(SLICE + "truth/NA12878_GIAB.chr22.vcf.gz"),
                          data_file(SLICE + "known_sites/gnomAD.r2.1.1.vcf.gz"),
                          tmp_path / "records.vcf.gz")
    return AnnotateInputs(vcf=vcf, reference=data_file(SLICE + "reference/genome.fasta"),
                          reference_index=data_file(SLICE + "reference/genome.fasta.fai"),
                          gene_model=gene_model)


@pytest.mark.verifies("SRS-209")
def test_shifted_gene_model_refused(tmp_path: Path) -> None:
    """It refuses nf-core's slice GTF, 2,027 bp off its FASTA: CCT8L2 is not a reading frame."""
    inputs = _slice_inputs(tmp_path, data_file(SLICE + "annotation/genome.gtf"))
    with pytest.raises(InputError) as error:
        run(inputs, tmp_path / "out")
    text = str(error.value)
    assert "does not fit the reference genome.fasta" in text
    assert "ENST00000359963" in text and "genome.gtf" in text


@pytest.mark.verifies("SRS-209", "SRS-211")
def test_whole_chromosome_gff3_refused(tmp_path: Path) -> None:
    """It refuses Ensembl's GFF3 in chr22 coordinates against the 40 kb slice (gene past end)."""
    inputs = _slice_inputs(tmp_path, data_file(SLICE + "annotation/genome.gff3"))
    with pytest.raises(InputError, match="past the end of chr22"):
        run(inputs, tmp_path / "out")


def _slice_gff3(tmp_path: Path) -> Path:
    """Ensembl's GFF3 moved to slice coordinates and clipped to the slice."""
    rows = []
    for line in data_file(SLICE + "annotation/genome.gff3").read_text().splitlines():
        cols = line.split("\t")
        if line.startswith("#") or len(cols) != 9:
            rows.append(line)
            continue
        start, end = int(cols[3]) - SLICE_OFFSET, int(cols[4]) - SLICE_OFFSET
        if start > SLICE_LENGTH:
            continue
        cols[3], cols[4] = str(start), str(min(end, SLICE_LENGTH))
        rows.append("\t".join(cols))
    path = tmp_path / "slice.gff3"
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.mark.verifies("SRS-211")
def test_gff3_reads_as_the_gtf(tmp_path: Path) -> None:
    """It reads Ensembl's GFF3 into the same transcripts and annotation as the equivalent GTF."""
    gff3 = _slice_gff3(tmp_path)
    gtf = corrected_slice_gtf(data_file(SLICE + "annotation/genome.gtf"),
                              data_file(SLICE + "annotation/genome.gff3"), tmp_path / "s.gtf")
    from_gff3, from_gtf = read_gene_model(gff3), read_gene_model(gtf)
    transcripts = {t.transcript_id: (g.symbol, g.strand, t.exons, t.coding, t.biotype)
                   for g in from_gtf.genes for t in g.transcripts}
    assert {t.transcript_id: (g.symbol, g.strand, t.exons, t.coding, t.biotype)
            for g in from_gff3.genes for t in g.transcripts} == transcripts
    a = read_annotated(run(_slice_inputs(tmp_path, gff3), tmp_path / "gff3").vcf)[1]
    b = read_annotated(run(_slice_inputs(tmp_path, gtf), tmp_path / "gtf").vcf)[1]
    keep = ("Feature", "Consequence", "HGVSc", "EXON", "INTRON", "DISTANCE")
    assert [[{k: e[k] for k in keep} for e in r.csq] for r in a] == \
        [[{k: e[k] for k in keep} for e in r.csq] for r in b]


@pytest.mark.verifies("SRS-211")
def test_gff3_unknown_parent_refused(tmp_path: Path) -> None:
    """It refuses a GFF3 exon whose Parent no row defines, naming the file and line."""
    gff3 = tmp_path / "bad.gff3"
    gff3.write_text("##gff-version 3\nchr1\t.\texon\t10\t20\t.\t+\t.\tParent=transcript:T9\n")
    with pytest.raises(InputError) as error:
        read_gene_model(gff3)
    assert error.value.line == 2 and "T9" in str(error.value)


# --- bind and the command line ----------------------------------------------------------------


@pytest.mark.verifies("SRS-213")
def test_bind_names_every_file(demo_case: DemoCase, tmp_path: Path) -> None:
    """It binds the case's VCF (bp2 interpret), reference, gene model and resources with indexes."""
    def ref(path: Path) -> FileRef:
        return FileRef(path=path, sha256="0" * 64)

    def res(path: Path, index: Path | None = None) -> Resource:
        return Resource(path=path, sha256="0" * 64, build="b", version=f"v-{path.name}",
                        index=None if index is None else ref(index))

    resources = Resources(
        reference=res(demo_case.reference, demo_case.reference_index),
        gene_model=res(demo_case.gene_model),
        population_af=res(demo_case.population_af, demo_case.population_af_index),
        clinvar=res(demo_case.clinvar, demo_case.clinvar_index))
    pedigree: Pedigree = parse_pedigree(demo_case.pedigree.read_text(), demo_case.pedigree)
    case = CaseInputs(pedigree=pedigree, resources=resources,
                      vcf=CaseVcf(path=demo_case.truth_vcf))
    inputs = STAGE.bind(BindContext(case=case, upstream={}), CASE_UNIT)
    assert inputs.vcf == demo_case.truth_vcf
    assert inputs.clinvar_index == demo_case.clinvar_index
    assert inputs.population_af_version == "v-population_af.vcf.gz"
    assert inputs.reference_index == demo_case.reference_index


def _write_inputs(folder: Path, inputs: AnnotateInputs) -> Path:
    path = folder / "inputs.json"
    path.write_text(inputs.model_dump_json())
    return path


@pytest.mark.verifies("SRS-208")
def test_cli_refuses_with_exit_code_3(bp2_exe: str, demo_case: DemoCase, tmp_path: Path) -> None:
    """It exits 3 through bp2 stage run for a differently named gene model, naming the contig."""
    inputs = demo_inputs(demo_case).model_copy(update={"gene_model": _renamed_gtf(demo_case,
                                                                                  tmp_path)})
    result = subprocess.run([bp2_exe, "stage", "run", "annotate", "--inputs",
                             str(_write_inputs(tmp_path, inputs)), "--outdir",
                             str(tmp_path / "out")], capture_output=True, text=True, check=False)
    assert result.returncode == 3, result.stderr
    assert "'1'" in result.stderr and "'chr1'" in result.stderr


@pytest.mark.verifies("SRS-213")
def test_cli_reads_only_named_files(bp2_exe: str, demo_case: DemoCase, tmp_path: Path) -> None:
    """It runs through bp2 stage run in a folder holding only the files its inputs name."""
    work = tmp_path / "alone"
    work.mkdir()
    names = {}
    for field, path in demo_inputs(demo_case):
        if isinstance(path, Path):
            shutil.copyfile(path, work / path.name)
            names[field] = path.name
    inputs = {**demo_inputs(demo_case).model_dump(mode="json"), **names}
    (work / "inputs.json").write_text(json.dumps(inputs))
    copied = sorted(p.name for p in work.iterdir())
    result = subprocess.run([bp2_exe, "stage", "run", "annotate", "--inputs", "inputs.json",
                             "--outdir", "out"], cwd=work, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in work.iterdir()) == sorted([*copied, "out"])
    outputs = json.loads((work / "out" / "outputs.json").read_text())
    assert set(outputs) == {"vcf", "vcf_index", "consequences", "summary"}
