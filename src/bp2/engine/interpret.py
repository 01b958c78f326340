"""``bp2 interpret``: annotate → panels → tier → report on a VCF that bp2 did not call.

Laboratories bring joint VCFs called elsewhere (DRAGEN, GATK).  The case is the VCF, the PED,
optional resources and optional PanelApp panels; there are no reads, so there is no samplesheet,
alignment, calling or QC.  The run uses the local engine with the pipeline definition's own
entries (versions and parameters) for the stages it runs:

* ``annotate`` — only when the resources name a gene model; it annotates the given VCF,
  splitting each multi-allelic record into one biallelic record per ALT (genotypes re-coded per
  ALT, alleles left-aligned: :mod:`bp2.stages.annotate.split`), so tier judges every ALT on its
  own genotypes, consequences, frequencies and ClinVar keys;
* otherwise the VCF must already carry consequences (VEP ``CSQ``, SnpEff ``ANN`` or bcftools
  ``BCSQ``), which tiering reads as they are, or ``gene_field`` names an INFO key of gene names
  (genes only: the consequence is unknown, so only the ClinVar route can tier; the report says
  so);
* ``panels`` (none given: no panel, Tier 3 only), ``tier`` and ``report``.

Two tier parameters come from the command line and are recorded with the run: ``gene_field``,
and ``require_frequency_annotation`` (off with ``accept_missing_frequencies``: a VCF without the
gnomAD keys of the tiering rules is tiered with every frequency counted as 0, stated as a
limitation on the report).  Every input problem is reported at once, before the output directory
is touched.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pysam

from bp2.annotation import CONSEQUENCE_KEYS, POPULATIONS
from bp2.case import CaseInputs, CaseVcf, Pedigree, check_pedigree, read_pedigree
from bp2.engine.local import RunMode, RunOptions, RunRecord, prepare_outdir, run_case
from bp2.errors import InputError, InputProblems, PipelineDefinitionError, UsageError
from bp2.pipeline import Pipeline, PipelineStage, load_pipeline
from bp2.resources import Resources, load_resources
from bp2.stages.tier.rules import load_rules, packaged_rules

IMPLEMENTS = ("SRS-275", "SRS-276", "SRS-277", "SRS-278", "SRS-279", "SRS-282")

INTERPRET_STAGES = ("annotate", "panels", "tier", "report")
GENE_FIELD = re.compile(r"^(?:INFO/)?([A-Za-z_][0-9A-Za-z_.]*)$")


def parse_gene_field(text: str | None) -> str | None:
    """``INFO/KEY`` (or ``KEY``) → ``KEY``; a UsageError for anything else."""
    if text is None:
        return None
    match = GENE_FIELD.match(text.strip())
    if match is None:
        raise UsageError(f"invalid --gene-field '{text}'",
                         hint="give the INFO key of gene names as INFO/KEY, e.g. INFO/GENE")
    return match.group(1)


def interpret_pipeline(pipeline: Pipeline, *, annotate: bool,
                       tier_overrides: dict[str, Any]) -> Pipeline:
    """The definition's own entries for the stages interpret runs, in the definition's order."""
    wanted = [s for s in INTERPRET_STAGES if annotate or s != "annotate"]
    missing = [s for s in wanted if s not in {e.id for e in pipeline.stages}]
    if missing:
        raise PipelineDefinitionError(
            f"the pipeline definition has no {', '.join(missing)} stage, which bp2 interpret "
            "runs", path=pipeline.path,
            hint="use a pipeline definition that lists annotate, panels, tier and report")
    entries = []
    for entry in pipeline.stages:
        if entry.id not in wanted:
            continue
        if entry.id == "tier" and tier_overrides:
            params = type(entry.params).model_validate(
                {**entry.params.model_dump(), **tier_overrides})
            entry = PipelineStage(stage=entry.stage, params=params)
        entries.append(entry)
    return Pipeline(path=pipeline.path, name=pipeline.name, version=pipeline.version,
                    seed=pipeline.seed, stages=tuple(entries))


def check_vcf(vcf: Path, pedigree: Pedigree, *, annotate: bool, gene_field: str | None,
              frequency_keys: tuple[str, ...], accept_missing_frequencies: bool
              ) -> list[InputError]:
    """Problems of the VCF's header for this case (empty when it can be interpreted)."""
    try:
        with pysam.VariantFile(str(vcf)) as handle:
            header = handle.header
            samples = tuple(header.samples)
            info = {key: header.info[key].type for key in header.info}
    except (OSError, ValueError) as exc:
        return [InputError(f"cannot read the VCF: {exc}", path=vcf, field="vcf",
                           hint="give a VCF or bgzip-compressed VCF")]
    problems: list[InputError] = []
    individuals = [r.individual for r in pedigree.records]
    only_vcf = sorted(set(samples) - set(individuals))
    only_ped = sorted(set(individuals) - set(samples))
    if only_vcf or only_ped:
        parts = ([f"in the VCF only: {', '.join(only_vcf)}"] if only_vcf else []) + (
            [f"in the PED only: {', '.join(only_ped)}"] if only_ped else [])
        problems.append(InputError(
            "VCF sample IDs differ from the PED individual IDs (" + "; ".join(parts) + ")",
            path=vcf, field="vcf",
            hint="the VCF must hold exactly the PED's individuals, with the same IDs; subset or "
            "rename the VCF samples (bcftools view -s / bcftools reheader) or correct the PED"))
    consequence = next((k for k in CONSEQUENCE_KEYS if k in info), None)
    if gene_field is not None:
        if annotate:
            problems.append(InputError(
                "--gene-field is for a VCF without consequence annotation and no gene model, "
                "but the resources name a gene model (annotate will add CSQ)", field="gene_field",
                hint="drop --gene-field, or give resources without a gene_model"))
        elif consequence is not None:
            problems.append(InputError(
                f"the VCF carries {consequence} consequences, so --gene-field is not used",
                path=vcf, field="gene_field", hint=f"drop --gene-field: tiering reads "
                f"{consequence}"))
        elif gene_field not in info:
            problems.append(InputError(
                f"the VCF header declares no INFO/{gene_field} (--gene-field)", path=vcf,
                field="gene_field", hint="name an INFO key of the VCF that holds gene names"))
        elif info[gene_field] != "String":
            problems.append(InputError(
                f"INFO/{gene_field} is of type {info[gene_field]}, not String", path=vcf,
                field="gene_field", hint="name an INFO key of the VCF that holds gene names"))
    elif not annotate and consequence is None:
        problems.append(InputError(
            "the VCF carries no consequence annotation (INFO CSQ, ANN or BCSQ) and no gene "
            "model was given", path=vcf, field="vcf",
            hint="annotate the VCF (VEP, SnpEff or bcftools csq), give --resources with a "
            "gene_model, or name an INFO key of gene names with --gene-field INFO/KEY"))
    if not annotate and not accept_missing_frequencies and not set(frequency_keys) & set(info):
        problems.append(InputError(
            "the VCF carries none of the population-frequency keys the tiering rules test ("
            + ", ".join(frequency_keys) + ")", path=vcf, field="vcf",
            hint="annotate gnomAD frequencies under those keys, or give "
            "--accept-missing-frequencies to tier with every frequency counted as 0 (stated "
            "on the report as a limitation)"))
    return problems


POPULATION_SCAN_RECORDS = 10_000
"""Records of the population-AF resource read to see whether it carries per-population AFs."""


def check_population_af(path: Path, resources: Path | None) -> list[InputError]:
    """A problem when the resource's first records carry no per-population AF (``AF_<pop>``).

    Tier refuses such alleles too (SRS-284), but only after annotation; checking the head of the
    resource here stops the run before the output directory is touched.
    """
    keys = [f"AF_{population}" for population in POPULATIONS]
    try:
        with pysam.VariantFile(str(path)) as handle:
            declared = [k for k in keys if k in handle.header.info]
            for count, record in enumerate(handle):
                if count >= POPULATION_SCAN_RECORDS:
                    break
                if any(record.info.get(k) is not None for k in declared):
                    return []
    except (OSError, ValueError):
        return []  # unreadable: the annotate stage reports it with its own message
    return [InputError(
        "the population_af resource carries no per-population allele frequencies (AF_<pop>) "
        f"in its first {POPULATION_SCAN_RECORDS:,} records, so the tiering rules' "
        "per-population thresholds could not be tested", path=resources, field="population_af",
        hint="give a gnomAD-style VCF with AF_<population> values, or --accept-missing-"
        "frequencies to tier on the overall AF alone (stated on the report as a limitation)")]


def load_vcf_case(vcf: Path, pedigree: Path, *, resources: Path | None,
                  panels: tuple[Path, ...], gene_field: str | None,
                  accept_missing_frequencies: bool) -> tuple[CaseInputs, bool]:
    """The VCF-only case, checked (every problem at once); and whether annotate runs."""
    problems: list[InputError] = []
    if not vcf.is_file():
        problems.append(InputError.missing_file(vcf, "VCF"))
    for panel in panels:
        if not panel.is_file():
            problems.append(InputError.missing_file(panel, "panel JSON"))
    ped = read_pedigree(pedigree)
    problems.extend(check_pedigree(ped))
    res: Resources | None = None if resources is None else load_resources(resources)
    annotate = res is not None and res.gene_model is not None
    if annotate and res is not None and res.population_af is None and (
            not accept_missing_frequencies):
        problems.append(InputError(
            "the resources name a gene model but no population_af, so the annotated VCF would "
            "carry none of the population-frequency keys the tiering rules test",
            path=resources, field="population_af",
            hint="add 'population_af' (a gnomAD-style VCF with its index) to the resources, or "
            "give --accept-missing-frequencies to tier with every frequency counted as 0 "
            "(stated on the report as a limitation)"))
    if annotate and res is not None and res.population_af is not None and (
            not accept_missing_frequencies):
        problems.extend(check_population_af(res.population_af.path, resources))
    if vcf.is_file():
        rules = load_rules(packaged_rules()).rules
        keys = tuple(t.key for t in rules.frequency_thresholds.value)
        problems.extend(check_vcf(vcf, ped, annotate=annotate, gene_field=gene_field,
                                  frequency_keys=keys,
                                  accept_missing_frequencies=accept_missing_frequencies))
    if problems:
        raise InputProblems.combine(problems)
    case = CaseInputs(pedigree=ped, resources=res, panels=tuple(p.resolve() for p in panels),
                      vcf=CaseVcf(path=vcf.resolve()))
    return case, annotate


def interpret(
    vcf: Path,
    pedigree: Path,
    outdir: Path,
    *,
    resources: Path | None = None,
    panels: tuple[Path, ...] = (),
    gene_field: str | None = None,
    accept_missing_frequencies: bool = False,
    threads: int = 1,
    mode: RunMode = RunMode.NEW,
    pipeline_path: Path | None = None,
    progress: bool = True,
) -> RunRecord:
    """``bp2 interpret``: check the case, prepare ``outdir`` and run the interpret stages."""
    key = parse_gene_field(gene_field)
    pipeline = load_pipeline(pipeline_path)
    case, annotate = load_vcf_case(vcf, pedigree, resources=resources, panels=panels,
                                   gene_field=key,
                                   accept_missing_frequencies=accept_missing_frequencies)
    overrides: dict[str, Any] = {}
    if key is not None:
        overrides["gene_field"] = key
    if accept_missing_frequencies:
        overrides["require_frequency_annotation"] = False
    stages = interpret_pipeline(pipeline, annotate=annotate, tier_overrides=overrides)
    moved = prepare_outdir(outdir, mode)
    options = RunOptions(
        threads=threads, mode=mode, progress=progress, previous_run_moved_to=moved,
        extra={"interpret": {"vcf": vcf.name, "annotate": annotate, "gene_field": key,
                             "accept_missing_frequencies": accept_missing_frequencies}},
    )
    return run_case(case, stages, outdir, options)
