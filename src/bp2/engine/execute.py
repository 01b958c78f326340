"""Execute one unit of a stage in a directory and record its provenance.

This is the single code path behind ``bp2 stage run`` (and so every Nextflow process) and every
unit the local engine runs: inputs are checked and hashed, the stage runs with its outputs under
``outdir``, outputs are checked and hashed, and ``outputs.json`` plus ``provenance.json`` are
written atomically.
"""

from __future__ import annotations

import getpass
import logging
import os
import platform
import socket
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from bp2 import __version__
from bp2.errors import Bp2Error, InputError
from bp2.fileio import canonical_json, is_temporary, sha256_bytes, sha256_file, write_json_atomic
from bp2.stages.base import (
    AnyStage,
    StageContext,
    StageInputs,
    StageOutputs,
    StageParams,
    iter_paths,
)
from bp2.tools import tool_versions

IMPLEMENTS = ("SRS-004", "SRS-008", "SRS-009")

OUTPUTS_FILE = "outputs.json"
PROVENANCE_FILE = "provenance.json"
RECORD_FILES = frozenset({OUTPUTS_FILE, PROVENANCE_FILE, "stage.log"})


class FileDigest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    sha256: str


class Provenance(BaseModel):
    """What one executed unit records about itself."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stage: str
    version: str
    unit: str
    implements: tuple[str, ...]
    bp2_version: str
    cache_key: str
    params: dict[str, Any]
    inputs: dict[str, Any]
    input_files: dict[str, FileDigest]
    outputs: dict[str, FileDigest]
    tools: dict[str, str]
    started: str
    finished: str
    duration_s: float
    host: str
    operator: str
    python: str
    argv: tuple[str, ...]


def hash_input_files(
    inputs: StageInputs, digest: Callable[[Path], str] = sha256_file
) -> dict[str, FileDigest]:
    """sha256 of every file named in the inputs; a missing file is an InputError naming it."""
    digests: dict[str, FileDigest] = {}
    for field, path in iter_paths(inputs):
        if not path.is_file():
            raise InputError(
                f"input file for '{field}' not found",
                path=path,
                field=field,
                hint=_missing_hint(path),
            )
        digests[field] = FileDigest(path=str(path), sha256=digest(path))
    return digests


_INDEX_HINTS = {
    ".fai": "create the FASTA index with 'samtools faidx REF' and name it in the inputs",
    ".gzi": "bgzip-compressed FASTA needs its .gzi: run 'samtools faidx REF.fa.gz'",
    ".bai": "create the BAM index with 'samtools index BAM' and name it in the inputs",
    ".crai": "create the CRAM index with 'samtools index CRAM' and name it in the inputs",
    ".csi": "create the index with 'bcftools index' or 'samtools index -c'",
    ".tbi": "create the VCF index with 'tabix -p vcf VCF.gz' or 'bcftools index -t VCF.gz'",
}


def _missing_hint(path: Path) -> str:
    for suffix, hint in _INDEX_HINTS.items():
        if path.name.endswith(suffix):
            return hint
    return "correct the path; every file a stage reads must exist and be named in its inputs"


def cache_key(
    stage: AnyStage,
    params: StageParams,
    tools: dict[str, str],
    inputs: StageInputs,
    input_files: dict[str, FileDigest],
) -> str:
    """Key of a unit's result: stage, version, params, tool versions and input content.

    File inputs enter by content (sha256), not by path, so moving a file does not invalidate
    the cache but changing one byte does.
    """
    values = inputs.model_dump(mode="json")
    for field in input_files:
        set_field(values, field, "sha256:" + input_files[field].sha256)
    payload = {
        "stage": stage.ID,
        "version": stage.VERSION,
        "params": params.model_dump(mode="json"),
        "tools": tools,
        "inputs": values,
    }
    return sha256_bytes(canonical_json(payload).encode())


def set_field(tree: Any, dotted: str, value: str) -> None:
    """Set the element at a dotted/indexed field path (as produced by iter_paths)."""
    tokens: list[str | int] = []
    for part in dotted.split("."):
        name, *indices = part.replace("]", "").split("[")
        if name:
            tokens.append(name)
        tokens.extend(int(i) if i.isdigit() else i for i in indices)
    node = tree
    for token in tokens[:-1]:
        node = node[token]
    node[tokens[-1]] = value


def describe_inputs(inputs: StageInputs, input_files: dict[str, FileDigest]) -> dict[str, Any]:
    values = inputs.model_dump(mode="json")
    for field in input_files:
        set_field(values, field, input_files[field].path)
    return values


def execute_unit(
    stage: AnyStage,
    inputs: StageInputs,
    params: StageParams,
    outdir: Path,
    *,
    unit: str,
    threads: int = 1,
    seed: int = 0,
    logger: logging.Logger | None = None,
    input_files: dict[str, FileDigest] | None = None,
    key: str | None = None,
) -> tuple[StageOutputs, Provenance]:
    """Run one unit of ``stage`` under ``outdir``; write outputs.json and provenance.json."""
    logger = logger or logging.getLogger(f"bp2.{stage.ID}")
    input_files = input_files if input_files is not None else hash_input_files(inputs)
    tools = tool_versions(stage.TOOLS)
    key = key or cache_key(stage, params, tools, inputs, input_files)
    outdir.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    ctx = StageContext(outdir=outdir, threads=threads, seed=seed, logger=logger)
    logger.info("%s %s [%s] started", stage.ID, stage.VERSION, unit)
    outputs = stage.run(inputs, params, ctx)
    output_files = _check_outputs(stage, outputs, outdir)
    duration = time.perf_counter() - t0
    provenance = Provenance(
        stage=stage.ID,
        version=stage.VERSION,
        unit=unit,
        implements=stage.IMPLEMENTS,
        bp2_version=__version__,
        cache_key=key,
        params=params.model_dump(mode="json"),
        inputs=describe_inputs(inputs, input_files),
        input_files=input_files,
        outputs=output_files,
        tools=tools,
        started=started.isoformat(timespec="seconds"),
        finished=datetime.now(UTC).isoformat(timespec="seconds"),
        duration_s=round(duration, 3),
        host=socket.gethostname(),
        operator=_operator(),
        python=platform.python_version(),
        argv=tuple(sys.argv),
    )
    write_json_atomic(outdir / OUTPUTS_FILE, relative_outputs(outputs, outdir))
    write_json_atomic(outdir / PROVENANCE_FILE, provenance.model_dump(mode="json"))
    logger.info("%s %s [%s] finished in %.1f s", stage.ID, stage.VERSION, unit, duration)
    return outputs, provenance


def _check_outputs(stage: AnyStage, outputs: StageOutputs, outdir: Path) -> dict[str, FileDigest]:
    if not isinstance(outputs, stage.Outputs):
        raise TypeError(
            f"stage {stage.ID} returned {type(outputs).__name__}, not {stage.Outputs.__name__}"
        )
    root = outdir.resolve()
    digests: dict[str, FileDigest] = {}
    for field, path in iter_paths(outputs):
        resolved = path.resolve()
        if root not in resolved.parents:
            raise RuntimeError(f"stage {stage.ID} output '{field}' ({path}) is outside {outdir}")
        if not resolved.is_file():
            raise RuntimeError(f"stage {stage.ID} output '{field}' ({path}) was not written")
        digests[field] = FileDigest(
            path=str(resolved.relative_to(root)), sha256=sha256_file(resolved)
        )
    leftovers = [p for p in outdir.rglob("*") if is_temporary(p)]
    if leftovers:
        raise RuntimeError(f"stage {stage.ID} left temporary files: {leftovers[:3]}")
    return digests


def relative_outputs(outputs: StageOutputs, outdir: Path) -> dict[str, Any]:
    values = outputs.model_dump(mode="json")
    root = outdir.resolve()
    for field, path in iter_paths(outputs):
        set_field(values, field, str(path.resolve().relative_to(root)))
    return values


def load_outputs(stage: AnyStage, outdir: Path) -> StageOutputs:
    """Read a finished unit's outputs.json back into its Outputs model (absolute paths)."""
    import json

    data = json.loads((outdir / OUTPUTS_FILE).read_text())
    relative = stage.Outputs.model_validate(data)
    absolute = relative.model_dump(mode="json")
    for field, path in iter_paths(relative):
        set_field(absolute, field, str((outdir / path).resolve()))
    loaded: StageOutputs = stage.Outputs.model_validate(absolute)
    return loaded


def _operator() -> str:
    try:
        return os.environ.get("BP2_OPERATOR") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


__all__ = [
    "OUTPUTS_FILE",
    "PROVENANCE_FILE",
    "Bp2Error",
    "FileDigest",
    "Provenance",
    "cache_key",
    "execute_unit",
    "hash_input_files",
    "load_outputs",
]
