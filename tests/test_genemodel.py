"""GTF gene models: genes, transcripts, coding exons and the canonical transcript."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from bp2.errors import InputError
from bp2.genemodel import canonical_transcript, coding_exons, parse_gtf, read_gtf, unversioned
from tests.testdata import data_file


@pytest.mark.verifies("SRS-171")
def test_gencode_app_canonical_is_the_770_residue_isoform() -> None:
    """It picks APP's MANE Select transcript (APP-770: 18 exons, 770 codons + stop) in GENCODE."""
    model = read_gtf(data_file("annotation/grch38_chr21_gencode.gtf"), genes={"APP"})
    (gene,) = model.genes
    assert (gene.symbol, unversioned(gene.gene_id), gene.strand) == (
        "APP", "ENSG00000142192", "-")
    transcript = canonical_transcript(gene)
    assert transcript is not None and transcript.transcript_id == "ENST00000346798.8"
    assert transcript.coding_length == 770 * 3 + 3
    exons = coding_exons(gene, transcript)
    assert len(exons) == 18 and exons[-1].number == 1  # minus strand: exon 1 is rightmost


@pytest.mark.verifies("SRS-171")
def test_ensembl_gtf_coding_region_includes_the_stop_codon() -> None:
    """It joins CCT8L2's CDS row and its stop_codon row into one 1,674 bp coding region."""
    model = read_gtf(data_file("grch38_chr22_slice_nfcore/annotation/genome.gtf"))
    assert len(model.genes) == 7
    gene = model.by_symbol("CCT8L2")[0]
    assert (gene.gene_id, gene.strand, gene.biotype) == ("ENSG00000198445", "-", "protein_coding")
    transcript = canonical_transcript(gene)
    assert transcript is not None and transcript.transcript_id == "ENST00000359963"
    # CDS 18,854-20,524 and stop_codon 18,851-18,853 (1-based): 557 codons and the stop
    assert transcript.coding == ((18850, 20524),) and transcript.coding_length == 557 * 3 + 3
    assert [(e.number, e.start, e.end) for e in coding_exons(gene, transcript)] == [
        (1, 18850, 20524)]
    pseudo = model.by_symbol("AP000547.1")[0]
    pseudo_transcript = canonical_transcript(pseudo)
    assert pseudo_transcript is not None and not coding_exons(pseudo, pseudo_transcript)


GTF = """\
#!comment
c1\tt\tgene\t1\t1000\t.\t+\t.\tgene_id "G"; gene_name "GENE";
c1\tt\ttranscript\t1\t1000\t.\t+\t.\tgene_id "G"; transcript_id "B"; tag "basic";
c1\tt\texon\t1\t100\t.\t+\t.\tgene_id "G"; transcript_id "B";
c1\tt\tCDS\t50\t100\t.\t+\t0\tgene_id "G"; transcript_id "B";
c1\tt\texon\t201\t300\t.\t+\t.\tgene_id "G"; transcript_id "B";
c1\tt\tCDS\t201\t260\t.\t+\t0\tgene_id "G"; transcript_id "B";
c1\tt\tstop_codon\t261\t263\t.\t+\t0\tgene_id "G"; transcript_id "B";
c1\tt\texon\t1\t100\t.\t+\t.\tgene_id "G"; transcript_id "A";
c1\tt\tCDS\t50\t100\t.\t+\t0\tgene_id "G"; transcript_id "A";
"""


@pytest.mark.verifies("SRS-171")
def test_longest_cds_without_tags_and_tag_preference() -> None:
    """It falls back to the longest coding region, and prefers the Ensembl_canonical tag."""
    gene = parse_gtf(GTF.splitlines(), "g.gtf").genes[0]
    transcript = canonical_transcript(gene)
    assert transcript is not None and transcript.transcript_id == "B"
    assert transcript.coding == ((49, 100), (200, 263)) and transcript.coding_length == 114
    assert [(e.number, e.start, e.end) for e in coding_exons(gene, transcript)] == [
        (1, 49, 100), (2, 200, 263)]
    tagged = GTF.replace('transcript_id "A";', 'transcript_id "A"; tag "Ensembl_canonical";')
    chosen = canonical_transcript(parse_gtf(tagged.splitlines(), "g.gtf").genes[0])
    assert chosen is not None and chosen.transcript_id == "A"


@pytest.mark.verifies("SRS-171")
def test_gene_filter_and_gzip(tmp_path: Path) -> None:
    """It keeps only the wanted genes by name or unversioned ID, and reads gzip files."""
    text = GTF + 'c1\tt\tgene\t5\t9\t.\t+\t.\tgene_id "ENSG0000000001.3"; gene_name "OTHER";\n'
    path = tmp_path / "g.gtf.gz"
    with gzip.open(path, "wt") as handle:
        handle.write(text)
    assert [g.symbol for g in read_gtf(path, genes={"ENSG0000000001"}).genes] == ["OTHER"]
    assert [g.symbol for g in read_gtf(path, genes={"GENE"}).genes] == ["GENE"]
    assert len(read_gtf(path).genes) == 2


@pytest.mark.verifies("SRS-171")
@pytest.mark.parametrize(("line", "message"), [
    ("c1\tt\texon\t1\t100\t.\t+\t.", "9 are needed"),
    ("c1\tt\texon\t1\tx\t.\t+\t.\tgene_id \"G\";", "not an integer"),
    ("c1\tt\texon\t10\t5\t.\t+\t.\tgene_id \"G\";", "is invalid"),
    ("c1\tt\texon\t1\t5\t.\t*\t.\tgene_id \"G\";", "strand"),
    ("c1\tt\texon\t1\t5\t.\t+\t.\ttranscript_id \"T\";", "no gene_id"),
    ("c1\tt\texon\t1\t5\t.\t+\t.\tgene_id \"G\";", "no transcript_id"),
    ("c1\tt\texon\t1\t5\t.\t+\t.\tgene_id \"G; x", "malformed"),
])
def test_refuses_malformed_lines(line: str, message: str) -> None:
    """It refuses a malformed GTF line with exit code 3, naming the file and the line."""
    with pytest.raises(InputError) as caught:
        parse_gtf(["#header", line], "bad.gtf")
    assert message in caught.value.title and caught.value.line == 2
    assert caught.value.exit_code == 3 and caught.value.path == "bad.gtf"
