"""``bp2 run`` and ``bp2 demo``: run a whole case with the local engine (or, for ``bp2 run``,
on Nextflow with ``--engine nextflow``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bp2.cli.common import console
from bp2.engine.settings import DEMO_DEPTH

if TYPE_CHECKING:
    from bp2.engine.local import RunRecord

Threads = Annotated[int, typer.Option("--threads", min=1, help="parallel threads")]
Resume = Annotated[bool, typer.Option("--resume", help="continue the run in OUTDIR")]
Force = Annotated[
    bool, typer.Option("--force", help="move an earlier run in OUTDIR aside and start again")
]
PipelineOpt = Annotated[
    Path | None, typer.Option("--pipeline", help="pipeline definition (default: packaged)")
]
Quiet = Annotated[bool, typer.Option("--quiet", help="no progress bar")]
AcceptQc = Annotated[
    str | None,
    typer.Option(
        "--accept-qc-failure",
        metavar="REASON",
        help="proceed to tiering and reporting despite failed QC; the reason is recorded in "
        "run.json and shown on the report",
    ),
]


def _summary(record: RunRecord, outdir: Path) -> None:
    executed = sum(1 for u in record.units if u.status == "executed")
    cached = sum(1 for u in record.units if u.status == "cached")
    console.print(
        f"[bold green]run {record.status}[/] in {record.duration_s:.1f} s: "
        f"{executed} unit(s) executed, {cached} reused from cache; record: {outdir / 'run.json'}"
    )
    if record.previous_run_moved_to:
        console.print(f"the earlier run was moved to {record.previous_run_moved_to}")


def register(app: typer.Typer) -> None:
    """Add the pipeline commands to the top-level app."""

    @app.command("run")
    def run_cmd(
        samplesheet: Annotated[Path, typer.Option("--samplesheet", help="samplesheet CSV")],
        pedigree: Annotated[Path, typer.Option("--pedigree", help="PED file")],
        outdir: Annotated[Path, typer.Option("--outdir", help="run directory")],
        resources: Annotated[
            Path | None, typer.Option("--resources", help="resources.yaml")
        ] = None,
        reference: Annotated[
            Path | None,
            typer.Option("--reference", help="reference FASTA (instead of --resources)"),
        ] = None,
        panel: Annotated[
            list[Path] | None, typer.Option("--panel", help="PanelApp panel JSON (repeatable)")
        ] = None,
        threads: Threads = 1,
        resume: Resume = False,
        force: Force = False,
        pipeline: PipelineOpt = None,
        quiet: Quiet = False,
        accept_qc_failure: AcceptQc = None,
        engine: Annotated[
            str, typer.Option("--engine", help="'local' (this machine) or 'nextflow'")
        ] = "local",
        profile: Annotated[
            str,
            typer.Option("--profile", help="Nextflow profile: standard, slurm, awsbatch, k8s, "
                         "docker, singularity"),
        ] = "standard",
        nextflow_config: Annotated[
            list[Path] | None,
            typer.Option("--nextflow-config", help="site Nextflow config file (repeatable)"),
        ] = None,
        work_dir: Annotated[
            str | None,
            typer.Option("--work-dir", help="Nextflow work directory (s3://… for AWS Batch)"),
        ] = None,
    ) -> None:
        """Run the pipeline on a case (samplesheet + PED + reads) locally or on Nextflow."""
        from bp2.engine import api

        nextflow = None
        if engine == "nextflow":
            from bp2.nextflow.launch import NextflowOptions

            nextflow = NextflowOptions(profile=profile, configs=tuple(nextflow_config or ()),
                                       work_dir=work_dir)
        elif engine != "local":
            from bp2.errors import UsageError

            raise UsageError(f"unknown engine '{engine}'", hint="use --engine local or nextflow")
        record = api.run(
            samplesheet,
            pedigree,
            outdir,
            resources=resources,
            reference=reference,
            panels=tuple(panel or ()),
            threads=threads,
            mode=api.mode_from_flags(resume, force),
            pipeline_path=pipeline,
            progress=not quiet,
            accept_qc_failure=accept_qc_failure,
            nextflow=nextflow,
        )
        _summary(record, outdir)

    @app.command("demo")
    def demo_cmd(
        outdir: Annotated[Path, typer.Option("--outdir", help="run directory")],
        threads: Threads = 1,
        resume: Resume = False,
        force: Force = False,
        depth: Annotated[
            float, typer.Option("--depth", min=1.0, help="read depth of the synthetic trio")
        ] = DEMO_DEPTH,
        pipeline: PipelineOpt = None,
        quiet: Quiet = False,
        accept_qc_failure: AcceptQc = None,
    ) -> None:
        """Generate the synthetic trio (no network) and run the pipeline on it."""
        from bp2.engine import api

        record = api.demo(
            outdir,
            threads=threads,
            mode=api.mode_from_flags(resume, force),
            depth=depth,
            pipeline_path=pipeline,
            progress=not quiet,
            accept_qc_failure=accept_qc_failure,
        )
        _summary(record, outdir)
