"""``call``: joint small-variant calling of all the case's samples with bcftools.

**What it does.**  The reference (or the optional regions BED) is cut into chunks of
``chunk_size`` bases (:mod:`.chunks`; the plan never depends on the thread count).  Up to
``ctx.threads`` chunks run at once, each as ``bcftools mpileup | bcftools call -m`` over all the
case's BAMs together (one VCF column per sample, named by the sample ID whatever the BAM's read
groups say), with a ploidy table and each sample's sex (:mod:`.ploidy`).  Biallelic indels are
then re-genotyped from reads that span their repeat context (:mod:`.regenotype`), and clusters
of records in one tandem repeat are re-genotyped as haplotypes from read-vs-haplotype alignment
and, where the reads decide other haplotypes or the records contradict each other, rewritten
from the decided haplotypes (:mod:`.haplotypes`, :mod:`.local`; ``INFO/LHR``).  The chunks
are concatenated in order, normalised (``bcftools norm -f ref -m -both``: multiallelic records
split, indels left-aligned, a REF that disagrees with the reference stops the run), soft
filtered (FILTER = PASS or the names of the rules that matched) and written as a bgzipped VCF
with its tabix index.  A small JSON gives record, PASS, SNV/indel counts and Ti/Tv.

**bcftools is the Debian command line**, run as a subprocess: it streams, whereas
``pysam.bcftools`` holds a tool's whole output in memory.  Memory is bounded by mpileup's
per-file depth cap and by streaming: no step holds more than one record per sample and site,
except local re-genotyping, which holds one cluster (at most ``local_max_window`` bases of
records) and its reads (at most ``max_depth`` per sample).

**Only the named files are read.**  htslib finds ``.fai``, ``.gzi`` and ``.bai`` beside the
file they index, so the stage links each named file into a private scratch folder under its
outdir with the names htslib expects, runs there with relative names (so no path enters the VCF
header), and deletes the folder before returning.

**Determinism.**  ``--no-version`` everywhere, a fixed chunk plan, chunks concatenated in plan
order and mpileup's depth sampling seeded from the run seed: the same inputs, parameters and
seed give byte-identical outputs with 1 or more threads.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, ClassVar

from pydantic import Field, model_validator

from bp2.case import SAMPLE_ID, Sex
from bp2.errors import EnvironmentProblem, InputError
from bp2.fileio import write_json_atomic, write_text_atomic
from bp2.stages.base import (
    BindContext,
    Scope,
    Stage,
    StageContext,
    StageInputs,
    StageModel,
    StageOutputs,
)
from bp2.stages.call import commands, local, ploidy, regenotype
from bp2.stages.call.chunks import Chunk, parse_fai, parse_regions_bed, plan_chunks, whole_contigs
from bp2.stages.call.files import (
    AlignmentFormat,
    check_alignment,
    check_reference,
    contig_problems,
    read_text,
)
from bp2.stages.call.params import CallParams
from bp2.stages.call.stats import call_stats, parse_query_line
from bp2.tools import require_executable

WORK = ".call-work"
VCF_NAME = "calls.vcf.gz"
PLOIDY_NAME = "ploidy.txt"
STATS_NAME = "call_stats.json"


class SampleAlignment(StageModel):
    """One sample of the case: its ID, the sex used for ploidy, and its aligned reads."""

    sample: str = Field(pattern=SAMPLE_ID.pattern, description="sample ID (the VCF column)")
    sex: Sex = Field(description="sex used for X/Y ploidy (PED/samplesheet now; inferred by QC "
                     "later)")
    bam: Path = Field(description="coordinate-sorted BAM or CRAM")
    bam_index: Path = Field(description="its .bai/.csi (BAM) or .crai (CRAM)")


class CallInputs(StageInputs):
    """All the case's samples, the reference with its indexes, and optional ploidy and regions."""

    samples: tuple[SampleAlignment, ...] = Field(min_length=1)
    reference: Path
    reference_index: Path = Field(description="the reference's .fai")
    reference_gzi: Path | None = Field(None, description=".gzi, needed for a bgzipped reference")
    build: str | None = Field(None, description="genome build label (GRCh37/GRCh38 ...) for PARs;"
                              " recognised from the chrX length when absent")
    ploidy: Path | None = Field(None, description="bcftools ploidy file (sex labels M, F, U); "
                                "generated from the build's PARs when absent")
    regions: Path | None = Field(None, description="BED restricting calling")

    @model_validator(mode="after")
    def _unique_samples(self) -> CallInputs:
        names = [s.sample for s in self.samples]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"sample(s) listed twice: {', '.join(duplicated)}")
        return self


class CallOutputs(StageOutputs):
    vcf: Path
    vcf_index: Path
    ploidy: Path
    stats: Path


@dataclass(frozen=True)
class _ChunkJob:
    """Everything a worker needs to call one chunk (picklable)."""

    chunk: int
    workdir: Path
    bcftools: str
    mpileup: tuple[str, ...]
    call: tuple[str, ...]
    called: str  # file name of call's output in workdir
    final: str  # file name of the chunk's finished BCF in workdir
    samples: tuple[tuple[str, Path, Path], ...]  # (sample, alignment link, index link)
    reference: Path
    reference_index: Path
    reference_gzi: Path | None
    settings: regenotype.Settings | None
    local: local.LocalSettings | None


@dataclass(frozen=True)
class _ChunkOutcome:
    chunk: int
    assessed: int
    changed: int
    clusters: int
    rewritten: int
    stderr: str


class CallStage(Stage[CallInputs, CallOutputs, CallParams]):
    ID: ClassVar[str] = "call"
    VERSION: ClassVar[str] = "1.1.0"
    IMPLEMENTS: ClassVar[tuple[str, ...]] = (
        "SRS-140", "SRS-141", "SRS-142", "SRS-143", "SRS-144", "SRS-145", "SRS-146", "SRS-147",
        "SRS-148", "SRS-149", "SRS-150", "SRS-151", "SRS-152", "SRS-153", "SRS-154", "SRS-156",
        "SRS-157", "SRS-158",
    )
    TOOLS: ClassVar[tuple[str, ...]] = ("bcftools", "pysam", "htslib", "edlib")
    SCOPE: ClassVar[Scope] = Scope.CASE
    DESCRIPTION: ClassVar[str] = (
        "Joint calling of the case's samples (bcftools mpileup | call -m) with sex-aware ploidy, "
        "indel re-genotyping from spanning reads, local haplotype re-genotyping of repeat "
        "clusters, normalisation, soft filters; bgzipped, "
        "indexed VCF; region-parallel"
    )

    Inputs = CallInputs
    Outputs = CallOutputs
    Params = CallParams

    def run(self, inputs: CallInputs, params: CallParams, ctx: StageContext) -> CallOutputs:
        bcftools = require_executable("bcftools")
        compressed = check_reference(inputs.reference, inputs.reference_gzi)
        contigs = parse_fai(read_text(inputs.reference_index, "FASTA index", "reference_index"),
                            inputs.reference_index)
        ploidy_text = self._ploidy_text(inputs, contigs)
        intervals = (whole_contigs(contigs) if inputs.regions is None else parse_regions_bed(
            read_text(inputs.regions, "regions BED", "regions"), contigs, inputs.regions))
        formats = [self._check_sample(i, s, contigs, inputs.reference)
                   for i, s in enumerate(inputs.samples)]

        ploidy_path = ctx.path(PLOIDY_NAME)
        write_text_atomic(ploidy_path, ploidy_text)
        work = ctx.path(WORK)
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        try:
            return self._call(inputs, params, ctx, work, bcftools, compressed, formats,
                              plan_chunks(intervals, params.chunk_size), ploidy_path)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    # --- checks -------------------------------------------------------------------------------

    @staticmethod
    def _check_sample(index: int, sample: SampleAlignment, contigs: dict[str, int],
                      reference: Path) -> AlignmentFormat:
        import pysam

        field = f"samples[{index}]"
        kind, _ = check_alignment(sample.bam, sample.bam_index, field)
        try:
            with pysam.AlignmentFile(str(sample.bam), index_filename=str(sample.bam_index),
                                     reference_filename=str(reference)) as handle:
                header = dict(zip(handle.header.references, handle.header.lengths, strict=True))
                groups = handle.header.to_dict().get("RG", [])
                try:
                    mapped = {s.contig: s.mapped for s in handle.get_index_statistics()}
                except (ValueError, AttributeError):  # CRAM indexes hold no counts
                    mapped = {}
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot open the alignments: {exc}", path=sample.bam,
                             field=f"{field}.bam",
                             hint="check that the BAM and its index belong together") from None
        problem = contig_problems(contigs, header, mapped)
        if problem:
            raise InputError(problem, path=sample.bam, field=f"{field}.bam",
                             hint="align the reads to this reference (same build and naming)")
        names = sorted({str(g["SM"]) for g in groups if "SM" in g})
        if names and sample.sample not in names:
            raise InputError(
                f"the BAM's read groups are of sample {', '.join(names)}, not '{sample.sample}'",
                path=sample.bam, field=f"{field}.sample",
                hint="a sample swap? give this sample's own BAM, or correct the sample ID")
        return kind

    @staticmethod
    def _ploidy_text(inputs: CallInputs, contigs: dict[str, int]) -> str:
        labels = [ploidy.SEX_LABEL[s.sex] for s in inputs.samples]
        if inputs.ploidy is not None:
            text = read_text(inputs.ploidy, "ploidy file", "ploidy")
            lines = ploidy.parse_ploidy(text, inputs.ploidy)
            ploidy.check_ploidy_covers(lines, labels, contigs, inputs.ploidy)
            return text
        build = ploidy.resolve_build(inputs.build, contigs, inputs.reference_index)
        return ploidy.render_ploidy(ploidy.generate_ploidy(contigs, build))

    # --- calling ------------------------------------------------------------------------------

    def _call(self, inputs: CallInputs, params: CallParams, ctx: StageContext, work: Path,
              bcftools: str, compressed: bool, formats: Sequence[AlignmentFormat],
              chunks: Sequence[Chunk], ploidy_path: Path) -> CallOutputs:
        ref = _link(inputs.reference, work / inputs.reference.name)
        _link(inputs.reference_index, work / (ref.name + ".fai"))
        if compressed and inputs.reference_gzi is not None:
            _link(inputs.reference_gzi, work / (ref.name + ".gzi"))
        samples: list[tuple[str, Path, Path]] = []
        for sample, kind in zip(inputs.samples, formats, strict=True):
            aln = _link(sample.bam, work / f"{sample.sample}.{kind}")
            suffix = ".crai" if kind is AlignmentFormat.CRAM else (
                ".csi" if _is_csi(sample.bam_index) else ".bai")
            samples.append((sample.sample, aln, _link(sample.bam_index,
                                                      work / (aln.name + suffix))))
        (work / "read_groups.txt").write_text(
            "".join(f"* {aln.name} {name}\n" for name, aln, _ in samples))
        (work / "samples_sex.txt").write_text(ploidy.samples_sex_text(
            [(s.sample, s.sex) for s in inputs.samples]))

        settings = None if not params.regenotype_indels else regenotype.Settings(
            min_mapq=params.min_mapq, error=params.regenotype_error,
            min_lr=params.regenotype_min_lr, max_reads=params.max_depth,
            count_orphans=params.count_orphans)
        local_settings = None if not params.local_haplotypes else local.LocalSettings(
            reads=regenotype.Settings(
                min_mapq=params.min_mapq, error=params.regenotype_error,
                min_lr=params.regenotype_min_lr, max_reads=params.max_depth,
                count_orphans=params.count_orphans),
            anchor=params.local_anchor, max_window=params.local_max_window,
            min_support=params.local_min_support, min_fraction=params.local_min_fraction,
            max_candidates=params.local_max_candidates, error=params.local_error,
            cap=params.local_cap, min_lr=params.local_min_lr)
        jobs = []
        for chunk in _chunks_with_reads(chunks, samples, ref):
            stem = f"chunk-{chunk.index:06d}"
            (work / f"{stem}.regions.txt").write_text(chunk.regions_text())
            mpileup = commands.mpileup_argv(
                params, reference=ref.name, bams=[aln.name for _, aln, _ in samples],
                read_groups="read_groups.txt", regions=f"{stem}.regions.txt", seed=ctx.seed)
            called = f"{stem}.called.bcf" if settings or local_settings else f"{stem}.bcf"
            call = commands.call_argv(params, ploidy=str(ploidy_path),
                                      samples_sex="samples_sex.txt", output=called)
            jobs.append(_ChunkJob(
                chunk=chunk.index, workdir=work, bcftools=bcftools, mpileup=tuple(mpileup),
                call=tuple(call), called=called, final=f"{stem}.bcf", samples=tuple(samples),
                reference=ref, reference_index=work / (ref.name + ".fai"),
                reference_gzi=(work / (ref.name + ".gzi")) if compressed else None,
                settings=settings, local=local_settings))
        ctx.logger.info("calling %d sample(s) in %d chunk(s) on %d thread(s)",
                        len(samples), len(jobs), ctx.threads)
        assessed = changed = clusters = rewritten = 0
        for outcome in _run_jobs(jobs, ctx.threads):
            assessed += outcome.assessed
            changed += outcome.changed
            clusters += outcome.clusters
            rewritten += outcome.rewritten
            if outcome.stderr.strip():
                ctx.logger.debug("chunk %d: %s", outcome.chunk, outcome.stderr.strip())
        if settings:
            ctx.logger.info("indel re-genotyping: %d sample genotypes assessed, %d changed",
                            assessed, changed)
        if local_settings:
            ctx.logger.info("local haplotype re-genotyping: %d cluster(s) assessed, %d rewritten",
                            clusters, rewritten)
        (work / "chunks.txt").write_text("".join(f"{job.final}\n" for job in jobs))

        vcf_path, tbi_path = ctx.path(VCF_NAME), ctx.path(VCF_NAME + ".tbi")
        stats_path = ctx.path(STATS_NAME)
        with ctx.atomic(vcf_path) as tmp_vcf, ctx.atomic(tbi_path) as tmp_tbi:
            chain = commands.tail_argvs(params, reference=ref.name, file_list="chunks.txt",
                                        output=str(tmp_vcf))
            _run_chain([_resolved(argv, bcftools) for argv in chain], work)
            _run_chain([_resolved(commands.index_argv(str(tmp_vcf), str(tmp_tbi)), bcftools)],
                       work)
            stats = call_stats(parse_query_line(line) for line in _stream(
                _resolved(commands.query_argv(str(tmp_vcf)), bcftools), work))
        stats["samples"] = [s.sample for s in inputs.samples]
        stats["chunks"] = len(jobs)
        stats["indel_regenotyping"] = {"enabled": bool(settings), "assessed": assessed,
                                       "changed": changed}
        stats["local_haplotypes"] = {"enabled": bool(local_settings), "clusters": clusters,
                                     "rewritten": rewritten}
        write_json_atomic(stats_path, stats)
        return CallOutputs(vcf=vcf_path, vcf_index=tbi_path, ploidy=ploidy_path,
                           stats=stats_path)

    # --- binding ------------------------------------------------------------------------------

    def bind(self, ctx: BindContext, unit: str) -> CallInputs:
        case = ctx.case
        samples = []
        for row in case.samplesheet.rows:
            bam, index = row.bam, row.bam_index
            try:
                aligned = ctx.output("align", row.sample)
            except LookupError:
                aligned = None
            if aligned is not None:
                bam = getattr(aligned, "bam", None) or getattr(aligned, "cram", None)
                index = getattr(aligned, "bam_index", None) or getattr(aligned, "cram_index",
                                                                        None)
            if bam is None or index is None:
                raise InputError(f"sample '{row.sample}' has no aligned reads",
                                 path=case.samplesheet.path, line=row.line, field="bam",
                                 hint="run the align stage first, or give bam and bam_index")
            record = case.pedigree.get(row.sample)
            sex = record.sex if record is not None and record.sex is not Sex.UNKNOWN else row.sex
            samples.append(SampleAlignment(sample=row.sample, sex=sex, bam=bam, bam_index=index))
        reference = case.resources.reference
        if reference.index is None:
            raise InputError("the reference has no .fai index in the resources", field="reference",
                             hint="add 'index' (path and sha256 of the .fai) to the reference")
        return CallInputs(
            samples=tuple(samples), reference=reference.path, reference_index=reference.index.path,
            reference_gzi=None if reference.gzi is None else reference.gzi.path,
            build=reference.build,
            ploidy=None if case.resources.ploidy is None else case.resources.ploidy.path,
        )


# --- process helpers ---------------------------------------------------------------------------


def _chunks_with_reads(chunks: Sequence[Chunk], samples: Sequence[tuple[str, Path, Path]],
                       reference: Path) -> list[Chunk]:
    """The chunks where at least one sample has a read; the others cannot yield a record."""
    import pysam

    handles = [pysam.AlignmentFile(str(aln), index_filename=str(index),
                                   reference_filename=str(reference))
               for _, aln, index in samples]
    try:
        return [chunk for chunk in chunks
                if any(next(iter(h.fetch(contig, start, end)), None) is not None
                       for h in handles for contig, start, end in chunk.intervals
                       if contig in h.references)]
    finally:
        for handle in handles:
            handle.close()


def _link(source: Path, target: Path) -> Path:
    target.symlink_to(source.resolve())
    return target


def _is_csi(index: Path) -> bool:
    with index.open("rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def _resolved(argv: Sequence[str], bcftools: str) -> list[str]:
    return [bcftools, *argv[1:]] if argv and argv[0] == "bcftools" else list(argv)


def _run_chain(argvs: Sequence[Sequence[str]], cwd: Path) -> str:
    """Run commands piped into each other; raise EnvironmentProblem naming the failing tool."""
    procs: list[subprocess.Popen[bytes]] = []
    with contextlib.ExitStack() as stack:
        # unnamed stderr files: chains running at once in one process cannot collide
        errs: list[IO[bytes]] = [stack.enter_context(tempfile.TemporaryFile(dir=cwd))
                                 for _ in argvs]
        previous: IO[bytes] | None = None
        try:
            for position, argv in enumerate(argvs):
                last = position == len(argvs) - 1
                proc = subprocess.Popen(list(argv), cwd=cwd, stdin=previous,
                                        stdout=subprocess.DEVNULL if last else subprocess.PIPE,
                                        stderr=errs[position])
                if previous is not None:
                    previous.close()  # the next process owns the pipe now
                previous = proc.stdout
                procs.append(proc)
        finally:
            codes = [proc.wait() for proc in procs]
        texts = []
        for err in errs:
            err.seek(0)
            texts.append(err.read().decode("utf-8", "replace"))
    failed = [i for i, code in enumerate(codes) if code != 0]
    if failed:
        first = next((i for i in failed if codes[i] != -13), failed[0])  # -13: broken pipe
        argv = argvs[first]
        raise EnvironmentProblem.tool_failed(f"{Path(argv[0]).name} {argv[1]}", codes[first],
                                             texts[first])
    return "".join(texts)


def _stream(argv: Sequence[str], cwd: Path) -> Iterator[str]:
    """Lines of one command's output, read as it runs."""
    with tempfile.TemporaryFile(dir=cwd) as err:
        with subprocess.Popen(list(argv), cwd=cwd, stdout=subprocess.PIPE, stderr=err,
                              text=True) as proc:
            assert proc.stdout is not None
            yield from proc.stdout
            code = proc.wait()
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    if code != 0:
        raise EnvironmentProblem.tool_failed(f"{Path(argv[0]).name} {argv[1]}", code, stderr)


def _run_job(job: _ChunkJob) -> _ChunkOutcome:
    stderr = _run_chain([_resolved(job.mpileup, job.bcftools), _resolved(job.call, job.bcftools)],
                        job.workdir)
    summary = regenotype.Summary(0, 0)
    found = local.LocalSummary(0, 0)
    current = job.workdir / job.called
    if job.settings is not None:
        target = job.workdir / (job.final if job.local is None else f"{job.final}.indels.bcf")
        summary = regenotype.regenotype_file(
            current, target, job.samples, job.reference, job.reference_index, job.reference_gzi,
            job.settings)
        current.unlink()
        current = target
    if job.local is not None:
        found = local.rephase_file(
            current, job.workdir / job.final, job.samples, job.reference, job.reference_index,
            job.reference_gzi, job.local)
        current.unlink()
    return _ChunkOutcome(job.chunk, summary.assessed, summary.changed, found.clusters,
                         found.rewritten, stderr)


def _run_jobs(jobs: Sequence[_ChunkJob], threads: int) -> Iterator[_ChunkOutcome]:
    """Run the chunks, ``threads`` at a time, yielding outcomes in plan order.

    Threads suffice: the heavy work runs in bcftools subprocesses, and a chunk's Python
    re-genotyping overlaps the other workers' subprocesses.
    """
    if threads <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield _run_job(job)
        return
    with ThreadPoolExecutor(max_workers=min(threads, len(jobs))) as pool:
        futures = [pool.submit(_run_job, job) for job in jobs]
        try:
            for future in futures:
                yield future.result()
        finally:
            for future in futures:
                future.cancel()


__all__ = ["CallInputs", "CallOutputs", "CallParams", "CallStage", "SampleAlignment"]
