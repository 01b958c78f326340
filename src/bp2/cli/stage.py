"""``bp2 stage``: list, show and run the registered stages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from bp2.cli.common import console

IMPLEMENTS = ("SRS-004", "SRS-018")

# Heavy modules (the stage registry imports pysam, numpy, ...) are imported inside the commands
# so that every other bp2 command starts quickly.
stage_app = typer.Typer(help="List, inspect and run pipeline stages alone.", no_args_is_help=True)


@stage_app.command("list")
def list_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Print each stage's ID, version, scope and the requirement IDs it implements."""
    from bp2.stages.registry import STAGES

    rows: list[dict[str, Any]] = [
        {
            "id": s.ID,
            "version": s.VERSION,
            "scope": str(s.SCOPE),
            "implements": list(s.IMPLEMENTS),
            "tools": list(s.TOOLS),
            "description": s.DESCRIPTION,
        }
        for s in STAGES
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("stage", "version", "scope", "implements", "description")
    for row in rows:
        table.add_row(
            row["id"], row["version"], row["scope"], " ".join(row["implements"]), row["description"]
        )
    console.print(table)


@stage_app.command("show")
def show_cmd(stage_id: Annotated[str, typer.Argument(help="stage ID")]) -> None:
    """Print a stage's input, output and parameter schemas (JSON Schema)."""
    from bp2.stages.registry import get_stage

    stage = get_stage(stage_id)
    doc = {
        "id": stage.ID,
        "version": stage.VERSION,
        "scope": str(stage.SCOPE),
        "implements": list(stage.IMPLEMENTS),
        "tools": list(stage.TOOLS),
        "description": stage.DESCRIPTION,
        "inputs": stage.Inputs.model_json_schema(),
        "outputs": stage.Outputs.model_json_schema(),
        "params": stage.Params.model_json_schema(),
    }
    typer.echo(json.dumps(doc, indent=2))


@stage_app.command("run")
def run_cmd(
    stage_id: Annotated[str, typer.Argument(help="stage ID")],
    inputs: Annotated[Path, typer.Option("--inputs", help="inputs JSON (see 'bp2 stage show')")],
    outdir: Annotated[Path, typer.Option("--outdir", help="directory for the outputs")],
    params: Annotated[Path | None, typer.Option("--params", help="params JSON overrides")] = None,
    pipeline: Annotated[
        Path | None, typer.Option("--pipeline", help="pipeline definition (default: packaged)")
    ] = None,
    threads: Annotated[int, typer.Option("--threads", min=1, help="threads")] = 1,
    seed: Annotated[int, typer.Option("--seed", help="random seed")] = 0,
    unit: Annotated[str, typer.Option(
        "--unit", help="unit recorded in provenance (a sample ID, or 'case'; set by the "
        "Nextflow workflow)")] = "standalone",
) -> None:
    """Run one stage alone on the files named in INPUTS, writing only under OUTDIR."""
    from bp2.engine.standalone import run_stage_alone

    provenance = run_stage_alone(
        stage_id,
        inputs,
        outdir,
        params_path=params,
        pipeline_path=pipeline,
        threads=threads,
        seed=seed,
        unit=unit,
    )
    console.print(
        f"{provenance.stage} {provenance.version}: {len(provenance.outputs)} output(s) "
        f"in {outdir} ({provenance.duration_s:.1f} s)"
    )
