"""Consequence terms on the hand-built toy transcripts (tests/stages/annotate/toy.py).

Every expectation is written from the toy's sequence by hand (codons and positions in the
comments); each case runs on the + strand transcript and on its reverse-complement copy on the
- strand, which must give identical transcript-level answers.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bp2.annotation import SO_TERMS, Impact, term_impact
from bp2.stages.annotate.alleles import Allele
from bp2.stages.annotate.annotator import csq_entries
from bp2.stages.annotate.codons import GeneticCode, translate
from bp2.stages.annotate.consequences import SpliceDefinition, effect
from tests.stages.annotate.toy import Toy, ToyGenome, toy

Make = Callable[[Toy], Allele]

# (description, allele, terms, EXON, INTRON, Amino_acids, Codons)
CODING_CASES: list[tuple[str, Make, str, str, str, str, str]] = [
    ("c.5C>A GCT>GAT", lambda t: t.snv(115, "C", "A"), "missense_variant", "1/2", "", "A/D",
     "gCt/gAt"),
    ("c.6T>C GCT>GCC", lambda t: t.snv(116, "T", "C"), "synonymous_variant", "1/2", "", "A",
     "gcT/gcC"),
    ("c.7G>T GAA>TAA", lambda t: t.snv(117, "G", "T"), "stop_gained", "1/2", "", "E/*",
     "Gaa/Taa"),
    ("c.1A>G ATG>GTG", lambda t: t.snv(111, "A", "G"), "start_lost", "1/2", "", "M/V",
     "Atg/Gtg"),
    ("c.22T>C TAA>CAA", lambda t: t.snv(152, "T", "C"), "stop_lost", "2/2", "", "*/Q",
     "Taa/Caa"),
    ("c.23A>G TAA>TGA", lambda t: t.snv(153, "A", "G"), "stop_retained_variant", "2/2", "", "*",
     "tAa/tGa"),
    ("c.13C>A CCG>ACG, last 3 exon bases", lambda t: t.snv(123, "C", "A"),
     "missense_variant&splice_region_variant", "1/2", "", "P/T", "Ccg/Acg"),
    ("c.12del in AAAAA", lambda t: t.deletion(122, 122), "frameshift_variant", "1/2", "", "K/X",
     "aaA/aa"),
    ("c.4_6del GCT", lambda t: t.deletion(114, 116), "inframe_deletion", "1/2", "", "A/-",
     "GCT/-"),
    ("GGG after c.3 (between codons)", lambda t: t.insertion(113, "GGG"), "inframe_insertion",
     "1/2", "", "-/G", "-/GGG"),
    ("A between c.15 and c.15+1 (junction)", lambda t: t.insertion(125, "A"),
     "frameshift_variant&splice_region_variant", "1/2", "1/1", "-/X", "-/A"),
    ("c.15_15+2del (exon-intron)", lambda t: t.deletion(125, 127),
     "splice_donor_variant&coding_sequence_variant", "1/2", "1/1", "", ""),
    ("c.-6T>G", lambda t: t.snv(105, "T", "G"), "5_prime_UTR_variant", "1/2", "", "", ""),
    ("c.*3A>C", lambda t: t.snv(157, "A", "C"), "3_prime_UTR_variant", "2/2", "", "", ""),
]

# intron 126-145 "GTAAGTCCTTTTCTTTCCAG": donor +1 = 126, acceptor -1 = 145; its 20 bases make
# the polypyrimidine tract (acceptor -3..-17 = 143..129) reach donor bases +4..+18.
SPLICE_CASES: list[tuple[str, Make, str]] = [
    ("c.15+1G>A", lambda t: t.snv(126, "G", "A"), "splice_donor_variant"),
    ("c.15+3A>G", lambda t: t.snv(128, "A", "G"),
     "splice_donor_region_variant&intron_variant"),
    ("c.15+5G>A", lambda t: t.snv(130, "G", "A"),
     "splice_donor_5th_base_variant&splice_polypyrimidine_tract_variant&intron_variant"),
    ("c.15+8C>T", lambda t: t.snv(133, "C", "T"),
     "splice_region_variant&splice_polypyrimidine_tract_variant&intron_variant"),
    ("c.15+9T>C", lambda t: t.snv(134, "T", "C"),
     "splice_polypyrimidine_tract_variant&intron_variant"),
    ("c.16-5T>C", lambda t: t.snv(141, "T", "C"),
     "splice_region_variant&splice_polypyrimidine_tract_variant&intron_variant"),
    ("c.16-2A>G", lambda t: t.snv(144, "A", "G"), "splice_acceptor_variant"),
    ("c.16-1G>A", lambda t: t.snv(145, "G", "A"), "splice_acceptor_variant"),
]


@pytest.mark.verifies("SRS-200", "SRS-202")
@pytest.mark.parametrize("strand", ["+", "-"])
@pytest.mark.parametrize(("name", "make", "terms", "exon", "intron", "amino", "codons"),
                         CODING_CASES, ids=[c[0] for c in CODING_CASES])
def test_coding_consequences(strand: str, name: str, make: Make, terms: str, exon: str,
                             intron: str, amino: str, codons: str) -> None:
    """It reads exonic alleles as codon changes on the transcript's strand (hand-made cases)."""
    t = toy(strand)
    found = effect(t.coding, make(t))
    assert found is not None
    assert ("&".join(found.terms), found.exon, found.intron, found.amino_acids,
            found.codons) == (terms, exon, intron, amino, codons), name


@pytest.mark.verifies("SRS-201")
@pytest.mark.parametrize("strand", ["+", "-"])
@pytest.mark.parametrize(("name", "make", "terms"), SPLICE_CASES,
                         ids=[c[0] for c in SPLICE_CASES])
def test_splice_consequences(strand: str, name: str, make: Make, terms: str) -> None:
    """It names splice sites, donor +5, donor region, polypyrimidine tract and splice region."""
    t = toy(strand)
    found = effect(t.coding, make(t))
    assert found is not None
    assert "&".join(found.terms) == terms, name
    assert found.intron == "1/1"


@pytest.mark.verifies("SRS-201", "SRS-212")
def test_splice_region_parameters() -> None:
    """It widens the splice region when asked (intron bases 3-10 reach c.15+9)."""
    t = toy("+")
    wide = effect(t.coding, t.snv(134, "T", "C"), splice=SpliceDefinition(3, 3, 10))
    assert wide is not None and "splice_region_variant" in wide.terms
    narrow = effect(t.coding, t.snv(134, "T", "C"))
    assert narrow is not None and "splice_region_variant" not in narrow.terms


@pytest.mark.verifies("SRS-200", "SRS-212")
@pytest.mark.parametrize("strand", ["+", "-"])
def test_flanks_and_distance(strand: str) -> None:
    """It calls upstream/downstream by transcript strand with VEP's DISTANCE, within the flank."""
    t = toy(strand)
    upstream = effect(t.coding, t.snv(51, "G", "A"), distance=100)  # 50 before c.-10 (101)
    downstream = effect(t.coding, t.snv(172, "C", "T"), distance=100)  # 10 after c.*8 (162)
    assert upstream is not None and upstream.terms == ("upstream_gene_variant",)
    assert upstream.distance == 50
    assert downstream is not None and downstream.terms == ("downstream_gene_variant",)
    assert downstream.distance == 10
    assert effect(t.coding, t.snv(51, "G", "A"), distance=49) is None


@pytest.mark.verifies("SRS-200")
def test_non_coding_intergenic_and_ablation() -> None:
    """It reports non-coding exons, one intergenic entry beyond the flank, and ablation."""
    t = toy("+")
    found = effect(t.noncoding, t.snv(210, "A", "G"))
    assert found is not None and found.terms == ("non_coding_transcript_exon_variant",)
    source = ToyGenome()
    entries = csq_entries(t.snv(280, "G", "A"), "G", "A", [t.coding, t.noncoding], source,
                          flank=10, splice=SpliceDefinition())
    assert [e.terms for e in entries] == [("intergenic_variant",)]
    assert entries[0].transcript is None and entries[0].impact == "MODIFIER"
    ablation = Allele("plus", 95, 170, ToyGenome().fetch("plus", 95, 170), "")
    whole = effect(t.coding, ablation)
    assert whole is not None and whole.terms == ("transcript_ablation",)


@pytest.mark.verifies("SRS-200")
def test_terms_come_with_impact_and_severity_order() -> None:
    """It orders terms by Ensembl's severity and gives the IMPACT of the most severe term."""
    t = toy("+")
    entries = csq_entries(t.snv(123, "C", "A"), "C", "A", [t.coding], ToyGenome(), flank=5000,
                          splice=SpliceDefinition())
    assert entries[0].terms == ("missense_variant", "splice_region_variant")
    assert entries[0].impact == Impact.MODERATE == term_impact("missense_variant")
    order = list(SO_TERMS)
    assert order.index("missense_variant") < order.index("splice_region_variant")


@pytest.mark.verifies("SRS-202")
def test_mitochondrial_code() -> None:
    """It translates with the vertebrate mitochondrial code on chrM (AGA stop, TGA Trp)."""
    assert translate("AGATGAATA", GeneticCode.VERTEBRATE_MITOCHONDRIAL) == "*WM"
    assert translate("AGATGAATA", GeneticCode.STANDARD) == "R*I"
