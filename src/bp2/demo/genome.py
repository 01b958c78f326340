"""The synthetic reference: contigs, sex-chromosome pseudo-autosomal regions, repeats and genes.

Layout (GRCh38-like names, build ``bp2-demo-1``):

* ``chr1`` (220 kb) and ``chr2`` (130 kb): autosomes with G+C content varying in 2–8 kb blocks,
  short tandem repeats, homopolymers, diverged copies of a 300 bp interspersed element
  (``BPDREP1``), a low-complexity A/T stretch (chr1) and a satellite-like array (chr2).
* ``chrX`` (156 kb) with PAR1 (1–12,000) and PAR2 (150,001–156,000) at its ends.
* ``chrY`` (50 kb) whose PARs are hard-masked with ``N``, as in the GRCh38 analysis sets: reads
  from a male's Y-chromosome PAR copy therefore map to chrX, which is diploid there.
* ``chrM`` (16,569 bp, as the rCRS) with one protein-coding gene at 3,307 and a poly-C tract.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bp2.demo.genes import Gene, GeneSpec, build_gene
from bp2.demo.sequence import (
    A,
    Codes,
    N,
    T,
    encode,
    isochores,
    mutate,
    random_bases,
    revcomp,
)

BUILD = "bp2-demo-1"
CONTIGS: tuple[tuple[str, int], ...] = (
    ("chr1", 220_000), ("chr2", 130_000), ("chrX", 156_000), ("chrY", 50_000), ("chrM", 16_569),
)
LENGTHS = dict(CONTIGS)
AUTOSOMES = ("chr1", "chr2")
PAR1_LENGTH = 12_000
PAR2_LENGTH = 6_000
X_PARS = ((1, PAR1_LENGTH), (LENGTHS["chrX"] - PAR2_LENGTH + 1, LENGTHS["chrX"]))
Y_PARS = ((1, PAR1_LENGTH), (LENGTHS["chrY"] - PAR2_LENGTH + 1, LENGTHS["chrY"]))
EDGE = 500  # bases at each contig end left out of the confident regions (coverage tails off)
REPEAT_ELEMENT = "BPDREP1"

GENE_SPECS: tuple[GeneSpec, ...] = (
    GeneSpec("BPD1", "chr1", "+", 20_000, 6, 420, description="bp2 demo gene 1 (dominant)"),
    GeneSpec("BPD2", "chr1", "-", 62_000, 7, 510, description="bp2 demo gene 2 (dominant)"),
    GeneSpec("BPD3", "chr1", "-", 104_000, 5, 380, description="bp2 demo gene 3 (recessive)"),
    GeneSpec("BPDNC1", "chr1", "+", 142_000, 3, 300, biotype="lncRNA",
             description="bp2 demo non-coding gene 1"),
    GeneSpec("BPD9", "chr1", "+", 178_000, 8, 460, alt_transcript=True,
             description="bp2 demo gene 9 (recessive)"),
    GeneSpec("BPD4", "chr2", "+", 14_000, 6, 350, description="bp2 demo gene 4 (recessive)"),
    GeneSpec("BPD5", "chr2", "-", 38_000, 5, 300, description="bp2 demo gene 5 (recessive)"),
    GeneSpec("BPD6", "chr2", "+", 62_000, 6, 400, alt_transcript=True,
             description="bp2 demo gene 6 (recessive)"),
    GeneSpec("BPD7", "chr2", "-", 86_000, 4, 330, description="bp2 demo gene 7 (recessive)"),
    GeneSpec("BPD8", "chr2", "+", 108_000, 5, 290, description="bp2 demo gene 8 (not on panel)"),
    GeneSpec("BPDX1", "chrX", "-", 60_000, 6, 400, description="bp2 demo gene X1 (X-linked)"),
    GeneSpec("BPDX2", "chrX", "+", 110_000, 4, 250, description="bp2 demo gene X2"),
    GeneSpec("MT-BPD1", "chrM", "+", 3_307, 1, 316, fixed_start=True,
             description="bp2 demo mitochondrial gene 1"),
)


@dataclass(frozen=True)
class Feature:
    """A named stretch of the reference (0-based half-open, as in BED)."""

    chrom: str
    start: int
    end: int
    name: str


@dataclass(frozen=True)
class Genome:
    contigs: dict[str, Codes]
    genes: tuple[Gene, ...]
    repeats: tuple[Feature, ...]
    repeat_element: Codes

    def gene(self, symbol: str) -> Gene:
        return next(g for g in self.genes if g.symbol == symbol)

    def confident(self) -> list[Feature]:
        """Confident regions: non-N bases away from contig ends and from regions where short
        reads cannot be placed uniquely (interspersed copies, satellite, low complexity)."""
        regions: list[Feature] = []
        for chrom, length in CONTIGS:
            mask = self.contigs[chrom] != N
            mask[:EDGE] = False
            mask[length - EDGE:] = False
            for rep in self.repeats:
                if rep.chrom == chrom and not rep.name.startswith(("STR:", "homopolymer:")):
                    mask[max(0, rep.start - 150):rep.end + 150] = False
            regions.extend(Feature(chrom, lo, hi, "confident") for lo, hi in runs(mask))
        return regions


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Half-open intervals where a boolean array is True."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    change = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b)) for a, b in zip(change[::2], change[1::2], strict=True)]


def in_par(chrom: str, pos: int) -> bool:
    """Whether 1-based ``pos`` of chrX lies in a pseudo-autosomal region."""
    return chrom == "chrX" and any(lo <= pos <= hi for lo, hi in X_PARS)


class _Occupancy:
    def __init__(self, length: int) -> None:
        self.used = np.zeros(length, dtype=bool)

    def free(self, start: int, end: int, margin: int) -> bool:
        lo, hi = max(0, start - margin), min(len(self.used), end + margin)
        return start >= 0 and end <= len(self.used) and not self.used[lo:hi].any()

    def take(self, start: int, end: int) -> None:
        self.used[start:end] = True


def build_genome(rng: np.random.Generator) -> Genome:
    contigs: dict[str, Codes] = {}
    occupancy: dict[str, _Occupancy] = {}
    for chrom, length in CONTIGS:
        gc = (0.40, 0.48) if chrom == "chrM" else (0.34, 0.60)
        contigs[chrom] = isochores(rng, length, low=gc[0], high=gc[1])
        occupancy[chrom] = _Occupancy(length)
        occupancy[chrom].take(0, EDGE)
        occupancy[chrom].take(length - EDGE, length)
    for boundary in (X_PARS[0][1], X_PARS[1][0]):  # keep PAR boundaries free of features
        occupancy["chrX"].take(boundary - 300, boundary + 300)
    for lo, hi in Y_PARS:  # masked with N below
        occupancy["chrY"].take(lo - 1, hi)

    genes: list[Gene] = []
    for number, spec in enumerate(GENE_SPECS, start=1):
        start = spec.anchor if spec.fixed_start else spec.anchor + int(rng.integers(-2_000, 2_000))
        gene, seq = build_gene(rng, spec, start, number)
        contigs[spec.chrom][start - 1:start - 1 + len(seq)] = seq
        occupancy[spec.chrom].take(max(0, start - 1 - 1_000), gene.end + 1_000)
        genes.append(gene)

    repeats: list[Feature] = []

    def place(chrom: str, seq: Codes, name: str, margin: int = 200) -> None:
        length = LENGTHS[chrom]
        for _ in range(10_000):
            start = int(rng.integers(0, length - len(seq)))
            if occupancy[chrom].free(start, start + len(seq), margin):
                contigs[chrom][start:start + len(seq)] = seq
                occupancy[chrom].take(start, start + len(seq))
                repeats.append(Feature(chrom, start, start + len(seq), name))
                return
        raise RuntimeError(f"no room for {name} on {chrom}")  # pragma: no cover

    element = random_bases(rng, 300, 0.52)
    for chrom, copies in (("chr1", 4), ("chr2", 3), ("chrX", 2)):
        for _ in range(copies):
            copy = mutate(rng, element, float(rng.uniform(0.02, 0.10)))
            strand = "+" if rng.random() < 0.5 else "-"
            place(chrom, copy if strand == "+" else revcomp(copy), f"{REPEAT_ELEMENT}({strand})")
    low_complexity = np.where(rng.random(1_500) < 0.7, A, T).astype(np.uint8)
    place("chr1", low_complexity, "low_complexity:AT-rich")
    monomer = random_bases(rng, 68, 0.38)
    array = np.concatenate([mutate(rng, monomer, 0.03) for _ in range(35)])
    place("chr2", array, "satellite:68bp")
    for chrom, length in CONTIGS:
        if chrom == "chrM":
            continue
        for _ in range(length // 10_000):
            motif = random_bases(rng, int(rng.integers(2, 7)), 0.45)
            units = int(rng.integers(6, 16))
            place(chrom, np.tile(motif, units), f"STR:({_text(motif)})n")
            base = int(rng.integers(0, 4))
            run = np.full(int(rng.integers(10, 26)), base, dtype=np.uint8)
            place(chrom, run, f"homopolymer:{'ACGT'[base]}")
    poly_c = encode("CCCCCCCTCCCCC")  # like the rCRS D-loop tract at 303–315
    contigs["chrM"][302:315] = poly_c
    repeats.append(Feature("chrM", 302, 315, "homopolymer:C"))
    for lo, hi in Y_PARS:
        contigs["chrY"][lo - 1:hi] = N
    repeats.sort(key=lambda f: (_order(f.chrom), f.start))
    return Genome(contigs, tuple(sorted(genes, key=lambda g: (_order(g.chrom), g.start))),
                  tuple(repeats), element)


def _text(codes: Codes) -> str:
    return "".join("ACGT"[int(c)] for c in codes)


def _order(chrom: str) -> int:
    return [c for c, _ in CONTIGS].index(chrom)


def contig_order(chrom: str) -> int:
    return _order(chrom)


def ploidy_lines() -> list[str]:
    """The bcftools ``--ploidy-file`` for this build (CHROM FROM TO SEX PLOIDY)."""
    y_len, m_len = LENGTHS["chrY"], LENGTHS["chrM"]
    (p1_lo, p1_hi), (p2_lo, p2_hi) = X_PARS
    return [
        f"chrX\t{p1_lo}\t{p1_hi}\tM\t2",
        f"chrX\t{p1_hi + 1}\t{p2_lo - 1}\tM\t1",
        f"chrX\t{p2_lo}\t{p2_hi}\tM\t2",
        f"chrY\t1\t{y_len}\tM\t1",
        f"chrY\t1\t{y_len}\tF\t0",
        f"chrM\t1\t{m_len}\tM\t1",
        f"chrM\t1\t{m_len}\tF\t1",
        "*\t*\t*\tM\t2",
        "*\t*\t*\tF\t2",
    ]

