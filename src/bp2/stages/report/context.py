"""The run context: what the engine tells the report about the run (``run_context.json``).

The report must name the pipeline and stage versions and the case's input files with their
sha256, none of which a stage can know by itself.  The engine writes them, before any stage
runs, as one small JSON document (schema ``bp2-run-context/1``) that is an explicit input of the
report stage like any other file: hashed into its provenance and cache key, and written by hand
(or by a workflow engine) when the stage is run alone with ``bp2 stage run report``.

The document holds file *names*, never paths, and no dates or hosts, so the same run gives the
same bytes wherever its directory lies and a resumed run reuses the report it already made.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bp2.errors import InputError
from bp2.fileio import canonical_json, sha256_bytes
from bp2.yamlio import validation_error

IMPLEMENTS = ("SRS-262", "SRS-263")

SCHEMA = "bp2-run-context/1"
SHA256 = r"^[0-9a-f]{64}$"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ContextFile(_Model):
    """A file by name and content digest."""

    name: str = Field(min_length=1)
    sha256: str = Field(pattern=SHA256)


class ContextInput(ContextFile):
    """One of the case's own input files: reads, the VCF, the PED, a panel file."""

    role: str = Field(min_length=1)  # "pedigree", "samplesheet", "reads", "vcf", "panel"
    sample: str | None = None  # the sample a reads file belongs to


class ContextResource(_Model):
    """A reference resource of the run (resources.yaml entry)."""

    name: str
    build: str
    version: str
    files: tuple[ContextFile, ...]


class ContextStage(_Model):
    id: str
    version: str


class ContextPipeline(_Model):
    name: str
    version: str
    sha256: str = Field(pattern=SHA256)  # of the pipeline definition file


class RunContext(_Model):
    """``run_context.json``: the run's identity as the report states it."""

    format: Literal["bp2-run-context/1"] = "bp2-run-context/1"
    bp2_version: str
    analysis: Literal["reads", "vcf"]  # from reads (bp2 run) or from a VCF (bp2 interpret)
    pipeline: ContextPipeline
    stages: tuple[ContextStage, ...] = Field(min_length=1)  # the stages of this run, in order
    tools: dict[str, str] = Field(default_factory=dict)  # tool → version, every stage's tools
    inputs: tuple[ContextInput, ...] = Field(min_length=1)
    resources: tuple[ContextResource, ...] = ()

    def input_digest(self) -> str:
        """sha256 over the case's inputs and resources (roles, names and digests, in order)."""
        payload = {
            "inputs": [i.model_dump(mode="json") for i in self.inputs],
            "resources": [r.model_dump(mode="json") for r in self.resources],
        }
        return sha256_bytes(canonical_json(payload).encode())


def read_run_context(path: Path) -> RunContext:
    """Load and validate ``run_context.json``; an InputError names the file and field."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the run context: {exc}", path=path, field="run_context",
                         hint="give the run_context.json the engine wrote") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"the run context is not valid JSON: {exc.msg}", path=path,
                         line=exc.lineno, field="run_context",
                         hint="give the run_context.json the engine wrote") from None
    try:
        return RunContext.model_validate(data)
    except ValidationError as exc:
        raise validation_error(path, exc, "run context (bp2-run-context/1)") from None
