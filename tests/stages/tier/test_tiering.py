"""Tier assignment on in-memory records: thresholds, tiers, the ClinVar route, penetrance."""

from __future__ import annotations

import pytest

from bp2.stages.tier.model import Family, Region, Variant
from bp2.stages.tier.rules import Penetrance, load_rules
from bp2.stages.tier.segregation import DeNovoGates
from bp2.stages.tier.tiering import Tier, Tierer, green_genes
from tests.stages.tier.helpers import (
    BIALLELIC,
    MONOALLELIC,
    RULES,
    panel_record,
    panels_document,
)
from tests.stages.tier.records import gts, tc, trio, variant

RULESET = load_rules(RULES)
G1, G2, NC = "ENSG00000000001", "ENSG00000000002", "ENSG00000000003"


def tierer(family: Family | None = None, *records: dict[str, object]) -> Tierer:
    document = panels_document(*(records or (panel_record([
        ("GENE1", G1, "3", MONOALLELIC), ("GENE2", G2, "3", BIALLELIC)]),)))
    return Tierer(RULESET.rules, green_genes(document, RULESET.rules), family or trio(),
                  DeNovoGates())


def tiers(variants: list[Variant], t: Tierer | None = None,
          penetrance: Penetrance = Penetrance.COMPLETE) -> dict[str, set[Tier]]:
    result = (t or tierer()).run(variants, penetrance)
    found: dict[str, set[Tier]] = {}
    for record in result.records:
        found.setdefault(record.variant.key, set()).add(record.tier)
    return found


def de_novo(consequence: str = "missense_variant", gene: str = "GENE1", gene_id: str = G1,
            **kw: object) -> Variant:
    return variant(gts("0/1", "0/0", "0/0"), consequences=[tc(consequence, gene, gene_id)],
                   **kw)  # type: ignore[arg-type]


@pytest.mark.verifies("SRS-246")
def test_frequency_threshold_boundaries() -> None:
    """It passes AF equal to the threshold, fails AF above it, and counts a missing AF as 0."""
    # de novo missense in GENE1 (dominant class): NFE threshold 0.001, ASJ 0.003
    at = de_novo(frequencies={"gnomAD_AF_nfe": 0.001}, pos=1)
    above = de_novo(frequencies={"gnomAD_AF_nfe": 0.0011}, pos=2)
    asj = de_novo(frequencies={"gnomAD_AF_asj": 0.0025}, pos=3)  # 0.0025 <= 0.003
    asj_above = de_novo(frequencies={"gnomAD_AF_asj": 0.0031}, pos=4)
    missing = de_novo(frequencies={"gnomAD_AF_nfe": None}, pos=5)
    found = tiers([at, above, asj, asj_above, missing])
    assert found == {at.key: {Tier.TIER1}, asj.key: {Tier.TIER1}, missing.key: {Tier.TIER1}}


@pytest.mark.verifies("SRS-246")
def test_recessive_class_uses_recessive_thresholds() -> None:
    """It tests a homozygous variant of a biallelic gene against the recessive thresholds."""
    hom = variant(gts("1/1", "0/1", "0/1"), consequences=[tc("missense_variant", "GENE2", G2)],
                  frequencies={"gnomAD_AF_nfe": 0.009, "gnomAD_AF_ami": 0.09})
    common = variant(gts("1/1", "0/1", "0/1"), pos=2000,
                     consequences=[tc("missense_variant", "GENE2", G2)],
                     frequencies={"gnomAD_AF_nfe": 0.011})
    assert tiers([hom, common]) == {hom.key: {Tier.TIER2}}


@pytest.mark.verifies("SRS-247", "SRS-248")
def test_tier_one_and_two() -> None:
    """It gives HIGH → Tier 1, de novo MODERATE → Tier 1, inherited MODERATE → Tier 2."""
    affected_father = trio(father_affected=True)
    t = tierer(affected_father)
    inherited_missense = variant(gts("0/1", "0/1", "0/0"),
                                 consequences=[tc("missense_variant", "GENE1", G1)])
    inherited_stop = variant(gts("0/1", "0/1", "0/0"), pos=2000,
                             consequences=[tc("stop_gained", "GENE1", G1)])
    synonymous = variant(gts("0/1", "0/1", "0/0"), pos=3000,
                         consequences=[tc("synonymous_variant", "GENE1", G1)])
    assert tiers([inherited_missense, inherited_stop, synonymous], t) == {
        inherited_missense.key: {Tier.TIER2}, inherited_stop.key: {Tier.TIER1}}
    assert tiers([de_novo()]) == {de_novo().key: {Tier.TIER1}}


@pytest.mark.verifies("SRS-248")
def test_non_coding_gene_tiers() -> None:
    """It tiers non_coding_transcript_exon_variant in a green non-coding gene (T2; de novo T1)."""
    record = panel_record([("LNC1", NC, "3", MONOALLELIC)], biotype="lncRNA")
    t = tierer(trio(father_affected=True), record)
    exon = [tc("non_coding_transcript_exon_variant", "LNC1", NC, biotype="lncRNA")]
    inherited = variant(gts("0/1", "0/1", "0/0"), consequences=exon)
    novo = variant(gts("0/1", "0/0", "0/0"), pos=2000, consequences=exon)
    intron = variant(gts("0/1", "0/0", "0/0"), pos=3000,
                     consequences=[tc("intron_variant", "LNC1", NC, biotype="lncRNA")])
    # affected father carrying it: inherited dominant, exon term -> Tier 2
    assert tiers([inherited, intron], t) == {inherited.key: {Tier.TIER2}}
    # unaffected parents, de novo exon term -> Tier 1; an intronic de novo is not tiered
    assert tiers([novo, intron], tierer(trio(), record)) == {novo.key: {Tier.TIER1}}


@pytest.mark.verifies("SRS-249")
def test_tier_three_outside_panels_coding_only() -> None:
    """It gives Tier 3 to high/moderate variants of coding genes on no panel, never non-coding."""
    outside = de_novo("stop_gained", "OTHER", "ENSG00000000077", pos=1)
    lnc = variant(gts("0/1", "0/0", "0/0"), pos=2,
                  consequences=[tc("non_coding_transcript_exon_variant", "LNC9",
                                   "ENSG00000000078", biotype="lncRNA")])
    low = de_novo("synonymous_variant", "OTHER", "ENSG00000000077", pos=3)
    assert tiers([outside, lnc, low]) == {outside.key: {Tier.TIER3}}


@pytest.mark.verifies("SRS-249", "SRS-252")
def test_one_record_per_tier() -> None:
    """It writes one record per tier a variant meets (green gene Tier 1, other gene Tier 3)."""
    two_genes = variant(gts("0/1", "0/0", "0/0"), consequences=[
        tc("missense_variant", "GENE1", G1), tc("stop_gained", "OTHER", "ENSG00000000077")])
    result = tierer().run([two_genes], Penetrance.COMPLETE)
    assert [(r.tier, r.evidence[0].gene_symbol) for r in result.records] == [
        (Tier.TIER1, "GENE1"), (Tier.TIER3, "OTHER")]


@pytest.mark.verifies("SRS-250")
def test_clinvar_route() -> None:
    """It tiers a ClinVar P/LP/conflicting variant past frequency and impact, and only then."""
    ok = {"clinvar": ("Likely_pathogenic",), "review": "criteria provided, single submitter"}
    common_synonymous = {"consequence": "synonymous_variant",
                         "frequencies": {"gnomAD_AF_nfe": 0.2, "INTERNAL_AF": 0.049}}
    routed = de_novo(pos=1, **common_synonymous, **ok)  # type: ignore[arg-type]
    conflicting = de_novo(pos=2, **common_synonymous,  # type: ignore[arg-type]
                          clinvar=("Conflicting_interpretations_of_pathogenicity",),
                          review="criteria provided, conflicting interpretations")
    internal_common = de_novo(pos=3, consequence="synonymous_variant",
                              frequencies={"INTERNAL_AF": 0.05}, **ok)  # type: ignore[arg-type]
    wrong_review = de_novo(pos=4, **common_synonymous, clinvar=("Pathogenic",),  # type: ignore[arg-type]
                           review="no classification provided")
    benign = de_novo(pos=5, **common_synonymous, clinvar=("Benign",),  # type: ignore[arg-type]
                     review="reviewed by expert panel")
    result = tierer().run([routed, conflicting, internal_common, wrong_review, benign],
                          Penetrance.COMPLETE)
    assert {(r.variant.key, r.tier, r.evidence[0].route.value) for r in result.records} == {
        (routed.key, Tier.TIER1, "clinvar"), (conflicting.key, Tier.TIER1, "clinvar")}


@pytest.mark.verifies("SRS-235")
def test_incomplete_penetrance_after_complete() -> None:
    """It tiers under incomplete penetrance only what complete penetrance did not tier."""
    carrier_father = variant(gts("0/1", "0/1", "0/0"),
                             consequences=[tc("missense_variant", "GENE1", G1)])
    novo = de_novo(pos=2000)
    complete = tierer().run([carrier_father, novo], Penetrance.COMPLETE)
    assert [(r.variant.key, r.penetrance) for r in complete.records] == [
        (novo.key, Penetrance.COMPLETE)]
    both = tierer().run([carrier_father, novo], Penetrance.INCOMPLETE)
    assert [(r.variant.key, r.penetrance) for r in both.records] == [
        (carrier_father.key, Penetrance.INCOMPLETE), (novo.key, Penetrance.COMPLETE)]
    assert both.tiered == {Penetrance.COMPLETE: {novo.key},
                           Penetrance.INCOMPLETE: {carrier_father.key}}


@pytest.mark.verifies("SRS-241", "SRS-251")
def test_compound_het_needs_eligible_partner_and_biallelic_gene() -> None:
    """It pairs only prioritised variants, and only tiers the pair in a biallelic gene."""
    paternal = variant(gts("0/1", "0/1", "0/0"), consequences=[tc("missense_variant", "GENE2",
                                                                   G2)])
    maternal = variant(gts("0/1", "0/0", "0/1"), pos=2000,
                       consequences=[tc("stop_gained", "GENE2", G2)])
    common = variant(gts("0/1", "0/0", "0/1"), pos=3000,
                     consequences=[tc("stop_gained", "GENE2", G2)],
                     frequencies={"gnomAD_AF_nfe": 0.05})
    intronic = variant(gts("0/1", "0/0", "0/1"), pos=4000,
                       consequences=[tc("intron_variant", "GENE2", G2)])
    assert tiers([paternal, maternal]) == {paternal.key: {Tier.TIER2},
                                           maternal.key: {Tier.TIER1}}
    assert tiers([paternal, common, intronic]) == {}
    # the same pair in the monoallelic GENE1 is not tiered (CompoundHeterozygous not allowed)
    p1 = variant(gts("0/1", "0/1", "0/0"), consequences=[tc("missense_variant", "GENE1", G1)])
    m1 = variant(gts("0/1", "0/0", "0/1"), pos=2000,
                 consequences=[tc("stop_gained", "GENE1", G1)])
    assert tiers([p1, m1]) == {}


@pytest.mark.verifies("SRS-230")
def test_quality_and_regions() -> None:
    """It tiers only FILTER=PASS variants on tiered contigs."""
    low = de_novo(pos=1, filters=("LowQual",))
    unfiltered = de_novo(pos=2, filters=())
    on_y = de_novo(pos=3, region=Region.OTHER, chrom="chrY")
    kept = de_novo(pos=4)
    assert tiers([low, unfiltered, on_y, kept]) == {kept.key: {Tier.TIER1}}


@pytest.mark.verifies("SRS-224")
def test_gene_matching_without_gene_model() -> None:
    """It matches panel genes to consequences by Ensembl ID, else HGNC ID, else symbol."""
    record = panel_record([("GENE1", G1, "3", MONOALLELIC)])
    record["genes"][0]["gene_data"]["ensembl_genes"] = {}  # a PanelApp gene without IDs
    by_symbol = tierer(trio(), record)
    bcsq_like = variant(gts("0/1", "0/0", "0/0"),
                        consequences=[tc("missense_variant", "GENE1", None)])
    assert tiers([bcsq_like], by_symbol) == {bcsq_like.key: {Tier.TIER1}}
    # a consequence whose Ensembl ID differs from the panel gene's is another gene (Tier 3)
    renamed = variant(gts("0/1", "0/0", "0/0"), pos=2000,
                      consequences=[tc("missense_variant", "GENE1", "ENSG00000000555")])
    assert tiers([renamed]) == {renamed.key: {Tier.TIER3}}
