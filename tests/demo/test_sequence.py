"""Unit tests of bp2.demo.sequence: codes, genetic codes and random sequence."""

from __future__ import annotations

import numpy as np
import pytest

from bp2.demo.sequence import (
    MITO_CODE,
    SHARED_SENSE,
    STANDARD_CODE,
    decode,
    encode,
    isochores,
    mutate,
    revcomp,
    translate,
    without_atg,
)


@pytest.mark.verifies("SRS-063")
def test_genetic_codes_match_ncbi_tables() -> None:
    """It translates with NCBI tables 1 and 2 (TGA = W, AGA/AGG = stop, ATA = M in mito)."""
    assert translate("ATGTGGTAA") == "MW*"
    assert STANDARD_CODE["TGA"] == "*" and MITO_CODE["TGA"] == "W"
    assert MITO_CODE["AGA"] == MITO_CODE["AGG"] == "*" and MITO_CODE["ATA"] == "M"
    assert all(STANDARD_CODE[c] == MITO_CODE[c] != "*" for c in SHARED_SENSE)
    assert len(SHARED_SENSE) == 58  # 64 minus TAA, TAG, TGA, AGA, AGG and ATA (I vs M)


@pytest.mark.verifies("SRS-062")
def test_encode_decode_and_reverse_complement_round_trip() -> None:
    """It round-trips text through codes and reverse-complements correctly (N stays N)."""
    assert decode(encode("ACGTN")) == "ACGTN"
    assert decode(revcomp(encode("AACGTN"))) == "NACGTT"


@pytest.mark.verifies("SRS-062")
def test_isochores_vary_gc_between_blocks() -> None:
    """It draws sequence whose G+C fraction differs between 2 kb windows."""
    seq = isochores(np.random.default_rng(1), 60_000)
    gc = [float(np.isin(seq[i:i + 2000], (1, 2)).mean()) for i in range(0, 60_000, 2000)]
    assert max(gc) - min(gc) > 0.12
    assert 0.30 < float(np.mean(gc)) < 0.62


@pytest.mark.verifies("SRS-062")
def test_mutate_substitutes_about_the_requested_fraction() -> None:
    """It changes about the requested fraction of bases, never to the same base."""
    seq = isochores(np.random.default_rng(2), 20_000)
    copy = mutate(np.random.default_rng(3), seq, 0.05)
    assert 0.04 < float((copy != seq).mean()) < 0.06


@pytest.mark.verifies("SRS-063")
def test_without_atg_leaves_no_start_codon() -> None:
    """It breaks every ATG so a 5' UTR holds no upstream start codon."""
    fixed = without_atg(np.random.default_rng(4), encode("ATGATGCCATGAATG"))
    assert "ATG" not in decode(fixed)
