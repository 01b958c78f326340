"""Synthetic genes: exon–intron structures with valid open reading frames, and their GTF rows.

A gene is built in transcript orientation (5' UTR, ``ATG``, sense codons, a stop codon, 3' UTR,
split into exons joined by ``GT…AG`` introns) and reverse-complemented when it lies on the minus
strand.  Coordinates are 1-based and inclusive, as in GTF and VCF.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from bp2.demo.sequence import (
    Codes,
    complement,
    decode,
    encode,
    random_bases,
    random_sense_codons,
    revcomp,
    translate,
    without_atg,
)

Interval = tuple[int, int]  # 1-based, inclusive


@dataclass(frozen=True)
class GeneSpec:
    """What a gene should look like; the builder draws the rest from the random generator."""

    symbol: str
    chrom: str
    strand: str  # "+" or "-"
    anchor: int  # approximate genomic start
    exons: int
    codons: int  # sense codons between ATG and the stop codon
    biotype: str = "protein_coding"
    alt_transcript: bool = False  # add a second, non-canonical transcript skipping one exon
    fixed_start: bool = False  # start exactly at anchor (mitochondrial genes)
    description: str = ""


@dataclass(frozen=True)
class Transcript:
    transcript_id: str
    exons: tuple[Interval, ...]  # genomic, ascending
    cds: Interval | None  # genomic span of the coding sequence including the stop codon
    canonical: bool
    biotype: str

    def exons_in_order(self, strand: str) -> tuple[Interval, ...]:
        """Exons in transcript order (5' to 3')."""
        return self.exons if strand == "+" else tuple(reversed(self.exons))


@dataclass(frozen=True)
class Gene:
    symbol: str
    gene_id: str
    chrom: str
    strand: str
    start: int
    end: int
    biotype: str
    transcripts: tuple[Transcript, ...]
    skipped_exons: tuple[Interval, ...]  # exons absent from some transcript
    mito: bool
    description: str
    number: int

    @property
    def canonical(self) -> Transcript:
        return next(t for t in self.transcripts if t.canonical)


def coding_positions(gene: Gene, transcript: Transcript) -> list[int]:
    """Genomic positions of the coding bases (stop codon included) in transcript order."""
    if transcript.cds is None:
        return []
    low, high = transcript.cds
    positions = [p for start, end in transcript.exons
                 for p in range(max(start, low), min(end, high) + 1)]
    return positions if gene.strand == "+" else positions[::-1]


def transcript_bases(reference: Codes, gene: Gene, positions: list[int]) -> str:
    """Bases at genomic ``positions`` read on the gene's strand."""
    codes = reference[np.asarray(positions, dtype=np.int64) - 1]
    return decode(codes if gene.strand == "+" else complement(codes))


def _donor(rng: np.random.Generator) -> str:
    return "GTAAGT" if rng.random() < 0.6 else "GTGAGT"  # +5 is G in both


def _acceptor(rng: np.random.Generator) -> str:
    tract = "".join("CT"[int(b)] for b in rng.integers(0, 2, size=14))
    return tract + ("CAG" if rng.random() < 0.7 else "TAG")


def _cut_points(rng: np.random.Generator, length: int, pieces: int,
                forbidden: list[Interval], min_piece: int) -> list[int]:
    """Sorted offsets splitting ``length`` into ``pieces`` parts, avoiding ``forbidden`` spans."""
    for _ in range(10_000):
        cuts = sorted(int(c) for c in rng.integers(min_piece, length - min_piece,
                                                   size=pieces - 1))
        edges = [0, *cuts, length]
        if any(b - a < min_piece for a, b in itertools.pairwise(edges)):
            continue
        if any(lo < c < hi for c in cuts for lo, hi in forbidden):
            continue
        return cuts
    raise RuntimeError("cannot split the transcript into exons")  # pragma: no cover


def build_gene(rng: np.random.Generator, spec: GeneSpec, start: int,
               gene_number: int) -> tuple[Gene, Codes]:
    """Build a gene starting at genomic ``start``; return it and its genomic-strand sequence."""
    mito = spec.chrom == "chrM"
    coding = spec.biotype == "protein_coding"
    utr5 = 0 if mito or not coding else int(rng.integers(60, 200))
    utr3 = 0 if mito or not coding else int(rng.integers(150, 450))
    if coding:
        stop = str(rng.choice(["TAA", "TAG"])) if mito else str(rng.choice(["TAA", "TAG", "TGA"]))
        cds = "ATG" + random_sense_codons(rng, spec.codons) + stop
        body = encode(cds)
    else:
        body = random_bases(rng, spec.codons * 3, 0.45)
    five = without_atg(rng, random_bases(rng, utr5, 0.55))
    three = random_bases(rng, utr3, 0.42)
    mrna = np.concatenate([five, body, three])
    cds_span = (utr5, utr5 + len(body)) if coding else None  # transcript offsets, half-open
    forbidden: list[Interval] = []
    if cds_span is not None:  # keep start and stop codons whole and away from splice sites
        forbidden = [(cds_span[0] - 12, cds_span[0] + 15), (cds_span[1] - 15, cds_span[1] + 12)]
    cuts = _cut_points(rng, len(mrna), spec.exons, forbidden, min_piece=70) if spec.exons > 1 \
        else []
    edges = [0, *cuts, len(mrna)]
    pieces: list[Codes] = []
    exon_offsets: list[Interval] = []  # transcript-orientation offsets in the gene, half-open
    cursor = 0
    for index in range(len(edges) - 1):
        exon = mrna[edges[index]:edges[index + 1]]
        exon_offsets.append((cursor, cursor + len(exon)))
        pieces.append(exon)
        cursor += len(exon)
        if index < len(edges) - 2:
            intron_len = int(rng.integers(350, 1400))
            donor, acceptor = _donor(rng), _acceptor(rng)
            middle = random_bases(rng, intron_len - len(donor) - len(acceptor), 0.40)
            intron = np.concatenate([encode(donor), middle, encode(acceptor)])
            pieces.append(intron)
            cursor += len(intron)
    gene_seq = np.concatenate(pieces)
    length = len(gene_seq)

    def genomic(offset_lo: int, offset_hi: int) -> Interval:  # half-open offsets → 1-based
        if spec.strand == "+":
            return (start + offset_lo, start + offset_hi - 1)
        return (start + length - offset_hi, start + length - offset_lo - 1)

    def mrna_to_gene(offset: int) -> int:  # offset in mRNA → offset in the gene sequence
        for (lo, _), (m_lo, m_hi) in zip(exon_offsets, _mrna_edges(edges), strict=True):
            if m_lo <= offset < m_hi:
                return lo + offset - m_lo
        raise ValueError(offset)  # pragma: no cover

    exons = tuple(sorted(genomic(lo, hi) for lo, hi in exon_offsets))
    cds_genomic: Interval | None = None
    if cds_span is not None:
        first = mrna_to_gene(cds_span[0])
        last = mrna_to_gene(cds_span[1] - 1)
        a, _ = genomic(first, first + 1)
        b, _ = genomic(last, last + 1)
        cds_genomic = (min(a, b), max(a, b))
    gene_id = f"ENSG99{gene_number:09d}"
    tx_biotype = "protein_coding" if coding else spec.biotype
    transcripts = [Transcript(f"ENST99{gene_number:07d}01", exons, cds_genomic, True, tx_biotype)]
    skipped: tuple[Interval, ...] = ()
    if spec.alt_transcript and coding and cds_genomic is not None:
        alternative = _exon_skip(gene_seq, start, spec.strand, exons, cds_genomic, mito, rng)
        if alternative is not None:
            kept, dropped = alternative
            transcripts.append(
                Transcript(f"ENST99{gene_number:07d}02", kept, cds_genomic, False, tx_biotype))
            skipped = (dropped,)
        else:  # no exon can be skipped in frame: use an alternative transcription start instead
            transcripts.append(Transcript(f"ENST99{gene_number:07d}02",
                                          _later_start(exons, cds_genomic, spec.strand),
                                          cds_genomic, False, tx_biotype))
    genomic_seq = gene_seq if spec.strand == "+" else revcomp(gene_seq)
    gene = Gene(spec.symbol, gene_id, spec.chrom, spec.strand, start, start + length - 1,
                spec.biotype, tuple(transcripts), skipped, mito, spec.description, gene_number)
    return gene, genomic_seq


def _mrna_edges(edges: list[int]) -> list[Interval]:
    return [(edges[i], edges[i + 1]) for i in range(len(edges) - 1)]


def _later_start(exons: tuple[Interval, ...], cds: Interval,
                 strand: str) -> tuple[Interval, ...]:
    """Exons of a transcript starting closer to the start codon (a shorter 5' UTR)."""
    if strand == "+":
        first = exons[0]
        trimmed = (min(first[0] + 30, cds[0] - 20, first[1]), first[1])
        return (trimmed, *exons[1:])
    last = exons[-1]
    trimmed = (last[0], max(last[1] - 30, cds[1] + 20, last[0]))
    return (*exons[:-1], trimmed)


def _exon_skip(gene_seq: Codes, start: int, strand: str, exons: tuple[Interval, ...],
               cds: Interval, mito: bool,
               rng: np.random.Generator) -> tuple[tuple[Interval, ...], Interval] | None:
    """Exons of a transcript skipping one internal, fully coding exon while keeping a valid ORF."""
    genomic = gene_seq if strand == "+" else revcomp(gene_seq)
    candidates = [e for e in exons[1:-1]
                  if cds[0] < e[0] and e[1] < cds[1] and (e[1] - e[0] + 1) % 3 == 0]
    order = rng.permutation(len(candidates))
    for index in order:
        dropped = candidates[int(index)]
        kept = tuple(e for e in exons if e != dropped)
        positions = [p for a, b in kept for p in range(max(a, cds[0]), min(b, cds[1]) + 1)]
        codes = genomic[np.asarray(positions) - start]
        if strand == "-":
            codes = revcomp(codes)
        protein = translate(decode(codes), mito=mito)
        if protein.startswith("M") and protein.endswith("*") and "*" not in protein[:-1]:
            return kept, dropped
    return None


# ----------------------------------------------------------------------------------------- GTF

def _attrs(pairs: list[tuple[str, str | int]]) -> str:
    return " ".join(f'{k} {v};' if isinstance(v, int) else f'{k} "{v}";' for k, v in pairs)


def gtf_lines(gene: Gene, source: str = "bp2demo") -> list[str]:
    """GTF rows of one gene: gene, then per transcript: transcript, exon/CDS/start/stop, UTRs.

    Feature names follow GENCODE (``UTR``); attribute names follow Ensembl (``gene_biotype``).
    CDS rows exclude the stop codon, which has its own ``stop_codon`` row, as in both.
    """
    rows: list[str] = []
    exon_ids: dict[Interval, str] = {}
    for tx in sorted(gene.transcripts, key=lambda t: not t.canonical):
        for exon in tx.exons:
            exon_ids.setdefault(exon, f"ENSE99{gene.number:07d}{len(exon_ids) + 1:02d}")
    base: list[tuple[str, str | int]] = [("gene_id", gene.gene_id)]
    gene_attrs = [*base, ("gene_name", gene.symbol), ("gene_source", source),
                  ("gene_biotype", gene.biotype)]

    def row(feature: str, lo: int, hi: int, phase: str, attrs: list[tuple[str, str | int]]) -> None:
        rows.append("\t".join([gene.chrom, source, feature, str(lo), str(hi), ".", gene.strand,
                               phase, _attrs(attrs)]))

    row("gene", gene.start, gene.end, ".", gene_attrs)
    for number, tx in enumerate(gene.transcripts, start=1):
        tags: list[tuple[str, str | int]] = [("tag", "basic")]
        if tx.canonical:
            tags += [("tag", "Ensembl_canonical"), ("tag", "MANE_Select")]
        tx_attrs: list[tuple[str, str | int]] = [
            *base, ("transcript_id", tx.transcript_id), ("gene_name", gene.symbol),
            ("gene_source", source), ("gene_biotype", gene.biotype),
            ("transcript_name", f"{gene.symbol}-{200 + number}"), ("transcript_source", source),
            ("transcript_biotype", tx.biotype)]
        if tx.cds is not None:
            tx_attrs.append(("protein_id", tx.transcript_id.replace("ENST", "ENSP")))
        row("transcript", tx.exons[0][0], tx.exons[-1][1], ".", tx_attrs + tags)
        coding_before = 0
        utr_rows: list[tuple[int, int, int, str]] = []
        if tx.cds is not None:
            start_codon = (tx.cds[0], tx.cds[0] + 2) if gene.strand == "+" else \
                (tx.cds[1] - 2, tx.cds[1])
            stop_codon = (tx.cds[1] - 2, tx.cds[1]) if gene.strand == "+" else \
                (tx.cds[0], tx.cds[0] + 2)
            cds_no_stop = (tx.cds[0], tx.cds[1] - 3) if gene.strand == "+" else \
                (tx.cds[0] + 3, tx.cds[1])
        for exon_number, (lo, hi) in enumerate(tx.exons_in_order(gene.strand), start=1):
            exon_attrs = [*tx_attrs, ("exon_number", exon_number), ("exon_id", exon_ids[lo, hi])]
            row("exon", lo, hi, ".", exon_attrs + tags)
            if tx.cds is None:
                continue
            c_lo, c_hi = max(lo, cds_no_stop[0]), min(hi, cds_no_stop[1])
            if c_lo <= c_hi:
                phase = (3 - coding_before % 3) % 3
                row("CDS", c_lo, c_hi, str(phase), exon_attrs + tags)
                coding_before += c_hi - c_lo + 1
            for feature, (f_lo, f_hi) in (("start_codon", start_codon),
                                          ("stop_codon", stop_codon)):
                if lo <= f_lo and f_hi <= hi:
                    row(feature, f_lo, f_hi, "0", exon_attrs + tags)
            for u_lo, u_hi in ((lo, min(hi, tx.cds[0] - 1)), (max(lo, tx.cds[1] + 1), hi)):
                if u_lo <= u_hi:
                    utr_rows.append((u_lo, u_hi, exon_number, exon_ids[(lo, hi)]))
        for u_lo, u_hi, exon_number, exon_id in utr_rows:
            exon_attrs = [*tx_attrs, ("exon_number", exon_number), ("exon_id", exon_id)]
            row("UTR", u_lo, u_hi, ".", exon_attrs + tags)
    return rows
