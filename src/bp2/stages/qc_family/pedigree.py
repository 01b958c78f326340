"""What the PED says about the family: relationships between pairs, trios and duos.

Pure functions over :class:`bp2.case.Pedigree` records.

**Expected relationship of a pair.**  Parent-offspring when one is the other's father or mother;
full siblings when both have the same, known, father and mother; otherwise the degree follows
from the pedigree kinship coefficient φ, computed by the classical recursion over a
parents-first order (φ(i, i) = ½(1 + φ(father, mother)); for j not an ancestor of i,
φ(i, j) = ½[φ(i, father_j) + φ(i, mother_j)], an unknown parent adding 0; founders are
unrelated): φ ≥ the first-degree cut-off without a parent or full-sibling link (possible only
with inbreeding) → first degree; then second degree (half-sibs, grandparent, avuncular: φ = ⅛),
third degree (first cousins: φ = 1/16), else unrelated — which includes every pair of founders
and every pair from different families.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bp2.case import Pedigree, PedRecord
from bp2.errors import InputError


class Relationship(StrEnum):
    DUPLICATE = "duplicate"  # the same person (or monozygotic twins)
    PARENT_OFFSPRING = "parent_offspring"
    FULL_SIBLINGS = "full_siblings"
    FIRST_DEGREE = "first_degree"  # expected only: φ ≥ first-degree cut-off, neither PO nor FS
    SECOND_DEGREE = "second_degree"
    THIRD_DEGREE = "third_degree"
    UNRELATED = "unrelated"


DEGREE: dict[Relationship, int] = {
    Relationship.DUPLICATE: 0,
    Relationship.PARENT_OFFSPRING: 1,
    Relationship.FULL_SIBLINGS: 1,
    Relationship.FIRST_DEGREE: 1,
    Relationship.SECOND_DEGREE: 2,
    Relationship.THIRD_DEGREE: 3,
    Relationship.UNRELATED: 4,
}

LABEL: dict[Relationship, str] = {
    Relationship.DUPLICATE: "duplicate (same person)",
    Relationship.PARENT_OFFSPRING: "parent-offspring",
    Relationship.FULL_SIBLINGS: "full siblings",
    Relationship.FIRST_DEGREE: "first-degree relatives",
    Relationship.SECOND_DEGREE: "second-degree relatives",
    Relationship.THIRD_DEGREE: "third-degree relatives",
    Relationship.UNRELATED: "unrelated",
}


@dataclass(frozen=True)
class DegreeCutoffs:
    """Kinship cut-offs between the degrees (KING: 2^-1.5, 2^-2.5, 2^-3.5, 2^-4.5)."""

    duplicate: float
    first: float
    second: float
    third: float


@dataclass(frozen=True)
class FamilyUnit:
    """A child with at least one parent in the PED: a trio, or a duo when one is unknown."""

    child: str
    father: str | None
    mother: str | None

    @property
    def members(self) -> tuple[str, ...]:
        return tuple(m for m in (self.child, self.father, self.mother) if m is not None)

    def describe(self) -> str:
        parents = ", ".join(
            f"{role} {name}" for role, name in (("father", self.father), ("mother", self.mother))
            if name is not None
        )
        kind = "trio" if self.father and self.mother else "duo"
        return f"{kind} {self.child} ({parents})"


def check_samples(pedigree: Pedigree, vcf_samples: Sequence[str], vcf_path: str) -> None:
    """Refuse a VCF whose sample IDs are not exactly the PED's individual IDs."""
    ped_ids = [r.individual for r in pedigree.records]
    if sorted(ped_ids) == sorted(vcf_samples):
        return
    only_vcf = sorted(set(vcf_samples) - set(ped_ids))
    only_ped = sorted(set(ped_ids) - set(vcf_samples))
    detail = []
    if only_vcf:
        detail.append(f"only in the VCF: {', '.join(only_vcf)}")
    if only_ped:
        detail.append(f"only in the PED: {', '.join(only_ped)}")
    raise InputError(
        "the VCF's sample IDs do not match the PED's individual IDs "
        f"(VCF: {', '.join(vcf_samples) or 'none'}; PED {pedigree.path.name}: "
        f"{', '.join(ped_ids)}; {'; '.join(detail) or 'a sample appears twice'})",
        path=vcf_path,
        hint="the joint VCF must hold exactly one column per PED individual, named by its "
        "individual ID; check the samplesheet sample IDs against the PED",
    )


def parents_first(pedigree: Pedigree) -> tuple[PedRecord, ...]:
    """The records ordered so that parents come before their children.

    Refuses a parent who is not in the PED and a pedigree loop (someone their own ancestor).
    """
    by_id = {r.individual: r for r in pedigree.records}
    for record in pedigree.records:
        for role, parent in (("father", record.father), ("mother", record.mother)):
            if parent is not None and parent not in by_id:
                raise InputError(
                    f"{role} '{parent}' of '{record.individual}' is not in the PED",
                    path=pedigree.path, line=record.line, field=role,
                    hint=f"add a line for '{parent}' or set the {role} column to 0",
                )
    order: list[PedRecord] = []
    state: dict[str, int] = {}  # 1 = being visited, 2 = placed

    def visit(record: PedRecord) -> None:
        stack = [(record, False)]
        while stack:
            current, expanded = stack.pop()
            ident = current.individual
            if expanded:
                state[ident] = 2
                order.append(current)
                continue
            if state.get(ident) == 2:
                continue
            if state.get(ident) == 1:
                raise InputError(
                    f"'{ident}' is their own ancestor in the PED",
                    path=pedigree.path, line=current.line, field="father",
                    hint="correct the father/mother columns: the pedigree has a loop",
                )
            state[ident] = 1
            stack.append((current, True))
            for parent in (current.mother, current.father):
                if parent is not None:
                    if state.get(parent) == 1:
                        raise InputError(
                            f"'{parent}' is their own ancestor in the PED",
                            path=pedigree.path, line=by_id[parent].line, field="father",
                            hint="correct the father/mother columns: the pedigree has a loop",
                        )
                    if state.get(parent) != 2:
                        stack.append((by_id[parent], False))

    for record in pedigree.records:
        visit(record)
    return tuple(order)


def kinship_coefficients(pedigree: Pedigree) -> dict[tuple[str, str], float]:
    """Pedigree kinship φ of every ordered pair (both orders present)."""
    order = parents_first(pedigree)
    index = {r.individual: n for n, r in enumerate(order)}
    parents = {r.individual: (r.father, r.mother) for r in order}

    @functools.cache
    def phi(a: str, b: str) -> float:
        if a == b:
            father, mother = parents[a]
            inbreeding = phi(father, mother) if father and mother else 0.0
            return 0.5 * (1.0 + inbreeding)
        if index[a] > index[b]:
            a, b = b, a  # b is now not an ancestor of a
        father, mother = parents[b]
        return 0.5 * ((phi(a, father) if father else 0.0) + (phi(a, mother) if mother else 0.0))

    ids = [r.individual for r in order]
    return {(a, b): phi(a, b) for a in ids for b in ids if a != b}


def expected_relationship(
    pedigree: Pedigree, a: str, b: str, phi: float, cutoffs: DegreeCutoffs
) -> Relationship:
    """What the PED implies for the pair (a, b), given their pedigree kinship φ."""
    record_a, record_b = pedigree.get(a), pedigree.get(b)
    assert record_a is not None and record_b is not None
    if a in (record_b.father, record_b.mother) or b in (record_a.father, record_a.mother):
        return Relationship.PARENT_OFFSPRING
    if (
        record_a.father is not None and record_a.mother is not None
        and (record_a.father, record_a.mother) == (record_b.father, record_b.mother)
    ):
        return Relationship.FULL_SIBLINGS
    if phi >= cutoffs.first:
        return Relationship.FIRST_DEGREE
    if phi >= cutoffs.second:
        return Relationship.SECOND_DEGREE
    if phi >= cutoffs.third:
        return Relationship.THIRD_DEGREE
    return Relationship.UNRELATED


def family_units(pedigree: Pedigree) -> tuple[FamilyUnit, ...]:
    """Every child with at least one parent in the PED, in PED order."""
    return tuple(
        FamilyUnit(r.individual, r.father, r.mother)
        for r in pedigree.records
        if r.father is not None or r.mother is not None
    )
