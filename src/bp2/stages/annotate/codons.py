"""Nucleotide and protein sequence arithmetic: reverse complement, codon tables, translation and
the three-letter amino-acid names HGVS uses.

Two genetic codes are needed for a human genome (NCBI translation tables 1 and 2): the standard
code for nuclear genes and the vertebrate mitochondrial code for genes on the mitochondrial
contig, where ``AGA``/``AGG`` are stops, ``TGA`` is tryptophan and ``ATA`` is methionine (as VEP
and SnpEff translate them).  Everything here is pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

IMPLEMENTS = ("SRS-202",)

_COMPLEMENT = str.maketrans("ACGTNacgtnRYKMSWBDHVrykmswbdhv", "TGCANtgcanYRMKSWVHDByrmkswvhdb")

_BASES = "TCAG"
# NCBI translation table 1, codons in TCAG order (TTT, TTC, TTA, TTG, TCT, ...).
_STANDARD_AA = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"
# NCBI translation table 2 (vertebrate mitochondrial) differs at TGA (W), ATA (M), AGA/AGG (*).
_MITO_AA = "FFLLSSSSYY**CCWWLLLLPPPPHHQQRRRRIIMMTTTTNNKKSS**VVVVAAAADDEEGGGG"


def _table(letters: str) -> dict[str, str]:
    codons = (a + b + c for a in _BASES for b in _BASES for c in _BASES)
    return dict(zip(codons, letters, strict=True))


class GeneticCode(StrEnum):
    STANDARD = "standard"  # NCBI table 1
    VERTEBRATE_MITOCHONDRIAL = "vertebrate_mitochondrial"  # NCBI table 2


CODON_TABLES: Mapping[GeneticCode, Mapping[str, str]] = {
    GeneticCode.STANDARD: _table(_STANDARD_AA),
    GeneticCode.VERTEBRATE_MITOCHONDRIAL: _table(_MITO_AA),
}

MITOCHONDRIAL_CONTIGS = frozenset({"chrM", "MT", "M", "chrMT"})

THREE_LETTER: Mapping[str, str] = {
    "A": "Ala", "R": "Arg", "N": "Asn", "D": "Asp", "C": "Cys", "E": "Glu", "Q": "Gln",
    "G": "Gly", "H": "His", "I": "Ile", "L": "Leu", "K": "Lys", "M": "Met", "F": "Phe",
    "P": "Pro", "S": "Ser", "T": "Thr", "W": "Trp", "Y": "Tyr", "V": "Val", "U": "Sec",
    "*": "Ter", "X": "Xaa",
}


def code_for_contig(contig: str) -> GeneticCode:
    """The genetic code of genes on ``contig``: vertebrate mitochondrial on chrM/MT."""
    return (GeneticCode.VERTEBRATE_MITOCHONDRIAL if contig in MITOCHONDRIAL_CONTIGS
            else GeneticCode.STANDARD)


def revcomp(sequence: str) -> str:
    """Reverse complement (IUPAC codes complemented, case kept)."""
    return sequence.translate(_COMPLEMENT)[::-1]


def translate(sequence: str, code: GeneticCode = GeneticCode.STANDARD) -> str:
    """One-letter translation of the complete codons of ``sequence`` (any trailing partial codon
    is ignored); a codon with a base other than A, C, G or T gives ``X``."""
    table = CODON_TABLES[code]
    upper = sequence.upper()
    return "".join(table.get(upper[i:i + 3], "X") for i in range(0, len(upper) - 2, 3))


def translate_to_stop(sequence: str, code: GeneticCode = GeneticCode.STANDARD) -> tuple[str, bool]:
    """Translate codon by codon up to and including the first stop (``*``).

    Returns the peptide and whether a stop was reached before the sequence ran out.
    """
    table = CODON_TABLES[code]
    upper = sequence.upper()
    letters: list[str] = []
    for i in range(0, len(upper) - 2, 3):
        amino = table.get(upper[i:i + 3], "X")
        letters.append(amino)
        if amino == "*":
            return "".join(letters), True
    return "".join(letters), False


def three_letter(peptide: str) -> str:
    """``MK*`` → ``MetLysTer``."""
    return "".join(THREE_LETTER[a] for a in peptide)


def is_stop(codon: str, code: GeneticCode) -> bool:
    return CODON_TABLES[code].get(codon.upper()) == "*"
