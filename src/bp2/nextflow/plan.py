"""The case plan handed to Nextflow: which files each task stages, and the case by file keys.

``bp2 run --engine nextflow`` checks the case exactly as the local engine does, then writes two
files into the run's state directory:

``case.json``
    The case (samplesheet rows, PED, resources, panels) with every path replaced by a key
    (``f01``, ``f02`` …) and each key's file name, plus the run-context key and the operator's
    QC-acceptance reason.  It holds no host path, so every task reads the same bytes.
``plan.json``
    For every stage and unit: the keys and absolute paths of exactly the case files its bind
    reads (found by a dry bind, see :mod:`bp2.nextflow.graph`).  ``main.nf`` turns each path into
    a declared ``path`` input; upstream unit directories are added by the workflow's channels.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from bp2.case import CaseInputs
from bp2.engine.execute import set_field
from bp2.errors import InputError
from bp2.fileio import write_json_atomic
from bp2.nextflow.graph import case_file_paths, dry_bind, units_of
from bp2.pipeline import Pipeline
from bp2.stages.base import AnyStage, iter_paths

IMPLEMENTS = ("SRS-402", "SRS-405")

CASE_FILE = "case.json"
PLAN_FILE = "plan.json"


def file_keys(case: CaseInputs, run_context: Path | None) -> dict[Path, str]:
    """A stable key for every file of the case (``f01`` …) in the case's own order."""
    return {path: f"f{index:02d}" for index, path in
            enumerate(case_file_paths(case, run_context), start=1)}


def case_document(case: CaseInputs, keys: dict[Path, str], run_context: Path | None,
                  qc_accepted_reason: str | None) -> dict[str, Any]:
    """``case.json``: the case with each path replaced by its key."""
    values = case.model_dump(mode="json")
    for field, path in iter_paths(case):
        set_field(values, field, keys[path])
    return {
        "case": values,
        "files": {key: path.name for path, key in keys.items()},
        "run_context": None if run_context is None else keys[run_context],
        "qc_accepted_reason": qc_accepted_reason,
    }


def case_from_document(doc: dict[str, Any], locate: Callable[[str], Path]) -> CaseInputs:
    """Rebuild the case from ``case.json``, each key located by ``locate``."""
    values = doc["case"]
    template = CaseInputs.model_validate(
        {"samplesheet": values.get("reads"), "pedigree": values["pedigree"],
         "resources": values.get("resource_set"), "panels": values.get("panels", ()),
         "vcf": values.get("vcf")}
    )
    resolved = template.model_dump(mode="json")
    for field, key in iter_paths(template):
        set_field(resolved, field, str(locate(str(key))))
    return CaseInputs.model_validate(
        {"samplesheet": resolved.get("reads"), "pedigree": resolved["pedigree"],
         "resources": resolved.get("resource_set"), "panels": resolved.get("panels", ()),
         "vcf": resolved.get("vcf")}
    )


def build_plan(case: CaseInputs, pipeline: Pipeline, run_context: Path | None
               ) -> dict[str, Any]:
    """``plan.json``: per stage and unit, the case files (key and path) its bind reads."""
    keys = file_keys(case, run_context)
    paths = frozenset(keys)
    stages: list[AnyStage] = [entry.stage for entry in pipeline.stages]
    tasks: dict[str, list[dict[str, Any]]] = {}
    for index, stage in enumerate(stages):
        tasks[stage.ID] = []
        for unit in units_of(stage, case.sample_ids):
            bound = dry_bind(stage, unit, case, stages[:index], run_context=run_context,
                             case_paths=paths)
            tasks[stage.ID].append({
                "unit": unit,
                "keys": [keys[p] for p in bound.case_files],
                "files": [str(p.resolve()) for p in bound.case_files],
            })
    return {"pipeline": pipeline.name, "version": pipeline.version,
            "samples": list(case.sample_ids), "tasks": tasks}


def write_plan(state: Path, case: CaseInputs, pipeline: Pipeline, run_context: Path | None,
               qc_accepted_reason: str | None) -> tuple[Path, Path]:
    """Write ``case.json`` and ``plan.json`` under ``state``; returns their paths."""
    keys = file_keys(case, run_context)
    for path in keys:
        if not path.is_file():
            raise InputError.missing_file(path, "case file")
    plan = build_plan(case, pipeline, run_context)
    case_path, plan_path = state / CASE_FILE, state / PLAN_FILE
    write_json_atomic(case_path, case_document(case, keys, run_context, qc_accepted_reason))
    write_json_atomic(plan_path, plan)
    return case_path, plan_path
