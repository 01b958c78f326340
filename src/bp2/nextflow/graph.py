"""Which files and which upstream units each stage reads, found by binding it.

A stage's ``bind`` is the one place that says what it reads.  To render the workflow and to plan
a case, bp2 binds each stage against *sentinel* outputs of the stages before it (paths under
:data:`SENTINEL_ROOT` naming the stage, unit and field) and classifies every path in the bound
inputs:

* a sentinel path: the task reads that upstream unit's output directory;
* a file of the case (reads, PED, resources, panels, run context): staged as its own input;
* a file of the bp2 installation (packaged rules): part of the software, identified by the
  bp2 version and recorded with its sha256 in provenance;
* anything else is a file nobody declared, and is refused (HAZ-022).

For rendering, the case is a synthetic trio built in memory with every resource present, so the
workflow depends only on the registry and the pipeline definition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources as importlib_resources
from pathlib import Path

from bp2.case import (
    CaseInputs,
    Pedigree,
    PedRecord,
    Phenotype,
    SampleRow,
    Samplesheet,
    Sex,
)
from bp2.errors import InputError, PipelineDefinitionError
from bp2.pipeline import Pipeline
from bp2.resources import FileRef, Resource, Resources
from bp2.stages.base import CASE_UNIT, AnyStage, BindContext, Scope, StageOutputs, iter_paths

IMPLEMENTS = ("SRS-400", "SRS-405")

SENTINEL_ROOT = Path("/bp2-sentinel")
UPSTREAM_ROOT = SENTINEL_ROOT / "upstream"
UNDECLARED_ROOT = SENTINEL_ROOT / "undeclared"
_ZERO = "0" * 64


def installation_root() -> Path:
    """The installed bp2 package directory (its data files are part of the software)."""
    return Path(str(importlib_resources.files("bp2"))).resolve()


def is_installation_file(path: Path) -> bool:
    root = installation_root()
    try:
        return root in path.resolve().parents
    except OSError:
        return False


def sentinel_outputs(stage: AnyStage, unit: str) -> StageOutputs:
    """Outputs of ``stage`` for ``unit`` whose every file field is a sentinel path."""
    values = {
        name: UPSTREAM_ROOT / stage.ID / unit / name for name in stage.Outputs.model_fields
    }
    outputs: StageOutputs = stage.Outputs.model_construct(**values)
    return outputs


def upstream_of(path: Path) -> tuple[str, str] | None:
    """(stage, unit) when ``path`` is a sentinel output path, else None."""
    try:
        rel = path.relative_to(UPSTREAM_ROOT)
    except ValueError:
        return None
    if len(rel.parts) < 3:
        return None
    return rel.parts[0], rel.parts[1]


def units_of(stage: AnyStage, samples: Sequence[str]) -> list[str]:
    return list(samples) if stage.SCOPE is Scope.SAMPLE else [CASE_UNIT]


def is_gate(stage: AnyStage) -> bool:
    """A stage whose results can stop the case (it overrides ``gate_failures``)."""
    from bp2.stages.base import Stage

    return type(stage).gate_failures is not Stage.gate_failures


@dataclass(frozen=True)
class BoundUnit:
    """What one unit of a stage reads, as found by a dry bind."""

    stage: str
    unit: str
    case_files: tuple[Path, ...]  # files of the case, in the order bind names them
    upstream: tuple[tuple[str, str], ...]  # (stage, unit) directories read
    installation: tuple[Path, ...]  # files of the bp2 installation


def dry_bind(
    stage: AnyStage,
    unit: str,
    case: CaseInputs,
    earlier: Sequence[AnyStage],
    *,
    run_context: Path | None,
    case_paths: frozenset[Path],
) -> BoundUnit:
    """Bind ``stage`` for ``unit`` against sentinel outputs of ``earlier``; classify its reads."""
    upstream: dict[tuple[str, str], StageOutputs] = {}
    for prior in earlier:
        for prior_unit in units_of(prior, case.sample_ids):
            upstream[(prior.ID, prior_unit)] = sentinel_outputs(prior, prior_unit)
    ctx = BindContext(case=case, upstream=upstream, run_context=run_context)
    inputs = stage.bind(ctx, unit)
    files: list[Path] = []
    units: list[tuple[str, str]] = []
    installed: list[Path] = []
    for field, path in iter_paths(inputs):
        source = upstream_of(path)
        if source is not None:
            if source not in units:
                units.append(source)
        elif path in case_paths:
            if path not in files:
                files.append(path)
        elif is_installation_file(path):
            if path not in installed:
                installed.append(path)
        else:
            raise undeclared_file(stage.ID, unit, field, path)
    if stage.GATED:  # the gate verdicts are read from every gate unit before it
        for prior in earlier:
            if is_gate(prior):
                for prior_unit in units_of(prior, case.sample_ids):
                    if (prior.ID, prior_unit) not in units:
                        units.append((prior.ID, prior_unit))
    return BoundUnit(stage.ID, unit, tuple(files), tuple(units), tuple(installed))


def undeclared_file(stage_id: str, unit: str, field: str, path: Path) -> InputError:
    return InputError(
        f"stage '{stage_id}' [{unit}] would read a file that is not a declared input of its task",
        path=path,
        field=field,
        hint="every file a stage reads must come from the case, the resources, an earlier "
        "stage's outputs or the bp2 installation; this is a bug in the stage's bind",
    )


def case_file_paths(case: CaseInputs, run_context: Path | None = None) -> list[Path]:
    """Every file of a case, in a fixed order (the order keys are assigned in)."""
    seen: list[Path] = []
    for _field, path in iter_paths(case):
        if path not in seen:
            seen.append(path)
    if run_context is not None and run_context not in seen:
        seen.append(run_context)
    return seen


# -- the synthetic case the workflow is rendered from ------------------------------------------

SYNTHETIC_SAMPLES = ("proband", "mother", "father")


def synthetic_case() -> tuple[CaseInputs, Path]:
    """A trio with FASTQ reads and every resource, as paths only (no file is read)."""
    root = SENTINEL_ROOT / "case"

    def ref(name: str) -> FileRef:
        return FileRef(path=root / name, sha256=_ZERO)

    def resource(name: str, *, index: str | None = None, gzi: str | None = None) -> Resource:
        return Resource(path=root / name, sha256=_ZERO, build="GRCh38", version="synthetic",
                        index=None if index is None else ref(index),
                        gzi=None if gzi is None else ref(gzi))

    sexes = {"proband": Sex.FEMALE, "mother": Sex.FEMALE, "father": Sex.MALE}
    rows = tuple(
        SampleRow(sample=s, sex=sexes[s], fastq_1=root / f"{s}_R1.fastq.gz",
                  fastq_2=root / f"{s}_R2.fastq.gz", line=i + 2)
        for i, s in enumerate(SYNTHETIC_SAMPLES)
    )
    ped = Pedigree(path=root / "case.ped", records=(
        PedRecord(family="F", individual="proband", father="father", mother="mother",
                  sex=Sex.FEMALE, phenotype=Phenotype.AFFECTED, line=1),
        PedRecord(family="F", individual="mother", father=None, mother=None, sex=Sex.FEMALE,
                  phenotype=Phenotype.UNAFFECTED, line=2),
        PedRecord(family="F", individual="father", father=None, mother=None, sex=Sex.MALE,
                  phenotype=Phenotype.UNAFFECTED, line=3),
    ))
    resources = Resources(
        reference=resource("ref.fa.gz", index="ref.fa.gz.fai", gzi="ref.fa.gz.gzi"),
        gene_model=resource("genes.gff3.gz"),
        population_af=resource("af.vcf.gz", index="af.vcf.gz.tbi"),
        clinvar=resource("clinvar.vcf.gz", index="clinvar.vcf.gz.tbi"),
        common_snps=resource("common.vcf.gz", index="common.vcf.gz.tbi"),
        ploidy=resource("ploidy.tsv"),
    )
    case = CaseInputs(samplesheet=Samplesheet(path=root / "samplesheet.csv", rows=rows),
                      pedigree=ped, resources=resources, panels=(root / "panel.json",))
    return case, root / "run_context.json"


@dataclass(frozen=True)
class Need:
    """Stage ``stage`` reads ``upstream``'s output for the same unit, or for all its units."""

    upstream: str
    same_unit: bool


def stage_needs(pipeline: Pipeline) -> dict[str, tuple[Need, ...]]:
    """For each stage of the pipeline, the earlier stages whose outputs it reads, and how."""
    case, run_context = synthetic_case()
    paths = frozenset(case_file_paths(case, run_context))
    stages: list[AnyStage] = [entry.stage for entry in pipeline.stages]
    needs: dict[str, tuple[Need, ...]] = {}
    for index, stage in enumerate(stages):
        earlier = stages[:index]
        per_unit: dict[str, list[tuple[str, str]]] = {}
        for unit in units_of(stage, case.sample_ids):
            try:
                bound = dry_bind(stage, unit, case, earlier, run_context=run_context,
                                 case_paths=paths)
            except (LookupError, InputError) as exc:
                raise PipelineDefinitionError(
                    f"stage '{stage.ID}' cannot be bound for the Nextflow workflow: {exc}",
                    path=pipeline.path,
                    hint="check the stage order of the pipeline definition",
                ) from None
            per_unit[unit] = list(bound.upstream)
        found: list[Need] = []
        for prior in earlier:
            used = {unit: sorted(u for s, u in pairs if s == prior.ID)
                    for unit, pairs in per_unit.items()}
            if not any(used.values()):
                continue
            found.append(_need(stage, prior, used, case.sample_ids))
        needs[stage.ID] = tuple(found)
    return needs


def _need(stage: AnyStage, prior: AnyStage, used: Mapping[str, list[str]],
          samples: Sequence[str]) -> Need:
    every = sorted(units_of(prior, samples))
    if all(units == every for units in used.values()):
        same = stage.SCOPE is Scope.SAMPLE and prior.SCOPE is Scope.SAMPLE and len(every) == 1
        return Need(prior.ID, same_unit=same)
    if stage.SCOPE is Scope.SAMPLE and all(units == [unit] for unit, units in used.items()):
        return Need(prior.ID, same_unit=True)
    raise PipelineDefinitionError(
        f"stage '{stage.ID}' reads '{prior.ID}' for some units but not others: "
        + "; ".join(f"{unit}: {', '.join(units) or 'none'}" for unit, units in used.items()),
        hint="a stage reads an earlier stage's output for its own unit or for every unit",
    )
