"""``bp2 interpret``: tier and report a VCF called elsewhere (library: bp2.engine.interpret)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bp2.cli.common import console

IMPLEMENTS = ("SRS-275",)


def register(app: typer.Typer) -> None:
    """Add the ``interpret`` command to the top-level app."""

    @app.command("interpret")
    def interpret_cmd(
        vcf: Annotated[Path, typer.Option("--vcf", help="joint VCF of the family (VCF or "
                                          "bgzip VCF), called elsewhere")],
        pedigree: Annotated[Path, typer.Option("--pedigree", help="PED file (IDs = VCF "
                                               "samples)")],
        outdir: Annotated[Path, typer.Option("--outdir", help="run directory")],
        resources: Annotated[
            Path | None, typer.Option("--resources", help="resources.yaml; with a gene_model "
                                      "the VCF is annotated by bp2")] = None,
        panel: Annotated[
            list[Path] | None, typer.Option("--panel", help="PanelApp panel JSON (repeatable); "
                                            "none: Tier 3 only")] = None,
        gene_field: Annotated[
            str | None, typer.Option("--gene-field", help="INFO/KEY of gene names, for a VCF "
                                     "without CSQ, ANN or BCSQ")] = None,
        accept_missing_frequencies: Annotated[
            bool, typer.Option("--accept-missing-frequencies",
                               help="tier without per-population gnomAD frequencies (a "
                               "missing AF counted as 0, or only the overall AF tested; stated "
                               "on the report)")] = False,
        threads: Annotated[int, typer.Option("--threads", min=1, help="parallel threads")] = 1,
        resume: Annotated[bool, typer.Option("--resume", help="continue the run in OUTDIR")] = (
            False),
        force: Annotated[bool, typer.Option(
            "--force", help="move an earlier run in OUTDIR aside and start again")] = False,
        pipeline: Annotated[Path | None, typer.Option(
            "--pipeline", help="pipeline definition (default: packaged)")] = None,
        quiet: Annotated[bool, typer.Option("--quiet", help="no progress bar")] = False,
    ) -> None:
        """Annotate (with a gene model), apply panels, tier and report a VCF bp2 did not call."""
        from bp2.engine import api  # heavy (the stage registry): imported when the command runs
        from bp2.engine.interpret import interpret

        record = interpret(
            vcf, pedigree, outdir, resources=resources, panels=tuple(panel or ()),
            gene_field=gene_field, accept_missing_frequencies=accept_missing_frequencies,
            threads=threads, mode=api.mode_from_flags(resume, force), pipeline_path=pipeline,
            progress=not quiet,
        )
        report = outdir / "report" / "report.pdf"
        console.print(
            f"[bold green]interpretation {record.status}[/] in {record.duration_s:.1f} s; "
            f"report: {report}; record: {outdir / 'run.json'}"
        )
