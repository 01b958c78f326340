"""The report's view model: typed, immutable objects built from the input documents (pure).

Templates see only these objects, never the raw JSON, so every value a template prints has a
declared type and a missing one is an error (Jinja2 ``StrictUndefined``), not a blank.  Values
that come from a VCF (gene symbols, HGVS, INFO text) are kept as plain strings here and escaped
by the template engine when rendered.

:func:`qc_failures` decides whether a report may be issued: a case whose sample or family QC
failed gets no report unless the operator accepted the failure with a reason, which the report
then shows with the failures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bp2.case import Pedigree, Phenotype
from bp2.errors import CheckFailed
from bp2.stages.report.context import RunContext
from bp2.stages.report.documents import (
    CallDoc,
    FamilyQcDoc,
    FrequencyDoc,
    PanelsDoc,
    QcGeneDoc,
    SampleQcDoc,
    TierRecordDoc,
    TiersDoc,
    TierSummaryDoc,
)

IMPLEMENTS = ("SRS-260", "SRS-264", "SRS-265", "SRS-266", "SRS-267", "SRS-268", "SRS-269")

TIER_TITLES = {
    "TIER1": (
        "Tier 1",
        "Variants in green genes of the applied panels that segregate with the disease under a "
        "mode of inheritance the gene allows and are rare, with a high predicted impact (or a "
        "de novo protein-altering change), or are reported pathogenic or likely pathogenic in "
        "ClinVar with an accepted review status.",
    ),
    "TIER2": (
        "Tier 2",
        "Other rare, segregating variants in green genes of the applied panels with a moderate "
        "predicted impact (protein-altering), or the listed non-coding consequences in "
        "non-coding panel genes.",
    ),
    "TIER3": (
        "Tier 3",
        "Rare, segregating variants with a high or moderate predicted impact in coding genes "
        "that are green on none of the applied panels.",
    ),
}

SCOPE_LIMITATIONS = (
    "This analysis reports germline small variants (single-nucleotide variants and short "
    "insertions and deletions) only. Structural variants, copy-number variants, short tandem "
    "repeat expansions and mitochondrial heteroplasmy were not analysed.",
    "Tiering prioritises variants for review following Genomics England's published tiering "
    "rules; a tier is not a classification of pathogenicity. Every variant listed must be "
    "reviewed and classified by a clinical scientist, and the absence of a tiered variant does "
    "not exclude a genetic cause.",
    "Only variants with FILTER=PASS on chromosomes 1-22, X and the mitochondrial genome are "
    "tiered; variants on Y and on unplaced or alternate contigs are not.",
    "Variants are tiered under the pedigree and affection status given; a wrong relationship or "
    "phenotype changes which variants segregate.",
)


# --- view objects ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Person:
    id: str
    sex: str
    affection: str
    father: str
    mother: str
    qc_status: str


@dataclass(frozen=True)
class QcCheckRow:
    check: str
    value: str
    threshold: str
    status: str
    reason: str


@dataclass(frozen=True)
class SampleQc:
    sample: str
    status: str
    flags: tuple[str, ...]
    failure_reasons: tuple[str, ...]
    checks: tuple[QcCheckRow, ...]


@dataclass(frozen=True)
class FamilyCheckRow:
    kind: str
    status: str
    message: str


@dataclass(frozen=True)
class FamilyQc:
    status: str
    passed: bool
    checks: tuple[FamilyCheckRow, ...]


@dataclass(frozen=True)
class QcSection:
    assessed: bool  # sample QC results exist (not for a VCF-only case)
    samples: tuple[SampleQc, ...]
    family: FamilyQc | None
    failures: tuple[str, ...]  # every QC failure the inputs show
    accepted_reason: str | None  # the operator's reason for proceeding past them
    engine_failures: tuple[str, ...]  # the failures the engine recorded as accepted


@dataclass(frozen=True)
class AnnotationLine:
    gene: str
    gene_id: str
    transcript: str
    hgvsc: str
    hgvsp: str
    consequence: str
    impact: str
    source: str


@dataclass(frozen=True)
class EvidenceLine:
    segregation: str
    partners: str
    moi: str
    panel: str
    route: str


@dataclass(frozen=True)
class GenotypeCell:
    sample: str
    genotype: str
    detail: str


@dataclass(frozen=True)
class VariantRow:
    number: int
    variant: str
    chrom: str
    pos: int
    ref: str
    alt: str
    penetrance: str
    annotations: tuple[AnnotationLine, ...]
    evidence: tuple[EvidenceLine, ...]
    genotypes: tuple[GenotypeCell, ...]
    frequencies: tuple[str, ...]
    clinvar: str


@dataclass(frozen=True)
class TierSection:
    tier: str
    title: str
    description: str
    variants: tuple[VariantRow, ...]  # the variants listed on the report
    total: int  # the variants in this tier
    omitted_note: str  # why and where the variants not listed are ("" when all are listed)


@dataclass(frozen=True)
class PanelRow:
    id: str
    name: str
    version: str
    status: str
    signed_off: str
    green_genes: int
    source_file: str


@dataclass(frozen=True)
class CoverageRow:
    gene: str
    panels: str
    cells: tuple[str, ...]  # one per sample of ``CoverageTable.samples``


@dataclass(frozen=True)
class CoverageTable:
    samples: tuple[str, ...]
    rows: tuple[CoverageRow, ...]
    note: str


@dataclass(frozen=True)
class NameValue:
    name: str
    value: str


@dataclass(frozen=True)
class InputRow:
    role: str
    sample: str
    name: str
    sha256: str


@dataclass(frozen=True)
class ResourceRow:
    name: str
    build: str
    version: str
    files: tuple[NameValue, ...]


@dataclass(frozen=True)
class Limitation:
    topic: str
    text: str


@dataclass(frozen=True)
class LimitationGroup:
    title: str
    items: tuple[Limitation, ...]


@dataclass(frozen=True)
class ReportView:
    title: str
    case_id: str
    report_id: str
    input_digest: str
    input_digest_short: str
    report_date: str | None
    analysis: str
    pipeline: str
    people: tuple[Person, ...]
    qc: QcSection
    tier_counts: tuple[NameValue, ...]
    tiers: tuple[TierSection, ...]
    penetrance: str
    consequence_source: str
    panels: tuple[PanelRow, ...]
    panels_note: str
    coverage: CoverageTable
    versions: tuple[NameValue, ...]
    stages: tuple[NameValue, ...]
    tools: tuple[NameValue, ...]
    inputs: tuple[InputRow, ...]
    resources: tuple[ResourceRow, ...]
    limitations: tuple[LimitationGroup, ...]


# --- QC -------------------------------------------------------------------------------------------

def qc_failures(samples: Sequence[SampleQcDoc], family: FamilyQcDoc | None) -> tuple[str, ...]:
    """Every QC failure the QC documents show, one line each (sample or family first)."""
    failures: list[str] = []
    for sample in samples:
        if sample.status == "fail":
            reasons = sample.failure_reasons or ("sample QC status fail",)
            failures.extend(f"{sample.sample}: {reason}" for reason in reasons)
    if family is not None and not family.overall.passed:
        reasons = family.overall.reasons or (f"family QC status {family.overall.status}",)
        failures.extend(f"family: {reason}" for reason in reasons)
    return tuple(failures)


def require_acceptance(failures: Sequence[str], reason: str | None) -> None:
    """Refuse to issue a report for a failed case whose failure nobody accepted."""
    if failures and not (reason and reason.strip()):
        raise CheckFailed(
            "QC failed and the failure was not accepted, so no report is issued: "
            + "; ".join(failures),
            field="accepted_qc_failures",
            hint="review the sample-failure report; to report anyway, rerun with "
            "--accept-qc-failure 'REASON' (the reason is shown on the report)",
        )


def _text(value: object) -> str:
    if value is None:
        return "not measured"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def sample_qc(doc: SampleQcDoc) -> SampleQc:
    checks = tuple(
        QcCheckRow(check=c.id, value=_text(c.value),
                   threshold=f"{c.comparison} {_text(c.threshold)}".strip(),
                   status=c.status, reason=c.reason)
        for c in doc.checks
    )
    return SampleQc(sample=doc.sample, status=doc.status, flags=doc.flags,
                    failure_reasons=doc.failure_reasons, checks=checks)


def family_qc(doc: FamilyQcDoc) -> FamilyQc:
    checks = tuple(
        FamilyCheckRow(kind=kind, status=c.status, message=c.message)
        for kind, items in (("relatedness", doc.relatedness), ("Mendelian", doc.mendelian),
                            ("sex", doc.sex))
        for c in items
    )
    return FamilyQc(status=doc.overall.status, passed=doc.overall.passed, checks=checks)


# --- variants ----------------------------------------------------------------------------

def _dot(value: str | None) -> str:
    return value if value else "-"


def _frequencies(cls: str, tests: Sequence[FrequencyDoc]) -> str:
    """One threshold class: each annotated value against its threshold, then the missing."""
    shown = [f"{t.key} {t.value:g} {'≤' if t.passed else '>'} {t.threshold:g}"
             for t in tests if t.value is not None]
    missing = [t.key for t in tests if t.value is None]
    if missing:
        shown.append(f"not annotated (counted as 0): {', '.join(missing)}")
    return f"{cls} thresholds: " + ("; ".join(shown) or "none tested")


def _genotype(sample: str, call: CallDoc, affection: dict[str, str]) -> GenotypeCell:
    parts = []
    if call.gq is not None:
        parts.append(f"GQ {call.gq}")
    if call.dp is not None:
        parts.append(f"DP {call.dp}")
    if call.ad is not None:
        parts.append("AD " + ",".join("." if a is None else str(a) for a in call.ad))
    label = f"{sample} ({affection.get(sample, 'not in PED')})"
    return GenotypeCell(sample=label, genotype=call.gt, detail=" ".join(parts))


def variant_row(number: int, record: TierRecordDoc, affection: dict[str, str]) -> VariantRow:
    annotations: list[AnnotationLine] = []
    for item in record.evidence:
        line = AnnotationLine(
            gene=_dot(item.gene), gene_id=_dot(item.gene_id), transcript=_dot(item.transcript),
            hgvsc=_dot(item.hgvsc), hgvsp=_dot(item.hgvsp),
            consequence="&".join(item.consequence) or "-", impact=_dot(item.impact),
            source=_dot(item.annotation))
        if line not in annotations:
            annotations.append(line)
    evidence: list[EvidenceLine] = []
    for item in record.evidence:
        panel = ("none (gene green on no applied panel)" if item.panel is None else
                 f"{item.panel.name} v{item.panel.version} (panel {item.panel.id})")
        ev = EvidenceLine(segregation=item.segregation,
                          partners=", ".join(item.compound_partners) or "-",
                          moi=_dot(item.tiering_moi), panel=panel, route=item.route)
        if ev not in evidence:
            evidence.append(ev)
    frequencies = tuple(_frequencies(cls, tests)
                        for cls, tests in sorted(record.frequencies_tested.items()))
    clinvar = "/".join(record.clinvar.significance) or "not annotated"
    if record.clinvar.review_status:
        clinvar += f" ({record.clinvar.review_status})"
    return VariantRow(
        number=number, variant=f"{record.chrom}:{record.pos} {record.ref}>{record.alt}",
        chrom=record.chrom, pos=record.pos, ref=record.ref, alt=record.alt,
        penetrance=record.penetrance, annotations=tuple(annotations), evidence=tuple(evidence),
        genotypes=tuple(_genotype(s, c, affection) for s, c in sorted(record.genotypes.items())),
        frequencies=frequencies, clinvar=clinvar,
    )


_IMPACT_RANK = {"HIGH": 0, "MODERATE": 1, "LOW": 2, "MODIFIER": 3}


def _severity(record: TierRecordDoc) -> int:
    return min(_IMPACT_RANK.get(e.impact or "", 4) for e in record.evidence)


def tier_sections(tiers: TiersDoc, affection: dict[str, str], tier3_listed: int,
                  tiers_sha256: str) -> tuple[TierSection, ...]:
    """Tier 1 and 2 in full; Tier 3 up to ``tier3_listed`` variants, most severe impact first
    (then genomic order), the rest counted and referred to tiers.json by its digest."""
    sections = []
    for tier, (title, description) in TIER_TITLES.items():
        records = [r for r in tiers.records if r.tier == tier]
        note = ""
        if tier == "TIER3" and len(records) > tier3_listed:
            records = sorted(records, key=_severity)[:tier3_listed]
            total = sum(1 for r in tiers.records if r.tier == tier)
            note = (f"{total - tier3_listed} further Tier 3 variant(s) are not listed here "
                    f"(the report lists at most {tier3_listed}, high impact first): every "
                    f"tiered variant is in the tier stage's tiers.json (sha256 {tiers_sha256}) "
                    "and tiers.tsv.")
        rows = tuple(variant_row(n, r, affection) for n, r in enumerate(records, start=1))
        sections.append(TierSection(
            tier=tier, title=title, description=description, variants=rows,
            total=sum(1 for r in tiers.records if r.tier == tier), omitted_note=note))
    return tuple(sections)


# --- panels and coverage ------------------------------------------------------------------------

def panel_rows(panels: PanelsDoc) -> tuple[PanelRow, ...]:
    return tuple(
        PanelRow(id=p.id, name=p.name, version=p.version, status=p.status or "-",
                 signed_off=("yes" + (f" ({p.signed_off})" if p.signed_off else ""))
                 if p.gms_signed_off else "no",
                 green_genes=len(p.green_genes), source_file=p.source_file or "-")
        for p in panels.panels
    )


def _coverage_cell(gene: QcGeneDoc | None) -> str:
    if gene is None:
        return "not in this sample's QC"
    if gene.status != "assessed":
        return gene.status.replace("_", " ")
    levels = [f"≥{level.removesuffix('x')}×: "
              + ("-" if value is None else f"{value:.1f} %")
              for level, value in sorted(gene.pct_at_depth.items(),
                                         key=lambda kv: int(kv[0].removesuffix("x") or 0))]
    exons = len(gene.under_covered_exons)
    tail = f"{exons} under-covered exon{'s' if exons != 1 else ''}" if exons else \
        "no under-covered exon"
    return "; ".join([*levels, tail])


def coverage_table(samples: Sequence[SampleQcDoc], panels: PanelsDoc) -> CoverageTable:
    if not panels.panels:
        return CoverageTable(samples=(), rows=(), note="No panel was applied.")
    if not samples:
        return CoverageTable(samples=(), rows=(), note=(
            "Per-gene coverage was not assessed: this analysis started from a VCF, without the "
            "alignments coverage is measured on."))
    names = tuple(s.sample for s in samples)
    genes: dict[str, dict[str, QcGeneDoc]] = {}
    panels_of: dict[str, set[str]] = {}
    for sample in samples:
        for gene in sample.panel_genes:
            genes.setdefault(gene.gene, {})[sample.sample] = gene
            panels_of.setdefault(gene.gene, set()).update(gene.panels)
    rows = tuple(
        CoverageRow(gene=symbol, panels="; ".join(sorted(panels_of[symbol])) or "-",
                    cells=tuple(_coverage_cell(genes[symbol].get(s)) for s in names))
        for symbol in sorted(genes)
    )
    note = ("Coding bases of each green panel gene's canonical transcript covered at each depth, "
            "per sample, and its coding exons below the minimum depth.")
    if not rows:
        note = "The sample QC lists no panel gene."
    return CoverageTable(samples=names, rows=rows, note=note)


# --- limitations --------------------------------------------------------------------------------

def _case_limitations(summary: TierSummaryDoc, panels: PanelsDoc, qc: QcSection,
                      pedigree: Pedigree) -> tuple[Limitation, ...]:
    items: list[Limitation] = []
    if not qc.assessed:
        items.append(Limitation("sample QC", (
            "The analysis started from a VCF called elsewhere: coverage, yield, contamination and "
            "sex were not checked by bp2, and per-gene coverage of the panels is unknown.")))
    for sample in qc.samples:
        for check in sample.checks:
            if check.status == "not_assessed":
                items.append(Limitation(f"sample QC ({sample.sample})", (
                    f"The {check.check} check could not be assessed: {check.reason}")))
        if "PANEL_GENES_UNDER_COVERED" in sample.flags:
            items.append(Limitation(f"coverage ({sample.sample})", (
                "Some coding exons of panel genes are below the minimum depth: variants there "
                "may have been missed (see Panel coverage).")))
    if qc.family is None and qc.assessed:
        items.append(Limitation("family QC", "Relatedness and Mendelian consistency were not "
                                "checked."))
    if not panels.panels:
        items.append(Limitation("panels", (
            "No gene panel was applied: Tier 1 and Tier 2 need panel genes, so only Tier 3 "
            "could be assigned.")))
    unknown = [r.individual for r in pedigree.records if r.phenotype is Phenotype.UNKNOWN]
    if unknown:
        items.append(Limitation("pedigree", (
            f"The affection status of {', '.join(unknown)} is unknown: they do not constrain "
            "segregation.")))
    if not summary.sex.x_linked_segregation:
        items.append(Limitation("sex", (
            f"A sex was unknown or discordant, so X-linked segregation was not evaluated: "
            f"{summary.records.x_not_segregated} PASS allele(s) on X outside the "
            "pseudo-autosomal regions were not tiered.")))
    for sex in summary.sex.samples:
        if sex.flag:
            items.append(Limitation(f"sex ({sex.sample})", (
                f"{sex.flag}: PED sex {sex.ped}, inferred {sex.inferred or 'not inferred'}.")))
    if summary.annotation.frequency_keys_absent:
        absent = ", ".join(summary.annotation.frequency_keys_absent)
        items.append(Limitation("population frequency", (
            f"The VCF carries no value for {absent}: a missing frequency counts as 0, so "
            "variants common in those populations may be tiered.")))
    if not summary.annotation.clinvar_keys_present:
        items.append(Limitation("ClinVar", (
            "The VCF carries no ClinVar annotation: the ClinVar route to Tier 1 could not be "
            "applied.")))
    if summary.records.not_pass:
        items.append(Limitation("variant filters", (
            f"{summary.records.not_pass} of {summary.records.alleles} allele(s) did not have "
            "FILTER=PASS"
            + (f" ({summary.records.filter_missing} with no filter applied, FILTER '.')"
               if summary.records.filter_missing else "")
            + " and were not tiered.")))
    return tuple(items)


def limitation_groups(summary: TierSummaryDoc, panels: PanelsDoc, qc: QcSection,
                      pedigree: Pedigree, listing: Sequence[str] = ()
                      ) -> tuple[LimitationGroup, ...]:
    return (
        LimitationGroup("Scope of the analysis",
                        tuple(Limitation("scope", text) for text in SCOPE_LIMITATIONS)),
        LimitationGroup(
            "Tiering assumptions (bp2's choices where Genomics England's rules are silent, and "
            "what the annotation lacked)",
            tuple(Limitation(item.rule, item.reason) for item in summary.limitations)),
        LimitationGroup("What this case's data could not verify",
                        (*_case_limitations(summary, panels, qc, pedigree),
                         *(Limitation("report length", note) for note in listing))
                        or (Limitation("none", "No further limitation was found in the "
                                       "inputs."),)),
    )


# --- the whole report ----------------------------------------------------------------------

_AFFECTION = {Phenotype.AFFECTED: "affected", Phenotype.UNAFFECTED: "unaffected",
              Phenotype.UNKNOWN: "unknown"}


def case_id_of(pedigree: Pedigree) -> str:
    """The case ID: the PED family ID (a case is one family)."""
    return pedigree.records[0].family


@dataclass(frozen=True)
class ReportInputsView:
    """Everything :func:`build_view` needs, already read and validated."""

    title: str
    report_id: str
    report_date: date | None
    stage_version: str
    tier3_listed: int
    tiers_sha256: str
    pedigree: Pedigree
    context: RunContext
    tiers: TiersDoc
    summary: TierSummaryDoc
    panels: PanelsDoc
    sample_qc: tuple[SampleQcDoc, ...]
    family_qc: FamilyQcDoc | None
    accepted_failures: tuple[str, ...]
    accepted_reason: str | None


def build_view(data: ReportInputsView) -> ReportView:
    """The report's view; raises CheckFailed for a QC failure nobody accepted."""
    failures = qc_failures(data.sample_qc, data.family_qc)
    require_acceptance(failures, data.accepted_reason)
    qc = QcSection(
        assessed=bool(data.sample_qc),
        samples=tuple(sample_qc(s) for s in data.sample_qc),
        family=None if data.family_qc is None else family_qc(data.family_qc),
        failures=failures,
        accepted_reason=data.accepted_reason if (failures or data.accepted_failures) else None,
        engine_failures=data.accepted_failures,
    )
    status = {s.sample: s.status for s in data.sample_qc}
    people = tuple(
        Person(id=r.individual, sex=str(r.sex), affection=_AFFECTION[r.phenotype],
               father=r.father or "-", mother=r.mother or "-",
               qc_status=status.get(r.individual, "not assessed"))
        for r in data.pedigree.records
    )
    affection = {p.id: p.affection for p in people}
    tiers = tier_sections(data.tiers, affection, data.tier3_listed, data.tiers_sha256)
    context = data.context
    digest = context.input_digest()
    stages = tuple(NameValue(s.id, s.version) for s in context.stages)
    pipeline = f"{context.pipeline.name} {context.pipeline.version}"
    versions = (
        NameValue("pipeline", pipeline),
        NameValue("pipeline definition sha256", context.pipeline.sha256),
        NameValue("bp2", context.bp2_version),
        NameValue("tiering rules", data.summary.rules_version),
        NameValue("report stage", data.stage_version),
    )
    annotation = data.summary.annotation.consequence_key or "none"
    return ReportView(
        title=data.title,
        case_id=case_id_of(data.pedigree),
        report_id=data.report_id,
        input_digest=digest,
        input_digest_short=digest[:16],
        report_date=None if data.report_date is None else data.report_date.isoformat(),
        analysis=("from reads (alignment, calling and annotation by bp2)"
                  if context.analysis == "reads" else
                  "interpretation of a VCF called elsewhere (no reads)"),
        pipeline=pipeline,
        people=people,
        qc=qc,
        tier_counts=tuple(NameValue(s.title, str(s.total)) for s in tiers),
        tiers=tiers,
        penetrance=data.summary.penetrance,
        consequence_source=annotation,
        panels=panel_rows(data.panels),
        panels_note=("" if data.panels.panels else
                     "No panel was applied: only Tier 3 (genes outside any panel) is possible."),
        coverage=coverage_table(data.sample_qc, data.panels),
        versions=versions,
        stages=stages,
        tools=tuple(NameValue(k, v) for k, v in sorted(context.tools.items())),
        inputs=tuple(InputRow(role=i.role, sample=i.sample or "-", name=i.name, sha256=i.sha256)
                     for i in context.inputs),
        resources=tuple(
            ResourceRow(name=r.name, build=r.build, version=r.version,
                        files=tuple(NameValue(f.name, f.sha256) for f in r.files))
            for r in context.resources),
        limitations=limitation_groups(data.summary, data.panels, qc, data.pedigree,
                                      [s.omitted_note for s in tiers if s.omitted_note]),
    )
