"""Each sample's DNA molecules: the reference with that copy's variants applied.

A male has an X molecule (copy 1, the whole of chrX) and a Y molecule (copy 0): the chrY body
with his Y variants, flanked by the PAR sequence of chrX carrying his copy-0 PAR alleles.  The
reference masks chrY's PARs with N, so reads from the Y molecule's PARs map to chrX, where the
male is diploid.  Mitochondria are one molecule at ``MT_COPIES`` times the nuclear depth.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from bp2.demo.genome import X_PARS, Y_PARS, Genome
from bp2.demo.sequence import Codes, encode
from bp2.demo.variants import PROBAND, SEX, Variant

MT_COPIES = 10  # chrM depth relative to the (diploid) nuclear depth


@dataclass(frozen=True)
class Artefact:
    """Alt base to put into a fraction of the forward-strand reads covering a molecule position."""

    position: int  # 0-based, in molecule coordinates
    alt: int  # base code


@dataclass(frozen=True)
class Molecule:
    label: str
    codes: Codes
    depth: float  # mean coverage this molecule contributes
    artefact: Artefact | None = None


class Applied:
    """A copy of a contig with its variants applied, and the reference → copy coordinate map."""

    def __init__(self, reference: Codes, variants: list[Variant]) -> None:
        ordered = sorted(variants, key=lambda v: v.pos)
        pieces: list[Codes] = []
        cursor = 0  # 0-based reference position not yet copied
        self._positions: list[int] = []
        self._shift: list[int] = []
        shift = 0
        for variant in ordered:
            start = variant.pos - 1
            if start < cursor:
                raise ValueError(f"overlapping variants at {variant.chrom}:{variant.pos}")
            pieces.append(reference[cursor:start])
            pieces.append(encode(variant.alt))
            cursor = start + len(variant.ref)
            shift += len(variant.alt) - len(variant.ref)
            self._positions.append(variant.pos)
            self._shift.append(shift)
        pieces.append(reference[cursor:])
        self.codes: Codes = np.concatenate(pieces)

    def position(self, ref_pos: int) -> int:
        """0-based copy coordinate of 1-based reference position ``ref_pos`` (outside variants)."""
        index = bisect.bisect_left(self._positions, ref_pos)
        shift = self._shift[index - 1] if index else 0
        return ref_pos - 1 + shift


def _on_copy(variants: list[Variant], sample: str, chrom: str, copy: int) -> list[Variant]:
    return [v for v in variants if v.chrom == chrom and v.alleles[sample][copy] == 1]


def molecules(genome: Genome, variants: list[Variant], sample: str, depth: float,
              artefact: Variant | None = None) -> list[Molecule]:
    """The DNA molecules of ``sample`` with the coverage each should get."""
    found: list[Molecule] = []
    half = depth / 2.0
    for chrom in ("chr1", "chr2"):
        for copy in (0, 1):
            applied = Applied(genome.contigs[chrom], _on_copy(variants, sample, chrom, copy))
            mark = None
            if artefact is not None and sample == PROBAND and artefact.chrom == chrom:
                mark = Artefact(applied.position(artefact.pos), int(encode(artefact.alt)[0]))
            found.append(Molecule(f"{chrom}:{copy}", applied.codes, half, mark))
    x = genome.contigs["chrX"]
    if SEX[sample] == "female":
        for copy in (0, 1):
            applied = Applied(x, _on_copy(variants, sample, "chrX", copy))
            found.append(Molecule(f"chrX:{copy}", applied.codes, half))
    else:
        found.append(Molecule("chrX:1", Applied(x, _on_copy(variants, sample, "chrX", 1)).codes,
                              half))
        par_copy = Applied(x, _on_copy(variants, sample, "chrX", 0))
        y_body = Applied(genome.contigs["chrY"], _on_copy(variants, sample, "chrY", 0))
        (_, x_par1_end), (x_par2_start, _) = X_PARS
        (_, y_par1_end), (y_par2_start, _) = Y_PARS
        y_molecule = np.concatenate([
            par_copy.codes[:par_copy.position(x_par1_end) + 1],
            y_body.codes[y_body.position(y_par1_end + 1):y_body.position(y_par2_start)],
            par_copy.codes[par_copy.position(x_par2_start):],
        ])
        found.append(Molecule("chrY:0", y_molecule, half))
    mito = Applied(genome.contigs["chrM"], _on_copy(variants, sample, "chrM", 1))
    found.append(Molecule("chrM:1", mito.codes, depth * MT_COPIES))
    return found
