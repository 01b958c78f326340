"""DNA as numpy code arrays (A=0, C=1, G=2, T=3, N=4), the genetic codes and random sequence.

Everything here is a pure function of its arguments and of the ``numpy.random.Generator`` it is
given, so a fixed seed gives the same sequence on every run and platform.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Codes = npt.NDArray[np.uint8]

A, C, G, T, N = 0, 1, 2, 3, 4
ALPHABET = b"ACGTN"
_ASCII = np.frombuffer(ALPHABET, dtype=np.uint8)
_FROM_ASCII = np.full(256, N, dtype=np.uint8)
for _code, _char in enumerate(ALPHABET):
    _FROM_ASCII[_char] = _code
    _FROM_ASCII[ord(chr(_char).lower())] = _code
_COMPLEMENT = np.array([T, G, C, A, N], dtype=np.uint8)

_BASES = "TCAG"
_AMINO_STANDARD = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"
_AMINO_MITO = "FFLLSSSSYY**CCWWLLLLPPPPHHQQRRRRIIMMTTTTNNKKSS**VVVVAAAADDEEGGGG"
STANDARD_CODE: dict[str, str] = {
    a + b + c: _AMINO_STANDARD[16 * i + 4 * j + k]
    for i, a in enumerate(_BASES) for j, b in enumerate(_BASES) for k, c in enumerate(_BASES)
}
"""NCBI translation table 1."""
MITO_CODE: dict[str, str] = {
    a + b + c: _AMINO_MITO[16 * i + 4 * j + k]
    for i, a in enumerate(_BASES) for j, b in enumerate(_BASES) for k, c in enumerate(_BASES)
}
"""NCBI translation table 2 (vertebrate mitochondrial): TGA=W, AGA/AGG=stop, ATA=M."""

STOPS = frozenset(c for c, aa in STANDARD_CODE.items() if aa == "*")
# Codons that are sense codons and mean the same in both tables: usable in nuclear and mito genes.
SHARED_SENSE = tuple(sorted(c for c, aa in STANDARD_CODE.items()
                            if aa != "*" and MITO_CODE[c] == aa))


def encode(text: str | bytes) -> Codes:
    raw = text.encode("ascii") if isinstance(text, str) else text
    return _FROM_ASCII[np.frombuffer(raw, dtype=np.uint8)]


def decode(codes: Codes) -> str:
    return _ASCII[codes].tobytes().decode("ascii")


def to_ascii(codes: Codes) -> Codes:
    """ASCII bytes (as a uint8 array) of a code array of any shape."""
    result: Codes = _ASCII[codes]
    return result


def complement(codes: Codes) -> Codes:
    result: Codes = _COMPLEMENT[codes]
    return result


def revcomp(codes: Codes) -> Codes:
    result: Codes = _COMPLEMENT[codes[::-1]]
    return result


def revcomp_text(text: str) -> str:
    return decode(revcomp(encode(text)))


def translate(cds: str, *, mito: bool = False) -> str:
    """Protein of a coding sequence (length a multiple of 3), '*' for stops."""
    table = MITO_CODE if mito else STANDARD_CODE
    return "".join(table[cds[i:i + 3]] for i in range(0, len(cds) - 2, 3))


def random_bases(rng: np.random.Generator, length: int, gc: float) -> Codes:
    """``length`` independent bases with G+C fraction ``gc``."""
    u = rng.random(length)
    at = (1.0 - gc) / 2.0
    codes = np.full(length, T, dtype=np.uint8)
    codes[u < at + gc] = G
    codes[u < at + gc / 2.0] = C
    codes[u < at] = A
    return codes


def isochores(rng: np.random.Generator, length: int, *, low: float = 0.34,
              high: float = 0.60) -> Codes:
    """Random sequence whose G+C content changes every 2–8 kb, like human isochores."""
    parts: list[Codes] = []
    done = 0
    while done < length:
        size = min(int(rng.integers(2_000, 8_000)), length - done)
        parts.append(random_bases(rng, size, float(rng.uniform(low, high))))
        done += size
    return np.concatenate(parts)


def mutate(rng: np.random.Generator, codes: Codes, divergence: float) -> Codes:
    """A copy with about ``divergence`` of its bases substituted (never to the same base)."""
    copy = codes.copy()
    hits = rng.random(len(copy)) < divergence
    shift = rng.integers(1, 4, size=int(hits.sum())).astype(np.uint8)
    copy[hits] = (copy[hits] + shift) % 4
    return copy


def random_sense_codons(rng: np.random.Generator, count: int) -> str:
    """``count`` random codons that are sense codons in both the standard and mito codes."""
    picks = rng.integers(0, len(SHARED_SENSE), size=count)
    return "".join(SHARED_SENSE[i] for i in picks)


def without_atg(rng: np.random.Generator, codes: Codes) -> Codes:
    """Break every ATG (so a 5' UTR holds no upstream start codon)."""
    fixed = codes.copy()
    text = decode(fixed)
    start = text.find("ATG")
    while start >= 0:
        fixed[start + 1] = C if rng.random() < 0.5 else A  # ACG or AAG
        text = decode(fixed)
        start = text.find("ATG", start)
    return fixed
