"""Transcripts as the annotator sees them: exons in transcript order, the coding region, the
spliced sequence, and the mapping from genome positions to cDNA, CDS and HGVS coordinates.

**Coordinates.**  Everything in this package is **1-based and inclusive** (VCF, GTF, HGVS);
:mod:`bp2.genemodel`'s 0-based half-open intervals are converted once, in
:func:`transcript_models`.  Exons are kept in *transcript order* (5' → 3'), so exon ``i`` of a
minus-strand transcript is the one with the highest genome coordinates.

**Coding sequence.**  The coding region of a transcript is the span of its ``CDS`` and
``stop_codon`` rows (the stop codon is included whichever convention the file follows).  For a
transcript whose coding sequence starts mid-codon (GTF phase 1 or 2 on the 5'-most CDS row, a
``cds_start_NF`` transcript), ``pad = (3 - phase) % 3`` unknown bases (``N``) are put in front of
the CDS, as Ensembl's translateable sequence does, so codon arithmetic stays in frame and CDS
positions count the padding.

Pure: the reference is reached only through :class:`SequenceSource`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

from bp2.genemodel import Gene, GeneModel, Transcript, canonical_transcript
from bp2.stages.annotate.codons import GeneticCode, code_for_contig, revcomp

IMPLEMENTS = ("SRS-202", "SRS-203")

Span = tuple[int, int]  # 1-based, inclusive

CDS_START_NF = "cds_start_NF"
CDS_END_NF = "cds_end_NF"
NMD_BIOTYPE = "nonsense_mediated_decay"


class SequenceSource(Protocol):
    """Reference bases: ``fetch(contig, start, end)`` returns positions ``start..end`` (1-based,
    inclusive) in upper case, shorter only where the contig ends."""

    def fetch(self, contig: str, start: int, end: int) -> str: ...


@dataclass(frozen=True)
class TranscriptModel:
    """One transcript of the gene model, in the annotator's coordinates."""

    transcript_id: str
    version: str | None
    gene_id: str
    symbol: str
    hgnc_id: str | None
    biotype: str
    contig: str
    strand: int  # +1 or -1
    exons: tuple[Span, ...]  # transcript order (5' → 3')
    coding: Span | None  # genome span of the coding bases (stop codon included)
    canonical: bool
    protein_id: str | None
    tags: frozenset[str]
    start_phase: int
    code: GeneticCode

    @property
    def start(self) -> int:
        return min(s for s, _ in self.exons)

    @property
    def end(self) -> int:
        return max(e for _, e in self.exons)

    @property
    def feature(self) -> str:
        """The transcript ID as HGVS prefixes want it, with its version when the file gives one
        separately (Ensembl GTF's ``transcript_version``)."""
        if self.version and "." not in self.transcript_id:
            return f"{self.transcript_id}.{self.version}"
        return self.transcript_id

    @property
    def is_coding(self) -> bool:
        return self.coding is not None

    @property
    def cds_start_nf(self) -> bool:
        return CDS_START_NF in self.tags

    @property
    def cds_end_nf(self) -> bool:
        return CDS_END_NF in self.tags

    @property
    def is_nmd(self) -> bool:
        return self.biotype == NMD_BIOTYPE

    def introns(self) -> tuple[tuple[int, Span], ...]:
        """``(number, (start, end))`` of each intron, numbered 1.. in transcript order, listed in
        transcript order."""
        return self._introns

    @cached_property
    def _introns(self) -> tuple[tuple[int, Span], ...]:
        result = []
        for number, (first, second) in enumerate(zip(self.exons, self.exons[1:], strict=False),
                                                 start=1):
            low, high = (first, second) if self.strand > 0 else (second, first)
            if high[0] - low[1] > 1:
                result.append((number, (low[1] + 1, high[0] - 1)))
        return tuple(result)


def _model(gene: Gene, transcript: Transcript, canonical: bool) -> TranscriptModel:
    strand = -1 if gene.strand == "-" else 1
    exons = tuple((start + 1, end) for start, end in transcript.exons)
    if strand < 0:
        exons = tuple(reversed(exons))
    coding = None
    if transcript.coding:
        coding = (min(s for s, _ in transcript.coding) + 1, max(e for _, e in transcript.coding))
    return TranscriptModel(
        transcript_id=transcript.transcript_id, version=transcript.version, gene_id=gene.gene_id,
        symbol=gene.symbol, hgnc_id=gene.hgnc_id, biotype=transcript.biotype or gene.biotype,
        contig=gene.contig, strand=strand, exons=exons, coding=coding, canonical=canonical,
        protein_id=transcript.protein_id, tags=transcript.tags,
        start_phase=transcript.start_phase, code=code_for_contig(gene.contig),
    )


def transcript_models(model: GeneModel, contigs: Iterable[str] | None = None
                      ) -> tuple[TranscriptModel, ...]:
    """Every transcript of the gene model (on ``contigs`` when given), the canonical one of each
    gene flagged (:func:`bp2.genemodel.canonical_transcript`)."""
    wanted = None if contigs is None else set(contigs)
    result: list[TranscriptModel] = []
    for gene in model.genes:
        if wanted is not None and gene.contig not in wanted:
            continue
        canonical = canonical_transcript(gene)
        for transcript in gene.transcripts:
            if transcript.exons:
                result.append(_model(gene, transcript, transcript is canonical))
    return tuple(sorted(result, key=lambda t: (t.contig, t.start, t.end, t.transcript_id)))


@dataclass(frozen=True)
class Location:
    """Where a genome position lies in a transcript: in exon or intron ``number`` (1-based,
    transcript order), or outside the transcript (``kind == 'outside'``)."""

    kind: str  # exon | intron | outside
    number: int = 0


@dataclass(frozen=True)
class TranscriptSequence:
    """A transcript with its spliced sequence (transcript orientation) and coding coordinates."""

    model: TranscriptModel
    cdna: str
    exon_cdna: tuple[Span, ...]  # cDNA span of each exon, transcript order
    coding_start: int | None  # cDNA position of the first coding base
    coding_end: int | None  # cDNA position of the last coding base (end of the stop codon)
    pad: int  # N bases put before the CDS to restore the frame (cds_start_NF with phase)

    @property
    def is_coding(self) -> bool:
        return self.coding_start is not None and self.coding_end is not None

    @property
    def cds(self) -> str:
        """The coding sequence (stop codon included), padded with ``N`` to the frame."""
        if self.coding_start is None or self.coding_end is None:
            return ""
        return "N" * self.pad + self.cdna[self.coding_start - 1:self.coding_end]

    @property
    def utr3(self) -> str:
        return "" if self.coding_end is None else self.cdna[self.coding_end:]

    @property
    def utr5(self) -> str:
        return "" if self.coding_start is None else self.cdna[:self.coding_start - 1]

    def locate(self, pos: int) -> Location:
        model = self.model
        for number, (start, end) in enumerate(model.exons, start=1):
            if start <= pos <= end:
                return Location("exon", number)
        for number, (start, end) in model.introns():
            if start <= pos <= end:
                return Location("intron", number)
        return Location("outside")

    def cdna_position(self, pos: int) -> int | None:
        """cDNA position (1-based) of an exonic genome position, None elsewhere."""
        model = self.model
        for (start, end), (c_start, _) in zip(model.exons, self.exon_cdna, strict=True):
            if start <= pos <= end:
                return c_start + (pos - start if model.strand > 0 else end - pos)
        return None

    def genome_position(self, cdna: int) -> int | None:
        """Genome position of a cDNA position (None outside the cDNA)."""
        model = self.model
        for (start, end), (c_start, c_end) in zip(model.exons, self.exon_cdna, strict=True):
            if c_start <= cdna <= c_end:
                return start + (cdna - c_start) if model.strand > 0 else end - (cdna - c_start)
        return None

    def cds_position(self, cdna: int) -> int | None:
        """CDS position (1-based, padding counted) of a cDNA position inside the coding region."""
        if self.coding_start is None or self.coding_end is None:
            return None
        if not self.coding_start <= cdna <= self.coding_end:
            return None
        return cdna - self.coding_start + 1 + self.pad

    def cdna_coordinate(self, cdna: int) -> str:
        """HGVS coordinate of a cDNA position: ``c.`` numbering (``-12``, ``45``, ``*7``) for a
        coding transcript, ``n.`` numbering for a non-coding one."""
        if self.coding_start is None or self.coding_end is None:
            return str(cdna)
        if cdna < self.coding_start:
            return f"-{self.coding_start - cdna}"
        if cdna > self.coding_end:
            return f"*{cdna - self.coding_end}"
        return str(cdna - self.coding_start + 1 + self.pad)

    def hgvs_coordinate(self, pos: int, *, flanks: bool = False) -> str | None:
        """HGVS coordinate of a genome position inside the transcript (exon or intron); None
        outside it unless ``flanks``, which numbers the bases before the transcript on from
        its first base (``c.-250`` past a 249-base 5' UTR, ``n.-3``) and those after it on
        from its last (``c.*420``, ``n.*2``).  An intronic position is counted from the nearer
        exon (``123+4``, ``124-2``); the middle base of an odd-length intron counts from the
        upstream exon."""
        cdna = self.cdna_position(pos)
        if cdna is not None:
            return self.cdna_coordinate(cdna)
        model = self.model
        if flanks and not model.start <= pos <= model.end:
            upstream = pos < model.start if model.strand > 0 else pos > model.end
            gap = model.start - pos if pos < model.start else pos - model.end
            if upstream:
                return self.cdna_coordinate(1 - gap) if self.is_coding else f"-{gap}"
            length = len(self.cdna)
            if self.coding_end is not None:
                return f"*{length - self.coding_end + gap}"
            return f"*{gap}"
        for number, (start, end) in model.introns():
            if start <= pos <= end:
                before = self.exon_cdna[number - 1][1]  # last cDNA base of the upstream exon
                after = self.exon_cdna[number][0]  # first cDNA base of the downstream exon
                if model.strand > 0:
                    from_donor, from_acceptor = pos - start + 1, end - pos + 1
                else:
                    from_donor, from_acceptor = end - pos + 1, pos - start + 1
                if from_donor <= from_acceptor:
                    return f"{self.cdna_coordinate(before)}+{from_donor}"
                return f"{self.cdna_coordinate(after)}-{from_acceptor}"
        return None

    def region_bounds(self, location: Location) -> Span | None:
        """Genome span of the exon or intron a :class:`Location` names."""
        if location.kind == "exon":
            return self.model.exons[location.number - 1]
        if location.kind == "intron":
            return dict(self.model.introns())[location.number]
        return None


def build_sequence(model: TranscriptModel, source: SequenceSource) -> TranscriptSequence:
    """Splice the transcript's exons from the reference (transcript orientation)."""
    pieces: list[str] = []
    spans: list[Span] = []
    length = 0
    for start, end in model.exons:
        bases = source.fetch(model.contig, start, end)
        pieces.append(bases if model.strand > 0 else revcomp(bases))
        spans.append((length + 1, length + end - start + 1))
        length += end - start + 1
    sequence = TranscriptSequence(model, "".join(pieces), tuple(spans), None, None, 0)
    if model.coding is None:
        return sequence
    five, three = model.coding if model.strand > 0 else model.coding[::-1]
    first, last = sequence.cdna_position(five), sequence.cdna_position(three)
    if first is None or last is None or last < first:
        return sequence  # coding ends outside the exons: treated as non-coding (reported)
    pad = (3 - model.start_phase) % 3 if model.cds_start_nf else 0
    return TranscriptSequence(model, sequence.cdna, sequence.exon_cdna, first, last, pad)


class TranscriptIndex:
    """Transcripts of one gene model by contig, for overlap queries with a flank."""

    BIN = 100_000

    def __init__(self, models: Sequence[TranscriptModel], flank: int) -> None:
        self.flank = flank
        self._bins: dict[tuple[str, int], list[TranscriptModel]] = {}
        for model in models:
            low = max(1, model.start - flank) // self.BIN
            high = (model.end + flank) // self.BIN
            for index in range(low, high + 1):
                self._bins.setdefault((model.contig, index), []).append(model)

    def near(self, contig: str, start: int, end: int) -> Iterator[TranscriptModel]:
        """Transcripts within ``flank`` bases of ``start..end`` (an insertion has end = start-1),
        in (start, end, ID) order, each once."""
        low, high = min(start, end), max(start, end)
        seen: set[str] = set()
        found: list[TranscriptModel] = []
        for index in range(low // self.BIN, high // self.BIN + 1):
            for model in self._bins.get((contig, index), ()):
                if model.transcript_id in seen:
                    continue
                if model.start - self.flank <= high and low <= model.end + self.flank:
                    seen.add(model.transcript_id)
                    found.append(model)
        yield from sorted(found, key=lambda t: (t.start, t.end, t.transcript_id))
