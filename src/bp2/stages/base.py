"""The stage contract.

A stage is a class with an ``ID`` (= its package folder = CLI name = registry key), a semantic
``VERSION``, the requirement IDs it ``IMPLEMENTS``, the ``TOOLS`` whose versions it records, a
``SCOPE`` (once per sample or once per case) and frozen pydantic ``Inputs``, ``Outputs`` and
``Params`` models that forbid unknown fields.

Every file a stage reads is a ``Path`` field of its ``Inputs``, companions (``.fai``, ``.bai``,
``.tbi``) included: a stage never looks for a file next to another one.  Every file it writes
is a ``Path`` field of its ``Outputs`` and lies under the output directory it was given.

``run`` does the work; ``bind`` tells the local engine (and the Nextflow renderer) how to build
the stage's inputs for one unit of work from the case and from the outputs of earlier stages.
A QC stage reports failures through ``gate_failures``; stages marked ``GATED`` do not run while a
failure stands unless the operator accepted it.
"""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from bp2.case import CaseInputs
from bp2.fileio import atomic_path

IMPLEMENTS = ("SRS-001",)

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


class StageModel(BaseModel):
    """Base of every stage's Inputs, Outputs and Params: immutable, unknown fields refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class StageInputs(StageModel):
    """Inputs of a stage. Every ``Path`` field is a file the stage reads."""


class StageOutputs(StageModel):
    """Outputs of a stage. Every ``Path`` field is a file the stage wrote under its outdir."""


class StageParams(StageModel):
    """Parameters of a stage; defaults live in the pipeline definition."""


class Scope(StrEnum):
    SAMPLE = "sample"  # one unit of work per sample, run in parallel
    CASE = "case"  # one unit of work per case (family), after the per-sample stages


CASE_UNIT = "case"


@dataclass
class StageContext:
    """What a running stage may use: its output directory, threads, seed and logger."""

    outdir: Path
    threads: int = 1
    seed: int = 0
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("bp2.stage"))

    def path(self, name: str) -> Path:
        """An output path under the stage's outdir (which it creates)."""
        self.outdir.mkdir(parents=True, exist_ok=True)
        target = (self.outdir / name).resolve()
        if self.outdir.resolve() not in target.parents:
            raise ValueError(f"output '{name}' would be written outside {self.outdir}")
        return target

    atomic = staticmethod(atomic_path)


@dataclass(frozen=True)
class BindContext:
    """What ``bind`` sees: the case, its resources and the outputs of stages already run."""

    case: CaseInputs
    upstream: Mapping[tuple[str, str], StageOutputs]
    qc_failures: tuple[str, ...] = ()  # failures reported by QC gates so far
    qc_accepted_reason: str | None = None  # the operator's --accept-qc-failure reason
    run_context: Path | None = None  # the engine's run_context.json (an input of the report)

    def output(self, stage_id: str, unit: str) -> StageOutputs:
        try:
            return self.upstream[(stage_id, unit)]
        except KeyError:
            raise LookupError(
                f"stage output {stage_id}/{unit} is not available; is {stage_id} in the pipeline "
                "definition before the stage that needs it?"
            ) from None


InT = TypeVar("InT", bound=StageInputs)
OutT = TypeVar("OutT", bound=StageOutputs)
ParT = TypeVar("ParT", bound=StageParams)


class Stage(ABC, Generic[InT, OutT, ParT]):
    """Base class of every stage (see the module docstring for the contract)."""

    ID: ClassVar[str]
    VERSION: ClassVar[str]
    IMPLEMENTS: ClassVar[tuple[str, ...]]
    TOOLS: ClassVar[tuple[str, ...]]
    SCOPE: ClassVar[Scope]
    DESCRIPTION: ClassVar[str]

    # QC gating: a stage whose verdict can stop the case (qc_alignment, qc_family) reports its
    # failures through ``gate_failures``; a stage marked GATED (tier, report) does not run while
    # any earlier failure stands unless the operator accepted it (--accept-qc-failure).
    GATED: ClassVar[bool] = False

    Inputs: type[InT]
    Outputs: type[OutT]
    Params: type[ParT]

    def gate_failures(self, outputs: OutT) -> tuple[str, ...]:
        """Reasons this unit's result must stop the case before gated stages (none by default)."""
        return ()

    @abstractmethod
    def run(self, inputs: InT, params: ParT, ctx: StageContext) -> OutT:
        """Do the work, writing every output under ``ctx.outdir`` atomically."""

    @abstractmethod
    def bind(self, ctx: BindContext, unit: str) -> InT:
        """Build this stage's inputs for one unit (a sample ID, or ``CASE_UNIT``)."""


def iter_paths(value: Any, prefix: str = "") -> Iterator[tuple[str, Path]]:
    """Yield ``(dotted.field, path)`` for every Path inside a model, list, tuple or dict."""
    if isinstance(value, Path):
        yield prefix, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from iter_paths(getattr(value, name), f"{prefix}.{name}" if prefix else name)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from iter_paths(item, f"{prefix}[{index}]")
    elif isinstance(value, dict):
        for key in sorted(value):
            yield from iter_paths(value[key], f"{prefix}[{key}]")


AnyStage = Stage[Any, Any, Any]
