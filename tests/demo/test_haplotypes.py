"""Unit tests of bp2.demo.haplotypes: variants applied to copies, and each sample's molecules."""

from __future__ import annotations

import numpy as np
import pytest

from bp2.demo.genome import X_PARS, Y_PARS, build_genome
from bp2.demo.haplotypes import MT_COPIES, Applied, molecules
from bp2.demo.sequence import decode, encode
from bp2.demo.variants import Variant, make_family


def _variant(pos: int, ref: str, alt: str) -> Variant:
    return Variant("chr1", pos, ref, alt, {}, "background")


@pytest.mark.verifies("SRS-065")
def test_applied_copy_has_the_alleles_and_maps_coordinates() -> None:
    """It applies SNVs and indels to a copy and maps reference positions past them."""
    reference = encode("ACGTACGTACGTACGT")
    applied = Applied(reference, [_variant(2, "C", "T"), _variant(5, "AC", "A"),
                                  _variant(10, "C", "CGG")])
    assert decode(applied.codes) == "ATGTAGTACGGGTACGT"
    assert applied.position(1) == 0 and applied.position(8) == 6 and applied.position(12) == 12


@pytest.mark.verifies("SRS-065")
def test_molecules_follow_each_samples_sex() -> None:
    """It gives the mother two X copies and the males one X plus a Y with chrX's PAR sequence."""
    genome = build_genome(np.random.default_rng(1))
    family = make_family(np.random.default_rng(2), genome)
    mother = {m.label: m for m in molecules(genome, family.variants, "mother", 30.0)}
    father = {m.label: m for m in molecules(genome, family.variants, "father", 30.0)}
    assert set(mother) == {"chr1:0", "chr1:1", "chr2:0", "chr2:1", "chrX:0", "chrX:1", "chrM:1"}
    assert set(father) == {"chr1:0", "chr1:1", "chr2:0", "chr2:1", "chrX:1", "chrY:0", "chrM:1"}
    assert father["chrM:1"].depth == MT_COPIES * 30.0 and father["chr1:0"].depth == 15.0
    y = decode(father["chrY:0"].codes)
    x = decode(genome.contigs["chrX"])
    par1 = X_PARS[0][1]
    assert "N" not in y
    assert abs(len(y) - len(genome.contigs["chrY"])) < 50  # indels only
    # the father's Y PAR carries his own PAR alleles, so a few bases differ from the reference
    assert sum(a == b for a, b in zip(y[:2_000], x[:2_000], strict=True)) > 1_950
    y_body = decode(genome.contigs["chrY"])[Y_PARS[0][1]:Y_PARS[1][0] - 1]
    kmers = [y_body[i:i + 50] for i in range(0, 1_000, 50)]
    assert sum(k in y for k in kmers) >= 18  # the Y body is the reference's, bar his variants
    assert x[par1 - 1_000:par1] not in y_body
