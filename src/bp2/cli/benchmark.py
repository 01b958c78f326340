"""``bp2 benchmark``: compare a query VCF with a truth VCF (library: bp2.benchmark.api)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bp2.cli.common import console
from bp2.errors import UsageError

IMPLEMENTS = ("SRS-312",)


def _strata(items: list[str] | None) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for item in items or ():
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            raise UsageError(f"--stratify needs NAME=BED, got '{item}'",
                             hint="e.g. --stratify exons=exons.bed.gz")
        if name in out:
            raise UsageError(f"--stratify names '{name}' twice", hint="give each stratum once")
        out[name] = Path(path)
    return out


def register(app: typer.Typer) -> None:
    """Add the ``benchmark`` command to the top-level app."""

    @app.command("benchmark")
    def benchmark_cmd(
        truth: Annotated[Path, typer.Option("--truth", help="truth VCF (VCF or bgzip VCF)")],
        query: Annotated[Path, typer.Option("--query", help="query VCF to assess")],
        outdir: Annotated[Path, typer.Option("--outdir", help="output directory")],
        confident: Annotated[Path | None, typer.Option(
            "--confident", help="confident-region BED of the truth set (plain or gzip)")] = None,
        reference: Annotated[Path | None, typer.Option(
            "--reference", help="reference FASTA (with .fai; .gzi if bgzipped); enables "
            "left-alignment")] = None,
        stratify: Annotated[list[str] | None, typer.Option(
            "--stratify", help="NAME=BED stratum for extended.csv (repeatable)")] = None,
        pass_only: Annotated[bool, typer.Option(
            "--pass-only", help="report only PASS query records")] = False,
        truth_sample: Annotated[str | None, typer.Option(
            "--truth-sample", help="truth sample (default: the first)")] = None,
        query_sample: Annotated[str | None, typer.Option(
            "--query-sample", help="query sample (default: the first)")] = None,
    ) -> None:
        """Benchmark small variants against a truth set (GA4GH definitions, hap.py outputs)."""
        from bp2.benchmark.api import BenchmarkRequest, run_benchmark

        request = BenchmarkRequest(
            truth=truth, query=query, confident=confident, reference=reference,
            strata=_strata(stratify), pass_only=pass_only, truth_sample=truth_sample,
            query_sample=query_sample)
        summary = run_benchmark(request, outdir)
        for row in summary.rows:
            recall = "n/a" if row.recall is None else f"{row.recall:.4f}"
            precision = "n/a" if row.precision is None else f"{row.precision:.4f}"
            undecidable = row.truth_undecidable + row.query_undecidable
            extra = f", {undecidable} undecidable without reference" if undecidable else ""
            console.print(
                f"{row.type:<5} {row.filter:<4} recall {recall} "
                f"[{row.recall_ci[0]:.4f}-{row.recall_ci[1]:.4f}] precision {precision} "
                f"[{row.precision_ci[0]:.4f}-{row.precision_ci[1]:.4f}] "
                f"TP {row.truth_tp} FN {row.truth_fn} FP {row.query_fp}{extra}")
        console.print(f"outputs in {outdir}: summary.csv, extended.csv, annotated.vcf.gz, "
                      "benchmark.json")
