"""Segregation filters on hand-made genotypes, each rule's arithmetic written out.

Trio unless stated: affected son ``child``, unaffected ``father`` and ``mother``.  Genotypes are
written child | father | mother.
"""

from __future__ import annotations

import pytest

from bp2.case import Sex
from bp2.stages.tier.model import Region
from bp2.stages.tier.rules import Filter, Penetrance
from bp2.stages.tier.segregation import (
    DeNovoGates,
    compound_heterozygous,
    de_novo,
    dominant_maternally_imprinted,
    dominant_paternally_imprinted,
    inherited_dominant,
    mitochondrial,
    simple_recessive,
    single_filters,
    uniparental_isodisomy,
    x_linked_monoallelic,
    x_linked_recessive,
)
from tests.stages.tier.records import call, family, gts, trio, variant

COMPLETE, INCOMPLETE = Penetrance.COMPLETE, Penetrance.INCOMPLETE
NO_GATES = DeNovoGates()


@pytest.mark.verifies("SRS-240")
def test_simple_recessive_and_isodisomy() -> None:
    """It calls SimpleRecessive when both genotyped parents carry, isodisomy when one does not."""
    fam = trio()
    # 1/1 | 0/1 | 0/1: hom child, both parents carriers -> SimpleRecessive, not UPD
    both = variant(gts("1/1", "0/1", "0/1"))
    assert simple_recessive(both, fam, COMPLETE) and not uniparental_isodisomy(both, fam, COMPLETE)
    # 1/1 | 0/1 | 0/0: the mother cannot have given an ALT -> UPD (paternal isodisomy)
    upd = variant(gts("1/1", "0/1", "0/0"))
    assert not simple_recessive(upd, fam, COMPLETE) and uniparental_isodisomy(upd, fam, COMPLETE)
    # 1/1 | ./. | 0/1: the missing father is ignored -> SimpleRecessive; UPD needs both parents
    missing = variant(gts("1/1", "./.", "0/1"))
    assert simple_recessive(missing, fam, COMPLETE)
    assert not uniparental_isodisomy(missing, fam, COMPLETE)
    # 1/1 | 0/1 | 1/1: the unaffected mother is homozygous too -> complete fails, incomplete ok
    carrier = variant(gts("1/1", "0/1", "1/1"))
    assert not simple_recessive(carrier, fam, COMPLETE)
    assert simple_recessive(carrier, fam, INCOMPLETE)
    # 0/1 | 0/1 | 0/1: a single het is not recessive
    assert not simple_recessive(variant(gts("0/1", "0/1", "0/1")), fam, INCOMPLETE)


@pytest.mark.verifies("SRS-241")
def test_compound_heterozygous() -> None:
    """It pairs two hets of one gene only when each parent gave one of them."""
    fam = trio()
    paternal = variant(gts("0/1", "0/1", "0/0"), pos=100)
    maternal = variant(gts("0/1", "0/0", "0/1"), pos=200)
    also_paternal = variant(gts("0/1", "0/1", "0/0"), pos=300)
    novo = variant(gts("0/1", "0/0", "0/0"), pos=400)
    assert compound_heterozygous(paternal, maternal, fam, COMPLETE) is Filter.COMPOUND_HETEROZYGOUS
    # both from the father: in cis in the child
    assert compound_heterozygous(paternal, also_paternal, fam, COMPLETE) is None
    # a de novo partner comes from neither parent (genmod's AR_comp_dn, not GEL's filter)
    assert compound_heterozygous(paternal, novo, fam, COMPLETE) is None
    # the mother ungenotyped at one site: only the father's pattern counts (carries one)
    partial = variant(gts("0/1", "0/0", "./."), pos=500)
    assert compound_heterozygous(paternal, partial, fam, COMPLETE) is not None
    # a sibling, unaffected, with both variants: complete fails, incomplete passes
    quad = family([("child", "father", "mother", Sex.MALE, True),
                   ("sib", "father", "mother", Sex.FEMALE, False),
                   ("father", None, None, Sex.MALE, False),
                   ("mother", None, None, Sex.FEMALE, False)])
    a = variant({**gts("0/1", "0/1", "0/0"), "sib": "0/1"}, pos=100)
    b = variant({**gts("0/1", "0/0", "0/1"), "sib": "0/1"}, pos=200)
    assert compound_heterozygous(a, b, quad, COMPLETE) is None
    assert compound_heterozygous(a, b, quad, INCOMPLETE) is Filter.COMPOUND_HETEROZYGOUS


@pytest.mark.verifies("SRS-241")
def test_compound_heterozygous_phase() -> None:
    """It refuses a pair phased on the same haplotype of one phase set (cis) in a singleton."""
    solo = family([("child", None, None, Sex.MALE, True)])
    cis_a = variant({"child": call("0|1", ps=7)}, pos=100)
    cis_b = variant({"child": call("0|1", ps=7)}, pos=200)
    trans_b = variant({"child": call("1|0", ps=7)}, pos=200)
    assert compound_heterozygous(cis_a, cis_b, solo, COMPLETE) is None
    assert compound_heterozygous(cis_a, trans_b, solo, COMPLETE) is not None


@pytest.mark.verifies("SRS-242")
def test_de_novo() -> None:
    """It calls de novo for a het child of two genotyped hom-ref parents, gates permitting."""
    fam = trio()
    novo = variant(gts("0/1", "0/0", "0/0"))
    assert de_novo(novo, fam, COMPLETE, NO_GATES)
    assert not de_novo(variant(gts("0/1", "0/1", "0/0")), fam, COMPLETE, NO_GATES)
    assert not de_novo(variant(gts("0/1", "./.", "0/0")), fam, COMPLETE, NO_GATES)
    assert not de_novo(variant(gts("1/1", "0/0", "0/0")), fam, COMPLETE, NO_GATES)
    # a male's hemizygous X call
    x = variant(gts("1", "0", "0/0"), region=Region.X)
    assert de_novo(x, fam, COMPLETE, NO_GATES)
    assert not de_novo(variant(gts("1", "0", "0"), region=Region.MT), fam, COMPLETE, NO_GATES)


@pytest.mark.verifies("SRS-234", "SRS-242")
def test_de_novo_gates() -> None:
    """Each genotype gate (GQ, DP, AB, parents' ALT reads, INFO/DP) can reject a de novo."""
    fam = trio()
    base = {"father": call("0/0", gq=30, dp=20, ad=(20, 1)),
            "mother": call("0/0", gq=30, dp=20, ad=(20, 0))}
    child = call("0/1", gq=30, dp=20, ad=(12, 8))  # AB = 8 / 20 = 0.4
    v = variant({"child": child, **base}, site_depth=60)
    assert de_novo(v, fam, COMPLETE, DeNovoGates(child_min_gq=30, parents_min_gq=30,
                                                 child_min_dp=20, parents_min_dp=20,
                                                 child_min_ab=0.4, child_max_ab=0.4,
                                                 parents_max_alt_reads=1, site_min_dp=60))
    for gates in (DeNovoGates(child_min_gq=31), DeNovoGates(parents_min_gq=31),
                  DeNovoGates(child_min_dp=21), DeNovoGates(parents_min_dp=21),
                  DeNovoGates(child_min_ab=0.41), DeNovoGates(child_max_ab=0.39),
                  DeNovoGates(parents_max_alt_reads=0),  # 1 + 0 = 1 ALT read > 0
                  DeNovoGates(site_min_dp=61)):
        assert not de_novo(v, fam, COMPLETE, gates), gates
    missing_gq = variant({"child": call("0/1", gq=None), **base})
    assert not de_novo(missing_gq, fam, COMPLETE, DeNovoGates(child_min_gq=1))


@pytest.mark.verifies("SRS-243")
def test_inherited_dominant_and_imprinting() -> None:
    """It calls dominant inheritance only when a parent can have passed the allele on."""
    affected_father = trio(father_affected=True)
    paternal = variant(gts("0/1", "0/1", "0/0"))
    assert inherited_dominant(paternal, affected_father, COMPLETE)
    # maternal allele silenced (maternally imprinted): the father must transmit -> yes
    assert dominant_maternally_imprinted(paternal, affected_father, COMPLETE)
    # paternal allele silenced: the genotyped mother does not carry it -> no
    assert not dominant_paternally_imprinted(paternal, affected_father, COMPLETE)
    # unaffected carrier father: complete fails, incomplete passes
    fam = trio()
    assert not inherited_dominant(paternal, fam, COMPLETE)
    assert inherited_dominant(paternal, fam, INCOMPLETE)
    # both parents genotyped hom-ref: that is de novo, not inherited
    assert not inherited_dominant(variant(gts("0/1", "0/0", "0/0")), fam, INCOMPLETE)
    # a father not genotyped could carry it
    assert inherited_dominant(variant(gts("0/1", "./.", "0/0")), fam, COMPLETE)
    # an affected homozygote is not the dominant genotype
    assert not inherited_dominant(variant(gts("1/1", "0/1", "0/1")), fam, INCOMPLETE)


@pytest.mark.verifies("SRS-244")
def test_x_linked() -> None:
    """It applies hemizygous genotypes to males and diploid ones to females on X."""
    son = trio()
    # son 1 | father 0 | mother 0/1: XLinkedSimpleRecessive; monoallelic fails (carrier mother)
    v = variant(gts("1", "0", "0/1"), region=Region.X)
    assert x_linked_recessive(v, son, COMPLETE)
    assert not x_linked_monoallelic(v, son, COMPLETE)
    assert x_linked_monoallelic(v, son, INCOMPLETE)
    # daughter 0/1: not recessive (needs 1/1), monoallelic when the parents do not carry
    daughter = trio(Sex.FEMALE)
    assert not x_linked_recessive(variant(gts("0/1", "0", "0/0"), region=Region.X), daughter,
                                  COMPLETE)
    assert x_linked_monoallelic(variant(gts("0/1", "0", "0/0"), region=Region.X), daughter,
                                COMPLETE)
    # X-linked tiering off (sex discordance): nothing on X
    off = family([("child", "father", "mother", Sex.MALE, True),
                  ("father", None, None, Sex.MALE, False),
                  ("mother", None, None, Sex.FEMALE, False)], x_linked=False)
    assert not x_linked_recessive(v, off, COMPLETE)
    # an unaffected hemizygous father fails complete penetrance
    assert not x_linked_recessive(variant(gts("1", "1", "0/1"), region=Region.X), son, COMPLETE)


@pytest.mark.verifies("SRS-244")
def test_x_linked_compound_heterozygous() -> None:
    """It pairs X variants only in affected females, with the father's one hemizygous."""
    # daughter 0/1 + 0/1; father (affection unknown) hemizygous for a; mother het for b
    daughter = trio(Sex.FEMALE, father_affected=None)
    a = variant(gts("0/1", "1", "0/0"), region=Region.X, pos=100)
    b = variant(gts("0/1", "0", "0/1"), region=Region.X, pos=200)
    assert compound_heterozygous(a, b, daughter, COMPLETE) is Filter.X_LINKED_COMPOUND_HETEROZYGOUS
    # an unaffected father who carries one of them would be affected (complete penetrance)
    assert compound_heterozygous(a, b, trio(Sex.FEMALE), COMPLETE) is None
    assert compound_heterozygous(a, b, trio(Sex.FEMALE), INCOMPLETE) is not None
    # an affected father has another genotype (hemizygous for a only): not the same pattern
    assert compound_heterozygous(a, b, trio(Sex.FEMALE, father_affected=True), COMPLETE) is None
    assert compound_heterozygous(a, b, trio(Sex.MALE), INCOMPLETE) is None


@pytest.mark.verifies("SRS-245")
def test_mitochondrial() -> None:
    """It calls MitochondrialGenome on MT for affected carriers, penetrance rules applied."""
    fam = trio()
    assert mitochondrial(variant(gts("1", "0", "0"), region=Region.MT), fam, COMPLETE)
    inherited = variant(gts("1", "0", "1"), region=Region.MT)
    assert not mitochondrial(inherited, fam, COMPLETE)
    assert mitochondrial(inherited, fam, INCOMPLETE)
    assert not mitochondrial(variant(gts("1", "0", "0")), fam, COMPLETE)  # autosomal region


@pytest.mark.verifies("SRS-240", "SRS-243")
def test_missing_genotypes_ignored_but_one_affected_needed() -> None:
    """It ignores missing genotypes but needs at least one genotyped affected individual."""
    sibs = family([("a", None, None, Sex.MALE, True), ("b", None, None, Sex.FEMALE, True)])
    assert Filter.INHERITED_AUTOSOMAL_DOMINANT in single_filters(
        variant({"a": "0/1", "b": "./."}), sibs, COMPLETE, NO_GATES)
    assert not single_filters(variant({"a": "./.", "b": "./."}), sibs, INCOMPLETE, NO_GATES)
    # X PAR behaves like an autosome
    par = variant(gts("1/1", "0/1", "0/1"), region=Region.X_PAR)
    assert Filter.SIMPLE_RECESSIVE in single_filters(par, trio(), COMPLETE, NO_GATES)
