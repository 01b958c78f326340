"""The local engine: run a whole case on one machine.

Run-directory layout (documented in the README)::

    OUTDIR/
      run.json                  the run record (written when the run ends, completed or failed)
      bp2.log                   log of every run in this directory (appended)
      <stage>/                  outputs of a case-level stage, with outputs.json + provenance.json
      <stage>/<sample>/         outputs of a per-sample stage, likewise
      .bp2/cache/<key>.json     cache index: one entry per finished unit, keyed by
                                (stage, version, params, tool versions, input sha256)
      .bp2/work/                units in progress (temporary; renamed into place when complete)
      .bp2/resources/           indexes bp2 had to make for a bare --reference
      .bp2/runs/                run.json of earlier runs in this directory

Each unit (a stage for one sample, or for the case) runs in a private work directory and is
renamed to its final directory only when every output is complete, so an interrupted run never
leaves a final-named file that is incomplete.  ``--resume`` reuses every unit whose cache key
matches and whose outputs still have their recorded sha256; everything else runs again.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import platform
import secrets
import shutil
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bp2 import __version__
from bp2.case import CaseInputs
from bp2.engine.execute import (
    PROVENANCE_FILE,
    FileDigest,
    cache_key,
    execute_unit,
    hash_input_files,
    load_outputs,
)
from bp2.engine.run_context import write_run_context
from bp2.errors import Bp2Error, CheckFailed, InputError
from bp2.fileio import sha256_file, write_json_atomic, write_text_atomic
from bp2.pipeline import Pipeline, PipelineStage
from bp2.resources import verify_resources
from bp2.stages.base import CASE_UNIT, AnyStage, BindContext, Scope, StageOutputs
from bp2.tools import tool_versions

IMPLEMENTS = ("SRS-005", "SRS-006", "SRS-007", "SRS-016", "SRS-019", "SRS-021")

STATE_DIR = ".bp2"
QC_FAILURE_REPORT = "qc_failure_report.html"
RUN_FILE = "run.json"
LOG_FILE = "bp2.log"

log = logging.getLogger("bp2")


class RunMode(StrEnum):
    NEW = "new"
    RESUME = "resume"
    FORCE = "force"


class UnitRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    stage: str
    version: str
    unit: str
    dir: str
    cache_key: str
    status: str  # "executed" | "cached"
    duration_s: float
    outputs: dict[str, FileDigest]


class RunRecord(BaseModel):
    """run.json: everything needed to know what produced this run's outputs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    bp2_version: str
    status: str  # "completed" | "failed"
    error: str | None
    pipeline: dict[str, Any]
    mode: str
    previous_run_moved_to: str | None
    started: str
    finished: str
    duration_s: float
    host: str
    operator: str
    python: str
    argv: tuple[str, ...]
    threads: int
    case: dict[str, Any]
    resources: dict[str, Any]
    stage_versions: dict[str, str]
    params: dict[str, Any]
    tools: dict[str, str]
    units: tuple[UnitRecord, ...]
    qc: dict[str, Any]
    extra: dict[str, Any]


@dataclass
class RunOptions:
    threads: int = 1
    mode: RunMode = RunMode.NEW
    progress: bool = True
    extra: dict[str, Any] = field(default_factory=dict)
    previous_run_moved_to: str | None = None
    accept_qc_failure: str | None = None  # the operator's reason to proceed past failed QC


def is_empty_dir(path: Path) -> bool:
    return not path.exists() or (path.is_dir() and not any(path.iterdir()))


def prepare_outdir(outdir: Path, mode: RunMode) -> str | None:
    """Make ``outdir`` ready for a run; returns where ``--force`` moved an earlier run, if any.

    A non-empty outdir is refused unless resuming or forcing; ``--force`` never deletes: it moves
    the old directory to ``<outdir>.superseded-<UTC time>`` and the run records that it did.
    """
    if outdir.exists() and not outdir.is_dir():
        raise InputError(
            "output path exists and is not a directory", path=outdir, hint="choose another --outdir"
        )
    moved: str | None = None
    if not is_empty_dir(outdir):
        if mode is RunMode.NEW:
            raise InputError.outdir_not_empty(outdir)
        if mode is RunMode.FORCE:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            target = outdir.with_name(f"{outdir.name}.superseded-{stamp}")
            suffix = 1
            while target.exists():
                target = outdir.with_name(f"{outdir.name}.superseded-{stamp}-{suffix}")
                suffix += 1
            outdir.rename(target)
            moved = str(target)
    (outdir / STATE_DIR / "cache").mkdir(parents=True, exist_ok=True)
    (outdir / STATE_DIR / "work").mkdir(parents=True, exist_ok=True)
    return moved


def write_run_record(
    outdir: Path, *, pipeline: Pipeline, options: RunOptions, case: CaseInputs,
    digest: Callable[[Path], str], started: datetime, t0: float, status: str,
    error: str | None, units: Iterable[UnitRecord], qc_failures: list[str],
    extra: dict[str, Any],
) -> RunRecord:
    """Write ``run.json``: one record for every engine (local, Nextflow), so runs compare."""
    tools: dict[str, str] = {}
    for entry in pipeline.stages:
        tools.update(tool_versions(entry.stage.TOOLS))
    record = RunRecord(
        bp2_version=__version__,
        status=status,
        error=error,
        pipeline={
            "name": pipeline.name,
            "version": pipeline.version,
            "path": str(pipeline.path),
            "sha256": sha256_file(pipeline.path),
            "seed": pipeline.seed,
        },
        mode=str(options.mode),
        previous_run_moved_to=options.previous_run_moved_to,
        started=started.isoformat(timespec="seconds"),
        finished=datetime.now(UTC).isoformat(timespec="seconds"),
        duration_s=round(time.perf_counter() - t0, 3),
        host=socket.gethostname(),
        operator=os.environ.get("BP2_OPERATOR") or _user(),
        python=platform.python_version(),
        argv=tuple(sys.argv),
        threads=options.threads,
        case=_case_record(case, digest),
        resources={} if case.resource_set is None else case.resource_set.lock(),
        stage_versions=pipeline.stage_versions(),
        params={e.id: e.params.model_dump(mode="json") for e in pipeline.stages},
        tools=tools,
        units=tuple(sorted(units, key=lambda u: (u.stage, u.unit))),
        qc={
            "failures": qc_failures,
            "accepted_reason": options.accept_qc_failure if qc_failures else None,
        },
        extra=extra,
    )
    write_json_atomic(outdir / RUN_FILE, record.model_dump(mode="json"))
    return record


@contextmanager
def run_logging(outdir: Path) -> Iterator[logging.Logger]:
    handler = logging.FileHandler(outdir / LOG_FILE, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    previous = log.level
    log.setLevel(logging.INFO)
    try:
        yield log
    finally:
        log.removeHandler(handler)
        log.setLevel(previous)
        handler.close()


class _Digests:
    """sha256 memo keyed by (path, size, mtime): large inputs are hashed once per run."""

    def __init__(self) -> None:
        self._memo: dict[tuple[str, int, int], str] = {}
        self._lock = threading.Lock()

    def __call__(self, path: Path) -> str:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
        with self._lock:
            cached = self._memo.get(key)
        if cached is None:
            cached = sha256_file(path)
            with self._lock:
                self._memo[key] = cached
        return cached


class LocalEngine:
    """Runs the stages of a pipeline for one case in ``outdir``."""

    def __init__(self, pipeline: Pipeline, outdir: Path, options: RunOptions) -> None:
        self.pipeline = pipeline
        self.outdir = outdir
        self.options = options
        self.state = outdir / STATE_DIR
        self.digest = _Digests()
        self.units: list[UnitRecord] = []
        self.qc_failures: list[str] = []
        self.run_context: Path | None = None  # run_context.json, an input of the report
        self._lock = threading.Lock()

    # -- one unit -------------------------------------------------------------------------
    def unit_dir(self, stage: AnyStage, unit: str) -> Path:
        if stage.SCOPE is Scope.CASE:
            return self.outdir / stage.ID
        return self.outdir / stage.ID / unit

    def _cached(self, stage: AnyStage, final: Path, key: str) -> StageOutputs | None:
        entry_path = self.state / "cache" / f"{key}.json"
        provenance_path = final / PROVENANCE_FILE
        if not entry_path.is_file() or not provenance_path.is_file():
            return None
        try:
            entry = json.loads(entry_path.read_text())
            provenance = json.loads(provenance_path.read_text())
        except (OSError, json.JSONDecodeError):
            return None
        if provenance.get("cache_key") != key or entry.get("dir") != str(
            final.relative_to(self.outdir)
        ):
            return None
        for digest in entry["outputs"].values():
            path = final / digest["path"]
            if not path.is_file() or self.digest(path) != digest["sha256"]:
                return None
        return load_outputs(stage, final)

    def run_unit(
        self, entry: PipelineStage, bind: BindContext, unit: str, threads: int
    ) -> StageOutputs:
        stage: AnyStage = entry.stage
        inputs = stage.bind(bind, unit)
        input_files = hash_input_files(inputs, self.digest)
        tools = tool_versions(stage.TOOLS)
        key = cache_key(stage, entry.params, tools, inputs, input_files)
        final = self.unit_dir(stage, unit)
        rel = str(final.relative_to(self.outdir))
        t0 = time.perf_counter()
        if self.options.mode is not RunMode.NEW:
            cached = self._cached(stage, final, key)
            if cached is not None:
                log.info("%s [%s]: cached result reused (%s)", stage.ID, unit, key[:12])
                self._record(stage, unit, rel, key, "cached", t0, final)
                return cached
        work = self.state / "work" / f"{stage.ID}--{unit}--{secrets.token_hex(4)}"
        try:
            execute_unit(
                stage,
                inputs,
                entry.params,
                work,
                unit=unit,
                threads=threads,
                seed=self.pipeline.seed,
                logger=log.getChild(stage.ID),
                input_files=input_files,
                key=key,
            )
            if final.exists():
                log.info("%s [%s]: replacing out-of-date result in %s", stage.ID, unit, rel)
                shutil.rmtree(final)
            final.parent.mkdir(parents=True, exist_ok=True)
            work.rename(final)
        finally:
            if work.exists():
                shutil.rmtree(work, ignore_errors=True)
        record = self._record(stage, unit, rel, key, "executed", t0, final)
        write_json_atomic(
            self.state / "cache" / f"{key}.json",
            {
                "stage": stage.ID,
                "version": stage.VERSION,
                "unit": unit,
                "dir": rel,
                "outputs": {k: v.model_dump() for k, v in record.outputs.items()},
            },
        )
        return load_outputs(stage, final)

    def _record(
        self, stage: AnyStage, unit: str, rel: str, key: str, status: str, t0: float, final: Path
    ) -> UnitRecord:
        provenance = json.loads((final / PROVENANCE_FILE).read_text())
        record = UnitRecord(
            stage=stage.ID,
            version=stage.VERSION,
            unit=unit,
            dir=rel,
            cache_key=key,
            status=status,
            duration_s=round(time.perf_counter() - t0, 3),
            outputs={k: FileDigest.model_validate(v) for k, v in provenance["outputs"].items()},
        )
        with self._lock:
            self.units.append(record)
        return record

    # -- the case -------------------------------------------------------------------------
    def run(
        self, case: CaseInputs, on_unit_done: Callable[[str], None] | None = None
    ) -> dict[tuple[str, str], StageOutputs]:
        upstream: dict[tuple[str, str], StageOutputs] = {}
        for entry in self.pipeline.stages:
            stage: AnyStage = entry.stage
            if stage.GATED and self.qc_failures and self.options.accept_qc_failure is None:
                write_qc_failure_report(self.outdir, self.qc_failures)
                raise CheckFailed(
                    f"QC failed, so '{stage.ID}' and later stages were not run: "
                    + "; ".join(self.qc_failures),
                    path=self.outdir / QC_FAILURE_REPORT,
                    hint="review the sample-failure report; to proceed anyway, rerun with "
                    "--resume --accept-qc-failure 'REASON' (the reason is recorded and reported)",
                )
            units = list(case.sample_ids) if stage.SCOPE is Scope.SAMPLE else [CASE_UNIT]
            bind = BindContext(
                case=case,
                upstream=dict(upstream),
                qc_failures=tuple(self.qc_failures),
                qc_accepted_reason=self.options.accept_qc_failure if self.qc_failures else None,
                run_context=self.run_context,
            )
            workers = max(1, min(self.options.threads, len(units)))
            per_unit = max(1, self.options.threads // workers)
            if workers == 1:
                for unit in units:
                    upstream[(stage.ID, unit)] = self.run_unit(entry, bind, unit, per_unit)
                    if on_unit_done:
                        on_unit_done(stage.ID)
                self._collect_gate(stage, units, upstream)
                continue
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=stage.ID) as pool:
                futures: dict[Future[StageOutputs], str] = {
                    pool.submit(self.run_unit, entry, bind, unit, per_unit): unit for unit in units
                }
                done, pending = wait(futures, return_when=FIRST_EXCEPTION)
                for future in pending:
                    future.cancel()
                wait(pending)
                for future in futures:
                    if future.done() and not future.cancelled() and future.exception() is None:
                        upstream[(stage.ID, futures[future])] = future.result()
                        if on_unit_done:
                            on_unit_done(stage.ID)
                for future in done:
                    exc = future.exception()
                    if exc is not None:
                        raise exc
            self._collect_gate(stage, units, upstream)
        return upstream

    def _collect_gate(self, stage: AnyStage, units: list[str],
                      upstream: dict[tuple[str, str], StageOutputs]) -> None:
        for unit in units:
            for reason in stage.gate_failures(upstream[(stage.ID, unit)]):
                label = stage.ID if unit == CASE_UNIT else f"{stage.ID} [{unit}]"
                message = f"{label}: {reason}"
                log.warning("QC failure: %s", message)
                self.qc_failures.append(message)


def _case_record(case: CaseInputs, digest: Callable[[Path], str]) -> dict[str, Any]:
    def ref(path: Path) -> dict[str, str]:
        return {"path": str(path), "sha256": digest(path)}

    if case.reads is None:  # a VCF-only case (bp2 interpret)
        return {
            "vcf": None if case.vcf is None else ref(case.vcf.path),
            "pedigree": ref(case.pedigree.path),
            "panels": [ref(p) for p in case.panels],
        }
    return {
        "samplesheet": ref(case.reads.path),
        "pedigree": ref(case.pedigree.path),
        "panels": [ref(p) for p in case.panels],
        "samples": {
            row.sample: {"sex": str(row.sex), "files": [ref(p) for p in row.files]}
            for row in case.reads.rows
        },
    }


def run_case(case: CaseInputs, pipeline: Pipeline, outdir: Path, options: RunOptions) -> RunRecord:
    """Run ``pipeline`` on ``case`` in ``outdir`` (prepared by :func:`prepare_outdir`)."""
    engine = LocalEngine(pipeline, outdir, options)
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    error: str | None = None
    status = "failed"
    previous = outdir / RUN_FILE
    if previous.is_file():
        runs = outdir / STATE_DIR / "runs"
        runs.mkdir(parents=True, exist_ok=True)
        previous.replace(runs / f"run-{len(list(runs.iterdir())) + 1:03d}.json")
    with run_logging(outdir):
        log.info(
            "bp2 %s: %s %s, mode %s, %d thread(s)",
            __version__,
            pipeline.name,
            pipeline.version,
            options.mode,
            options.threads,
        )
        try:
            if case.resource_set is not None:
                verify_resources(case.resource_set)
            engine.run_context = write_run_context(engine.state, case, pipeline, engine.digest)
            total = {
                e.id: (len(case.sample_ids) if e.stage.SCOPE is Scope.SAMPLE else 1)
                for e in pipeline.stages
            }
            with _progress(options.progress, total) as advance:
                engine.run(case, on_unit_done=advance)
        except CheckFailed as exc:
            error = str(exc)
            status = "qc_failed" if engine.qc_failures else "failed"
            log.error("run stopped: %s", error)
            raise
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
                outdir, pipeline=pipeline, options=options, case=case, digest=engine.digest,
                started=started, t0=t0, status=status if error else "completed", error=error,
                units=engine.units, qc_failures=list(engine.qc_failures), extra=options.extra)
            log.info("run %s in %.1f s", record.status, record.duration_s)
    return record


@contextmanager
def _progress(enabled: bool, totals: dict[str, int]) -> Iterator[Callable[[str], None]]:
    if not enabled:
        yield lambda _stage: None
        return
    progress = Progress(
        TextColumn("{task.description:<14}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=False,
    )
    tasks = {stage: progress.add_task(stage, total=n) for stage, n in totals.items()}
    lock = threading.Lock()

    def advance(stage: str) -> None:
        with lock:
            progress.advance(tasks[stage])

    with progress:
        yield advance


_QC_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sample failure report</title>
<style>body{font-family:sans-serif;margin:2em}li{margin:.4em 0}</style></head>
<body><h1>Sample failure report: analysis stopped</h1>
<p>Quality control failed for this case, so tiering and reporting were not run.
No clinical report has been issued.</p>
<h2>Failures</h2><ul>{% for f in failures %}<li>{{ f }}</li>{% endfor %}</ul>
<h2>What to do</h2>
<p>Review each failure (contamination, coverage, sex or relatedness discordance may mean a
sample swap or a failed library). To proceed anyway, rerun with
<code>--resume --accept-qc-failure "REASON"</code>; the reason is recorded in run.json and shown
on the report.</p></body></html>
"""


def write_qc_failure_report(outdir: Path, failures: list[str]) -> None:
    """The sample-failure report written when QC stops a case (HTML, autoescaped, + JSON)."""
    from jinja2 import Environment, StrictUndefined

    env = Environment(autoescape=True, undefined=StrictUndefined)
    html = env.from_string(_QC_TEMPLATE).render(failures=failures)
    write_text_atomic(outdir / QC_FAILURE_REPORT, html)
    write_json_atomic(outdir / "qc_failure_report.json", {"failures": failures})


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
