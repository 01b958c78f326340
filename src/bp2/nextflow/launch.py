"""``bp2 run --engine nextflow``: launch Nextflow by subprocess and record the run as bp2 does.

The launcher does what the local engine does before any stage runs (check the case and its
resources, write ``run_context.json``), then writes ``case.json`` and ``plan.json``, renders
``main.nf`` and ``nextflow.config`` into ``OUTDIR/.bp2/nextflow/`` (identical to the committed
``pipeline/`` copies for the packaged definition) and runs::

    nextflow -log OUTDIR/.bp2/nextflow/nextflow.log run OUTDIR/.bp2/nextflow/main.nf
        -profile PROFILE -params-file OUTDIR/.bp2/nextflow/params.json
        -work-dir WORKDIR -with-trace OUTDIR/.bp2/nextflow/trace.tsv -ansi-log false
        [-c SITE.config] [-resume]

from ``OUTDIR/.bp2/nextflow`` (where Nextflow keeps its resume cache), streaming its output.
Tasks publish into the local engine's layout; ``run.json`` is then assembled from each unit's
``provenance.json`` and the trace's scheduling fields, so both engines record a run the same
way (``extra.engine`` says which ran it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bp2 import __version__
from bp2.case import CaseInputs
from bp2.engine.execute import PROVENANCE_FILE, FileDigest
from bp2.engine.local import (
    RUN_FILE,
    STATE_DIR,
    RunMode,
    RunOptions,
    RunRecord,
    UnitRecord,
    _Digests,
    run_logging,
    write_qc_failure_report,
    write_run_record,
)
from bp2.engine.run_context import write_run_context
from bp2.errors import (
    Bp2Error,
    CheckFailed,
    EnvironmentProblem,
    ExitCode,
    InputError,
    UsageError,
)
from bp2.fileio import write_json_atomic
from bp2.nextflow.graph import is_gate, units_of
from bp2.nextflow.plan import write_plan
from bp2.nextflow.render import render_texts
from bp2.nextflow.trace import TraceRecord, final_attempts, read_trace
from bp2.pipeline import Pipeline
from bp2.resources import verify_resources
from bp2.stages.base import CASE_UNIT, Scope

IMPLEMENTS = ("SRS-404", "SRS-406", "SRS-407")

NEXTFLOW_DIR = "nextflow"
TRACE_FILE = "trace.tsv"
PARAMS_FILE = "params.json"
PROFILES = ("standard", "slurm", "awsbatch", "k8s", "docker", "singularity")
INSTALL_HINT = (
    "install Java 17 or later (e.g. 'apt-get install openjdk-17-jre-headless') and Nextflow "
    ">= 23.04 ('curl -s https://get.nextflow.io | bash', then move the 'nextflow' file onto "
    "PATH, or 'conda install -c bioconda nextflow'); check with 'nextflow -version'. See the "
    "README section 'Running bp2 on SLURM and AWS Batch'"
)


@dataclass(frozen=True)
class NextflowOptions:
    profile: str = "standard"
    configs: tuple[Path, ...] = ()  # site config files, applied after bp2's
    work_dir: str | None = None  # default OUTDIR/.bp2/nextflow/work; s3://… for AWS Batch
    env: dict[str, str] | None = None  # environment of the launch (default: os.environ)


@dataclass(frozen=True)
class Runtime:
    nextflow: str
    java: str


def find_runtime(env: dict[str, str] | None = None) -> Runtime:
    """The ``nextflow`` launcher and Java; exit 4 with install instructions if one is missing."""
    env = dict(os.environ if env is None else env)
    search = env.get("PATH", "")
    nextflow = shutil.which("nextflow", path=search)
    java_home = env.get("JAVA_HOME")
    java = None
    if java_home and Path(java_home, "bin", "java").is_file():
        java = str(Path(java_home, "bin", "java"))
    java = java or shutil.which("java", path=search)
    missing = [name for name, found in (("nextflow", nextflow), ("java", java)) if found is None]
    if missing:
        raise EnvironmentProblem(
            f"the Nextflow engine needs {' and '.join(missing)}, not found on PATH",
            hint=INSTALL_HINT,
        )
    assert nextflow is not None and java is not None  # both checked just above
    return Runtime(nextflow=nextflow, java=java)


def check_options(options: NextflowOptions) -> None:
    if options.profile not in PROFILES:
        raise UsageError(f"unknown Nextflow profile '{options.profile}'",
                         hint=f"choose one of: {', '.join(PROFILES)}")
    for config in options.configs:
        if not config.is_file():
            raise InputError.missing_file(config, "Nextflow site config")
    if options.profile == "awsbatch" and not (options.work_dir or "").startswith("s3://"):
        raise UsageError("the awsbatch profile needs an S3 work directory",
                         hint="give --work-dir s3://BUCKET/PREFIX")


def nextflow_command(runtime: Runtime, state: Path, options: NextflowOptions, *,
                     resume: bool) -> list[str]:
    """The exact command line bp2 runs (from ``state``, Nextflow's launch directory)."""
    command = [
        runtime.nextflow, "-log", str(state / "nextflow.log"), "run", str(state / "main.nf"),
        "-profile", options.profile,
        "-params-file", str(state / PARAMS_FILE),
        "-work-dir", options.work_dir or str(state / "work"),
        "-with-trace", str(state / TRACE_FILE),
        "-ansi-log", "false",
    ]
    for config in options.configs:
        command += ["-c", str(config.resolve())]
    if resume:
        command.append("-resume")
    return command


def launch_env(runtime: Runtime, base: dict[str, str] | None) -> dict[str, str]:
    """The launch environment: bp2's own bin directory first on PATH, so tasks find ``bp2``."""
    env = dict(os.environ if base is None else base)
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([bindir, env.get("PATH", "")])
    env.setdefault("JAVA_HOME", str(Path(runtime.java).resolve().parent.parent))
    env["NXF_ANSI_LOG"] = "false"
    return env


def stream(command: Sequence[str], *, cwd: Path, env: dict[str, str],
           on_line: Callable[[str], None]) -> int:
    """Run ``command``, passing each output line to ``on_line``; returns its exit status."""
    with subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, bufsize=1) as proc:
        assert proc.stdout is not None  # stdout=PIPE
        try:
            for line in proc.stdout:
                on_line(line.rstrip("\n"))
        except BaseException:
            proc.terminate()  # Nextflow cancels its tasks on SIGTERM
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
            raise
        return proc.wait()


@dataclass
class _Outcome:
    units: list[UnitRecord] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)


def collect_units(outdir: Path, case: CaseInputs, pipeline: Pipeline,
                  trace: dict[tuple[str, str], TraceRecord]) -> _Outcome:
    """One UnitRecord per published unit, from its provenance.json and its trace row."""
    outcome = _Outcome()
    for entry in pipeline.stages:
        stage = entry.stage
        for unit in units_of(stage, case.sample_ids):
            final = outdir / stage.ID / unit if stage.SCOPE is Scope.SAMPLE else outdir / stage.ID
            provenance_path = final / PROVENANCE_FILE
            if not provenance_path.is_file():
                outcome.missing.append((stage.ID, unit))
                continue
            provenance = json.loads(provenance_path.read_text(encoding="utf-8"))
            row = trace.get((stage.ID, unit))
            cached = row is not None and row.status == "CACHED"
            duration = (row.realtime_s if row is not None and row.realtime_s is not None
                        else float(provenance["duration_s"]))
            outcome.units.append(UnitRecord(
                stage=stage.ID, version=provenance["version"], unit=unit,
                dir=str(final.relative_to(outdir)), cache_key=provenance["cache_key"],
                status="cached" if cached else "executed", duration_s=round(duration, 3),
                outputs={k: FileDigest.model_validate(v)
                         for k, v in provenance["outputs"].items()},
            ))
    return outcome


def scheduling(trace: dict[tuple[str, str], TraceRecord]) -> dict[str, Any]:
    """The trace's scheduling fields per unit (``stage/unit``), for run.json's extra."""
    return {f"{stage}/{unit}": record.model_dump(mode="json")
            for (stage, unit), record in sorted(trace.items())}


def published_qc_failures(outdir: Path, case: CaseInputs, pipeline: Pipeline) -> list[str]:
    """QC failures from the published gate outputs, in the local engine's order and wording."""
    from bp2.engine.execute import load_outputs

    failures: list[str] = []
    for entry in pipeline.stages:
        stage = entry.stage
        if not is_gate(stage):
            continue
        for unit in units_of(stage, case.sample_ids):
            final = outdir / stage.ID / unit if stage.SCOPE is Scope.SAMPLE else outdir / stage.ID
            if not (final / PROVENANCE_FILE).is_file():
                continue
            for reason in stage.gate_failures(load_outputs(stage, final)):
                label = stage.ID if unit == CASE_UNIT else f"{stage.ID} [{unit}]"
                failures.append(f"{label}: {reason}")
    return failures


_EXIT_ERRORS: dict[int, type[Bp2Error]] = {
    int(ExitCode.CHECK_FAILED): CheckFailed,
    int(ExitCode.BAD_INPUT): InputError,
    int(ExitCode.ENVIRONMENT): EnvironmentProblem,
}


def task_failure(trace: dict[tuple[str, str], TraceRecord], state: Path, returncode: int
                 ) -> Bp2Error:
    """The error of a failed Nextflow run, with the failing task's bp2 exit code."""
    failed = [r for r in trace.values() if r.status in ("FAILED", "ABORTED") and r.exit]
    if not failed:
        return EnvironmentProblem(
            f"nextflow exited with status {returncode} before any task failed",
            path=state / "nextflow.log",
            hint="read the Nextflow log shown; fix the configuration, then rerun with --resume",
        )
    first = failed[0]
    where = f"{first.stage} [{first.tag}]"
    error = _EXIT_ERRORS.get(first.exit or 0, EnvironmentProblem)
    return error(
        f"the Nextflow task {where} failed with exit status {first.exit}",
        path=Path(first.workdir or state) / ".command.err",
        hint="its .command.err and .command.log say why; fix it, then rerun with --resume",
    )


def run_case_nextflow(case: CaseInputs, pipeline: Pipeline, outdir: Path, options: RunOptions,
                      nf: NextflowOptions, *, on_line: Callable[[str], None] | None = None
                      ) -> RunRecord:
    """Run the case under Nextflow in ``outdir`` (prepared by ``prepare_outdir``)."""
    check_options(nf)
    runtime = find_runtime(nf.env)
    state = outdir / STATE_DIR / NEXTFLOW_DIR
    state.mkdir(parents=True, exist_ok=True)
    digest = _Digests()
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    previous = outdir / RUN_FILE
    if previous.is_file():
        runs = outdir / STATE_DIR / "runs"
        runs.mkdir(parents=True, exist_ok=True)
        previous.replace(runs / f"run-{len(list(runs.iterdir())) + 1:03d}.json")
    command: list[str] = []
    status, error = "failed", None
    trace: dict[tuple[str, str], TraceRecord] = {}
    outcome = _Outcome()
    failures: list[str] = []
    with run_logging(outdir) as log:
        log.info("bp2 %s: %s %s on Nextflow (profile %s), mode %s", __version__, pipeline.name,
                 pipeline.version, nf.profile, options.mode)
        try:
            if case.resource_set is not None:
                verify_resources(case.resource_set)
            run_context = write_run_context(outdir / STATE_DIR, case, pipeline, digest)
            case_json, plan = write_plan(state, case, pipeline, run_context,
                                         options.accept_qc_failure)
            for name, text in render_texts(pipeline).items():
                (state / name).write_text(text, encoding="utf-8")
            write_json_atomic(state / PARAMS_FILE, {
                "outdir": str(outdir.resolve()), "plan": str(plan.resolve()),
                "case_json": str(case_json.resolve()),
                "definition": str(pipeline.path.resolve()), "seed": pipeline.seed,
            })
            command = nextflow_command(runtime, state, nf,
                                       resume=options.mode is RunMode.RESUME)
            log.info("launching: %s", " ".join(command))
            printer = on_line or (lambda line: print(line, file=sys.stderr, flush=True))

            def echo(line: str) -> None:
                log.info("nextflow: %s", line)
                if options.progress:
                    printer(line)

            returncode = stream(command, cwd=state, env=launch_env(runtime, nf.env),
                                on_line=echo)
            trace_path = state / TRACE_FILE
            trace = final_attempts(read_trace(trace_path)) if trace_path.is_file() else {}
            outcome = collect_units(outdir, case, pipeline, trace)
            failures = published_qc_failures(outdir, case, pipeline)
            gated_missing = any(pipeline.get(s).stage.GATED for s, _ in outcome.missing)
            if returncode != 0 or outcome.missing:
                if failures and options.accept_qc_failure is None and gated_missing:
                    write_qc_failure_report(outdir, failures)
                    status = "qc_failed"
                    raise CheckFailed(
                        "QC failed, so the gated stages were not run: " + "; ".join(failures),
                        path=outdir / "qc_failure_report.html",
                        hint="review the sample-failure report; to proceed anyway, rerun with "
                        "--resume --accept-qc-failure 'REASON' (the reason is recorded and "
                        "reported)")
                raise task_failure(trace, state, returncode)
        except Bp2Error as exc:
            error = str(exc)
            log.error("run failed: %s", error)
            raise
        except BaseException as exc:
            error = f"{type(exc).__name__}: {exc}"
            log.exception("run failed")
            raise
        finally:
            record = write_run_record(
                outdir, pipeline=pipeline, options=options, case=case, digest=digest,
                started=started, t0=t0, status=status if error else "completed", error=error,
                units=outcome.units, qc_failures=failures,
                extra={**options.extra, "engine": "nextflow", "nextflow": {
                    "profile": nf.profile, "command": command,
                    "work_dir": nf.work_dir or str(state / "work"),
                    "configs": [str(c) for c in nf.configs],
                    "scheduling": scheduling(trace),
                }})
            log.info("run %s in %.1f s", record.status, record.duration_s)
    return record
