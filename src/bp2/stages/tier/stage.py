"""``tier``: GEL small-variant tiering of an annotated family VCF against the case's panels.

Inputs: the annotated joint VCF (consequences in ``CSQ``/``ANN``/``BCSQ``, population AFs and
ClinVar under the keys of :mod:`bp2.annotation`), the PED, ``panels.json`` from the ``panels``
stage, the rules file ``tiering.yaml`` (every threshold, MOI mapping, impact list and tier
definition, each with its source), and optionally the ploidy file (where X is
pseudo-autosomal) and each sample's inferred sex.  VCF sample IDs must equal the PED's.

What it does (the rules are in :mod:`.segregation` and :mod:`.tiering`): ``FILTER=PASS`` on
chromosomes 1-22, X and MT; GEL's segregation filters under complete penetrance (and, when the
``penetrance`` parameter says ``incomplete``, then under incomplete penetrance for what complete
did not tier); population-frequency thresholds by the filter's MOI class, per population and on
the overall gnomAD AF; Tier 1/2 in green
panel genes whose MOI allows the filter, Tier 3 in coding genes green on no applied panel; the
ClinVar route (P/LP/conflicting, review status from GEL's list, internal AF < 0.05) bypasses
frequency and impact.  The de novo filter's genotype gates are parameters, so a published
expression (slivar's) is reproduced by parameters alone.

Frequencies the rules cannot test are refused unless the operator accepts them
(``require_frequency_annotation: false``, ``bp2 interpret --accept-missing-frequencies``): a VCF
with none of the rules' AF keys, and an allele with an overall gnomAD AF but none of the
per-population AFs (a resource that carries only ``AF``).  A missing AF counts as 0 (GEL), so such
an allele would otherwise silently skip every per-population test; when accepted, it is tested
against the overall threshold and the count is stated as a limitation.

Outputs: ``tiers.tsv`` and ``tiers.json`` (one record per variant per tier with gene,
transcript, consequence, HGVS, genotypes, segregation filter, penetrance, MOI, panel, and the
frequencies tested), ``segregation.tsv`` (every variant passing each segregation filter, before
the panel, frequency and impact tests: the de novo candidates, for instance) and
``summary.json`` (counts, sex checks, annotation keys found, and every ``bp2 assumption`` of the
rules as a limitation).
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field, model_validator

from bp2.annotation import (
    BCSQ_KEY,
    CLINVAR_REVIEW_STATUS_KEY,
    CLINVAR_SIGNIFICANCE_KEY,
    POPULATION_AF_KEYS,
)
from bp2.case import read_pedigree
from bp2.errors import InputError, PipelineDefinitionError
from bp2.fileio import write_json_atomic, write_text_atomic
from bp2.stages.base import (
    CASE_UNIT,
    BindContext,
    Scope,
    Stage,
    StageContext,
    StageInputs,
    StageOutputs,
    StageParams,
)
from bp2.stages.tier.family import SexCheck, build_family, read_inferred_sex
from bp2.stages.tier.model import Family, Region, Variant
from bp2.stages.tier.output import segregation_tsv, tiers_json, tiers_tsv
from bp2.stages.tier.rules import Penetrance, RulesFile, assumptions, load_rules, packaged_rules
from bp2.stages.tier.segregation import DeNovoGates
from bp2.stages.tier.tiering import Tierer, TieringResult, green_genes
from bp2.stages.tier.vcf import ReadCounts, open_vcf, parse_ploidy_x, region_map


class TierInputs(StageInputs):
    """The annotated VCF, PED, panels.json, tiering rules and optional ploidy/sex files."""

    vcf: Path  # annotated joint VCF (plain or bgzip), streamed
    vcf_index: Path | None = None  # its .tbi/.csi; passed to htslib explicitly, never looked up
    pedigree: Path  # PED; individual IDs must equal the VCF's sample IDs
    panels: Path  # panels.json from the panels stage
    rules: Path  # tiering.yaml
    ploidy: Path | None = None  # bcftools ploidy file: male haploid spans of X (PARs)
    inferred_sex: tuple[Path, ...] = ()  # {"sample": ..., "inferred_sex": ...} per sample


class TierOutputs(StageOutputs):
    tiers_tsv: Path
    tiers_json: Path
    segregation_tsv: Path
    summary_json: Path


class TierParams(StageParams):
    penetrance: Penetrance | None = None  # None: the rules' default (complete)
    # refuse a VCF without any AF key of the rules, or with alleles that carry an overall gnomAD
    # AF but no per-population AF; false: tier them anyway, stated as a limitation
    require_frequency_annotation: bool = True
    # INFO key of gene names for a VCF without CSQ/ANN/BCSQ (bp2 interpret --gene-field): genes
    # only, consequence unknown, so only the ClinVar route can tier
    gene_field: str | None = Field(default=None, pattern=r"^[A-Za-z_][0-9A-Za-z_.]*$")
    # de novo genotype gates (minimums inclusive; None = off)
    denovo_child_min_gq: int | None = Field(default=None, ge=0)
    denovo_child_min_dp: int | None = Field(default=None, ge=0)
    denovo_child_min_ab: float | None = Field(default=None, ge=0, le=1)
    denovo_child_max_ab: float | None = Field(default=None, ge=0, le=1)
    denovo_parents_min_gq: int | None = Field(default=None, ge=0)
    denovo_parents_min_dp: int | None = Field(default=None, ge=0)
    denovo_parents_max_alt_reads: int | None = Field(default=None, ge=0)  # both parents summed
    denovo_site_min_dp: int | None = Field(default=None, ge=0)  # INFO/DP

    @model_validator(mode="after")
    def _ab_order(self) -> TierParams:
        low, high = self.denovo_child_min_ab, self.denovo_child_max_ab
        if low is not None and high is not None and low > high:
            raise ValueError("denovo_child_min_ab must not exceed denovo_child_max_ab")
        return self

    def gates(self) -> DeNovoGates:
        return DeNovoGates(
            child_min_gq=self.denovo_child_min_gq, child_min_dp=self.denovo_child_min_dp,
            child_min_ab=self.denovo_child_min_ab, child_max_ab=self.denovo_child_max_ab,
            parents_min_gq=self.denovo_parents_min_gq,
            parents_min_dp=self.denovo_parents_min_dp,
            parents_max_alt_reads=self.denovo_parents_max_alt_reads,
            site_min_dp=self.denovo_site_min_dp,
        )


def _load_panels(path: Path, rules: RulesFile) -> tuple[Any, list[Any]]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return document, green_genes(document, rules.rules)
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, ValueError) as exc:
        raise InputError(f"panels.json is not usable: {exc}", path=path, field="panels",
                         hint="give the panels.json the panels stage wrote with the same "
                         "tiering rules") from None


def _check_samples(vcf_samples: tuple[str, ...], ped_ids: set[str], vcf: Path) -> None:
    only_vcf = sorted(set(vcf_samples) - ped_ids)
    only_ped = sorted(ped_ids - set(vcf_samples))
    if only_vcf or only_ped or len(set(vcf_samples)) != len(vcf_samples):
        parts = []
        if only_vcf:
            parts.append(f"in the VCF only: {', '.join(only_vcf)}")
        if only_ped:
            parts.append(f"in the PED only: {', '.join(only_ped)}")
        if len(set(vcf_samples)) != len(vcf_samples):
            parts.append("the VCF repeats a sample ID")
        raise InputError(
            "VCF sample IDs differ from the PED individual IDs (" + "; ".join(parts) + ")",
            path=vcf, field="vcf",
            hint="the VCF must hold exactly the PED's individuals, with the same IDs; subset or "
            "rename the VCF samples (bcftools view -s / bcftools reheader) or correct the PED",
        )


class TierStage(Stage[TierInputs, TierOutputs, TierParams]):
    ID: ClassVar[str] = "tier"
    VERSION: ClassVar[str] = "1.2.0"
    IMPLEMENTS: ClassVar[tuple[str, ...]] = (
        "SRS-224", "SRS-226", "SRS-227", "SRS-228", "SRS-229", "SRS-230", "SRS-231", "SRS-232",
        "SRS-233", "SRS-234", "SRS-235", "SRS-236", "SRS-237", "SRS-238", "SRS-239", "SRS-240",
        "SRS-241", "SRS-242", "SRS-243", "SRS-244", "SRS-245", "SRS-246", "SRS-247", "SRS-248",
        "SRS-249", "SRS-250", "SRS-251", "SRS-252", "SRS-253", "SRS-254", "SRS-255", "SRS-256",
        "SRS-257", "SRS-258", "SRS-259", "SRS-283", "SRS-284",
    )
    TOOLS: ClassVar[tuple[str, ...]] = ("pysam", "htslib")
    SCOPE: ClassVar[Scope] = Scope.CASE
    GATED: ClassVar[bool] = True  # no tiering while a QC failure stands unaccepted
    DESCRIPTION: ClassVar[str] = (
        "GEL small-variant tiering: PASS, segregation (complete/incomplete penetrance), "
        "population frequency by MOI, impact, panel MOI, ClinVar route; Tier 1/2/3 TSV+JSON"
    )

    Inputs = TierInputs
    Outputs = TierOutputs
    Params = TierParams

    def run(self, inputs: TierInputs, params: TierParams, ctx: StageContext) -> TierOutputs:
        rules = load_rules(inputs.rules)
        pedigree = read_pedigree(inputs.pedigree)
        family, sex_checks = build_family(pedigree, read_inferred_sex(inputs.inferred_sex,
                                                                      pedigree))
        panels_doc, greens = _load_panels(inputs.panels, rules)
        contigs = rules.rules.tiered_contigs.value
        ploidy = None
        if inputs.ploidy is not None:
            ploidy = parse_ploidy_x(inputs.ploidy.read_text(encoding="utf-8"), inputs.ploidy,
                                    contigs.x)
        penetrance = params.penetrance or rules.rules.penetrance_default.value
        gates = params.gates()
        tierer = Tierer(rules.rules, greens, family, gates)
        af_keys = [t.key for t in rules.rules.all_thresholds]
        wanted = sorted({*af_keys, rules.rules.clinvar_internal_af_key.value})
        x_skipped = 0
        with open_vcf(inputs.vcf, inputs.vcf_index, wanted, params.gene_field) as reader:
            info = reader.info
            _check_samples(info.samples, {r.individual for r in pedigree.records}, inputs.vcf)
            if info.consequence_key is None:
                raise InputError(
                    "the VCF carries no consequence annotation (INFO CSQ, ANN or BCSQ)",
                    path=inputs.vcf, field="vcf",
                    hint="run the annotate stage (or VEP, SnpEff or bcftools csq) first, or "
                    "name an INFO key of gene names (gene_field, bp2 interpret --gene-field)",
                )
            present = [k for k in af_keys if k in info.info_keys]
            if params.require_frequency_annotation and not present:
                raise InputError(
                    "the VCF carries none of the population-frequency keys the rules test ("
                    + ", ".join(af_keys) + ")",
                    path=inputs.vcf, field="vcf",
                    hint="annotate population AFs (annotate stage); to tier without any AF "
                    "filter (every AF counted as 0) set require_frequency_annotation: false",
                )
            regions = region_map(contigs, info.contig_lengths, ploidy)
            kept: list[Variant] = []
            overall = OverallOnly(rules.rules.frequency_threshold_overall.value.key,
                                  tuple(k for k in af_keys if k in POPULATION_AF_KEYS))
            for variant in reader.variants(regions):
                overall.count(variant)
                if not variant.passes_quality or variant.region is Region.OTHER:
                    continue
                if variant.region is Region.X and not family.x_linked:
                    x_skipped += 1
                    continue
                if _relevant(family, variant):
                    kept.append(variant)
            counts = reader.counts
        if params.require_frequency_annotation and overall.alleles_without_populations:
            raise overall.error(inputs.vcf)
        result = tierer.run(kept, penetrance)
        ctx.logger.info("tier: %d alleles read, %d kept, %d tier records", counts.alleles,
                        len(kept), len(result.records))
        outputs = TierOutputs(
            tiers_tsv=ctx.path("tiers.tsv"), tiers_json=ctx.path("tiers.json"),
            segregation_tsv=ctx.path("segregation.tsv"), summary_json=ctx.path("summary.json"),
        )
        write_text_atomic(outputs.tiers_tsv, tiers_tsv(result.records))
        write_json_atomic(outputs.tiers_json, tiers_json(result.records))
        write_text_atomic(outputs.segregation_tsv, segregation_tsv(result.segregation))
        write_json_atomic(outputs.summary_json, _summary(
            rules, penetrance, result, counts, x_skipped, sex_checks, family.x_linked,
            panels_doc, info.consequence_key, present,
            sorted(set(af_keys) - set(present)),
            [k for k in (CLINVAR_SIGNIFICANCE_KEY, CLINVAR_REVIEW_STATUS_KEY)
             if k in info.info_keys],
            regions.par_source, gates, overall,
        ))
        return outputs

    def bind(self, ctx: BindContext, unit: str) -> TierInputs:
        if unit != CASE_UNIT:
            raise PipelineDefinitionError(f"tier runs once per case, not for unit '{unit}'",
                                          hint="declare it with case scope")
        vcf, index = _annotated_vcf(ctx)
        sexes = []  # each sample's qc_alignment qc.json, which holds its inferred sex
        for record in ctx.case.pedigree.records:
            qc = ctx.upstream.get(("qc_alignment", record.individual))
            qc_json = getattr(qc, "qc_json", None)
            if isinstance(qc_json, Path):
                sexes.append(qc_json)
        resources = ctx.case.resource_set
        ploidy = None if resources is None else resources.ploidy
        return TierInputs(
            vcf=vcf,
            vcf_index=index,
            pedigree=ctx.case.pedigree.path,
            panels=ctx.output("panels", CASE_UNIT).panels_json,  # type: ignore[attr-defined]
            rules=packaged_rules(),
            ploidy=ploidy.path if ploidy is not None else None,
            inferred_sex=tuple(sexes),
        )


def _annotated_vcf(ctx: BindContext) -> tuple[Path, Path | None]:
    """The annotate stage's VCF and index or, in bp2 interpret without a gene model, the case's
    own VCF, annotated already."""
    if ("annotate", CASE_UNIT) not in ctx.upstream and ctx.case.vcf is not None:
        return ctx.case.vcf.path, None
    annotated = ctx.output("annotate", CASE_UNIT)
    vcf = getattr(annotated, "vcf", None)
    if not isinstance(vcf, Path):
        raise PipelineDefinitionError(
            "the annotate stage's outputs have no 'vcf' file",
            hint="tier reads the annotated VCF from annotate's 'vcf' (and 'vcf_index')",
        )
    index = getattr(annotated, "vcf_index", None)
    return vcf, index if isinstance(index, Path) else None


@dataclasses.dataclass
class OverallOnly:
    """Counts the alleles with an overall gnomAD AF but none of the per-population AFs.

    GEL counts a missing AF as 0, which is right for an allele gnomAD never saw, not for an
    allele a resource gives only an overall AF for: its per-population tests would pass
    unexamined.  Such alleles are refused unless the operator accepts them.
    """

    key: str  # the overall AF key (gnomAD_AF)
    population_keys: tuple[str, ...]  # the per-population gnomAD keys the rules test
    alleles_with_overall: int = 0
    alleles_without_populations: int = 0
    first: str | None = None

    def count(self, variant: Variant) -> None:
        if variant.frequencies.get(self.key) is None:
            return
        self.alleles_with_overall += 1
        if self.population_keys and all(variant.frequencies.get(k) is None
                                        for k in self.population_keys):
            self.alleles_without_populations += 1
            if self.first is None:
                self.first = f"{variant.chrom}:{variant.pos} {variant.ref}>{variant.alt}"

    def error(self, vcf: Path) -> InputError:
        return InputError(
            f"{self.alleles_without_populations} of {self.alleles_with_overall} allele(s) with "
            f"an overall {self.key} carry none of the per-population AFs the rules test ("
            f"{', '.join(self.population_keys)}), the first at {self.first}: the population-"
            "frequency resource gives no per-population values, and counting them as 0 would "
            "skip GEL's per-population thresholds",
            path=vcf, field="vcf",
            hint="annotate with a population-frequency VCF that carries AF_<population> (as "
            "gnomAD's own release does); or accept tiering them against the overall AF "
            "threshold only with require_frequency_annotation: false (bp2 interpret "
            "--accept-missing-frequencies), stated on the report as a limitation",
        )


def _relevant(family: Family, variant: Variant) -> bool:
    """Whether a variant can pass any filter: every filter needs an affected carrier."""
    return any(variant.call(p.id).carrier for p in family.affected)


def _summary(rules: RulesFile, penetrance: Penetrance, result: TieringResult,
             counts: ReadCounts, x_skipped: int, sex_checks: tuple[SexCheck, ...],
             x_linked: bool, panels_doc: Any, consequence_key: str | None, present: list[str],
             absent: list[str], clinvar_keys: list[str], par_source: str,
             gates: DeNovoGates, overall: OverallOnly) -> dict[str, Any]:
    segregation: dict[str, dict[str, int]] = {}
    for mode in sorted({r.penetrance for r in result.segregation}):
        per: dict[str, set[str]] = {}
        for row in result.segregation:
            if row.penetrance is mode:
                per.setdefault(str(row.segregation), set()).add(row.variant.key)
        segregation[str(mode)] = {f: len(keys) for f, keys in sorted(per.items())}
    tiers = Counter(str(r.tier) for r in result.records)
    limitations = list(assumptions(rules))
    if not present:
        limitations.append({"rule": "frequency_thresholds", "reason": (
            "the VCF carries no population-frequency key of the rules: every AF was counted "
            "as 0, so no variant was excluded for being common")})
    if overall.alleles_without_populations:
        limitations.append({"rule": "frequency_thresholds", "reason": (
            f"{overall.alleles_without_populations} of {overall.alleles_with_overall} allele(s) "
            f"with an overall {overall.key} carried none of the per-population AFs: each "
            "missing per-population AF counted as 0, so these alleles were tested against the "
            "overall gnomAD AF threshold (and INTERNAL_AF) only; a variant common in one "
            "population but rare overall may not have been excluded")})
    if consequence_key is not None and consequence_key.startswith("INFO/"):
        limitations.append({"rule": "annotation", "reason": (
            f"genes from {consequence_key} only (no consequence annotation): no consequence, "
            "impact, transcript or HGVS is known, so no variant could be tiered on predicted "
            "impact; only the ClinVar route could assign a tier")})
    if consequence_key == BCSQ_KEY:
        limitations.append({"rule": "annotation", "reason": (
            "consequences from bcftools csq (BCSQ): no HGVS, no Ensembl gene ID (genes matched "
            "by symbol), 'non_coding' read as non_coding_transcript_variant")})
    if not x_linked:
        limitations.append({"rule": "sex_discordance_disables_x_linked", "reason": (
            f"a sex was discordant or unknown: {x_skipped} PASS allele(s) on X outside the "
            "PARs were not segregated or tiered")})
    return {
        "schema": "bp2-tier-summary/1",
        "rules_version": rules.version,
        "penetrance": str(penetrance),
        "records": {
            "vcf_records": counts.records, "alleles": counts.alleles,
            "symbolic_alleles_skipped": counts.symbolic_alleles,
            "not_pass": counts.not_pass, "filter_missing": counts.filter_missing,
            "by_region": dict(sorted(counts.by_region.items())),
            "x_not_segregated": x_skipped,
        },
        "tiers": {t: tiers.get(t, 0) for t in ("TIER1", "TIER2", "TIER3")},
        "tiered_variants": {str(m): len(k) for m, k in sorted(result.tiered.items())},
        "segregation": segregation,
        "de_novo_gates": dataclasses.asdict(gates),
        "panels": [{"id": p["id"], "name": p["name"], "version": p["version"],
                    "gms_signed_off": p.get("gms_signed_off"),
                    "green_genes": len(p.get("green_genes", []))}
                   for p in panels_doc.get("panels", [])],
        "sex": {
            "x_linked_segregation": x_linked,
            "samples": [{"sample": c.sample, "ped": str(c.ped),
                         "inferred": None if c.inferred is None else str(c.inferred),
                         "flag": c.flag} for c in sex_checks],
            "par_source": par_source,
        },
        "annotation": {
            "consequence_key": consequence_key,
            "frequency_keys_present": present,
            "frequency_keys_absent": absent,
            "clinvar_keys_present": clinvar_keys,
            "overall_af_alleles": overall.alleles_with_overall,
            "overall_af_only_alleles": overall.alleles_without_populations,
        },
        "limitations": limitations,
    }
