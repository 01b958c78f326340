"""Independent readers for checking a demo case: a minimal GTF parser, codon table, FASTQ scan.

Nothing here imports the generator's own code, so the tests check its output against an
independent reading of the files, not against itself.
"""

from __future__ import annotations

import csv
import gzip
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pysam

_BASES = "TCAG"
_STANDARD = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"
_MITO = "FFLLSSSSYY**CCWWLLLLPPPPHHQQRRRRIIMMTTTTNNKKSS**VVVVAAAADDEEGGGG"
CODONS = [a + b + c for a in _BASES for b in _BASES for c in _BASES]
STANDARD = dict(zip(CODONS, _STANDARD, strict=True))
MITO = dict(zip(CODONS, _MITO, strict=True))
_COMP = str.maketrans("ACGTN", "TGCAN")


def revcomp(seq: str) -> str:
    return seq.translate(_COMP)[::-1]


def translate(seq: str, *, mito: bool = False) -> str:
    table = MITO if mito else STANDARD
    return "".join(table[seq[i:i + 3]] for i in range(0, len(seq) - 2, 3))


_ATTR = re.compile(r'(\S+) (?:"([^"]*)"|(\S+));')


@dataclass
class Tx:
    transcript_id: str
    gene_id: str
    gene_name: str
    chrom: str
    strand: str
    biotype: str
    tags: list[str]
    exons: list[tuple[int, int]] = field(default_factory=list)
    cds: list[tuple[int, int, int]] = field(default_factory=list)  # start, end, frame
    start_codon: list[tuple[int, int]] = field(default_factory=list)
    stop_codon: list[tuple[int, int]] = field(default_factory=list)
    utr: list[tuple[int, int]] = field(default_factory=list)

    def ordered(self, intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Intervals in transcript order."""
        return sorted(intervals, reverse=self.strand == "-")

    def coding_positions(self) -> list[int]:
        """Genomic positions of CDS + stop codon bases, in transcript order."""
        spans = [(a, b) for a, b, _ in self.cds] + self.stop_codon
        positions = sorted(p for a, b in spans for p in range(a, b + 1))
        return positions if self.strand == "+" else positions[::-1]


def read_gtf(path: Path) -> tuple[list[dict[str, Any]], dict[str, Tx]]:
    rows: list[dict[str, Any]] = []
    transcripts: dict[str, Tx] = {}
    for line in path.read_text().splitlines():
        if line.startswith("#"):
            continue
        chrom, _source, feature, start, end, _score, strand, frame, attributes = line.split("\t")
        attrs: dict[str, str] = {}
        tags: list[str] = []
        for key, quoted, bare in _ATTR.findall(attributes):
            value = quoted if quoted or not bare else bare
            if key == "tag":
                tags.append(value)
            else:
                attrs[key] = value
        row = {"chrom": chrom, "feature": feature, "start": int(start), "end": int(end),
               "strand": strand, "frame": frame, "attrs": attrs, "tags": tags}
        rows.append(row)
        if feature == "gene":
            continue
        tx_id = attrs["transcript_id"]
        if feature == "transcript":
            transcripts[tx_id] = Tx(tx_id, attrs["gene_id"], attrs["gene_name"], chrom, strand,
                                    attrs["transcript_biotype"], tags)
            continue
        tx = transcripts[tx_id]
        span = (int(start), int(end))
        if feature == "exon":
            tx.exons.append(span)
        elif feature == "CDS":
            tx.cds.append((int(start), int(end), int(frame)))
        elif feature == "start_codon":
            tx.start_codon.append(span)
        elif feature == "stop_codon":
            tx.stop_codon.append(span)
        elif feature == "UTR":
            tx.utr.append(span)
    return rows, transcripts


def canonical(transcripts: dict[str, Tx], gene_name: str) -> Tx:
    found = [t for t in transcripts.values()
             if t.gene_name == gene_name and "Ensembl_canonical" in t.tags]
    assert len(found) == 1, gene_name
    return found[0]


def bases(fasta: pysam.FastaFile, chrom: str, positions: list[int], strand: str) -> str:
    seq = "".join(fasta.fetch(chrom, p - 1, p) for p in positions)
    return seq if strand == "+" else seq.translate(_COMP)


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def fastq_sequences(path: Path) -> str:
    """All read sequences of a gzipped FASTQ, one per line."""
    with gzip.open(path, "rt") as handle:
        lines = handle.read().split("\n")
    return "\n".join(lines[1::4])
