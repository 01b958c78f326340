"""The engine side of ``run_context.json`` (the report's view of the run; schema in
:mod:`bp2.stages.report.context`).

Written once, before any stage runs, at ``OUTDIR/.bp2/run_context.json``: the pipeline's name,
version and definition digest, the stages of this run with their versions, the tool versions of
every stage, and the case's input files and resources by name and sha256.  No path, date or host
goes in, so a resumed run writes the same bytes and reuses the report it already made.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bp2 import __version__
from bp2.case import CaseInputs
from bp2.fileio import pretty_json, sha256_file, write_text_atomic
from bp2.pipeline import Pipeline
from bp2.stages.report.context import (
    ContextFile,
    ContextInput,
    ContextPipeline,
    ContextResource,
    ContextStage,
    RunContext,
)
from bp2.tools import tool_versions

IMPLEMENTS = ("SRS-262",)

RUN_CONTEXT_FILE = "run_context.json"


def case_input_files(case: CaseInputs) -> list[tuple[str, str | None, Path]]:
    """(role, sample, path) of every file the case starts from, in a fixed order."""
    files: list[tuple[str, str | None, Path]] = []
    if case.reads is not None:
        files.append(("samplesheet", None, case.reads.path))
        for row in case.reads.rows:
            files.extend(("reads", row.sample, path) for path in row.files)
    if case.vcf is not None:
        files.append(("vcf", None, case.vcf.path))
    files.append(("pedigree", None, case.pedigree.path))
    files.extend(("panel", None, path) for path in case.panels)
    return files


def build_run_context(case: CaseInputs, pipeline: Pipeline,
                      digest: Callable[[Path], str] = sha256_file) -> RunContext:
    tools: dict[str, str] = {}
    for entry in pipeline.stages:
        tools.update(tool_versions(entry.stage.TOOLS))
    resources = case.resource_set
    return RunContext(
        bp2_version=__version__,
        analysis="reads" if case.reads is not None else "vcf",
        pipeline=ContextPipeline(name=pipeline.name, version=pipeline.version,
                                 sha256=digest(pipeline.path)),
        stages=tuple(ContextStage(id=e.id, version=str(e.stage.VERSION))
                     for e in pipeline.stages),
        tools=dict(sorted(tools.items())),
        inputs=tuple(ContextInput(role=role, sample=sample, name=path.name, sha256=digest(path))
                     for role, sample, path in case_input_files(case)),
        resources=() if resources is None else tuple(
            ContextResource(name=name, build=res.build, version=res.version,
                            files=tuple(ContextFile(name=ref.path.name, sha256=ref.sha256)
                                        for ref in res.files()))
            for name, res in resources.items()),
    )


def write_run_context(state_dir: Path, case: CaseInputs, pipeline: Pipeline,
                      digest: Callable[[Path], str] = sha256_file) -> Path:
    """Write ``run_context.json`` under the run's state directory; returns its path."""
    path = state_dir / RUN_CONTEXT_FILE
    write_text_atomic(path, pretty_json(build_run_context(case, pipeline, digest)
                                        .model_dump(mode="json")))
    return path
