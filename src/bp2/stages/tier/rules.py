"""The tiering rules file (``pipeline/tiering.yaml``): a typed model, its loader and its sources.

Every rule is ``{value, source[, reason]}``.  ``source`` is either ``GEL <document>, <section>
[Sn]`` (a tag of the source list in the file) or ``bp2 assumption``, which must carry a
``reason``.  The loader refuses a file whose rule lacks a source, names an unknown tag, or uses a
value the code does not implement (behaviours fixed in code are typed ``Literal`` here, so the
file cannot claim a behaviour bp2 does not have).  :func:`assumptions` lists every ``bp2
assumption`` with its reason: the tier stage copies them into its summary as limitations.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import StrEnum
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bp2.annotation import Impact
from bp2.yamlio import load_model

IMPLEMENTS = ("SRS-236", "SRS-237")

SCHEMA = "bp2-tiering/1"
ASSUMPTION = "bp2 assumption"
_GEL_SOURCE = re.compile(r"^GEL .+\[(S\d+[a-z]?)\]$")

T = TypeVar("T")


class Filter(StrEnum):
    """GEL's segregation filters (GelReportModels ``SegregationPattern``) and ``deNovo``."""

    SIMPLE_RECESSIVE = "SimpleRecessive"
    COMPOUND_HETEROZYGOUS = "CompoundHeterozygous"
    UNIPARENTAL_ISODISOMY = "UniparentalIsodisomy"
    DE_NOVO = "deNovo"
    INHERITED_AUTOSOMAL_DOMINANT = "InheritedAutosomalDominant"
    IAD_MATERNALLY_IMPRINTED = "InheritedAutosomalDominantMaternallyImprinted"
    IAD_PATERNALLY_IMPRINTED = "InheritedAutosomalDominantPaternallyImprinted"
    X_LINKED_SIMPLE_RECESSIVE = "XLinkedSimpleRecessive"
    X_LINKED_COMPOUND_HETEROZYGOUS = "XLinkedCompoundHeterozygous"
    X_LINKED_MONOALLELIC = "XLinkedMonoallelic"
    MITOCHONDRIAL_GENOME = "MitochondrialGenome"


PAIR_FILTERS = frozenset({Filter.COMPOUND_HETEROZYGOUS, Filter.X_LINKED_COMPOUND_HETEROZYGOUS})


class Moi(StrEnum):
    """GEL's tiering modes of inheritance (GelReportModels ``ModeOfInheritance``)."""

    MONOALLELIC_NOT_IMPRINTED = "monoallelic_not_imprinted"
    MONOALLELIC_MATERNALLY_IMPRINTED = "monoallelic_maternally_imprinted"
    MONOALLELIC_PATERNALLY_IMPRINTED = "monoallelic_paternally_imprinted"
    MONOALLELIC = "monoallelic"
    BIALLELIC = "biallelic"
    MONOALLELIC_AND_BIALLELIC = "monoallelic_and_biallelic"
    MONOALLELIC_AND_MORE_SEVERE_BIALLELIC = "monoallelic_and_more_severe_biallelic"
    XLINKED_BIALLELIC = "xlinked_biallelic"
    XLINKED_MONOALLELIC = "xlinked_monoallelic"
    MITOCHONDRIAL = "mitochondrial"
    UNKNOWN = "unknown"


class FrequencyClass(StrEnum):
    DOMINANT = "dominant"
    RECESSIVE = "recessive"
    MITOCHONDRIAL = "mitochondrial"


class Penetrance(StrEnum):
    COMPLETE = "complete"
    INCOMPLETE = "incomplete"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Rule(_Model, Generic[T]):
    """One rule: its value and where it comes from."""

    value: T
    source: str
    reason: str | None = None

    @model_validator(mode="after")
    def _sourced(self) -> Rule[T]:
        if self.source == ASSUMPTION:
            if not (self.reason and self.reason.strip()):
                raise ValueError("a 'bp2 assumption' needs a 'reason'")
        elif _GEL_SOURCE.match(self.source) is None:
            raise ValueError(
                "source must be 'GEL <document>, <section> [Sn]' or 'bp2 assumption'"
            )
        return self


class Threshold(_Model):
    """Population-frequency thresholds of one INFO key; None = not tested for that class."""

    key: str
    dominant: float | None = Field(ge=0, le=1)
    recessive: float | None = Field(ge=0, le=1)
    mitochondrial: float | None = Field(ge=0, le=1)


class Contigs(_Model):
    autosomes: tuple[str, ...]
    x: tuple[str, ...]
    mitochondrial: tuple[str, ...]


class TierRules(_Model):
    """What each tier requires (GEL 'Tiers'), as impact classes and SO terms."""

    tier1_impacts: tuple[Impact, ...]  # in a green gene, any segregation filter of its MOI
    tier1_de_novo_impacts: tuple[Impact, ...]  # in a green gene, deNovo only
    tier1_de_novo_noncoding_terms: tuple[str, ...]  # green non-coding gene, deNovo only
    tier2_impacts: tuple[Impact, ...]
    tier2_noncoding_terms: tuple[str, ...]  # green non-coding gene
    tier3_impacts: tuple[Impact, ...]  # coding gene not green on any applied panel


class Rules(_Model):
    """Every rule of ``tiering.yaml``."""

    quality_filter: Rule[Literal["PASS"]]
    tiered_contigs: Rule[Contigs]
    par_is_pseudoautosomal: Rule[Literal[True]]
    green_confidence_level: Rule[Literal["3"]]
    panelapp_moi: Rule[dict[str, Moi]]
    panelapp_moi_unspecified: Rule[dict[str, Moi]]
    moi_filters: Rule[dict[Moi, tuple[Filter, ...]]]
    moi_filters_derived: Rule[dict[Moi, tuple[Filter, ...]]]
    out_of_panel_filters: Rule[tuple[Filter, ...]]
    out_of_panel_genes: Rule[Literal["not green on any applied panel"]]
    frequency_missing_value: Rule[float]
    frequency_fails_when: Rule[Literal["greater than threshold"]]
    frequency_thresholds: Rule[tuple[Threshold, ...]]
    frequency_threshold_overall: Rule[Threshold]
    frequency_class_of_filter: Rule[dict[Filter, FrequencyClass]]
    tiers: Rule[TierRules]
    one_record_per_tier: Rule[Literal[True]]
    transcripts_considered: Rule[Literal["all annotated transcripts of the gene"]]
    coding_biotypes: Rule[tuple[str, ...]]
    noncoding_biotypes: Rule[tuple[str, ...]]
    clinvar_significance: Rule[tuple[str, ...]]
    clinvar_significance_renamed: Rule[tuple[str, ...]]
    clinvar_review_status: Rule[tuple[str, ...]]
    clinvar_review_status_renamed: Rule[tuple[str, ...]]
    clinvar_internal_af_below: Rule[float]
    clinvar_internal_af_key: Rule[str]
    clinvar_route_needs_segregation: Rule[Literal[True]]
    clinvar_match: Rule[Literal["same variant only"]]
    missing_genotypes_ignored: Rule[Literal[True]]
    single_het_in_biallelic_gene_not_tiered: Rule[Literal[True]]
    compound_het_partner: Rule[Literal["quality, recessive frequency and tier-eligible impact or ClinVar route"]]  # noqa: E501
    compound_het_phase: Rule[Literal["one variant from each parent; missing parents allowed"]]
    recessive_parents_carry: Rule[Literal[True]]
    dominant_affected_heterozygous: Rule[Literal[True]]
    dominant_inherited_needs_possible_carrier_parent: Rule[Literal[True]]
    imprinted_expressed_parent_carries: Rule[Literal[True]]
    de_novo_genotypes: Rule[Literal["child heterozygous (hemizygous on male X), both parents homozygous reference"]]  # noqa: E501
    x_linked_genotype_only: Rule[Literal[True]]
    mitochondrial_heteroplasmy: Rule[Literal["ignored: any ALT call is a carrier"]]
    penetrance_default: Rule[Penetrance]
    penetrance_incomplete_after_complete: Rule[Literal[True]]
    sex_discordance_disables_x_linked: Rule[Literal[True]]

    @model_validator(mode="after")
    def _consistent(self) -> Rules:
        mapped = set(self.panelapp_moi.value.values()) | set(
            self.panelapp_moi_unspecified.value.values()
        )
        moi_table = {**self.moi_filters.value, **self.moi_filters_derived.value}
        missing = sorted(str(m) for m in mapped if m not in moi_table)
        if missing:
            raise ValueError(f"tiering MOI(s) without segregation filters: {', '.join(missing)}")
        overlap = set(self.moi_filters.value) & set(self.moi_filters_derived.value)
        if overlap:
            raise ValueError(f"MOI(s) given twice: {', '.join(sorted(overlap))}")
        overall = self.frequency_threshold_overall.value.key
        if overall in {t.key for t in self.frequency_thresholds.value}:
            raise ValueError(f"frequency_threshold_overall key '{overall}' is also a key of "
                             "frequency_thresholds")
        unclassed = sorted(str(f) for f in Filter if f not in self.frequency_class_of_filter.value)
        if unclassed:
            raise ValueError(f"filter(s) without a frequency class: {', '.join(unclassed)}")
        return self

    @property
    def panelapp_map(self) -> dict[str, Moi]:
        return {**self.panelapp_moi.value, **self.panelapp_moi_unspecified.value}

    @property
    def filters_of(self) -> dict[Moi, tuple[Filter, ...]]:
        return {**self.moi_filters.value, **self.moi_filters_derived.value}

    @property
    def all_thresholds(self) -> tuple[Threshold, ...]:
        """The population thresholds, then the overall gnomAD AF threshold (every AF tested)."""
        return (*self.frequency_thresholds.value, self.frequency_threshold_overall.value)

    @property
    def significance(self) -> frozenset[str]:
        return frozenset(self.clinvar_significance.value) | frozenset(
            self.clinvar_significance_renamed.value
        )

    @property
    def review_statuses(self) -> frozenset[str]:
        return frozenset(self.clinvar_review_status.value) | frozenset(
            self.clinvar_review_status_renamed.value
        )

    def named_rules(self) -> Iterator[tuple[str, Rule[object]]]:
        for name in type(self).model_fields:
            yield name, getattr(self, name)


class RulesFile(_Model):
    schema_: Literal["bp2-tiering/1"] = Field(alias="schema")
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    sources: dict[str, str]
    rules: Rules

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @field_validator("sources")
    @classmethod
    def _tags(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [k for k in value if re.fullmatch(r"S\d+[a-z]?", k) is None]
        if bad:
            raise ValueError(f"source tags must look like S12 or S30a: {', '.join(bad)}")
        return value

    @model_validator(mode="after")
    def _known_tags(self) -> RulesFile:
        for name, rule in self.rules.named_rules():
            match = _GEL_SOURCE.match(rule.source)
            if match and match.group(1) not in self.sources:
                raise ValueError(f"rule '{name}' cites [{match.group(1)}], not in 'sources'")
        return self


def load_rules(path: Path) -> RulesFile:
    """Load and check a tiering rules file (InputError naming the field on any problem)."""
    return load_model(RulesFile, path, "tiering rules")


def packaged_rules() -> Path:
    """The rules file shipped inside the package (identical to ``pipeline/tiering.yaml``)."""
    return Path(str(importlib_resources.files("bp2") / "data" / "tiering.yaml"))


def assumptions(rules: RulesFile) -> list[dict[str, str]]:
    """Every rule marked ``bp2 assumption``, with its reason (the report's limitations)."""
    return [
        {"rule": name, "reason": str(rule.reason)}
        for name, rule in rules.rules.named_rules()
        if rule.source == ASSUMPTION
    ]
