"""Multi-allelic records split into biallelic ones, against ``bcftools norm -m-any -f``."""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

import pytest

from bp2.errors import InputError
from bp2.stages.annotate import AnnotateInputs, AnnotateParams, AnnotateStage
from bp2.stages.annotate.split import (
    SPLIT_FROM_KEY,
    FieldNumbers,
    SplitError,
    field_numbers,
    pick,
    recode_genotype,
    split_record,
    split_records,
)
from bp2.stages.annotate.stage import FastaSource
from bp2.stages.base import StageContext
from tests.stages.annotate.helpers import read_annotated, slice_giab_vcf
from tests.stages.annotate.snpeff_report import corrected_slice_gtf
from tests.testdata import data_file

SLICE = "grch38_chr22_slice_nfcore/"
SEMIREAL = "grch37_chr20_semireal_NA12878/truth.vcf.gz"
HG19 = "grch37_chr20_NA12878_deepvariant/reference/ucsc.hg19.chr20.unittest.fasta.gz"

# c1: 1-8 ACGTACGT, 9-14 TTTTTT, 15-22 GCACACAG, ..., 32 C, 33-41 AAAAAAAAA, ...
REFERENCE = ("ACGTACGTTTTTTTGCACACAGGGATCCATGCAAAAAAAAACGTACGTAGCTAGCATCGATCGACTAGCTACGTAGC"
             "TAGCTAGCATCGACTAGCT")
HEADER = (
    "##fileformat=VCFv4.2\n##contig=<ID=c1,length=96>\n"
    '##INFO=<ID=AC,Number=A,Type=Integer,Description="x">\n'
    '##INFO=<ID=RI,Number=R,Type=Integer,Description="x">\n'
    '##INFO=<ID=DP,Number=1,Type=Integer,Description="x">\n'
    '##INFO=<ID=FL,Number=0,Type=Flag,Description="x">\n'
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="x">\n'
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="x">\n'
    '##FORMAT=<ID=PL,Number=G,Type=Integer,Description="x">\n'
    '##FORMAT=<ID=AF,Number=A,Type=Float,Description="x">\n'
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="x">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ta\tb\tc\td\n")
# diploid, phased, haploid and missing calls; Number=A/R/G in INFO and FORMAT; a three-ALT
# record whose alleles left-align (deletion and insertion in the T run to position 7); a record
# whose second ALT trims to a SNV at 22, past the record at 18 (the output must be re-sorted)
RECORDS = (
    "c1\t5\trs1\tA\tC,G\t50\tPASS\tAC=1,2;RI=5,6,7;DP=10;FL\tGT:AD:PL:AF:GQ\t"
    "1/2:1,2,3:0,1,2,3,4,5:0.1,0.2:30\t0|2:1,2,3:.:.:.\t2:4,5,6:7,8,9:0.5,0.6:9\t./.:.:.:.:.\n"
    "c1\t9\t.\tTTTTTTG\tTTTTTG,TTTTTTTG,CTTTTTG\t50\tPASS\tAC=1,2,3\tGT:AD\t"
    "1/2:1,2,3,4\t2|3:1,2,3,4\t1/.:1,2,3,4\t0/3:1,2,3,4\n"
    "c1\t15\t.\tGCACACAG\tGCACAG,GCACACAA\t50\tPASS\t.\tGT\t1/2\t0/1\t2/2\t0/0\n"
    "c1\t18\t.\tC\tT\t50\tPASS\t.\tGT\t0/1\t0/0\t0/0\t1/1\n")


def bcftools_split(vcf: Path, fasta: Path) -> list[list[str]]:
    """``bcftools norm -m-any -f`` records, ``OLD_MULTIALLELIC`` aside, empty values as '.'."""
    out = subprocess.run(["bcftools", "norm", "-m-any", "-f", str(fasta), "--no-version",
                          str(vcf)], capture_output=True, text=True, check=True).stdout
    return [comparable(line.split("\t")) for line in out.splitlines() if not line.startswith("#")]


def comparable(cols: list[str] | tuple[str, ...]) -> list[str]:
    """Columns with bp2's OLD_MULTIALLELIC dropped and bcftools' empty values written '.'."""
    info = ";".join(i for i in cols[7].split(";") if not i.startswith(SPLIT_FROM_KEY + "="))
    samples = [":".join(v or "." for v in s.split(":")) for s in cols[9:]]
    return [*cols[:7], info or ".", *cols[8:9], *samples]


def ours(vcf_text: str, source: FastaSource, window: int = 1000) -> list[list[str]]:
    lines = vcf_text.splitlines()
    numbers = field_numbers([line for line in lines if line.startswith("##")])
    records = [(line.split("\t"), n) for n, line in enumerate(lines, 1) if not line.startswith("#")]
    return [comparable(p.cols) for p in split_records(records, numbers, source, window)]


@pytest.fixture
def handmade(tmp_path: Path) -> tuple[Path, FastaSource]:
    fasta = tmp_path / "ref.fa"
    fasta.write_text(">c1\n" + REFERENCE + "\n")
    subprocess.run(["samtools", "faidx", str(fasta)], check=True)
    vcf = tmp_path / "multi.vcf"
    vcf.write_text(HEADER + RECORDS)
    return vcf, FastaSource(fasta, Path(str(fasta) + ".fai"), None)


@pytest.mark.verifies("SRS-280", "SRS-281")
def test_handmade_records_split_as_bcftools_does(handmade: tuple[Path, FastaSource]) -> None:
    """It splits A/R/G values, re-codes diploid, phased, haploid and missing genotypes,
    left-aligns and re-sorts exactly as bcftools norm -m-any -f (bcftools run here)."""
    vcf, source = handmade
    mine = ours(vcf.read_text(), source)
    assert mine == bcftools_split(vcf, vcf.parent / "ref.fa")
    # what that comparison covers, spelled out
    by_site = {(r[1], r[3], r[4]): r for r in mine}
    first, second = by_site[("5", "A", "C")], by_site[("5", "A", "G")]
    assert first[7] == "AC=1;RI=5,6;DP=10;FL" and second[7] == "AC=2;RI=5,7;DP=10;FL"
    assert first[9:] == ["1/0:1,2:0,1,2:0.1:30", "0|0:1,2:.:.:.", "0:4,5:7,8:0.5:9",
                         "./.:.:.:.:."]
    assert second[9].startswith("0/1:1,3:0,3,5:0.2")  # 1/2 is a heterozygote for each ALT
    assert [r[1:5] for r in mine[2:5]] == [["7", ".", "GT", "G"], ["7", ".", "G", "GT"],
                                           ["9", ".", "T", "C"]]  # left-aligned in the T run
    assert [r[1] for r in mine] == sorted((r[1] for r in mine), key=int)
    assert [r[1] for r in mine[-3:]] == ["15", "18", "22"]  # GCACACAG>GCACACAA is G>A at 22


@pytest.mark.verifies("SRS-281")
def test_left_alignment_never_moves_before_a_written_record(handmade: tuple[Path, FastaSource]
                                                            ) -> None:
    """With no window, a split allele that would move before a written record is only trimmed,
    and the output stays sorted."""
    _, source = handmade
    text = HEADER + "".join(
        f"c1\t{pos}\t.\t{ref}\t{alt}\t50\tPASS\t.\tGT\t0/1\t0/1\t0/1\t1/2\n"
        for pos, ref, alt in ((34, "A", "G"), (36, "A", "T"), (40, "AA", "A,AAA")))
    lines = text.splitlines()
    numbers = field_numbers([line for line in lines if line.startswith("##")])
    records = [(line.split("\t"), n) for n, line in enumerate(lines, 1) if not line.startswith("#")]
    pieces = list(split_records(records, numbers, source, window=0))
    assert [p.pos for p in pieces] == [34, 36, 40, 40]
    # in the A run (33-41) the deletion and insertion at 40 would left-align to 32, before the
    # record at 34 already written (window 0): they are trimmed only
    assert [(p.cols[1], p.cols[3], p.cols[4]) for p in pieces if p.limited] == [
        ("40", "AA", "A"), ("40", "A", "AA")]
    widened = list(split_records(records, numbers, source, window=10))
    assert [(p.pos, p.cols[3], p.cols[4]) for p in widened][:2] == [(32, "CA", "C"),
                                                                    (32, "C", "CA")]
    assert not any(p.limited for p in widened)


@pytest.mark.verifies("SRS-280")
def test_genotype_and_value_rules() -> None:
    """It re-codes each ALT to 1 and the others to REF, keeps phase and missing alleles, picks
    A/R/G values and refuses a wrong count or an allele the record lacks."""
    assert [recode_genotype("1/2", 2, k) for k in (1, 2)] == ["1/0", "0/1"]
    assert [recode_genotype("2|1", 2, k) for k in (1, 2)] == ["0|1", "1|0"]
    assert recode_genotype("./2", 2, 1) == "./0" and recode_genotype(".", 2, 2) == "."
    assert recode_genotype("3", 3, 3) == "1" and recode_genotype("0/0", 3, 2) == "0/0"
    with pytest.raises(SplitError, match="names allele '3'"):
        recode_genotype("0/3", 2, 1)
    assert pick("0,10,20,30,40,50", "G", 2, 2, "PL") == "0,30,50"  # 0/0, 0/2, 2/2
    assert pick("5,6,7", "R", 2, 2, "AD") == "5,7" and pick(".", "A", 2, 1, "AF") == "."
    assert pick("x,y", "1", 2, 1, "K") == "x,y"
    for value, number in (("1,2,3", "A"), ("1,2", "R"), ("1,2,3,4", "G")):
        with pytest.raises(SplitError, match="value"):
            pick(value, number, 2, 1, "K")
    record = ["c1", "5", ".", "A", "C"]
    assert split_record(record, 1, FieldNumbers({}, {}), source=None)[0].cols == tuple(record)  # type: ignore[arg-type]


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-280", "SRS-281")
def test_giab_semireal_truth_split_as_bcftools_does(tmp_path: Path) -> None:
    """On GIAB HG001's 994 phased chr20 records (14 multi-allelic, 2|1 calls in repeats) it
    writes the same 1,008 records as bcftools norm -m-any -f on the same reference."""
    vcf, fasta = data_file(SEMIREAL), data_file(HG19)
    source = FastaSource(fasta, data_file(HG19 + ".fai"), data_file(HG19 + ".gzi"))
    with gzip.open(vcf, "rt", encoding="utf-8") as handle:
        mine = ours(handle.read(), source)
    theirs = bcftools_split(vcf, fasta)
    assert len(mine) == len(theirs) == 1008
    assert mine == theirs


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-280", "SRS-281", "SRS-207")
def test_stage_splits_the_chr22_giab_records(tmp_path: Path) -> None:
    """The stage writes the chr22 slice's GIAB records (three multi-allelic: G>*,C and two
    deletions in repeats) split as bcftools does, each annotated and counted."""
    fasta = data_file(SLICE + "reference/genome.fasta")
    vcf = slice_giab_vcf(tmp_path / "giab.vcf")
    gtf = corrected_slice_gtf(data_file(SLICE + "annotation/genome.gtf"),
                              data_file(SLICE + "annotation/genome.gff3"), tmp_path / "slice.gtf")
    inputs = AnnotateInputs(vcf=vcf, reference=fasta,
                            reference_index=data_file(SLICE + "reference/genome.fasta.fai"),
                            gene_model=gtf)
    outputs = AnnotateStage().run(inputs, AnnotateParams(), StageContext(outdir=tmp_path / "out"))
    with gzip.open(outputs.vcf, "rt", encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    written = [line.split("\t") for line in lines if not line.startswith("#")]
    assert [comparable(cols)[:7] + comparable(cols)[8:] for cols in written] == [
        r[:7] + r[8:] for r in bcftools_split(vcf, fasta)]  # INFO differs by CSQ only
    _, records = read_annotated(outputs.vcf)
    split = {(r.pos, r.ref, r.alt): r for r in records if SPLIT_FROM_KEY in r.info}
    assert sorted(split) == [(14660, "G", "*"), (14660, "G", "C"), (26000, "AAAAT", "A"),
                             (26000, "AAAATAAAT", "A"), (29198, "AAT", "A"), (29198, "AATAT", "A")]
    assert split[(26000, "AAAAT", "A")].info[SPLIT_FROM_KEY] == "chr22:26000:AAAATAAAT/AAAAT/A"
    assert not split[(14660, "G", "*")].csq and split[(14660, "G", "C")].csq  # '*' not annotated
    genotypes = {key: next(c for c in written if (int(c[1]), c[3], c[4]) == key)[9].split(":")[0]
                 for key in split}
    assert sorted(genotypes.values()) == ["0/1", "0/1", "0/1", "1/0", "1/0", "1/0"]
    summary = json.loads(outputs.summary.read_text())
    assert summary["records"] == 81 and summary["multiallelic_records_split"] == 3
    assert summary["records_written"] == 84 and summary["split_records"] == 6
    assert summary["split_records_normalised"] == 2  # AAAATAAAT>AAAAT and AATAT>AAT trimmed


@pytest.mark.verifies("SRS-280", "SRS-210")
@pytest.mark.parametrize(("record", "message"), [
    ("c1\t5\t.\tA\tC,G\t.\tPASS\tAC=1\tGT\t0/1\t0/1\t0/1\t0/1", "AC (Number=A) has 1 value"),
    ("c1\t5\t.\tA\tC,G\t.\tPASS\t.\tGT\t0/3\t0/1\t0/1\t0/1", "names allele '3'"),
    ("c1\t5\t.\tA\tC\t.\tPASS\t.\tGT\t0/1\t0/1\t0/1\t0/1\nc1\t4\t.\tT\tC\t.\tPASS\t.\tGT\t"
     "0/1\t0/1\t0/1\t0/1", "not sorted"),
])
def test_unsplittable_or_unsorted_records_refused(handmade: tuple[Path, FastaSource],
                                                  tmp_path: Path, record: str,
                                                  message: str) -> None:
    """It stops (exit 3) naming the VCF and line for a Number=A count that does not fit, a GT
    allele past the ALTs, and an unsorted VCF; nothing is written."""
    fasta = handmade[0].parent / "ref.fa"
    vcf = tmp_path / "bad.vcf"
    vcf.write_text(HEADER + record + "\n")
    gtf = tmp_path / "genes.gtf"
    gtf.write_text('c1\ttest\tgene\t30\t60\t.\t+\t.\tgene_id "G1"; gene_name "G1"; '
                   'gene_biotype "lncRNA";\n'
                   'c1\ttest\ttranscript\t30\t60\t.\t+\t.\tgene_id "G1"; transcript_id "T1"; '
                   'gene_name "G1"; transcript_biotype "lncRNA";\n'
                   'c1\ttest\texon\t30\t60\t.\t+\t.\tgene_id "G1"; transcript_id "T1"; '
                   'exon_number "1";\n')
    inputs = AnnotateInputs(vcf=vcf, reference=fasta, reference_index=Path(f"{fasta}.fai"),
                            gene_model=gtf)
    with pytest.raises(InputError) as error:
        AnnotateStage().run(inputs, AnnotateParams(), StageContext(outdir=tmp_path / "out"))
    assert message in str(error.value) and error.value.exit_code == 3
    assert str(error.value.path) == str(vcf) and error.value.line == HEADER.count("\n") + (
        2 if "not sorted" in message else 1)
    assert not (tmp_path / "out" / "annotated.vcf.gz").exists()

