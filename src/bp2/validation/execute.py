"""Execute one validation protocol and build its :class:`ValidationRecord`.

The pipeline runs through :mod:`bp2.engine.api` — the code path of ``bp2 run`` and ``bp2 demo``
— in fresh output directories under a temporary work directory; the benchmark is
:func:`bp2.benchmark.api.run_benchmark`; the comparator is the bare chain
(:mod:`bp2.validation.bare_chain`) on the same reads.  What is kept under ``DIR/<VAL-ID>/``:
``result.json``, the benchmark outputs of bp2 and of the bare chain, bp2's calls and run
record, the derived inputs (samplesheet, PED, pipeline definition) and the plots.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from bp2 import __version__
from bp2.errors import InputError
from bp2.fileio import sha256_file, write_json_atomic, write_text_atomic
from bp2.validation import bare_chain
from bp2.validation.criteria import Counts, Figures, counts_figures, evaluate_all
from bp2.validation.protocol import (
    DEMO_CASE_VAR,
    TEST_DATA_VAR,
    AccuracyExecution,
    DemoExecution,
    NotExecutable,
    Protocol,
    ResolvedDataset,
    TieringTrioExecution,
    default_test_data,
    resolve_datasets,
)
from bp2.validation.record import (
    ComparatorResult,
    CriterionResult,
    InputRecord,
    Status,
    ValidationRecord,
)

IMPLEMENTS = ("SRS-333", "SRS-335", "SRS-337")

STRATA = ("SNP", "INDEL", "ALL")
WINDOW_PAD = 100  # truth records this far outside the window are kept so matches may cross it


@dataclass
class Context:
    """Where one protocol's execution reads and writes."""

    protocol: Protocol
    root: Path
    outdir: Path  # DIR/<VAL-ID>
    work: Path
    test_data: Path
    threads: int | None = None
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    t0: float = field(default_factory=time.perf_counter)
    inputs: list[InputRecord] = field(default_factory=list)
    stage_versions: dict[str, str] = field(default_factory=dict)
    pipeline_version: str = ""
    plots: list[str] = field(default_factory=list)

    @property
    def variables(self) -> dict[str, Path]:
        return {TEST_DATA_VAR: self.test_data, DEMO_CASE_VAR: self.work / "demo" / "demo_case"}

    def add_inputs(self, datasets: dict[str, ResolvedDataset]) -> None:
        known = {i.path for i in self.inputs}
        for d in datasets.values():
            if str(d.path) not in known:
                self.inputs.append(InputRecord(name=d.name, path=str(d.path), sha256=d.sha256))

    def add_file(self, name: str, path: Path) -> None:
        self.inputs.append(InputRecord(name=name, path=str(path), sha256=sha256_file(path)))


def execute(protocol: Protocol, root: Path, outdir: Path, *, test_data: Path | None = None,
            threads: int | None = None, keep_work: bool = False) -> ValidationRecord:
    """Run ``protocol`` and return its record (the caller writes it)."""
    target = outdir / protocol.id
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    work = Path(tempfile.mkdtemp(prefix=f"{protocol.id}-", dir=outdir))
    ctx = Context(protocol, root, target, work, test_data or default_test_data(root), threads)
    try:
        execution = protocol.execution
        if execution is None or isinstance(execution, NotExecutable):
            reason = ("the protocol has no execution block" if execution is None
                      else execution.reason)
            return _finish(ctx, "not-executed", reason, [], Figures.empty(), [])
        if isinstance(execution, AccuracyExecution):
            figures, comparators = run_accuracy(ctx, execution)
        elif isinstance(execution, DemoExecution):
            from bp2.validation.demo import run_demo

            figures, comparators = run_demo(ctx, execution)
        elif isinstance(execution, TieringTrioExecution):
            from bp2.validation.tiering import run_tiering_trio

            figures, comparators = run_tiering_trio(ctx, execution)
        else:
            from bp2.validation.demo import run_kill_resume

            figures, comparators = run_kill_resume(ctx, execution)
        results = evaluate_all(protocol.item.acceptance_criteria, figures)
        status: Status = "passed" if all(r.passed for r in results) else "failed"
        return _finish(ctx, status, None, results, figures, comparators)
    finally:
        if keep_work:
            work.rename(target / "work")
        else:
            shutil.rmtree(work, ignore_errors=True)


def _finish(ctx: Context, status: Status, reason: str | None, results: list[CriterionResult],
            figures: Figures, comparators: list[ComparatorResult]) -> ValidationRecord:
    item = ctx.protocol.item
    if status == "failed":
        failed = [r.metric for r in results if not r.passed]
        reason = "criteria not met: " + "; ".join(failed)
    return ValidationRecord(
        protocol_id=ctx.protocol.id, title=item.title,
        validates=[link.id for link in item.validates], status=status,
        reason=reason, criteria=results, comparator_results=comparators,
        pipeline_version=ctx.pipeline_version or "not run", bp2_version=__version__,
        protocol_sha256=ctx.protocol.sha256,
        stage_versions=ctx.stage_versions, inputs=ctx.inputs,
        started=ctx.started.isoformat(timespec="seconds"),
        finished=datetime.now(UTC).isoformat(timespec="seconds"),
        duration_s=round(time.perf_counter() - ctx.t0, 3), plots=ctx.plots,
        figures=dict(sorted(figures.values.items())),
    )


# --- the case ----------------------------------------------------------------------------------


def derived_pipeline(ctx: Context, through: str | None, dest: Path) -> Path:
    """The packaged pipeline definition, kept up to ``through`` (pins and params unchanged)."""
    from bp2.pipeline import packaged_definition

    source = packaged_definition()
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    if through is not None:
        ids = [s["id"] for s in data["stages"]]
        if through not in ids:
            raise InputError.invalid_field(ctx.protocol.path, "execution.pipeline.through",
                                           f"the packaged pipeline has no stage '{through}' "
                                           f"(stages: {', '.join(ids)})")
        data["stages"] = data["stages"][: ids.index(through) + 1]
    header = (f"# Derived by 'bp2 validate {ctx.protocol.id}' from the packaged definition "
              f"(sha256 {sha256_file(source)})\n# stages kept through "
              f"'{through or 'the last'}' with their pinned versions and parameters unchanged.\n")
    write_text_atomic(dest, header + yaml.safe_dump(data, sort_keys=False))
    return dest


def write_case(ex: AccuracyExecution, data: dict[str, ResolvedDataset], folder: Path,
               reads: dict[str, tuple[str, str]] | None = None) -> tuple[Path, Path]:
    """samplesheet.csv and case.ped for the execution (``reads`` replaces samples' FASTQ keys)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["sample,sex,fastq_1,fastq_2"]
    ped: list[str] = []
    family = "F" + ex.evaluate_sample
    given = {} if ex.pedigree is None else _ped_rows(data[ex.pedigree].path)
    for s in ex.samples:
        k1, k2 = (reads or {}).get(s.id, (s.fastq_1, s.fastq_2))
        lines.append(f"{s.id},{s.sex},{data[k1].path},{data[k2].path}")
        sex = {"male": "1", "female": "2"}.get(s.sex, "0")
        row = [family, s.id, s.father or "0", s.mother or "0", sex, "2" if s.affected else "1"]
        if given:
            if s.id not in given:
                raise InputError(f"sample '{s.id}' is not in the protocol's PED",
                                 path=data[ex.pedigree].path,  # type: ignore[index]
                                 hint="name the samples as the PED does")
            row = [*given[s.id][:5], "2" if s.affected else given[s.id][5]]
        ped.append("\t".join(row))
    sheet, pedigree = folder / "samplesheet.csv", folder / "case.ped"
    write_text_atomic(sheet, "\n".join(lines) + "\n")
    write_text_atomic(pedigree, "\n".join(ped) + "\n")
    return sheet, pedigree


def _ped_rows(path: Path) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        fields = raw.split()
        if not fields or raw.startswith("#"):
            continue
        if len(fields) < 6:
            raise InputError(f"PED line has {len(fields)} columns, not 6", path=path,
                             hint="give family, individual, father, mother, sex, phenotype")
        rows[fields[1]] = fields[:6]
    return rows


@dataclass
class PipelineRun:
    outdir: Path
    vcf: Path
    record: dict[str, Any]
    seconds: float


def run_pipeline(ctx: Context, sheet: Path, ped: Path, reference: Path, pipeline: Path,
                 outdir: Path, threads: int) -> PipelineRun:
    from bp2.engine import api

    t0 = time.perf_counter()
    run = api.run(sheet, ped, outdir, reference=reference, threads=threads,
                  pipeline_path=pipeline, progress=False)
    seconds = round(time.perf_counter() - t0, 3)
    record = run.model_dump(mode="json")
    ctx.stage_versions = dict(record["stage_versions"])
    ctx.pipeline_version = f"{record['pipeline']['name']} {record['pipeline']['version']}"
    call = next(u for u in record["units"] if u["stage"] == "call")
    return PipelineRun(outdir, outdir / call["dir"] / call["outputs"]["vcf"]["path"], record,
                       seconds)


# --- benchmarking ------------------------------------------------------------------------------


def window_bed(confident: Path, window: tuple[str, int, int] | None, dest: Path) -> Path:
    """The confident BED, intersected with the window when one is given."""
    if window is None:
        return confident
    contig, w_start, w_end = window
    out: list[str] = []
    for raw in confident.read_text(encoding="utf-8").splitlines():
        fields = raw.split("\t")
        if not raw.strip() or raw.startswith(("#", "track", "browser")) or len(fields) < 3:
            continue
        if fields[0] != contig:
            continue
        start, end = max(int(fields[1]), w_start), min(int(fields[2]), w_end)
        if start < end:
            out.append(f"{contig}\t{start}\t{end}")
    if not out:
        raise InputError(f"the confident BED has no interval inside the window "
                         f"{contig}:{w_start + 1}-{w_end}", path=confident,
                         hint="check the protocol's execution.window against the BED")
    write_text_atomic(dest, "\n".join(out) + "\n")
    return dest


def truth_subset(truth: Path, window: tuple[str, int, int] | None, dest: Path) -> Path:
    """The truth records of the window (± WINDOW_PAD), so a chromosome-wide truth reads fast."""
    if window is None:
        return truth
    contig, start, end = window
    region = f"{contig}:{max(1, start + 1 - WINDOW_PAD)}-{end + WINDOW_PAD}"
    bare_chain.require_tools()
    done = subprocess.run(["bcftools", "view", "-r", region, "-Oz", "-o", str(dest), str(truth)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise InputError(f"cannot read the truth VCF's window {region}: "
                         f"{done.stderr.strip()[:300]}", path=truth,
                         hint="give a bgzipped truth VCF with its .tbi index")
    subprocess.run(["bcftools", "index", "-t", str(dest)], check=True, capture_output=True)
    return dest


def benchmark(query: Path, truth: Path, bed: Path, reference: Path, sample: str,
              truth_sample: str | None, outdir: Path) -> tuple[dict[str, Counts], float]:
    """Run the benchmark (PASS rows) and return its counts per stratum and its run time."""
    from bp2.benchmark.api import BenchmarkRequest, run_benchmark

    t0 = time.perf_counter()
    summary = run_benchmark(BenchmarkRequest(
        truth=truth, query=query, confident=bed, reference=reference,
        reference_index=Path(f"{reference}.fai"),
        reference_gzi=Path(f"{reference}.gzi") if Path(f"{reference}.gzi").is_file() else None,
        truth_sample=truth_sample, query_sample=sample), outdir)
    counts: dict[str, Counts] = {}
    for type_ in ("SNP", "INDEL"):
        row = summary.row(type_, "PASS")
        counts[type_] = Counts(row.truth_tp, row.truth_fn, row.query_tp, row.query_fp)
    counts["ALL"] = counts["SNP"] + counts["INDEL"]
    return counts, round(time.perf_counter() - t0, 3)


def vcf_body(path: Path) -> list[str]:
    """The data lines of a VCF (headers carry commands and dates, so they are left out)."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [line for line in handle if not line.startswith("#")]


def differing_lines(a: list[str], b: list[str]) -> int:
    from collections import Counter

    ca, cb = Counter(a), Counter(b)
    return sum(((ca - cb) + (cb - ca)).values())


# --- germline accuracy -------------------------------------------------------------------------


def run_accuracy(ctx: Context, ex: AccuracyExecution) -> tuple[Figures, list[ComparatorResult]]:
    data = resolve_datasets(ctx.protocol, ctx.variables)
    ctx.add_inputs(data)
    threads = ctx.threads or ex.threads
    ref = data[ex.reference].path
    window = ex.window_interval()
    inputs = ctx.outdir / "inputs"
    sheet, ped = write_case(ex, data, inputs)
    pipeline = derived_pipeline(ctx, ex.pipeline.through, inputs / "pipeline.yaml")
    ctx.add_file("derived pipeline definition", pipeline)
    bed = window_bed(data[ex.confident].path, window, inputs / "evaluated.bed")
    truth = truth_subset(data[ex.truth].path, window, ctx.work / "truth.window.vcf.gz")

    figures = Figures.empty()
    first = run_pipeline(ctx, sheet, ped, ref, pipeline, ctx.work / "run-1", threads)
    _keep_run(first, ctx.outdir / "bp2")
    counts, bench_s = benchmark(first.vcf, truth, bed, ref, ex.evaluate_sample, ex.truth_sample,
                                ctx.outdir / "benchmark-bp2")
    figures.update(counts_figures("bp2", counts))
    figures.set("runtime.bp2_run_s", first.seconds)
    figures.set("runtime.benchmark_s", bench_s)
    figures.set("qc.failures", len(first.record["qc"]["failures"]))
    figures.set("run.completed", int(first.record["status"] == "completed"))

    comparators: list[ComparatorResult] = []
    bare_counts: dict[str, Counts] | None = None
    if ex.comparator == "bare-chain":
        reads = {s.id: (data[s.fastq_1].path, data[s.fastq_2].path) for s in ex.samples}
        bare = bare_chain.run(reads, ref, ctx.work / "bare", threads)
        bare_counts, _ = benchmark(bare.vcf, truth, bed, ref, ex.evaluate_sample,
                                   ex.truth_sample, ctx.outdir / "benchmark-bare")
        bare_fig = counts_figures("bare", bare_counts)
        bare_fig.set("runtime.bare_align_s", bare.align_s)
        bare_fig.set("runtime.bare_call_s", bare.call_s)
        figures.update(bare_fig)
        for stratum in STRATA:
            figures.set(f"errors.{stratum}.bp2_minus_bare",
                        counts[stratum].errors - bare_counts[stratum].errors)
        comparators.append(ComparatorResult(
            name="bare-chain", description="; ".join(bare.commands),
            figures=dict(sorted(bare_fig.values.items())), versions=bare.versions))

    if ex.repeat:
        second = run_pipeline(ctx, sheet, ped, ref, pipeline, ctx.work / "run-2", threads)
        again, _ = benchmark(second.vcf, truth, bed, ref, ex.evaluate_sample, ex.truth_sample,
                             ctx.work / "benchmark-bp2-repeat")
        figures.set("repeat.differing_vcf_records",
                    differing_lines(vcf_body(first.vcf), vcf_body(second.vcf)))
        repeated = counts_figures("bp2", again).values
        figures.set("repeat.differing_figures",
                    sum(1 for k, v in counts_figures("bp2", counts).values.items()
                        if repeated.get(k) != v))
        figures.set("runtime.bp2_repeat_s", second.seconds)

    if ex.scenarios:
        passing = 0
        for scenario in ex.scenarios:
            folder = ctx.work / f"scenario-{scenario.name}"
            s_sheet, s_ped = write_case(ex, data, folder, scenario.reads)
            run = run_pipeline(ctx, s_sheet, s_ped, ref, pipeline, folder / "run", threads)
            family = _family_qc(run)
            ok = bool(family.get("overall", {}).get("passed"))
            passing += ok
            figures.set(f"identity.{scenario.name}.family_qc_passed", int(ok))
            # failed = the data contradict the PED (discordance), not merely too few sites
            figures.set(f"identity.{scenario.name}.family_qc_failed",
                        int(family.get("overall", {}).get("status") == "fail"))
            write_json_atomic(ctx.outdir / "scenarios" / f"{scenario.name}.family_qc.json",
                              family)
        figures.set("identity.scenarios", len(ex.scenarios))
        figures.set("identity.passing", passing)
        figures.set("identity.baseline_family_qc_passed",
                    int(bool(_family_qc(first).get("overall", {}).get("passed"))))

    from bp2.validation.plots import accuracy_plots

    if bare_counts is not None:
        ctx.plots.extend(accuracy_plots(ctx.outdir, ctx.protocol.id, counts, bare_counts))
    return figures, comparators


def _family_qc(run: PipelineRun) -> dict[str, Any]:
    unit = next((u for u in run.record["units"] if u["stage"] == "qc_family"), None)
    if unit is None:
        return {}
    path = run.outdir / unit["dir"] / unit["outputs"]["report_json"]["path"]
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _keep_run(run: PipelineRun, dest: Path) -> None:
    """Keep bp2's calls, run record and QC outputs as evidence (BAMs stay in the work dir)."""
    dest.mkdir(parents=True, exist_ok=True)
    for path in (run.vcf, Path(f"{run.vcf}.tbi"), run.outdir / "run.json"):
        shutil.copy2(path, dest / path.name)
    for unit in run.record["units"]:
        if unit["stage"] in ("qc_alignment", "qc_family"):
            for out in unit["outputs"].values():
                if out["path"].endswith((".json", ".tsv")):
                    src = run.outdir / unit["dir"] / out["path"]
                    target = dest / unit["dir"].replace("/", "--")
                    target.mkdir(exist_ok=True)
                    shutil.copy2(src, target / src.name)
