"""Tier assignment: segregation + panel gene MOI + frequency + impact (or the ClinVar route).

Pure over :class:`~.model.Variant` records, the :class:`~.model.Family`, the green genes of the
applied panels and the rules.  For each penetrance mode (complete; then, when asked, incomplete
for the variants not tiered under complete) and each variant that passes quality on a tiered
contig:

1. the segregation filters it passes (:mod:`.segregation`), and its compound-heterozygous
   partners among the *eligible* variants of the same gene (quality, recessive frequency and a
   tier-eligible impact, or the ClinVar route);
2. per gene the annotation gives: if the gene is green on an applied panel, each filter that is
   both passed and allowed by the gene's MOI is tested for Tier 1 / Tier 2 (frequency thresholds
   of the filter's class, per population and on the overall gnomAD AF, then impact; ClinVar
   route → Tier 1); if the gene is green on no applied panel and is coding, any passed filter
   may give Tier 3 (high/moderate impact within frequency, or the ClinVar route);
3. the evidence is grouped into one record per variant per tier.

Every segregation result (before the panel, frequency and impact tests) is returned too, so the
de novo candidates, for instance, can be counted from the output.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bp2.annotation import TranscriptConsequence
from bp2.stages.tier.model import Family, Region, Variant
from bp2.stages.tier.rules import (
    PAIR_FILTERS,
    Filter,
    FrequencyClass,
    Moi,
    Penetrance,
    Rules,
)
from bp2.stages.tier.segregation import DeNovoGates, compound_heterozygous, single_filters

IMPLEMENTS = ("SRS-246", "SRS-247", "SRS-248", "SRS-249", "SRS-250", "SRS-251",
              "SRS-283")


class Tier(StrEnum):
    TIER1 = "TIER1"
    TIER2 = "TIER2"
    TIER3 = "TIER3"


class Route(StrEnum):
    IMPACT = "frequency+impact"
    CLINVAR = "clinvar"


@dataclass(frozen=True)
class PanelRef:
    id: str
    name: str
    version: str


@dataclass(frozen=True)
class GreenGene:
    """A green gene of one applied panel, as ``panels.json`` gives it."""

    panel: PanelRef
    symbol: str
    hgnc_id: str | None
    ensembl_ids: tuple[str, ...]
    biotype: str | None
    panelapp_moi: str
    moi: Moi
    filters: tuple[Filter, ...]

    def matches(self, tc: TranscriptConsequence) -> bool:
        """Whether a consequence's gene is this gene: by Ensembl ID, else HGNC ID, else symbol."""
        if tc.gene_id and self.ensembl_ids:
            return tc.gene_id in self.ensembl_ids
        if tc.hgnc_id and self.hgnc_id:
            return tc.hgnc_id == self.hgnc_id
        return tc.symbol is not None and tc.symbol == self.symbol


@dataclass(frozen=True)
class FrequencyTest:
    key: str
    value: float | None  # as annotated; None = missing (counted as the rules' missing value)
    threshold: float
    passed: bool


@dataclass(frozen=True)
class Evidence:
    tier: Tier
    route: Route
    segregation: Filter
    frequency_class: FrequencyClass
    consequence: TranscriptConsequence
    gene_symbol: str | None
    panel: PanelRef | None  # None for Tier 3
    moi: Moi | None
    panelapp_moi: str | None
    partners: tuple[str, ...] = ()  # compound-heterozygous partner variant keys

    def sort_key(self) -> tuple[str, ...]:
        return (
            self.panel.id if self.panel else "~",
            self.gene_symbol or "",
            str(self.segregation),
            ",".join(self.partners),
            self.consequence.transcript or "",
            str(self.route),
        )


@dataclass(frozen=True)
class TierRecord:
    variant: Variant
    tier: Tier
    penetrance: Penetrance
    evidence: tuple[Evidence, ...]
    frequencies: Mapping[FrequencyClass, tuple[FrequencyTest, ...]] = field(hash=False)


@dataclass(frozen=True)
class SegregationRow:
    variant: Variant
    penetrance: Penetrance
    segregation: Filter
    partner: str | None = None
    gene: str | None = None


@dataclass
class TieringResult:
    records: list[TierRecord]
    segregation: list[SegregationRow]
    tiered: dict[Penetrance, set[str]]


class Tierer:
    """Applies the rules to one case; holds the rules-derived lookups."""

    def __init__(self, rules: Rules, greens: Sequence[GreenGene], family: Family,
                 gates: DeNovoGates) -> None:
        self.rules = rules
        self.greens = tuple(greens)
        self.family = family
        self.gates = gates
        tiers = rules.tiers.value
        self.tier1 = frozenset(tiers.tier1_impacts)
        self.tier1_de_novo = frozenset(tiers.tier1_de_novo_impacts)
        self.tier1_de_novo_noncoding = frozenset(tiers.tier1_de_novo_noncoding_terms)
        self.tier2 = frozenset(tiers.tier2_impacts)
        self.tier2_noncoding = frozenset(tiers.tier2_noncoding_terms)
        self.tier3 = frozenset(tiers.tier3_impacts)
        self.eligible_impacts = self.tier1 | self.tier1_de_novo | self.tier2 | self.tier3
        self.noncoding_terms = self.tier1_de_novo_noncoding | self.tier2_noncoding
        self.coding = frozenset(rules.coding_biotypes.value)
        self.noncoding = frozenset(rules.noncoding_biotypes.value)
        self.classes = rules.frequency_class_of_filter.value
        self.out_of_panel_allowed = frozenset(rules.out_of_panel_filters.value)
        self._by_name: dict[str, list[GreenGene]] = defaultdict(list)
        for gene in self.greens:
            for name in (*gene.ensembl_ids, gene.hgnc_id, gene.symbol):
                if name:
                    self._by_name[name].append(gene)

    def greens_of(self, tcs: Sequence[TranscriptConsequence]) -> list[GreenGene]:
        """The green genes one gene's consequences belong to (see :meth:`GreenGene.matches`)."""
        candidates: dict[int, GreenGene] = {}
        for tc in tcs:
            for name in (tc.gene_id, tc.hgnc_id, tc.symbol):
                for gene in self._by_name.get(name or "", ()):
                    candidates[id(gene)] = gene
        return [g for g in self.greens if id(g) in candidates and any(g.matches(tc) for tc in tcs)]

    # -- frequency and ClinVar ----------------------------------------------------------------

    def frequency_tests(self, variant: Variant, cls: FrequencyClass) -> tuple[FrequencyTest, ...]:
        missing = self.rules.frequency_missing_value.value
        tests = []
        for threshold in self.rules.all_thresholds:  # per population, then overall
            limit: float | None = getattr(threshold, cls.value)
            if limit is None:
                continue
            value = variant.frequencies.get(threshold.key)
            tested = missing if value is None else value
            tests.append(FrequencyTest(threshold.key, value, limit, tested <= limit))
        return tuple(tests)

    def frequency_ok(self, variant: Variant, cls: FrequencyClass) -> bool:
        return all(t.passed for t in self.frequency_tests(variant, cls))

    def clinvar_route(self, variant: Variant) -> bool:
        rules = self.rules
        if not set(variant.clinvar_significance) & rules.significance:
            return False
        if variant.clinvar_review_status not in rules.review_statuses:
            return False
        internal = variant.frequencies.get(rules.clinvar_internal_af_key.value)
        value = rules.frequency_missing_value.value if internal is None else internal
        return value < rules.clinvar_internal_af_below.value

    # -- genes --------------------------------------------------------------------------------

    def gene_kind(self, biotype: str | None, tcs: Sequence[TranscriptConsequence]) -> str:
        """'coding', 'noncoding' or 'other', from the gene biotype or else its transcripts."""
        if biotype:
            if biotype in self.coding:
                return "coding"
            return "noncoding" if biotype in self.noncoding else "other"
        biotypes = {tc.biotype for tc in tcs}
        if biotypes & self.coding:
            return "coding"
        return "noncoding" if biotypes & self.noncoding else "other"

    def pair_eligible(self, variant: Variant, tcs: Sequence[TranscriptConsequence]) -> bool:
        """May be one variant of a compound heterozygote in this gene ("prioritised")."""
        if self.clinvar_route(variant):
            return True
        if not self.frequency_ok(variant, FrequencyClass.RECESSIVE):
            return False
        return any(tc.impact in self.eligible_impacts or set(tc.terms) & self.noncoding_terms
                   for tc in tcs)

    def in_panel(self, variant: Variant, tcs: Sequence[TranscriptConsequence], gene: GreenGene,
                 segregation: Filter) -> list[tuple[Tier, Route, TranscriptConsequence]]:
        found: list[tuple[Tier, Route, TranscriptConsequence]] = []
        best = most_severe(tcs)
        kind = self.gene_kind(gene.biotype, tcs)
        if self.frequency_ok(variant, self.classes[segregation]):
            denovo = segregation is Filter.DE_NOVO
            noncoding_hit = next((tc for tc in ordered(tcs)
                                  if set(tc.terms) & self.tier2_noncoding), None)
            noncoding_denovo = next((tc for tc in ordered(tcs)
                                     if set(tc.terms) & self.tier1_de_novo_noncoding), None)
            if best.impact in self.tier1 or (
                denovo and kind == "coding" and best.impact in self.tier1_de_novo
            ):
                found.append((Tier.TIER1, Route.IMPACT, best))
            elif denovo and kind == "noncoding" and noncoding_denovo is not None:
                found.append((Tier.TIER1, Route.IMPACT, noncoding_denovo))
            elif kind == "coding" and best.impact in self.tier2:
                found.append((Tier.TIER2, Route.IMPACT, best))
            elif kind == "noncoding" and noncoding_hit is not None:
                found.append((Tier.TIER2, Route.IMPACT, noncoding_hit))
        if self.clinvar_route(variant):
            found.append((Tier.TIER1, Route.CLINVAR, best))
        return found

    def out_of_panel(self, variant: Variant, tcs: Sequence[TranscriptConsequence],
                     segregation: Filter) -> list[tuple[Tier, Route, TranscriptConsequence]]:
        coding = [tc for tc in tcs if tc.biotype in self.coding]
        if not coding:
            return []  # non-coding genes outside the panel are never Tier 3
        best = most_severe(coding)
        found: list[tuple[Tier, Route, TranscriptConsequence]] = []
        if best.impact in self.tier3 and self.frequency_ok(variant, self.classes[segregation]):
            found.append((Tier.TIER3, Route.IMPACT, best))
        if self.clinvar_route(variant):
            found.append((Tier.TIER3, Route.CLINVAR, best))
        return found

    # -- one penetrance mode -------------------------------------------------------------------

    def pairs(self, variants: Sequence[Variant], penetrance: Penetrance
              ) -> dict[str, dict[str, list[tuple[Filter, str]]]]:
        """variant key → gene key → [(compound filter, partner key)]."""
        by_gene: dict[str, list[Variant]] = defaultdict(list)
        for variant in variants:
            for gene, tcs in gene_groups(variant.consequences).items():
                if self.pair_eligible(variant, tcs):
                    by_gene[gene].append(variant)
        found: dict[str, dict[str, list[tuple[Filter, str]]]] = defaultdict(
            lambda: defaultdict(list))
        for gene, members in sorted(by_gene.items()):
            members = sorted(members, key=lambda v: v.sort_key())
            for i, first in enumerate(members):
                for second in members[i + 1:]:
                    passed = compound_heterozygous(first, second, self.family, penetrance)
                    if passed is not None:
                        found[first.key][gene].append((passed, second.key))
                        found[second.key][gene].append((passed, first.key))
        return found

    def evidence(self, variant: Variant, singles: frozenset[Filter],
                 pairs: Mapping[str, list[tuple[Filter, str]]]) -> list[Evidence]:
        found: list[Evidence] = []
        for gene, tcs in sorted(gene_groups(variant.consequences).items()):
            partners: dict[Filter, list[str]] = defaultdict(list)
            for passed, partner in pairs.get(gene, []):
                partners[passed].append(partner)
            passed_here = set(singles) | set(partners)
            if not passed_here:
                continue
            symbol = next((tc.symbol for tc in tcs if tc.symbol), None)
            greens = self.greens_of(tcs)
            for segregation in sorted(passed_here):
                cls = self.classes[segregation]
                mates = tuple(sorted(partners.get(segregation, ())))
                if greens:
                    for green in greens:
                        if segregation not in green.filters:
                            continue
                        for tier, route, tc in self.in_panel(variant, tcs, green, segregation):
                            found.append(Evidence(tier, route, segregation, cls, tc,
                                                  green.symbol, green.panel, green.moi,
                                                  green.panelapp_moi, mates))
                elif segregation in self.out_of_panel_allowed:
                    for tier, route, tc in self.out_of_panel(variant, tcs, segregation):
                        found.append(Evidence(tier, route, segregation, cls, tc, symbol, None,
                                              None, None, mates))
        return found

    def run(self, variants: Iterable[Variant], penetrance: Penetrance) -> TieringResult:
        """Tier the variants: complete penetrance, then incomplete when ``penetrance`` says so."""
        usable = sorted(
            (v for v in variants if v.passes_quality and v.region is not Region.OTHER
             and (v.region is not Region.X or self.family.x_linked)),
            key=lambda v: v.sort_key(),
        )
        modes = [Penetrance.COMPLETE]
        if penetrance is Penetrance.INCOMPLETE:
            modes.append(Penetrance.INCOMPLETE)
        records: list[TierRecord] = []
        rows: list[SegregationRow] = []
        tiered: dict[Penetrance, set[str]] = {}
        done: set[str] = set()
        for mode in modes:
            pairs = self.pairs(usable, mode)
            tiered[mode] = set()
            for variant in usable:
                singles = single_filters(variant, self.family, mode, self.gates)
                mine = pairs.get(variant.key, {})
                rows.extend(SegregationRow(variant, mode, f) for f in sorted(singles))
                for gene, mates in sorted(mine.items()):
                    rows.extend(SegregationRow(variant, mode, f, partner, gene)
                                for f, partner in sorted(mates))
                if variant.key in done:
                    continue
                evidence = self.evidence(variant, singles, mine)
                if evidence:
                    tiered[mode].add(variant.key)
                    records.extend(self.records(variant, mode, evidence))
            done |= tiered[mode]
        records.sort(key=lambda r: (r.variant.sort_key(), r.tier))
        return TieringResult(records, rows, tiered)

    def records(self, variant: Variant, penetrance: Penetrance,
                evidence: Sequence[Evidence]) -> list[TierRecord]:
        by_tier: dict[Tier, list[Evidence]] = defaultdict(list)
        for item in evidence:
            by_tier[item.tier].append(item)
        out = []
        for tier in sorted(by_tier):
            items = sorted(set(by_tier[tier]), key=lambda e: e.sort_key())
            classes = sorted({e.frequency_class for e in items})
            out.append(TierRecord(variant, tier, penetrance, tuple(items),
                                  {c: self.frequency_tests(variant, c) for c in classes}))
        return out


def ordered(tcs: Iterable[TranscriptConsequence]) -> list[TranscriptConsequence]:
    """Most severe first; then canonical transcripts; then by transcript ID (deterministic)."""
    return sorted(tcs, key=lambda tc: (tc.impact.rank, not tc.canonical, tc.transcript or "",
                                       tc.terms))


def most_severe(tcs: Sequence[TranscriptConsequence]) -> TranscriptConsequence:
    return ordered(tcs)[0]


def gene_groups(consequences: Iterable[TranscriptConsequence]
                ) -> dict[str, list[TranscriptConsequence]]:
    """Consequences grouped by gene (Ensembl ID, else HGNC ID, else symbol); no gene: dropped."""
    groups: dict[str, list[TranscriptConsequence]] = defaultdict(list)
    for tc in consequences:
        if tc.gene_key:
            groups[tc.gene_key].append(tc)
    return dict(groups)


def green_genes(document: Mapping[str, Any], rules: Rules) -> list[GreenGene]:
    """The green genes of a ``panels.json`` document, checked against the rules' MOI table.

    Raises ValueError naming the first inconsistency (the caller adds the file name).
    """
    if document.get("schema") != "bp2-panels/1":
        raise ValueError("not a bp2 panels.json (schema 'bp2-panels/1' expected)")
    mapping, filters_of = rules.panelapp_map, rules.filters_of
    genes: list[GreenGene] = []
    for panel in document.get("panels", []):
        ref = PanelRef(str(panel["id"]), str(panel["name"]), str(panel["version"]))
        for gene in panel.get("green_genes", []):
            moi_text = gene["panelapp_moi"]
            if moi_text not in mapping:
                raise ValueError(f"panel {ref.id} gene {gene['symbol']}: MOI '{moi_text}' is not "
                                 "in the rules' PanelApp MOI table")
            moi = mapping[moi_text]
            if gene["tiering_moi"] != moi.value:
                raise ValueError(f"panel {ref.id} gene {gene['symbol']}: panels.json maps "
                                 f"'{moi_text}' to {gene['tiering_moi']} but the rules map it to "
                                 f"{moi.value}; run the panels stage with the same rules file")
            ids = set(gene.get("ensembl_ids") or [])
            model = gene.get("gene_model") or {}
            if model.get("gene_id"):
                ids.add(model["gene_id"])
            genes.append(GreenGene(
                panel=ref, symbol=gene["symbol"], hgnc_id=gene.get("hgnc_id"),
                ensembl_ids=tuple(sorted(ids)),
                biotype=gene.get("biotype") or model.get("biotype"),
                panelapp_moi=moi_text, moi=moi, filters=filters_of[moi],
            ))
    return genes


__all__ = ["PAIR_FILTERS", "Tier", "Tierer", "TieringResult", "green_genes"]
