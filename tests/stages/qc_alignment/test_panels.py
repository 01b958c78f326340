"""Panel gene planning and per-gene coverage from exon depths (pure)."""

from __future__ import annotations

import pytest

from bp2.genemodel import parse_gtf
from bp2.panelapp import Panel, PanelGene
from bp2.stages.qc_alignment.coverage import ExonDepth
from bp2.stages.qc_alignment.panels import gene_coverage, plan_genes

GTF = """\
chr1\tt\tgene\t101\t400\t.\t-\t.\tgene_id "G1"; gene_name "MINUS"; gene_biotype "protein_coding";
chr1\tt\texon\t101\t150\t.\t-\t.\tgene_id "G1"; transcript_id "T1"; tag "Ensembl_canonical";
chr1\tt\tCDS\t121\t150\t.\t-\t0\tgene_id "G1"; transcript_id "T1"; tag "Ensembl_canonical";
chr1\tt\tstop_codon\t118\t120\t.\t-\t0\tgene_id "G1"; transcript_id "T1";
chr1\tt\texon\t301\t400\t.\t-\t.\tgene_id "G1"; transcript_id "T1";
chr1\tt\tCDS\t301\t340\t.\t-\t0\tgene_id "G1"; transcript_id "T1";
chr1\tt\tgene\t501\t600\t.\t+\t.\tgene_id "G2"; gene_name "NONCODING"; gene_biotype "lncRNA";
chr1\tt\texon\t501\t600\t.\t+\t.\tgene_id "G2"; transcript_id "T2";
chr9\tt\tgene\t1\t90\t.\t+\t.\tgene_id "ENSG00000000009.4"; gene_name "OLDNAME";
chr9\tt\tCDS\t1\t90\t.\t+\t0\tgene_id "ENSG00000000009.4"; transcript_id "T9";
"""


def gene(symbol: str, level: str = "3", ids: tuple[str, ...] = ()) -> PanelGene:
    return PanelGene(symbol, level, "BIALLELIC, autosomal or pseudoautosomal", None, None, ids)


PANELS = (
    Panel("1", "First", "1.0", (gene("MINUS"), gene("NONCODING"), gene("AMBERGENE", "2")), 0),
    Panel("2", "Second", "2.1", (gene("MINUS"), gene("ABSENT"),
                                 gene("NEWNAME", ids=("ENSG00000000009",))), 0),
)


@pytest.mark.verifies("SRS-164")
def test_plan_statuses_and_exon_numbers() -> None:
    """It plans green genes only, finds genes by symbol or Ensembl ID, and numbers exons 5'→3'."""
    model = parse_gtf(GTF.splitlines(), "genes.gtf")
    plans, targets = plan_genes(PANELS, model, {"chr1": 1000})
    by_symbol = {p.symbol: p for p in plans}
    assert sorted(by_symbol) == ["ABSENT", "MINUS", "NEWNAME", "NONCODING"]
    assert by_symbol["MINUS"].panels == ("First (1 v1.0)", "Second (2 v2.1)")
    assert by_symbol["ABSENT"].status == "not_in_gene_model"
    assert by_symbol["NONCODING"].status == "no_coding_sequence"
    assert by_symbol["NEWNAME"].status == "contig_not_in_reference"
    minus = by_symbol["MINUS"]
    assert minus.status == "assessed" and minus.transcript_id == "T1"
    # minus strand: exon 301-400 is exon 1, exon 101-150 (CDS 121-150 + stop 118-120) exon 2
    assert [(e.number, e.start, e.end) for _, e in minus.exons] == [(2, 117, 150), (1, 300, 340)]
    assert [(t.start, t.end) for t in targets] == [(117, 150), (300, 340)]


@pytest.mark.verifies("SRS-164")
def test_gene_coverage_and_gaps() -> None:
    """It sums exon depths per gene and lists exons below the exon threshold with their figures."""
    model = parse_gtf(GTF.splitlines(), "genes.gtf")
    plans, _ = plan_genes(PANELS, model, {"chr1": 1000})
    depths = {0: ExonDepth(33, 33 * 25, 18, {15: 33, 20: 20}),
              1: ExonDepth(40, 40 * 10, 3, {15: 30, 20: 10})}
    rows = {r.symbol: r for r in gene_coverage(plans, depths, (15, 20), 15, 1.0)}
    minus = rows["MINUS"]
    assert minus.coding_bases == 73 and minus.mean_depth == pytest.approx((825 + 400) / 73)
    assert minus.fractions == ((15, 63 / 73), (20, 30 / 73))
    assert [(g.number, g.start, g.end, g.fraction, g.min_depth) for g in minus.gaps] == [
        (1, 300, 340, 0.75, 3)]
    assert rows["ABSENT"].fractions == ((15, None), (20, None)) and not rows["ABSENT"].gaps
    lenient = {r.symbol: r for r in gene_coverage(plans, depths, (15, 20), 15, 0.7)}
    assert not lenient["MINUS"].gaps
