"""``report``: the clinical case report as HTML and PDF, from the case's tiering and QC results.

**Inputs** (every one a file named in the inputs, or a value):

* ``pedigree`` — the PED; the case ID is its family ID, the samples its individuals;
* ``tiers`` and ``tier_summary`` — ``tiers.json`` and ``summary.json`` of the tier stage;
* ``panels`` — ``panels.json`` of the panels stage (no panels: an empty list);
* ``run_context`` — ``run_context.json`` written by the engine (:mod:`.context`): pipeline name,
  version and definition digest, the stages run with their versions, tool versions, and the
  case's input files and resources with their sha256;
* ``sample_qc`` — each sample's ``qc.json`` from qc_alignment (none for a VCF-only case);
* ``family_qc`` — ``family_qc.json`` from qc_family (optional);
* ``accepted_qc_failures`` and ``qc_acceptance_reason`` — the QC failures the operator accepted
  with ``--accept-qc-failure`` and the reason given (values, not files);
* ``report_date`` — optional; stated on the report when given, so a re-render is identical.

**What it does.**  Reads and validates every document (:mod:`.documents`), refuses to issue a
report when QC failed and the failure was not accepted (exit 1, naming the failures), builds the
typed view (:mod:`.view`) and renders it (:mod:`.render`) with Jinja2 (autoescape on,
``StrictUndefined``) and WeasyPrint.  The report shows the case and its samples; QC status,
flags and checks, with any accepted failure and its reason in a banner; the tiered variants by
tier with gene, transcript, HGVS, consequence, segregation, MOI, panel, genotypes, frequencies
tested and ClinVar; the panels applied with their versions and per-gene coverage; the pipeline,
stage and tool versions; the input files with their sha256; and the limitations: the scope of
the analysis, every tiering assumption, and what this case's data could not verify.  Every PDF
page carries the case ID, the report ID and the input digest in its margins.

**Report ID** — ``R-`` and the first 16 hex digits (in groups of four) of the sha256 of the
stage ID and version, its parameters, the sha256 of every input file and the input values: the
same inputs give the same ID, any changed input another.  **Input digest** — the sha256 of the
case's own inputs and resources (:meth:`.context.RunContext.input_digest`).

**Outputs** — ``report.html``, ``report.pdf`` and ``report.json`` (the view model as data).
All three are deterministic: no time, host or path in them; the PDF is byte-identical with the
same WeasyPrint and Pango (recorded as tools).
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import ClassVar

from pydantic import Field, model_validator

from bp2.case import read_pedigree
from bp2.errors import InputError, PipelineDefinitionError
from bp2.fileio import (
    canonical_json,
    sha256_bytes,
    sha256_file,
    write_bytes_atomic,
    write_json_atomic,
    write_text_atomic,
)
from bp2.stages.base import (
    CASE_UNIT,
    BindContext,
    Scope,
    Stage,
    StageContext,
    StageInputs,
    StageOutputs,
    StageParams,
    iter_paths,
)
from bp2.stages.report.context import read_run_context
from bp2.stages.report.documents import (
    FamilyQcDoc,
    PanelsDoc,
    SampleQcDoc,
    TiersDoc,
    TierSummaryDoc,
    load_document,
)
from bp2.stages.report.render import render_html, render_pdf
from bp2.stages.report.view import ReportInputsView, build_view

REPORT_SCHEMA = "bp2-report/1"


class ReportInputs(StageInputs):
    """The case's tiering, panels and QC results, the engine's run context and the PED."""

    pedigree: Path
    run_context: Path = Field(description="run_context.json written by the engine")
    tiers: Path = Field(description="tiers.json of the tier stage")
    tier_summary: Path = Field(description="summary.json of the tier stage")
    panels: Path = Field(description="panels.json of the panels stage")
    sample_qc: tuple[Path, ...] = Field(default=(), description="qc.json of each sample "
                                        "(qc_alignment); none for a VCF-only case")
    family_qc: Path | None = Field(default=None, description="family_qc.json (qc_family)")
    accepted_qc_failures: tuple[str, ...] = Field(
        default=(), description="the QC failures the operator accepted (--accept-qc-failure)")
    qc_acceptance_reason: str | None = Field(
        default=None, description="the operator's reason for accepting the QC failures")
    report_date: date | None = Field(default=None, description="date stated on the report")

    @model_validator(mode="after")
    def _acceptance_has_reason(self) -> ReportInputs:
        if self.accepted_qc_failures and not (self.qc_acceptance_reason or "").strip():
            raise ValueError("accepted_qc_failures need a qc_acceptance_reason")
        return self


class ReportOutputs(StageOutputs):
    report_html: Path
    report_pdf: Path
    report_json: Path


class ReportParams(StageParams):
    title: str = Field(default="Rare disease genome analysis: case report", min_length=1,
                       max_length=200)
    tier3_listed: int = Field(default=100, ge=0, description="Tier 3 variants listed on the "
                              "report at most (Tier 1 and 2 are always listed in full)")


def report_id(stage_id: str, version: str, params: ReportParams, inputs: ReportInputs) -> str:
    """``R-XXXX-XXXX-XXXX-XXXX``: a digest of the stage, its parameters and every input."""
    values = inputs.model_dump(mode="json")
    files = {field: sha256_file(path) for field, path in iter_paths(inputs)}
    path_fields = {name for name, info in type(inputs).model_fields.items()
                   if "Path" in str(info.annotation)}
    for field in path_fields:
        values.pop(field, None)
    payload = {"stage": stage_id, "version": version, "params": params.model_dump(mode="json"),
               "files": files, "values": values}
    digest = sha256_bytes(canonical_json(payload).encode())[:16].upper()
    return "R-" + "-".join(digest[i:i + 4] for i in range(0, 16, 4))


class ReportStage(Stage[ReportInputs, ReportOutputs, ReportParams]):
    ID: ClassVar[str] = "report"
    VERSION: ClassVar[str] = "1.1.0"
    IMPLEMENTS: ClassVar[tuple[str, ...]] = (
        "SRS-260", "SRS-261", "SRS-262", "SRS-263", "SRS-264", "SRS-265", "SRS-266", "SRS-267",
        "SRS-268", "SRS-269", "SRS-270", "SRS-271", "SRS-272", "SRS-273", "SRS-274",
    )
    TOOLS: ClassVar[tuple[str, ...]] = ("jinja2", "weasyprint", "pango")
    SCOPE: ClassVar[Scope] = Scope.CASE
    GATED: ClassVar[bool] = True  # no report while a QC failure stands unaccepted
    DESCRIPTION: ClassVar[str] = (
        "Clinical case report (HTML and PDF): case, samples, QC with accepted failures, tiered "
        "variants by tier, panels with versions and coverage, versions, input digests and "
        "limitations; case and report IDs on every page"
    )

    Inputs = ReportInputs
    Outputs = ReportOutputs
    Params = ReportParams

    def run(self, inputs: ReportInputs, params: ReportParams, ctx: StageContext) -> ReportOutputs:
        pedigree = read_pedigree(inputs.pedigree)
        context = read_run_context(inputs.run_context)
        tiers = load_document(TiersDoc, inputs.tiers, "tiers.json", "tiers")
        summary = load_document(TierSummaryDoc, inputs.tier_summary, "tier summary.json",
                                "tier_summary")
        panels = load_document(PanelsDoc, inputs.panels, "panels.json", "panels")
        samples = tuple(load_document(SampleQcDoc, path, "sample qc.json", "sample_qc")
                        for path in inputs.sample_qc)
        family = (None if inputs.family_qc is None else
                  load_document(FamilyQcDoc, inputs.family_qc, "family_qc.json", "family_qc"))
        _check_samples(samples, inputs, {r.individual for r in pedigree.records})
        identifier = report_id(self.ID, self.VERSION, params, inputs)
        view = build_view(ReportInputsView(
            title=params.title, report_id=identifier, report_date=inputs.report_date,
            stage_version=self.VERSION, tier3_listed=params.tier3_listed,
            tiers_sha256=sha256_file(inputs.tiers), pedigree=pedigree, context=context, tiers=tiers,
            summary=summary, panels=panels, sample_qc=samples, family_qc=family,
            accepted_failures=inputs.accepted_qc_failures,
            accepted_reason=inputs.qc_acceptance_reason,
        ))
        html = render_html(view)
        pdf = render_pdf(html, identifier)
        outputs = ReportOutputs(report_html=ctx.path("report.html"),
                                report_pdf=ctx.path("report.pdf"),
                                report_json=ctx.path("report.json"))
        write_text_atomic(outputs.report_html, html)
        write_bytes_atomic(outputs.report_pdf, pdf)
        write_json_atomic(outputs.report_json,
                          {"schema": REPORT_SCHEMA, **dataclasses.asdict(view)})
        ctx.logger.info("report %s: case %s, %d tiered record(s)", identifier, view.case_id,
                        len(tiers.records))
        return outputs

    def bind(self, ctx: BindContext, unit: str) -> ReportInputs:
        if unit != CASE_UNIT:
            raise PipelineDefinitionError(f"report runs once per case, not for unit '{unit}'",
                                          hint="declare it with case scope")
        if ctx.run_context is None:
            raise PipelineDefinitionError(
                "the engine provided no run context (run_context.json) for the report",
                hint="run the report through 'bp2 run' or 'bp2 interpret', or alone with "
                "'bp2 stage run report' and a run_context.json in its inputs")
        tier = ctx.output("tier", CASE_UNIT)
        return ReportInputs(
            pedigree=ctx.case.pedigree.path,
            run_context=ctx.run_context,
            tiers=_file(tier, "tier", "tiers_json"),
            tier_summary=_file(tier, "tier", "summary_json"),
            panels=_file(ctx.output("panels", CASE_UNIT), "panels", "panels_json"),
            sample_qc=_sample_qc(ctx),
            family_qc=(None if ("qc_family", CASE_UNIT) not in ctx.upstream else
                       _file(ctx.output("qc_family", CASE_UNIT), "qc_family", "report_json")),
            accepted_qc_failures=ctx.qc_failures if ctx.qc_accepted_reason else (),
            qc_acceptance_reason=ctx.qc_accepted_reason if ctx.qc_failures else None,
        )


def _file(outputs: StageOutputs, stage_id: str, field: str) -> Path:
    path = getattr(outputs, field, None)
    if not isinstance(path, Path):
        raise PipelineDefinitionError(
            f"the {stage_id} stage's outputs have no '{field}' file",
            hint=f"the report reads {stage_id}'s '{field}' output")
    return path


def _sample_qc(ctx: BindContext) -> tuple[Path, ...]:
    """qc_alignment's qc.json of every individual when that stage ran, else none at all."""
    found: list[Path] = []
    missing: list[str] = []
    for record in ctx.case.pedigree.records:
        outputs = ctx.upstream.get(("qc_alignment", record.individual))
        if outputs is None:
            missing.append(record.individual)
        else:
            found.append(_file(outputs, "qc_alignment", "qc_json"))
    if found and missing:
        raise PipelineDefinitionError(
            f"qc_alignment results exist for some individuals but not for {', '.join(missing)}",
            hint="run qc_alignment for every sample of the case before the report")
    return tuple(found)


def _check_samples(samples: tuple[SampleQcDoc, ...], inputs: ReportInputs,
                   individuals: set[str]) -> None:
    seen: set[str] = set()
    for doc, path in zip(samples, inputs.sample_qc, strict=True):
        if doc.sample not in individuals:
            raise InputError(f"the sample QC is for '{doc.sample}', who is not in the PED",
                             path=path, field="sample_qc",
                             hint="give the qc.json of the case's own samples")
        if doc.sample in seen:
            raise InputError(f"two sample QC files are for '{doc.sample}'", path=path,
                             field="sample_qc", hint="give one qc.json per sample")
        seen.add(doc.sample)
    if samples and seen != individuals:
        raise InputError(
            f"no sample QC for {', '.join(sorted(individuals - seen))}",
            field="sample_qc", hint="give the qc.json of every sample of the case, or none")
