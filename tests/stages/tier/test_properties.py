"""Property tests (hypothesis) of segregation and tiering on random trios and variants."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bp2.case import Sex
from bp2.stages.tier.model import Call, Family, Person, Region, Variant
from bp2.stages.tier.output import segregation_tsv, tiers_json, tiers_tsv
from bp2.stages.tier.rules import Filter, Penetrance, load_rules
from bp2.stages.tier.segregation import DeNovoGates, single_filters
from bp2.stages.tier.tiering import Route, Tierer, green_genes
from tests.stages.tier.helpers import (
    BIALLELIC,
    MONOALLELIC,
    RULES,
    X_RECESSIVE,
    panel_record,
    panels_document,
)
from tests.stages.tier.records import call, tc

RULESET = load_rules(RULES)
GENES = {"GENE1": ("ENSG00000000001", MONOALLELIC), "GENE2": ("ENSG00000000002", BIALLELIC),
         "GENE3": ("ENSG00000000003", X_RECESSIVE)}
GREENS = green_genes(panels_document(panel_record(
    [(s, e, "3", moi) for s, (e, moi) in GENES.items()] + [("GENE4", "ENSG00000000004", "2",
                                                            MONOALLELIC)])), RULESET.rules)
# GEL's published thresholds (Nembus table, S11), written here independently of tiering.yaml
GEL = {"dominant": {"gnomAD_AF_nfe": 0.001, "gnomAD_AF_asj": 0.003, "gnomAD_AF_eas": 0.002,
                    "gnomAD_AF_ami": 0.1, "INTERNAL_AF": 0.001},
       "recessive": {"gnomAD_AF_nfe": 0.01, "gnomAD_AF_asj": 0.01, "gnomAD_AF_eas": 0.01,
                     "gnomAD_AF_ami": 0.1, "INTERNAL_AF": 0.01},
       "mitochondrial": {"INTERNAL_AF": 0.001}}
# bp2's overall gnomAD AF thresholds (tiering.yaml frequency_threshold_overall, a stated bp2
# assumption: GEL's standard dominant/recessive values; none for the mitochondrial class)
OVERALL = {"dominant": {"gnomAD_AF": 0.001}, "recessive": {"gnomAD_AF": 0.01},
           "mitochondrial": {}}
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

autosomal_gt = st.sampled_from(["0/0", "0/1", "1/1", "./."])
called_gt = st.sampled_from(["0/0", "0/1", "1/1"])
affection = st.sampled_from([True, False, None])


def trio_family(father: bool | None, mother: bool | None, child_sex: Sex = Sex.MALE) -> Family:
    return Family({"child": Person("child", child_sex, True, "father", "mother"),
                   "father": Person("father", Sex.MALE, father, None, None),
                   "mother": Person("mother", Sex.FEMALE, mother, None, None)})


@st.composite
def variants(draw: st.DrawFn, *, genotype: st.SearchStrategy[str] = autosomal_gt,
             pos: int | None = None) -> Variant:
    gene = draw(st.sampled_from(["GENE1", "GENE2", "GENE4", "OTHER"]))
    consequence = draw(st.sampled_from(["missense_variant", "stop_gained", "synonymous_variant",
                                        "intron_variant"]))
    frequencies = draw(st.dictionaries(
        st.sampled_from(["gnomAD_AF_nfe", "gnomAD_AF_asj", "gnomAD_AF_eas", "gnomAD_AF_ami",
                         "INTERNAL_AF", "gnomAD_AF"]),
        st.sampled_from([0.0, 0.0005, 0.001, 0.0011, 0.0025, 0.003, 0.0031, 0.01, 0.02, 0.06,
                         0.2]), max_size=3))
    clinvar = draw(st.sampled_from([(), ("Pathogenic",), ("Benign",)]))
    review = draw(st.sampled_from([None, "criteria provided, single submitter",
                                   "no classification provided"]))
    gene_id = "ENSG00000000099" if gene == "OTHER" else (
        GENES[gene][0] if gene in GENES else "ENSG00000000004")
    return Variant(
        chrom="chr1", pos=pos if pos is not None else draw(st.integers(1, 60)) * 100,
        ref="A", alt=draw(st.sampled_from(["G", "T"])), region=Region.AUTOSOMAL,
        calls={s: call(draw(genotype)) for s in ("child", "father", "mother")},
        consequences=(tc(consequence, gene, gene_id),), frequencies=frequencies,
        clinvar_significance=clinvar, clinvar_review_status=review)


def _tierer(family: Family) -> Tierer:
    return Tierer(RULESET.rules, GREENS, family, DeNovoGates())


def _unique(items: list[Variant]) -> list[Variant]:
    return list({v.key: v for v in items}.values())


@pytest.mark.verifies("SRS-242")
@SETTINGS
@given(variants(), affection.filter(lambda a: a is not True),
       affection.filter(lambda a: a is not True), st.sampled_from(list(Penetrance)))
def test_carrier_unaffected_parent_never_de_novo(variant: Variant, father: bool | None,
                                                 mother: bool | None,
                                                 penetrance: Penetrance) -> None:
    """A variant carried by an unaffected (or unknown) parent is never deNovo."""
    family = trio_family(father, mother)
    passed = single_filters(variant, family, penetrance, DeNovoGates())
    if any(variant.call(p).carrier for p, a in (("father", father), ("mother", mother))
           if a is False):
        assert Filter.DE_NOVO not in passed
    result = _tierer(family).run([variant], penetrance)
    for record in result.records:
        for item in record.evidence:
            if item.segregation is Filter.DE_NOVO:
                assert not variant.call("father").carrier and not variant.call("mother").carrier


@pytest.mark.verifies("SRS-241")
@SETTINGS
@given(st.lists(variants(genotype=called_gt), min_size=2, max_size=6), affection, affection,
       st.sampled_from(list(Penetrance)))
def test_compound_het_one_from_each_parent(items: list[Variant], father: bool | None,
                                           mother: bool | None, penetrance: Penetrance) -> None:
    """A compound heterozygote has one variant from each (genotyped) parent, in one gene."""
    family = trio_family(father, mother)
    pool = {v.key: v for v in _unique(items)}
    result = _tierer(family).run(list(pool.values()), penetrance)
    for row in result.segregation:
        if row.segregation is not Filter.COMPOUND_HETEROZYGOUS:
            continue
        first, second = row.variant, pool[str(row.partner)]
        genes = {c.gene_key for c in first.consequences} & {c.gene_key for c in
                                                              second.consequences}
        assert row.gene in genes
        assert first.call("child").copies == second.call("child").copies == 1
        f = (first.call("father").carrier, second.call("father").carrier)
        m = (first.call("mother").carrier, second.call("mother").carrier)
        assert {f, m} == {(True, False), (False, True)}


@pytest.mark.verifies("SRS-254")
@SETTINGS
@given(st.lists(variants(), min_size=1, max_size=8), affection, affection,
       st.randoms(use_true_random=False))
def test_order_of_samples_and_records_does_not_matter(items: list[Variant], father: bool | None,
                                                      mother: bool | None,
                                                      rng: random.Random) -> None:
    """Shuffling the records and the order of samples gives the same outputs."""
    items = _unique(items)
    family = trio_family(father, mother)
    first = _tierer(family).run(items, Penetrance.INCOMPLETE)
    shuffled = items[:]
    rng.shuffle(shuffled)
    order = ["child", "father", "mother"]
    rng.shuffle(order)
    reordered = [Variant(chrom=v.chrom, pos=v.pos, ref=v.ref, alt=v.alt, region=v.region,
                         calls={s: v.calls[s] for s in order}, consequences=v.consequences,
                         frequencies=v.frequencies, clinvar_significance=v.clinvar_significance,
                         clinvar_review_status=v.clinvar_review_status) for v in shuffled]
    people = dict(sorted(family.people.items(), key=lambda kv: order.index(kv[0])))
    second = _tierer(Family(people)).run(reordered, Penetrance.INCOMPLETE)
    assert tiers_tsv(first.records) == tiers_tsv(second.records)
    assert tiers_json(first.records) == tiers_json(second.records)
    assert segregation_tsv(first.segregation) == segregation_tsv(second.segregation)


@pytest.mark.verifies("SRS-246", "SRS-250", "SRS-283")
@SETTINGS
@given(st.lists(variants(), min_size=1, max_size=8), affection, affection,
       st.sampled_from(list(Penetrance)))
def test_above_threshold_only_through_clinvar(items: list[Variant], father: bool | None,
                                              mother: bool | None,
                                              penetrance: Penetrance) -> None:
    """A variant above its MOI class's threshold (a population's or the overall gnomAD AF's)
    is tiered only through the ClinVar route."""
    result = _tierer(trio_family(father, mother)).run(_unique(items), penetrance)
    for record in result.records:
        for item in record.evidence:
            limits = {**GEL[item.frequency_class.value], **OVERALL[item.frequency_class.value]}
            above = [k for k, v in record.variant.frequencies.items()
                     if k in limits and v is not None and v > limits[k]]
            if above:
                assert item.route is Route.CLINVAR, (record.variant.frequencies, item)
                assert "Pathogenic" in record.variant.clinvar_significance


@pytest.mark.verifies("SRS-244")
@SETTINGS
@given(st.sampled_from(["0", "1"]), st.sampled_from(["0", "1", "0/1", "1/1"]),
       st.sampled_from(["0/0", "0/1", "1/1"]), affection, affection)
def test_x_linked_needs_known_sex(son: str, father: str, mother: str, fa: bool | None,
                                  ma: bool | None) -> None:
    """With X-linked segregation off (sex problem), no X variant passes any filter."""
    v = Variant(chrom="chrX", pos=5_000_000, ref="A", alt="G", region=Region.X,
                calls={"child": call(son), "father": call(father), "mother": call(mother)},
                consequences=(tc("stop_gained", "GENE3", GENES["GENE3"][0]),))
    on = trio_family(fa, ma)
    off = Family(on.people, x_linked=False)
    assert not single_filters(v, off, Penetrance.INCOMPLETE, DeNovoGates())
    assert not _tierer(off).run([v], Penetrance.INCOMPLETE).records
    if son == "1" and father == "0" and mother in ("0/0", "0/1") and True not in (fa, ma):
        assert Filter.X_LINKED_SIMPLE_RECESSIVE in single_filters(v, on, Penetrance.COMPLETE,
                                                                  DeNovoGates())


def test_call_helper_counts_copies() -> None:
    """The test builder counts ALT copies the way the VCF reader does (sanity of the tests)."""
    assert [call(g).copies for g in ("0/0", "0/1", "1/1", "1", "./.", "0|1")] == [0, 1, 2, 1,
                                                                                  None, 1]
    assert isinstance(call("0/1"), Call)
