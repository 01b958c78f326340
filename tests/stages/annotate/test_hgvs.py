"""HGVS c./n. and p. on the toy transcripts (tests/stages/annotate/toy.py), both strands.

The toy CDS is ATG GCT GAA AAA CCG | TGG CAG TAA (M A E K P W Q *), c.1 = 111, exon 1 ends at
c.15 (125), the 20-base intron is 126-145, exon 2 starts at c.16 (146), the 3' UTR GCATGCAT is
c.*1-c.*8; the 5' UTR is c.-10..c.-1.  Expected descriptions are derived by hand below.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bp2.stages.annotate.alleles import Allele
from bp2.stages.annotate.consequences import effect
from bp2.stages.annotate.hgvs import hgvs_c, hgvs_p
from tests.stages.annotate.toy import Toy, ToyGenome, toy

Make = Callable[[Toy], Allele]

CASES: list[tuple[str, Make, str, str]] = [
    # substitutions
    ("missense", lambda t: t.snv(115, "C", "A"), "c.5C>A", "p.Ala2Asp"),
    ("synonymous", lambda t: t.snv(116, "T", "C"), "c.6T>C", "p.Ala2="),
    ("nonsense", lambda t: t.snv(117, "G", "T"), "c.7G>T", "p.Glu3Ter"),
    ("start lost", lambda t: t.snv(111, "A", "G"), "c.1A>G", "p.Met1?"),
    # TAA>CAA: Gln, then GCA TGC AT (Ala Cys) and the transcript ends: no new stop
    ("stop lost", lambda t: t.snv(152, "T", "C"), "c.22T>C", "p.Ter8GlnextTer?"),
    ("stop retained", lambda t: t.snv(153, "A", "G"), "c.23A>G", "p.Ter8="),
    # UTR and intron numbering; 134 is 9 from the donor and 12 from the acceptor
    ("5' UTR", lambda t: t.snv(105, "T", "G"), "c.-6T>G", ""),
    ("3' UTR", lambda t: t.snv(157, "A", "C"), "c.*3A>C", ""),
    ("donor", lambda t: t.snv(126, "G", "A"), "c.15+1G>A", ""),
    ("nearer donor", lambda t: t.snv(134, "T", "C"), "c.15+9T>C", ""),
    ("acceptor", lambda t: t.snv(145, "G", "A"), "c.16-1G>A", ""),
    ("nearer acceptor", lambda t: t.snv(141, "T", "C"), "c.16-5T>C", ""),
    # one A deleted from the run c.8-c.12 (AAAAA): 3' rule gives c.12; the frame then reads
    # ATG GCT GAA AAC CGT GGC AGT AAG CAT GCA T: M A E N R G S K H A, no stop
    ("deletion in a run", lambda t: t.deletion(122, 122), "c.12del", "p.Lys4AsnfsTer?"),
    # one A more: ATG GCT GAA AAA ACC GTG GCA GTA AGC ATG CAT: M A E K T V A V S M H
    ("duplication in a run", lambda t: t.insertion(122, "A"), "c.12dup", "p.Pro5ThrfsTer?"),
    # GCT (c.4-6) deleted: c.7 is G like c.4, so the 3' rule moves it to c.5_7 (CTG)
    ("in-frame deletion shifted", lambda t: t.deletion(114, 116), "c.5_7del", "p.Ala2del"),
    # GGG after c.3; c.4 is G, so it moves to after c.4 (c.2-4 = TGG is not GGG: insertion)
    ("in-frame insertion", lambda t: t.insertion(113, "GGG"), "c.4_5insGGG",
     "p.Met1_Ala2insGly"),
    # GCT again after c.6: c.7 is G, so the 3' rule moves it one base on (CTG after c.7),
    # a copy of c.5-7; on the protein an extra Ala after Ala2
    ("in-frame duplication", lambda t: t.insertion(116, "GCT"), "c.5_7dup", "p.Ala2dup"),
    # A inserted at the donor junction joins exon 1: ...CCG A TGG CAG TAA GCA TGC AT:
    # P M A V S M H: Trp6 becomes Met, no stop
    ("junction insertion", lambda t: t.insertion(125, "A"), "c.15_15+1insA",
     "p.Trp6MetfsTer?"),
    ("across the junction", lambda t: t.deletion(125, 127), "c.15_15+2del", ""),
]


@pytest.mark.verifies("SRS-203", "SRS-204")
@pytest.mark.parametrize("strand", ["+", "-"])
@pytest.mark.parametrize(("name", "make", "coding", "protein"), CASES,
                         ids=[c[0] for c in CASES])
def test_hgvs(strand: str, name: str, make: Make, coding: str, protein: str) -> None:
    """It writes HGVSc (3'-shifted on the transcript strand) and HGVSp as derived by hand."""
    t = toy(strand)
    allele = make(t)
    found = effect(t.coding, allele)
    assert found is not None
    tid = t.coding.model.transcript_id
    assert hgvs_c(t.coding, allele, ToyGenome()) == f"{tid}:{coding}", name
    got = "" if found.coding is None else hgvs_p(t.coding, found.coding, found.terms) or ""
    assert got == (f"P{tid}:{protein}" if protein else ""), name


@pytest.mark.verifies("SRS-203")
def test_non_coding_numbering() -> None:
    """It numbers a non-coding transcript with n. from its first base (210 is n.11)."""
    t = toy("-")
    allele = t.snv(210, "A", "G")
    assert hgvs_c(t.noncoding, allele, ToyGenome()) == f"{t.noncoding.model.transcript_id}:n.11A>G"
