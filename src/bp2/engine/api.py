"""Python API behind ``bp2 run`` and ``bp2 demo``; the CLI only parses arguments and calls it."""

from __future__ import annotations

import json
import secrets
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from bp2.case import CaseInputs, check_case, read_pedigree, read_samplesheet
from bp2.engine.local import STATE_DIR, RunMode, RunOptions, RunRecord, prepare_outdir, run_case
from bp2.engine.settings import DEMO_CASE_DIR, DEMO_DEPTH
from bp2.errors import InputError, InputProblems, UsageError
from bp2.pipeline import load_pipeline
from bp2.resources import Resources, load_resources, reference_only

if TYPE_CHECKING:
    from bp2.nextflow.launch import NextflowOptions

IMPLEMENTS = ("SRS-013", "SRS-020")



def load_case(
    samplesheet: Path,
    pedigree: Path,
    *,
    resources: Path | None,
    reference: Path | None,
    panels: tuple[Path, ...],
    outdir: Path,
) -> CaseInputs:
    """Read and cross-check the case inputs, reporting every problem found at once."""
    if (resources is None) == (reference is None):
        if resources is None:
            raise UsageError.missing_option(
                "a reference", "--resources R.yaml or --reference REF.fa"
            )
        raise UsageError.conflicting_options("--resources", "--reference")
    problems: list[InputError] = []
    for panel in panels:
        if not panel.is_file():
            problems.append(InputError.missing_file(panel, "panel JSON"))
    sheet = read_samplesheet(samplesheet)
    ped = read_pedigree(pedigree)
    for row in sheet.rows:
        for path in row.files:
            if not path.is_file():
                problems.append(
                    InputError(
                        f"file of sample '{row.sample}' not found: {path}",
                        path=sheet.path,
                        line=row.line,
                        hint="correct the path (relative paths are resolved against "
                        "the samplesheet's directory)",
                    )
                )
    problems.extend(check_case(sheet, ped))
    if problems:
        raise InputProblems.combine(problems)
    res: Resources
    if resources is not None:
        res = load_resources(resources)
    else:
        assert reference is not None  # guaranteed by the option check above
        res = reference_only(reference, outdir / STATE_DIR / "resources")
    return CaseInputs(
        samplesheet=sheet, pedigree=ped, resources=res, panels=tuple(p.resolve() for p in panels)
    )


def mode_from_flags(resume: bool, force: bool) -> RunMode:
    if resume and force:
        raise UsageError.conflicting_options("--resume", "--force")
    return RunMode.RESUME if resume else RunMode.FORCE if force else RunMode.NEW


def run(
    samplesheet: Path,
    pedigree: Path,
    outdir: Path,
    *,
    resources: Path | None = None,
    reference: Path | None = None,
    panels: tuple[Path, ...] = (),
    threads: int = 1,
    mode: RunMode = RunMode.NEW,
    pipeline_path: Path | None = None,
    progress: bool = True,
    accept_qc_failure: str | None = None,
    nextflow: NextflowOptions | None = None,
) -> RunRecord:
    """``bp2 run``: check the inputs, prepare ``outdir`` and run the pipeline on the case.

    With ``nextflow`` options the case runs under Nextflow (imported only then), else locally.
    """
    pipeline = load_pipeline(pipeline_path)
    if nextflow is not None:
        from bp2.nextflow.launch import check_options, find_runtime

        check_options(nextflow)
        find_runtime(nextflow.env)  # exit 4 before anything is written
    moved = prepare_outdir(outdir, mode)
    case = load_case(
        samplesheet,
        pedigree,
        resources=resources,
        reference=reference,
        panels=panels,
        outdir=outdir,
    )
    options = RunOptions(
        threads=threads,
        mode=mode,
        progress=progress,
        previous_run_moved_to=moved,
        accept_qc_failure=accept_qc_failure,
    )
    if nextflow is not None:
        from bp2.nextflow.launch import run_case_nextflow

        return run_case_nextflow(case, pipeline, outdir, options, nextflow)
    return run_case(case, pipeline, outdir, options)


def demo(
    outdir: Path,
    *,
    threads: int = 1,
    mode: RunMode = RunMode.NEW,
    depth: float = DEMO_DEPTH,
    pipeline_path: Path | None = None,
    progress: bool = True,
    accept_qc_failure: str | None = None,
) -> RunRecord:
    """``bp2 demo``: generate the synthetic trio (once) and run the pipeline on it."""
    from bp2.demo import generate_demo_case

    pipeline = load_pipeline(pipeline_path)
    moved = prepare_outdir(outdir, mode)
    case_dir = outdir / DEMO_CASE_DIR
    settings = {"seed": pipeline.seed, "depth": depth}
    stamp = case_dir / "generation.json"
    if case_dir.exists():
        recorded = json.loads(stamp.read_text()) if stamp.is_file() else None
        if recorded != settings:
            raise UsageError(
                f"{case_dir} was generated with {recorded}, not {settings}",
                hint="rerun with the same --depth, or use --force to start a new demo run",
            )
    else:
        work = outdir / STATE_DIR / "work" / f"demo_case--{secrets.token_hex(4)}"
        try:
            generate_demo_case(work, seed=pipeline.seed, depth=depth)
            (work / "generation.json").write_text(json.dumps(settings, sort_keys=True) + "\n")
            work.rename(case_dir)
        finally:
            if work.exists():
                shutil.rmtree(work, ignore_errors=True)
    case = load_case(
        case_dir / "samplesheet.csv",
        case_dir / "pedigree.ped",
        resources=case_dir / "resources.yaml",
        reference=None,
        panels=(case_dir / "panel.json",),
        outdir=outdir,
    )
    options = RunOptions(
        threads=threads,
        mode=mode,
        progress=progress,
        previous_run_moved_to=moved,
        extra={"demo": {"seed": pipeline.seed, "depth": depth, "case_dir": DEMO_CASE_DIR}},
        accept_qc_failure=accept_qc_failure,
    )
    return run_case(case, pipeline, outdir, options)
