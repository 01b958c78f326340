"""GEL's segregation filters over one variant (or a pair) and a family.  Pure functions.

Common rules (GEL "Segregation with disease", "Penetrance modes", "Additional notes"):

* Only individuals whose genotype is called count; missing genotypes are ignored, but at least
  one affected individual must be called.
* **Complete penetrance**: every called affected individual has the filter's disease genotype
  and no called unaffected individual has it.  **Incomplete**: unaffected carriers are allowed.
  Individuals of unknown affection status are ignored.

Per filter (``c`` = copies of the ALT allele; on X outside the PARs a male's genotype is
hemizygous, any ALT copy counts):

==============================  ===========================================================
filter                          affected genotype; extra condition
==============================  ===========================================================
SimpleRecessive                 c = 2 (unaffected: not c = 2); every genotyped parent of an
                                affected individual carries the allele
UniparentalIsodisomy            c = 2; for some affected child both parents are genotyped,
                                one carries the allele and the other is c = 0
CompoundHeterozygous            two variants of one gene, c = 1 at both; each genotyped
                                parent carries exactly one of them and, when both are
                                genotyped, not the same one; not phased in cis (see pair rules)
deNovo                          an affected child with both parents genotyped c = 0, the child
                                c = 1 (hemizygous male on X: c ≥ 1), the genotype gates passed
InheritedAutosomalDominant      c = 1 (unaffected: c ≥ 1); no affected child has both parents
                                genotyped c = 0
…MaternallyImprinted            as above; a genotyped father of each affected carries it
…PaternallyImprinted            as above; a genotyped mother of each affected carries it
XLinkedSimpleRecessive          males c ≥ 1, females c = 2 (unaffected: the same genotypes)
XLinkedCompoundHeterozygous     as CompoundHeterozygous on X, affected individuals female
XLinkedMonoallelic              c ≥ 1 in either sex
MitochondrialGenome             c ≥ 1 (any ALT call, heteroplasmy not used)
==============================  ===========================================================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bp2.case import Sex
from bp2.stages.tier.model import Call, Family, Person, Region, Variant
from bp2.stages.tier.rules import Filter, Penetrance

IMPLEMENTS = ("SRS-240", "SRS-241", "SRS-242", "SRS-243", "SRS-244", "SRS-245")

Genotype = Callable[[Person, Call], bool]
NUCLEAR = (Region.AUTOSOMAL, Region.X_PAR)


@dataclass(frozen=True)
class DeNovoGates:
    """Genotype-quality gates of the de novo filter; None = gate off.  Minimums are inclusive."""

    child_min_gq: int | None = None
    child_min_dp: int | None = None
    child_min_ab: float | None = None
    child_max_ab: float | None = None
    parents_min_gq: int | None = None
    parents_min_dp: int | None = None
    parents_max_alt_reads: int | None = None  # the two parents' ALT reads added together
    site_min_dp: int | None = None  # INFO/DP

    def child_ok(self, call: Call) -> bool:
        ab = call.allele_balance
        return (
            _at_least(call.gq, self.child_min_gq)
            and _at_least(call.dp, self.child_min_dp)
            and (self.child_min_ab is None or (ab is not None and ab >= self.child_min_ab))
            and (self.child_max_ab is None or (ab is not None and ab <= self.child_max_ab))
        )

    def parents_ok(self, father: Call, mother: Call) -> bool:
        for call in (father, mother):
            if not (_at_least(call.gq, self.parents_min_gq)
                    and _at_least(call.dp, self.parents_min_dp)):
                return False
        if self.parents_max_alt_reads is not None:
            if father.alt_reads is None or mother.alt_reads is None:
                return False
            return father.alt_reads + mother.alt_reads <= self.parents_max_alt_reads
        return True

    def site_ok(self, variant: Variant) -> bool:
        return _at_least(variant.site_depth, self.site_min_dp)


def _at_least(value: int | None, minimum: int | None) -> bool:
    return minimum is None or (value is not None and value >= minimum)


def _hemizygous(variant: Variant, person: Person) -> bool:
    return variant.region is Region.X and person.sex is Sex.MALE


def penetrance_ok(variant: Variant, family: Family, penetrance: Penetrance,
                  affected_has: Genotype, unaffected_has: Genotype) -> bool:
    """Every called affected has the disease genotype; (complete) no called unaffected has it."""
    called = [(p, variant.call(p.id)) for p in family.affected if variant.call(p.id).called]
    if not called or not all(affected_has(p, c) for p, c in called):
        return False
    if penetrance is Penetrance.COMPLETE:
        for person in family.unaffected:
            call = variant.call(person.id)
            if call.called and unaffected_has(person, call):
                return False
    return True


def _carrier(_: Person, call: Call) -> bool:
    return call.carrier


def _hom_alt(_: Person, call: Call) -> bool:
    return call.copies == 2


def _het(_: Person, call: Call) -> bool:
    return call.copies == 1


def simple_recessive(variant: Variant, family: Family, penetrance: Penetrance) -> bool:
    if variant.region not in NUCLEAR:
        return False
    if not penetrance_ok(variant, family, penetrance, _hom_alt, _hom_alt):
        return False
    for child in family.affected:
        if variant.call(child.id).copies != 2:
            continue
        for parent in family.parents(child):
            if parent is not None and variant.call(parent.id).hom_ref:
                return False
    return True


def uniparental_isodisomy(variant: Variant, family: Family, penetrance: Penetrance) -> bool:
    if variant.region not in NUCLEAR:
        return False
    if not penetrance_ok(variant, family, penetrance, _hom_alt, _hom_alt):
        return False
    for child in family.affected:
        father, mother = family.parents(child)
        if variant.call(child.id).copies != 2 or father is None or mother is None:
            continue
        f, m = variant.call(father.id), variant.call(mother.id)
        if f.called and m.called and {f.carrier, m.carrier} == {True, False}:
            return True
    return False


def de_novo(variant: Variant, family: Family, penetrance: Penetrance, gates: DeNovoGates) -> bool:
    if variant.region not in (*NUCLEAR, Region.X) or not gates.site_ok(variant):
        return False
    if variant.region is Region.X and not family.x_linked:
        return False
    if not penetrance_ok(variant, family, penetrance, _carrier, _carrier):
        return False
    for child in family.affected:
        father, mother = family.parents(child)
        if father is None or mother is None:
            continue
        c, f, m = variant.call(child.id), variant.call(father.id), variant.call(mother.id)
        if not (f.hom_ref and m.hom_ref):
            continue
        genotype_ok = c.carrier if _hemizygous(variant, child) else c.copies == 1
        if genotype_ok and gates.child_ok(c) and gates.parents_ok(f, m):
            return True
    return False


def _dominant(variant: Variant, family: Family, penetrance: Penetrance,
              expressed_parent: str | None) -> bool:
    if variant.region not in NUCLEAR:
        return False
    if not penetrance_ok(variant, family, penetrance, _het, _carrier):
        return False
    for child in family.affected:
        if not variant.call(child.id).called:
            continue
        father, mother = family.parents(child)
        f = variant.call(father.id) if father else None
        m = variant.call(mother.id) if mother else None
        if f is not None and m is not None and f.hom_ref and m.hom_ref:
            return False  # not inheritable: that is the de novo pattern
        expressed = {"father": f, "mother": m}.get(expressed_parent or "")
        if expressed is not None and expressed.hom_ref:
            return False
    return True


def inherited_dominant(variant: Variant, family: Family, penetrance: Penetrance) -> bool:
    return _dominant(variant, family, penetrance, None)


def dominant_maternally_imprinted(variant: Variant, family: Family,
                                  penetrance: Penetrance) -> bool:
    """Maternal allele silenced: the (genotyped) father transmits it."""
    return _dominant(variant, family, penetrance, "father")


def dominant_paternally_imprinted(variant: Variant, family: Family,
                                  penetrance: Penetrance) -> bool:
    """Paternal allele silenced: the (genotyped) mother transmits it."""
    return _dominant(variant, family, penetrance, "mother")


def _x_recessive_genotype(person: Person, call: Call) -> bool:
    return call.carrier if person.sex is Sex.MALE else call.copies == 2


def x_linked_recessive(variant: Variant, family: Family, penetrance: Penetrance) -> bool:
    if variant.region is not Region.X or not family.x_linked:
        return False
    return penetrance_ok(variant, family, penetrance, _x_recessive_genotype,
                         _x_recessive_genotype)


def x_linked_monoallelic(variant: Variant, family: Family, penetrance: Penetrance) -> bool:
    if variant.region is not Region.X or not family.x_linked:
        return False
    return penetrance_ok(variant, family, penetrance, _carrier, _carrier)


def mitochondrial(variant: Variant, family: Family, penetrance: Penetrance) -> bool:
    if variant.region is not Region.MT:
        return False
    return penetrance_ok(variant, family, penetrance, _carrier, _carrier)


SINGLE: dict[Filter, Callable[[Variant, Family, Penetrance], bool]] = {
    Filter.SIMPLE_RECESSIVE: simple_recessive,
    Filter.UNIPARENTAL_ISODISOMY: uniparental_isodisomy,
    Filter.INHERITED_AUTOSOMAL_DOMINANT: inherited_dominant,
    Filter.IAD_MATERNALLY_IMPRINTED: dominant_maternally_imprinted,
    Filter.IAD_PATERNALLY_IMPRINTED: dominant_paternally_imprinted,
    Filter.X_LINKED_SIMPLE_RECESSIVE: x_linked_recessive,
    Filter.X_LINKED_MONOALLELIC: x_linked_monoallelic,
    Filter.MITOCHONDRIAL_GENOME: mitochondrial,
}


def single_filters(variant: Variant, family: Family, penetrance: Penetrance,
                   gates: DeNovoGates) -> frozenset[Filter]:
    """Every single-variant filter the variant passes."""
    passed = {f for f, check in SINGLE.items() if check(variant, family, penetrance)}
    if de_novo(variant, family, penetrance, gates):
        passed.add(Filter.DE_NOVO)
    return frozenset(passed)


def _cis(first: Call, second: Call) -> bool:
    """Both ALT alleles on the same haplotype of one phase set."""
    return (
        first.phased and second.phased
        and first.phase_set is not None and first.phase_set == second.phase_set
        and bool(set(first.alt_haplotypes) & set(second.alt_haplotypes))
    )


def compound_heterozygous(first: Variant, second: Variant, family: Family,
                          penetrance: Penetrance) -> Filter | None:
    """The compound-heterozygous filter the pair passes (autosomal/PAR or X), if any.

    The caller pairs only variants of the same gene.
    """
    if first.key == second.key:
        return None
    if first.region in NUCLEAR and second.region in NUCLEAR:
        x_linked = False
    elif first.region is Region.X and second.region is Region.X and family.x_linked:
        x_linked = True
    else:
        return None
    affected = [p for p in family.affected
                if first.call(p.id).called and second.call(p.id).called]
    if not affected:
        return None
    for child in affected:
        c1, c2 = first.call(child.id), second.call(child.id)
        if x_linked and child.sex is not Sex.FEMALE:
            return None
        if c1.copies != 1 or c2.copies != 1 or _cis(c1, c2):
            return None
        carried: list[tuple[bool, bool]] = []
        for parent in family.parents(child):
            if parent is None:
                continue
            p1, p2 = first.call(parent.id), second.call(parent.id)
            if not (p1.called and p2.called):
                continue
            pattern = (p1.carrier, p2.carrier)
            if pattern not in ((True, False), (False, True)):
                return None
            carried.append(pattern)
        if len(carried) == 2 and carried[0] == carried[1]:
            return None
    if penetrance is Penetrance.COMPLETE:
        for person in family.unaffected:
            u1, u2 = first.call(person.id), second.call(person.id)
            if x_linked and person.sex is Sex.MALE:
                affected_genotype = u1.carrier or u2.carrier  # hemizygous
            else:
                affected_genotype = (u1.carrier and u2.carrier) or 2 in (u1.copies, u2.copies)
            if affected_genotype:
                return None
    return Filter.X_LINKED_COMPOUND_HETEROZYGOUS if x_linked else Filter.COMPOUND_HETEROZYGOUS
