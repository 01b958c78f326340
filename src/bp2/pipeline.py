"""The pipeline definition (``pipeline/bp2.yaml``): stage order, pinned versions, parameters.

A copy ships inside the package (``bp2/data/bp2.yaml``) so an installed bp2 works outside the
checkout; a test proves the two copies are identical.  Loading refuses a definition whose pinned
stage version differs from the installed code, or whose parameters the stage does not accept.
"""

from __future__ import annotations

from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bp2.errors import PipelineDefinitionError
from bp2.stages.base import SEMVER, AnyStage, StageParams
from bp2.stages.registry import REGISTRY
from bp2.yamlio import load_yaml, parse_model

IMPLEMENTS = ("SRS-010", "SRS-011")


class StagePin(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    version: str = Field(pattern=SEMVER.pattern)
    params: dict[str, Any] = Field(default_factory=dict)


class PipelineFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    pipeline: str
    version: str = Field(pattern=SEMVER.pattern)
    seed: int = 0
    stages: tuple[StagePin, ...]


class PipelineStage(BaseModel):
    """A stage of a loaded pipeline: the code object and its validated parameters."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    stage: Any  # AnyStage
    params: StageParams

    @property
    def id(self) -> str:
        return str(self.stage.ID)


class Pipeline(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    path: Path
    name: str
    version: str
    seed: int
    stages: tuple[PipelineStage, ...]

    def get(self, stage_id: str) -> PipelineStage:
        for entry in self.stages:
            if entry.id == stage_id:
                return entry
        raise KeyError(stage_id)

    def stage_versions(self) -> dict[str, str]:
        return {entry.id: str(entry.stage.VERSION) for entry in self.stages}


def packaged_definition() -> Path:
    """The pipeline definition shipped inside the package."""
    return Path(str(importlib_resources.files("bp2") / "data" / "bp2.yaml"))


def load_pipeline(path: Path | None = None) -> Pipeline:
    """Load and check a pipeline definition (the packaged one when ``path`` is None)."""
    path = path or packaged_definition()
    raw = parse_model(
        PipelineFile, load_yaml(path, "pipeline definition"), path, "pipeline definition"
    )
    seen: set[str] = set()
    entries: list[PipelineStage] = []
    for index, pin in enumerate(raw.stages):
        where = f"stages[{index}]"
        if pin.id in seen:
            raise PipelineDefinitionError(
                f"stage '{pin.id}' is listed twice",
                path=path,
                field=f"{where}.id",
                hint="list each stage once",
            )
        seen.add(pin.id)
        stage: AnyStage | None = REGISTRY.get(pin.id)
        if stage is None:
            raise PipelineDefinitionError(
                f"unknown stage '{pin.id}'",
                path=path,
                field=f"{where}.id",
                hint=f"this bp2 provides: {', '.join(REGISTRY) or '(none)'}",
            )
        if pin.version != stage.VERSION:
            raise PipelineDefinitionError(
                f"stage '{pin.id}' is pinned at {pin.version} but the installed code is "
                f"{stage.VERSION}",
                path=path,
                field=f"{where}.version",
                hint=f"pin {pin.id} {stage.VERSION}, or install the bp2 release that provides "
                f"{pin.id} {pin.version}",
            )
        try:
            params = stage.Params.model_validate(pin.params)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"])
            raise PipelineDefinitionError(
                f"invalid parameter for stage '{pin.id}': {loc}: {err['msg']}",
                path=path,
                field=f"{where}.params.{loc}",
                hint=f"see 'bp2 stage show {pin.id}' for the accepted parameters",
            ) from None
        entries.append(PipelineStage(stage=stage, params=params))
    return Pipeline(
        path=path, name=raw.pipeline, version=raw.version, seed=raw.seed, stages=tuple(entries)
    )
