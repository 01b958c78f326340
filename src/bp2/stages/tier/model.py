"""The records tiering works on: per-allele genotype calls, variants, the family.

Plain frozen dataclasses, built by the VCF and PED readers (:mod:`.vcf`, :mod:`.family`) and by
tests directly.  A multi-allelic VCF record becomes one :class:`Variant` per ALT allele; each
individual's :class:`Call` counts the copies of *that* allele.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from bp2.annotation import TranscriptConsequence
from bp2.case import Sex

CHROM_ORDER = {str(n): n for n in range(1, 23)} | {"X": 23, "Y": 24, "M": 25, "MT": 25}


class Region(StrEnum):
    AUTOSOMAL = "autosomal"
    X_PAR = "x_par"  # X pseudo-autosomal region: segregated like an autosome
    X = "x"  # X outside the PARs
    MT = "mt"
    OTHER = "other"  # not tiered (Y, unplaced and alternate contigs)


@dataclass(frozen=True)
class Call:
    """One individual's genotype for one ALT allele."""

    copies: int | None  # copies of this ALT allele; None when the genotype is missing/partial
    gt: str = "./."  # as written (phasing kept), for display
    ploidy: int = 2
    gq: int | None = None
    dp: int | None = None
    ref_reads: int | None = None
    alt_reads: int | None = None  # FORMAT/AD of this ALT allele
    phased: bool = False
    phase_set: int | None = None
    alt_haplotypes: tuple[int, ...] = ()  # GT positions holding this ALT (for phase checks)

    @property
    def called(self) -> bool:
        return self.copies is not None

    @property
    def carrier(self) -> bool:
        return self.copies is not None and self.copies >= 1

    @property
    def hom_ref(self) -> bool:
        return self.copies == 0

    @property
    def allele_balance(self) -> float | None:
        """ALT reads / (REF + ALT reads), None without allele depths."""
        if self.ref_reads is None or self.alt_reads is None:
            return None
        total = self.ref_reads + self.alt_reads
        return None if total == 0 else self.alt_reads / total


MISSING = Call(copies=None)


@dataclass(frozen=True)
class Variant:
    """One ALT allele of a VCF record, with what tiering needs to know about it."""

    chrom: str
    pos: int
    ref: str
    alt: str
    region: Region
    calls: Mapping[str, Call] = field(hash=False)
    filters: tuple[str, ...] = ("PASS",)
    site_depth: int | None = None  # INFO/DP
    consequences: tuple[TranscriptConsequence, ...] = ()
    frequencies: Mapping[str, float | None] = field(default_factory=dict, hash=False)
    clinvar_significance: tuple[str, ...] = ()
    clinvar_review_status: str | None = None

    @property
    def key(self) -> str:
        return f"{self.chrom}:{self.pos}:{self.ref}:{self.alt}"

    @property
    def passes_quality(self) -> bool:
        return self.filters == ("PASS",)

    def call(self, individual: str) -> Call:
        return self.calls.get(individual, MISSING)

    def sort_key(self) -> tuple[int, str, int, str, str]:
        return variant_sort_key(self.chrom, self.pos, self.ref, self.alt)


def variant_sort_key(chrom: str, pos: int, ref: str, alt: str) -> tuple[int, str, int, str, str]:
    """Natural chromosome order (1..22, X, Y, MT, then others by name), then position."""
    bare = chrom.removeprefix("chr")
    return (CHROM_ORDER.get(bare, 100), bare, pos, ref, alt)


@dataclass(frozen=True)
class Person:
    id: str
    sex: Sex
    affected: bool | None  # None = unknown affection status (ignored by the penetrance rules)
    father: str | None
    mother: str | None


@dataclass(frozen=True)
class Family:
    """The case's individuals, with whether X-linked segregation may be evaluated."""

    people: Mapping[str, Person] = field(hash=False)
    x_linked: bool = True

    @functools.cached_property
    def affected(self) -> tuple[Person, ...]:
        return tuple(p for _, p in sorted(self.people.items()) if p.affected is True)

    @functools.cached_property
    def unaffected(self) -> tuple[Person, ...]:
        return tuple(p for _, p in sorted(self.people.items()) if p.affected is False)

    def parents(self, person: Person) -> tuple[Person | None, Person | None]:
        father = self.people.get(person.father) if person.father else None
        mother = self.people.get(person.mother) if person.mother else None
        return father, mother
