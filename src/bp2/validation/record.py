"""The validation record: what one executed (or deliberately not executed) protocol found.

``bp2 validate`` writes one record per protocol to ``DIR/<VAL-ID>/result.json`` and an index of
all records to ``DIR/index.json``.  The release bundle (bp2.release) and the trace engine
(``bp2 trace check --validation-results DIR``) read them back with :func:`load_records`.

A protocol that software cannot execute (a site run, a human review) is recorded with
``status="not-executed"`` and its reason — never as passed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bp2.errors import InputError
from bp2.fileio import write_json_atomic

IMPLEMENTS = ("SRS-336",)

RECORD_FILE = "result.json"
INDEX_FILE = "index.json"
RECORD_SCHEMA_VERSION = 1

Status = Literal["passed", "failed", "not-executed"]
Comparator = Literal[">=", ">", "<=", "<", "=="]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CriterionResult(_Frozen):
    """One acceptance criterion as evaluated: the figure, its interval and the verdict."""

    metric: str
    comparator: Comparator
    threshold: float
    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int | None = None
    passed: bool
    description: str = ""


class InputRecord(_Frozen):
    """One input file of the protocol with the sha256 it had when the protocol ran."""

    name: str
    path: str
    sha256: str


class ComparatorResult(_Frozen):
    """The figures of a comparator (e.g. the bare minimap2 + samtools + bcftools chain)."""

    name: str
    description: str = ""
    figures: dict[str, float | int] = Field(default_factory=dict)
    versions: dict[str, str] = Field(default_factory=dict)


class ValidationRecord(_Frozen):
    """The outcome of one validation protocol."""

    schema_version: int = RECORD_SCHEMA_VERSION
    protocol_id: str
    title: str
    validates: list[str] = Field(default_factory=list)
    status: Status
    reason: str | None = None
    criteria: list[CriterionResult] = Field(default_factory=list)
    comparator_results: list[ComparatorResult] = Field(default_factory=list)
    pipeline_version: str
    bp2_version: str = ""
    protocol_sha256: str | None = None
    stage_versions: dict[str, str] = Field(default_factory=dict)
    inputs: list[InputRecord] = Field(default_factory=list)
    started: str
    finished: str
    duration_s: float
    plots: list[str] = Field(default_factory=list)
    figures: dict[str, float | int] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _status_agrees(self) -> ValidationRecord:
        if self.status == "not-executed" and not self.reason:
            raise ValueError("a not-executed record must give its reason")
        if self.status == "passed" and not all(c.passed for c in self.criteria):
            raise ValueError("a passed record cannot hold a failed criterion")
        if self.status == "passed" and not self.criteria:
            raise ValueError("a passed record must hold at least one evaluated criterion")
        return self

    @property
    def failed_criteria(self) -> list[CriterionResult]:
        return [c for c in self.criteria if not c.passed]


class RecordIndex(_Frozen):
    """``DIR/index.json``: every record written by one ``bp2 validate`` invocation."""

    schema_version: int = RECORD_SCHEMA_VERSION
    records: list[dict[str, str]] = Field(default_factory=list)


def record_path(outdir: Path, protocol_id: str) -> Path:
    return outdir / protocol_id / RECORD_FILE


def write_record(outdir: Path, record: ValidationRecord) -> Path:
    """Write ``outdir/<VAL-ID>/result.json`` atomically and return its path."""
    path = record_path(outdir, record.protocol_id)
    write_json_atomic(path, record.model_dump(mode="json"))
    return path


def write_index(outdir: Path, records: list[ValidationRecord]) -> Path:
    """Write ``outdir/index.json`` listing the records (id, status, relative path), sorted by id."""
    entries = [
        {
            "protocol_id": r.protocol_id,
            "status": r.status,
            "path": f"{r.protocol_id}/{RECORD_FILE}",
        }
        for r in sorted(records, key=lambda r: r.protocol_id)
    ]
    path = outdir / INDEX_FILE
    write_json_atomic(path, RecordIndex(records=entries).model_dump(mode="json"))
    return path


def read_record(path: Path) -> ValidationRecord:
    """Load one result.json; a malformed file is an InputError naming the file and the field."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError.missing_file(path, "validation record") from None
    except json.JSONDecodeError as exc:
        raise InputError.invalid_field(path, "(json)", str(exc), line=exc.lineno) from None
    try:
        return ValidationRecord.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(record)"
        raise InputError.invalid_field(path, field, first["msg"]) from None


def load_records(dir: Path) -> list[ValidationRecord]:
    """All records under ``dir``: those listed in index.json, else every ``*/result.json``.

    Records are returned sorted by protocol id.
    """
    if not dir.is_dir():
        raise InputError.missing_file(dir, "validation results directory")
    index = dir / INDEX_FILE
    paths: list[Path]
    if index.is_file():
        try:
            parsed = RecordIndex.model_validate(json.loads(index.read_text(encoding="utf-8")))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise InputError.invalid_field(index, "records", str(exc).splitlines()[0]) from None
        paths = [dir / entry["path"] for entry in parsed.records]
    else:
        paths = sorted(dir.glob(f"*/{RECORD_FILE}"))
    records = [read_record(p) for p in paths]
    return sorted(records, key=lambda r: r.protocol_id)
