"""A hand-built toy genome: one coding and one non-coding transcript, on each strand.

Contig ``plus`` (300 bases) holds transcript ``TXP`` on the + strand::

    101-110  5' UTR   CCGCTCACAC                  c.-10 .. c.-1
    111-125  CDS      ATG GCT GAA AAA CCG         c.1 .. c.15      M A E K P
    126-145  intron   GTAAGTCCTTTTCTTTCCAG        c.15+1 .. c.15+10, c.16-10 .. c.16-1
    146-154  CDS      TGG CAG TAA                 c.16 .. c.24     W Q *
    155-162  3' UTR   GCATGCAT                    c.*1 .. c.*8

and a one-exon non-coding transcript ``NCP`` at 200-250.  Contig ``minus`` is the reverse
complement of ``plus`` (position p there is 301 - p here), so ``TXM`` and ``NCM`` are the same
transcripts on the - strand: every transcript-level answer (terms, HGVS) must be identical.
The intron is short (20 bases), so the acceptor's polypyrimidine tract (bases -3..-17) reaches
donor bases +4..+18.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from bp2.genemodel import Gene, Transcript
from bp2.stages.annotate.alleles import Allele
from bp2.stages.annotate.codons import revcomp
from bp2.stages.annotate.transcripts import TranscriptModel, TranscriptSequence, build_sequence
from bp2.stages.annotate.transcripts import _model as model_of

LENGTH = 300
LEFT = ("TGACCTAGGATCCAAGTGCTAACGTTCAGGTACCAGTCAGCATGTCAGTG"
        "ATCGGATCCTGAGTCAGGCATCGAACTGGTCACATGCTAGCATGCACTGC")  # 1-100
UTR5 = "CCGCTCACAC"
EXON1_CDS = "ATGGCTGAAAAACCG"
INTRON = "GTAAGTCCTTTTCTTTCCAG"
EXON2_CDS = "TGGCAGTAA"
UTR3 = "GCATGCAT"
MIDDLE = "TCAGTCAGGACTTGACCATGGTACTAGCATCGATGCA"  # 163-199
NONCODING = "GGACTTCAGAGTCCATGACTGACGTACCTAGCTAGGATCATCGACTGAGTC"  # 200-250
RIGHT = "ATCGTACGATCAGTCAGTCCATGGACTGACTAGCATCGTAGCTAGCTACG"  # 251-300
PLUS = LEFT + UTR5 + EXON1_CDS + INTRON + EXON2_CDS + UTR3 + MIDDLE + NONCODING + RIGHT
MINUS = revcomp(PLUS)
assert len(PLUS) == LENGTH


class ToyGenome:
    """A SequenceSource over the two toy contigs."""

    contigs: ClassVar[dict[str, str]] = {"plus": PLUS, "minus": MINUS}

    def fetch(self, contig: str, start: int, end: int) -> str:
        start = max(start, 1)
        return self.contigs[contig][start - 1:end] if end >= start else ""


def mirror(pos: int) -> int:
    return LENGTH + 1 - pos


def _gene(contig: str, strand: str, exons: list[tuple[int, int]], coding: list[tuple[int, int]],
          tid: str, biotype: str) -> Gene:
    half_open = tuple(sorted((s - 1, e) for s, e in exons))
    transcript = Transcript(tid, f"G{tid}", biotype, frozenset({"Ensembl_canonical"}), half_open,
                            tuple(sorted((s - 1, e) for s, e in coding)), protein_id=f"P{tid}")
    return Gene(f"G{tid}", f"S{tid}", contig, strand, min(s for s, _ in half_open),
                max(e for _, e in half_open), biotype, (transcript,))


def _span(contig: str, start: int, end: int) -> tuple[int, int]:
    return (start, end) if contig == "plus" else (mirror(end), mirror(start))


@dataclass(frozen=True)
class Toy:
    coding: TranscriptSequence
    noncoding: TranscriptSequence
    strand: str

    @property
    def contig(self) -> str:
        return "plus" if self.strand == "+" else "minus"

    def pos(self, plus_pos: int) -> int:
        """Genome position on this toy's contig of a position given on ``plus``."""
        return plus_pos if self.strand == "+" else mirror(plus_pos)

    def snv(self, plus_pos: int, ref: str, alt: str) -> Allele:
        """An SNV given as on ``plus`` (transcript-strand bases)."""
        if self.strand == "+":
            return Allele("plus", plus_pos, plus_pos, ref, alt)
        return Allele("minus", mirror(plus_pos), mirror(plus_pos), revcomp(ref), revcomp(alt))

    def deletion(self, plus_start: int, plus_end: int) -> Allele:
        start, end = _span(self.contig, plus_start, plus_end)
        return Allele(self.contig, start, end, ToyGenome().fetch(self.contig, start, end), "")

    def insertion(self, plus_after: int, inserted: str) -> Allele:
        """``inserted`` (transcript strand) after ``plus_after`` (as on ``plus``)."""
        if self.strand == "+":
            return Allele("plus", plus_after + 1, plus_after, "", inserted)
        start = mirror(plus_after)  # the insertion lies between start - 1 and start
        return Allele("minus", start, start - 1, "", revcomp(inserted))


def toy(strand: str) -> Toy:
    contig = "plus" if strand == "+" else "minus"
    genes = [
        _gene(contig, strand, [_span(contig, 101, 125), _span(contig, 146, 162)],
              [_span(contig, 111, 125), _span(contig, 146, 154)], f"TX{contig[0].upper()}",
              "protein_coding"),
        _gene(contig, strand, [_span(contig, 200, 250)], [], f"NC{contig[0].upper()}", "lncRNA"),
    ]
    models: list[TranscriptModel] = [model_of(g, g.transcripts[0], True) for g in genes]
    source = ToyGenome()
    return Toy(build_sequence(models[0], source), build_sequence(models[1], source), strand)
