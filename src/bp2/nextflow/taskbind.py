"""``bp2 nextflow bind``: build a stage's ``inputs.json`` inside a Nextflow task.

The task directory holds only the task's declared inputs: the pipeline definition, ``case.json``
and, in the order of ``--keys``, each staged case file or upstream unit directory.  The helper
rebuilds the case from ``case.json`` (each key pointing at its staged file; a key the task did not
stage points at a path that does not exist), loads every staged upstream unit from its
``outputs.json``, recomputes the QC gate exactly as the local engine does, calls the stage's own
``bind`` and refuses the result if it names any file outside the task directory other than a
file of the bp2 installation (HAZ-022).  ``inputs.json`` holds paths relative to itself, so
``bp2 stage run`` reads only staged files.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bp2.engine.execute import OUTPUTS_FILE, set_field
from bp2.errors import CheckFailed, InputError, UsageError
from bp2.fileio import write_json_atomic
from bp2.nextflow.graph import (
    UNDECLARED_ROOT,
    is_gate,
    is_installation_file,
    sentinel_outputs,
    undeclared_file,
    units_of,
)
from bp2.nextflow.plan import case_from_document
from bp2.pipeline import load_pipeline
from bp2.stages.base import CASE_UNIT, AnyStage, BindContext, StageOutputs, iter_paths

IMPLEMENTS = ("SRS-403", "SRS-405")


def _read_json(path: Path, role: str) -> Any:
    if not path.is_file():
        raise InputError.missing_file(path, role)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{role} is not valid JSON: {exc.msg}", path=path, line=exc.lineno,
                         hint="it is written by 'bp2 run --engine nextflow'; rerun the launch",
                         ) from None


def staged_outputs(stage: AnyStage, directory: Path) -> StageOutputs:
    """A staged unit directory's outputs, as paths inside the staged directory (not resolved)."""
    data = _read_json(directory / OUTPUTS_FILE, f"{stage.ID} outputs")
    relative = stage.Outputs.model_validate(data)
    values = relative.model_dump(mode="json")
    for field, path in iter_paths(relative):
        set_field(values, field, str(directory / path))
    outputs: StageOutputs = stage.Outputs.model_validate(values)
    return outputs


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def bind_task(stage_id: str, unit: str, *, definition: Path, case_json: Path,
              keys: Sequence[str], staged: Sequence[Path], out: Path,
              workdir: Path | None = None) -> Path:
    """Write ``out`` (inputs.json) for ``stage_id``/``unit`` from the staged task inputs."""
    if len(keys) != len(staged):
        raise UsageError(
            f"{len(keys)} key(s) but {len(staged)} staged path(s)",
            hint="give one key per staged path, in the same order",
        )
    root = (workdir or Path.cwd()).absolute()
    located = {key: (path if path.is_absolute() else root / path) for key, path in
               zip(keys, staged, strict=True)}
    pipeline = load_pipeline(definition)
    order = [entry.stage for entry in pipeline.stages]
    try:
        position = [s.ID for s in order].index(stage_id)
    except ValueError:
        raise UsageError(f"stage '{stage_id}' is not in the pipeline definition",
                         path=definition, hint="render the workflow from this definition") from None
    stage = order[position]
    doc = _read_json(case_json, "case.json")
    names: dict[str, str] = doc["files"]

    def locate(key: str) -> Path:
        return located.get(key) or UNDECLARED_ROOT / key / names.get(key, key)

    case = case_from_document(doc, locate)
    upstream: dict[tuple[str, str], StageOutputs] = {}
    for prior in order[:position]:
        for prior_unit in units_of(prior, case.sample_ids):
            directory = located.get(f"{prior.ID}/{prior_unit}")
            upstream[(prior.ID, prior_unit)] = (
                sentinel_outputs(prior, prior_unit) if directory is None
                else staged_outputs(prior, directory))
    failures = _gate_failures(order[:position], case.sample_ids, located, upstream, stage)
    accepted = doc.get("qc_accepted_reason")
    if stage.GATED and failures and accepted is None:
        raise CheckFailed(
            f"QC failed, so '{stage.ID}' and later stages were not run: " + "; ".join(failures),
            hint="review the sample-failure report; to proceed anyway, rerun with "
            "--resume --accept-qc-failure 'REASON' (the reason is recorded and reported)",
        )
    run_context_key = doc.get("run_context")
    ctx = BindContext(
        case=case, upstream=upstream, qc_failures=tuple(failures),
        qc_accepted_reason=accepted if failures else None,
        run_context=None if run_context_key is None else locate(run_context_key),
    )
    inputs = stage.bind(ctx, unit)
    values = inputs.model_dump(mode="json")
    for field, path in iter_paths(inputs):
        absolute = path if path.is_absolute() else root / path
        if _inside(absolute, root):
            set_field(values, field, str(absolute.relative_to(root)))
        elif not is_installation_file(absolute):
            raise undeclared_file(stage.ID, unit, field, path)
    write_json_atomic(out if out.is_absolute() else root / out, values)
    return out


def _gate_failures(earlier: Sequence[AnyStage], samples: Sequence[str],
                   located: dict[str, Path], upstream: dict[tuple[str, str], StageOutputs],
                   stage: AnyStage) -> list[str]:
    """The QC failures so far, in the local engine's order and wording."""
    failures: list[str] = []
    for prior in earlier:
        if not is_gate(prior):
            continue
        for prior_unit in units_of(prior, samples):
            if f"{prior.ID}/{prior_unit}" not in located:
                if stage.GATED:
                    raise UsageError(
                        f"'{stage.ID}' is gated but {prior.ID} [{prior_unit}] was not staged",
                        hint="render the workflow again with 'bp2 nextflow render'",
                    )
                continue
            for reason in prior.gate_failures(upstream[(prior.ID, prior_unit)]):
                label = prior.ID if prior_unit == CASE_UNIT else f"{prior.ID} [{prior_unit}]"
                failures.append(f"{label}: {reason}")
    return failures
