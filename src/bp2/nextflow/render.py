"""``bp2 nextflow render``: main.nf (DSL2) and nextflow.config from the registry and pipeline.

The workflow is derived, never written by hand: one process per stage of the pipeline
definition, in its order; a sample-scope stage is scattered over the samples and a case-scope
stage gathers the units it reads; which upstream outputs a process receives comes from binding
the stage (:func:`bp2.nextflow.graph.stage_needs`).  Rendering is deterministic, so the
committed ``pipeline/main.nf`` and ``pipeline/nextflow.config`` can be proved current by
rendering again and comparing bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from bp2 import __version__
from bp2.fileio import write_text_atomic
from bp2.nextflow.graph import Need, stage_needs
from bp2.nextflow.resources import CPU_CLASSES, MEMORY_CLASSES, stage_resources
from bp2.pipeline import Pipeline, load_pipeline
from bp2.stages.base import Scope

IMPLEMENTS = ("SRS-400", "SRS-401")

MAIN_NF = "main.nf"
CONFIG = "nextflow.config"
MIN_NEXTFLOW = "23.04.0"
IMAGE = "bp2"
TRACE_FIELDS = (
    "task_id", "hash", "native_id", "process", "tag", "name", "status", "exit", "attempt",
    "submit", "start", "complete", "duration", "realtime", "cpus", "memory", "peak_rss",
    "queue", "workdir",
)


@dataclass(frozen=True)
class RenderedNeed:
    upstream: str
    process: str
    same_unit: bool


@dataclass(frozen=True)
class RenderedProcess:
    id: str
    name: str
    version: str
    scope: str
    description: str
    labels: tuple[str, ...]
    resources_reason: str
    publish_dir: str
    output_dir: str
    needs: tuple[RenderedNeed, ...]


def process_name(stage_id: str) -> str:
    return stage_id.upper()


def _processes(pipeline: Pipeline) -> list[RenderedProcess]:
    needs = stage_needs(pipeline)
    processes = []
    for entry in pipeline.stages:
        stage = entry.stage
        res = stage_resources(stage.ID)
        sample = stage.SCOPE is Scope.SAMPLE
        processes.append(RenderedProcess(
            id=stage.ID,
            name=process_name(stage.ID),
            version=str(stage.VERSION),
            scope=str(stage.SCOPE),
            description=" ".join(str(stage.DESCRIPTION).split()),
            labels=res.labels,
            resources_reason=res.reason,
            # the local engine's layout: OUTDIR/<stage>/<sample>/ or OUTDIR/<stage>/
            publish_dir="${params.outdir}/" + stage.ID if sample else "${params.outdir}",
            output_dir="${unit}" if sample else stage.ID,
            needs=tuple(_need(n) for n in needs[stage.ID]),
        ))
    return processes


def _need(need: Need) -> RenderedNeed:
    return RenderedNeed(need.upstream, process_name(need.upstream), need.same_unit)


def render_texts(pipeline: Pipeline) -> dict[str, str]:
    """The text of main.nf and nextflow.config for ``pipeline``."""
    env = Environment(
        loader=PackageLoader("bp2.nextflow", "templates"),
        undefined=StrictUndefined,
        autoescape=False,  # Groovy source, not HTML  # noqa: S701
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    main = env.get_template("main.nf.j2").render(
        pipeline=pipeline,
        processes=_processes(pipeline),
    )
    config = env.get_template("nextflow.config.j2").render(
        pipeline=pipeline,
        min_nextflow=MIN_NEXTFLOW,
        container=f"{IMAGE}:{__version__}",
        cpu_classes=[(f"bp2_cpu_{k}", v) for k, v in CPU_CLASSES.items()],
        memory_classes=[(f"bp2_mem_{k}", v) for k, v in MEMORY_CLASSES.items()],
        trace_fields=",".join(TRACE_FIELDS),
    )
    return {MAIN_NF: main, CONFIG: config}


def render(outdir: Path, pipeline_path: Path | None = None) -> list[Path]:
    """Write main.nf and nextflow.config into ``outdir``; returns the paths written."""
    pipeline = load_pipeline(pipeline_path)
    written = []
    for name, text in render_texts(pipeline).items():
        target = outdir / name
        write_text_atomic(target, text)
        written.append(target)
    return written
