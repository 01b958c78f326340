"""``bp2 nextflow``: render the Nextflow workflow, and bind a unit inside a Nextflow task."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bp2.cli.common import console

IMPLEMENTS = ("SRS-400", "SRS-403")

nextflow_app = typer.Typer(
    help="Run bp2 on Nextflow: render the workflow; bind a unit inside a task.",
    no_args_is_help=True,
)


@nextflow_app.command("render")
def render_cmd(
    outdir: Annotated[
        Path, typer.Option("--outdir", help="directory for main.nf and nextflow.config")
    ],
    pipeline: Annotated[
        Path | None, typer.Option("--pipeline", help="pipeline definition (default: packaged)")
    ] = None,
) -> None:
    """Write main.nf (DSL2) and nextflow.config from the stage registry and pipeline definition."""
    from bp2.nextflow.render import render

    for path in render(outdir, pipeline):
        console.print(f"wrote {path}")


@nextflow_app.command("bind")
def bind_cmd(
    stage_id: Annotated[str, typer.Argument(help="stage ID")],
    staged: Annotated[
        list[Path] | None, typer.Argument(help="the task's staged files and unit directories")
    ] = None,
    unit: Annotated[str, typer.Option("--unit", help="sample ID, or 'case'")] = "case",
    definition: Annotated[
        Path, typer.Option("--definition", help="pipeline definition staged in the task")
    ] = Path("_bp2/pipeline.yaml"),
    case_json: Annotated[
        Path, typer.Option("--case", help="case.json staged in the task")
    ] = Path("_bp2/case.json"),
    keys: Annotated[
        str, typer.Option("--keys", help="comma-separated key of each staged path, in order")
    ] = "",
    out: Annotated[Path, typer.Option("--out", help="inputs JSON to write")] = Path(
        "_inputs.json"
    ),
) -> None:
    """Build a stage's inputs.json inside a Nextflow task from its declared inputs only."""
    from bp2.nextflow.taskbind import bind_task

    key_list = [k for k in keys.split(",") if k]
    written = bind_task(stage_id, unit, definition=definition, case_json=case_json,
                        keys=key_list, staged=list(staged or ()), out=out)
    console.print(f"{stage_id} [{unit}]: wrote {written}")
