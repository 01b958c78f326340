"""Alleles: the minimal form consequences are computed on, and the normalised key resources are
matched by.

* :class:`Allele` is a VCF allele with the bases it shares with the reference allele trimmed
  (common suffix first, then common prefix), so an insertion has an empty ``ref`` and
  ``end = start - 1`` (VEP's convention: the insertion lies between ``end`` and ``start``) and a
  deletion an empty ``alt``.
* :func:`normalise` gives the *left-aligned, parsimonious* VCF form of an allele (what
  ``bcftools norm -f`` writes): the key under which a population-frequency or ClinVar record and
  a called allele are the same allele.  Matching by position alone is never done.

Pure: the reference is reached through a :class:`~.transcripts.SequenceSource`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bp2.stages.annotate.transcripts import SequenceSource

IMPLEMENTS = ("SRS-205", "SRS-206")


@dataclass(frozen=True)
class Allele:
    contig: str
    start: int  # first reference base (1-based); for an insertion the base after the insertion
    end: int  # last reference base; start - 1 for an insertion
    ref: str  # "" for an insertion
    alt: str  # "" for a deletion

    @classmethod
    def from_vcf(cls, contig: str, pos: int, ref: str, alt: str) -> Allele:
        ref, alt = ref.upper(), alt.upper()
        suffix = 0
        while suffix < min(len(ref), len(alt)) and ref[-1 - suffix] == alt[-1 - suffix]:
            suffix += 1
        ref, alt = ref[:len(ref) - suffix], alt[:len(alt) - suffix]
        prefix = 0
        while prefix < min(len(ref), len(alt)) and ref[prefix] == alt[prefix]:
            prefix += 1
        ref, alt = ref[prefix:], alt[prefix:]
        start = pos + prefix
        return cls(contig, start, start + len(ref) - 1, ref, alt)

    @property
    def is_insertion(self) -> bool:
        return not self.ref and bool(self.alt)

    @property
    def is_deletion(self) -> bool:
        return bool(self.ref) and not self.alt

    @property
    def length_change(self) -> int:
        return len(self.alt) - len(self.ref)

    @property
    def is_identity(self) -> bool:
        """REF equals ALT (nothing changes)."""
        return not self.ref and not self.alt


@dataclass(frozen=True)
class AlleleKey:
    """A normalised VCF allele: left-aligned and parsimonious, upper case."""

    contig: str
    pos: int
    ref: str
    alt: str


def normalise(contig: str, pos: int, ref: str, alt: str, source: SequenceSource) -> AlleleKey:
    """Left-align and trim an allele as ``bcftools norm -f`` does (Tan et al. 2015).

    Trailing bases shared by REF and ALT are dropped, a base from the reference is prepended
    whenever an allele becomes empty, and the loop repeats until the alleles end differently;
    then leading shared bases are dropped while both alleles keep at least one base.
    """
    ref, alt = ref.upper(), alt.upper()
    if ref == alt or not ref or not alt:
        return AlleleKey(contig, pos, ref, alt)
    while True:
        changed = False
        if ref and alt and ref[-1] == alt[-1]:
            ref, alt = ref[:-1], alt[:-1]
            changed = True
        if (not ref or not alt) and pos > 1:
            base = source.fetch(contig, pos - 1, pos - 1)
            if not base:
                break
            ref, alt, pos = base + ref, base + alt, pos - 1
            changed = True
        if not changed or not ref or not alt:
            break
    while len(ref) > 1 and len(alt) > 1 and ref[0] == alt[0]:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    return AlleleKey(contig, pos, ref, alt)
