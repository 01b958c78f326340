"""``bp2 stage run``: one stage, alone, on files named in an inputs JSON.

This is exactly what a Nextflow process calls.  The stage reads only the files named in
``inputs.json`` (relative paths are resolved against that file's directory) and writes only under
``outdir``.  Parameters come from the pipeline definition, overridden by ``params.json``.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bp2.engine.execute import Provenance, execute_unit, set_field
from bp2.errors import InputError
from bp2.pipeline import load_pipeline
from bp2.stages.base import AnyStage, StageInputs, StageParams, iter_paths
from bp2.stages.registry import get_stage
from bp2.yamlio import validation_error

IMPLEMENTS = ("SRS-004",)


def _read_json(path: Path, role: str) -> Any:
    if not path.is_file():
        raise InputError.missing_file(path, role)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{role} is not valid JSON: {exc.msg}",
            path=path,
            line=exc.lineno,
            hint="fix the JSON syntax at the line shown",
        ) from None


def load_inputs(stage: AnyStage, path: Path) -> StageInputs:
    data = _read_json(path, f"{stage.ID} inputs")
    try:
        inputs = stage.Inputs.model_validate(data)
    except ValidationError as exc:
        raise validation_error(path, exc, f"{stage.ID} inputs") from None
    base = path.parent.resolve()
    resolved = inputs.model_dump(mode="json")
    for field, value in iter_paths(inputs):
        set_field(resolved, field, str(value if value.is_absolute() else base / value))
    loaded: StageInputs = stage.Inputs.model_validate(resolved)
    return loaded


def load_params(stage: AnyStage, path: Path | None, pipeline_path: Path | None) -> StageParams:
    pipeline = load_pipeline(pipeline_path)
    try:
        base = pipeline.get(stage.ID).params.model_dump()
    except KeyError:
        base = stage.Params().model_dump()
    merged = dict(base)
    if path is not None:
        override = _read_json(path, f"{stage.ID} params")
        if not isinstance(override, dict):
            raise InputError(
                "params file must hold a JSON object", path=path, hint='write e.g. {"min_mapq": 20}'
            )
        merged.update(override)
    try:
        params: StageParams = stage.Params.model_validate(merged)
    except ValidationError as exc:
        raise validation_error(path or pipeline.path, exc, f"{stage.ID} params") from None
    return params


def run_stage_alone(
    stage_id: str,
    inputs_path: Path,
    outdir: Path,
    *,
    params_path: Path | None = None,
    pipeline_path: Path | None = None,
    threads: int = 1,
    seed: int = 0,
    unit: str = "standalone",
) -> Provenance:
    stage = get_stage(stage_id)
    inputs = load_inputs(stage, inputs_path)
    params = load_params(stage, params_path, pipeline_path)
    outdir.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger(f"bp2.{stage.ID}")
    _, provenance = execute_unit(
        stage, inputs, params, outdir, unit=unit, threads=threads, seed=seed, logger=logger
    )
    return provenance
