"""``align``: paired reads → coordinate-sorted, duplicate-marked, indexed BAM (or CRAM).

**Aligner: minimap2 through mappy (PyPI), preset ``sr``.**  Chosen over bwa-mem through pybwa
2.3 on measurement (this 2-core machine; both measured side by side under the same load):

* index of the hg19 chr20 reference (63 Mb): mappy 1.3 s, in memory; pybwa 156 s, to disk;
* single-end speed on dataset 11's R1 (54,990 × 150 bp): mappy 23,000 reads/s on one thread;
  pybwa 3,600 reads/s on two (it returns pysam objects per read);
* accuracy on dataset 1 against the upstream bwa 0.6.1 BAM (primary reads within 10 bp):
  mappy, paired, 99.60 %; pybwa, single-end, 99.46 %;
* pybwa exposes only single-end ``bwa mem`` (no pair scoring, mate rescue or insert-size
  model), so pairing and proper-pair flags would have to be re-implemented in Python, while
  mappy maps the pair together with minimap2's own pairing (``mm_map_frag``).  The stage's
  records agree with ``minimap2 -ax sr`` in ≥ 99.8 % of fields (a test checks it).

**What it does.** FASTQ pairs (plain or gzip) are read in step (names must agree), mapped in
batches by ``ctx.threads`` forked worker processes (:mod:`.mapping`), and written as SAM text —
with minimap2's own flag, mate, TLEN, clipping and SA rules (see :mod:`bp2.stages.align.sam`)
and a read group (ID and SM = the sample, PL and LB from the parameters, LB defaulting to the
sample) — into the streaming chain ``samtools fixmate -m | samtools sort | samtools markdup``
(:mod:`.postprocess`), then ``samtools index``. Nothing holds all reads: memory is bounded by
the sort memory per thread and ``2 × threads`` batches of 4,000 pairs. Unmapped pairs are kept
(placed at their mate when it is mapped); secondary alignments are not written, supplementary
ones are (hard-clipped, with SA tags).

**Determinism.**  The header has no paths or times: ``@SQ`` lines carry ``M5`` (sequence MD5)
and ``UR`` (the reference's file name only), the one ``@PG`` is ``ID:bp2-align`` with the
stage version, and every samtools step runs with ``--no-PG``.  Batches are written in input
order, so the thread count does not change the output bytes.

**CRAM** (``output_format: cram``): the same chain writes CRAM against the given reference,
whose identity the header records (``M5``/``UR``); the outputs are ``cram`` and ``cram_index``.

**Aligned BAM/CRAM input** (samplesheet ``bam`` + ``bam_index``): used as is when its
``@SQ`` contigs (names, lengths, order) equal the reference's ``.fai`` and it is
coordinate-sorted; the outputs are hard links (copies across file systems) of the given files,
with metrics.  A file aligned to another reference is refused naming both, as is a read group
whose SM is not the sample, or an index whose record counts disagree with the file.  Duplicates
are not re-marked: the metrics report what the file's flags say.

**Prebuilt index (later).**  The minimap2 index is built in memory from ``reference`` on each
run (about 1 s for hg19 chr20; a few minutes for a whole human genome).  A site that wants to
reuse one would add an optional explicit input ``aligner_index: Path | None`` (a ``.mmi`` made
by ``minimap2 -x sr -d``, loaded with ``mappy.Aligner(fn_idx_in=...)``), checked against the
``.fai`` contigs like a BAM; nothing is looked up beside the reference.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import ClassVar, Literal

import pysam
from pydantic import Field, model_validator

from bp2.case import SAMPLE_ID
from bp2.errors import InputError
from bp2.fileio import write_json_atomic
from bp2.reads import check_reads_kind
from bp2.stages.align.fastq import open_fastq
from bp2.stages.align.header import (
    Contig,
    ReadGroup,
    check_read_group_value,
    describe_contigs,
    header_contigs,
    parse_fai,
    reference_mismatch,
    sam_header,
)
from bp2.stages.align.mapping import MappingPool, PairMapper, load_aligner, stream_sam
from bp2.stages.align.metrics import (
    build_metrics,
    parse_flagstat,
    parse_markdup_stats,
)
from bp2.stages.align.postprocess import (
    ChainSettings,
    flagstat,
    index_and_flagstat,
    markdup_chain,
)
from bp2.stages.align.reference import BackgroundMd5s, linked_reference
from bp2.stages.base import (
    BindContext,
    Scope,
    Stage,
    StageContext,
    StageInputs,
    StageOutputs,
    StageParams,
)

PROGRAM_ID = "bp2-align"
WORK = ".work"
Platform = Literal["CAPILLARY", "DNBSEQ", "ELEMENT", "HELICOS", "ILLUMINA", "IONTORRENT", "LS454",
                   "ONT", "PACBIO", "SINGULAR", "SOLID", "ULTIMA"]


class AlignInputs(StageInputs):
    """One sample's reads (paired FASTQ, or an aligned BAM/CRAM and its index) and reference."""

    sample: str = Field(pattern=SAMPLE_ID.pattern)
    reference: Path
    reference_index: Path  # .fai
    reference_gzi: Path | None = None  # .gzi, required when the reference is bgzip-compressed
    fastq_1: Path | None = None
    fastq_2: Path | None = None
    bam: Path | None = None  # an aligned, coordinate-sorted BAM or CRAM
    bam_index: Path | None = None  # its .bai/.csi/.crai

    @model_validator(mode="after")
    def _one_kind_of_reads(self) -> AlignInputs:
        check_reads_kind(self.fastq_1, self.fastq_2, self.bam, self.bam_index)
        return self


class AlignOutputs(StageOutputs):
    """The alignments (BAM or CRAM, with its index) and the metrics JSON."""

    bam: Path | None = None
    bam_index: Path | None = None
    cram: Path | None = None
    cram_index: Path | None = None
    metrics: Path

    @model_validator(mode="after")
    def _one_format(self) -> AlignOutputs:
        bam, cram = (self.bam, self.bam_index), (self.cram, self.cram_index)
        if not ((None not in bam and cram == (None, None))
                or (None not in cram and bam == (None, None))):
            raise ValueError("outputs hold either bam and bam_index, or cram and cram_index")
        return self

    @property
    def alignments(self) -> Path:
        """The alignment file, whichever format it is."""
        path = self.bam or self.cram
        assert path is not None
        return path

    @property
    def alignments_index(self) -> Path:
        path = self.bam_index or self.cram_index
        assert path is not None
        return path


class AlignParams(StageParams):
    preset: Literal["sr"] = "sr"  # minimap2 preset: short accurate reads
    platform: Platform = "ILLUMINA"  # read group PL
    library: str | None = None  # read group LB; the sample ID when not given
    sort_memory_mb: int = Field(default=768, ge=64, le=65536)  # samtools sort -m, per thread
    output_format: Literal["bam", "cram"] = "bam"


class AlignStage(Stage[AlignInputs, AlignOutputs, AlignParams]):
    ID: ClassVar[str] = "align"
    VERSION: ClassVar[str] = "1.1.1"
    IMPLEMENTS: ClassVar[tuple[str, ...]] = (
        "SRS-120", "SRS-121", "SRS-122", "SRS-123", "SRS-124", "SRS-125", "SRS-126", "SRS-127",
        "SRS-128", "SRS-129", "SRS-130", "SRS-131", "SRS-132", "SRS-133", "SRS-134",
    )
    TOOLS: ClassVar[tuple[str, ...]] = ("mappy", "samtools", "pysam", "htslib")
    SCOPE: ClassVar[Scope] = Scope.SAMPLE
    DESCRIPTION: ClassVar[str] = (
        "Align paired reads with minimap2 (mappy, -x sr) with a read group; fixmate, sort, "
        "mark duplicates and index (BAM or CRAM); an aligned BAM of the same reference is "
        "used as is"
    )

    Inputs = AlignInputs
    Outputs = AlignOutputs
    Params = AlignParams

    def run(self, inputs: AlignInputs, params: AlignParams, ctx: StageContext) -> AlignOutputs:
        contigs = parse_fai(_read_text(inputs.reference_index, "reference index"),
                            inputs.reference_index)
        work = ctx.path(WORK)
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        try:
            if inputs.bam is not None:
                return self._use_aligned(inputs, contigs, work, ctx)
            return self._align(inputs, params, contigs, work, ctx)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    # -- reads → alignments -------------------------------------------------------------------

    def _align(self, inputs: AlignInputs, params: AlignParams, contigs: tuple[Contig, ...],
               work: Path, ctx: StageContext) -> AlignOutputs:
        assert inputs.fastq_1 is not None and inputs.fastq_2 is not None
        library = params.library or inputs.sample
        check_read_group_value("library", library)
        read_group = ReadGroup(inputs.sample, inputs.sample, params.platform, library)
        # The contig MD5s are computed in a forked process while minimap2 builds its index here
        # (neither releases the GIL, and each takes a fraction of a second on hg19 chr20).
        with BackgroundMd5s(inputs.reference, inputs.reference_index, inputs.reference_gzi,
                            contigs) as md5_job:
            aligner = load_aligner(inputs.reference, params.preset, ctx.threads)
            ctx.logger.debug("minimap2 index built")
            md5s = md5_job.result()
        ctx.logger.debug("reference MD5s computed")
        if list(aligner.seq_names) != [c.name for c in contigs]:
            raise InputError(
                "the reference index does not list the FASTA's contigs",
                path=inputs.reference_index, field="reference_index",
                hint="give the .fai written by 'samtools faidx' for this reference",
            )
        header = sam_header(contigs, md5s, inputs.reference.name, read_group, PROGRAM_ID,
                            self.VERSION, f"{self.ID} stage: minimap2 -x {params.preset}")
        cram = params.output_format == "cram"
        linked = linked_reference(inputs.reference, inputs.reference_index, inputs.reference_gzi,
                                  work / "reference") if cram else None
        suffix, index_suffix = (".cram", ".cram.crai") if cram else (".bam", ".bam.bai")
        out = ctx.path(inputs.sample + suffix)
        out_index = ctx.path(inputs.sample + index_suffix)
        stats = work / "markdup.txt"
        settings = ChainSettings(ctx.threads, params.sort_memory_mb, params.output_format, linked)
        mapper = PairMapper(aligner, read_group.id, inputs.fastq_1, inputs.fastq_2)
        with ctx.atomic(out) as tmp, ctx.atomic(out_index) as tmp_index:
            with (MappingPool(mapper, ctx.threads) as pool,
                  open_fastq(inputs.fastq_1) as lines1, open_fastq(inputs.fastq_2) as lines2,
                  markdup_chain(tmp, stats, work, settings) as sink):
                sink.write(header.encode("ascii"))
                count = stream_sam(lines1, lines2, pool, sink)
                ctx.logger.debug("all pairs mapped")
            ctx.logger.info("aligned %d read pairs of %s", count, inputs.sample)
            ctx.logger.debug("sorted and duplicate-marked")
            counts = parse_flagstat(index_and_flagstat(tmp, tmp_index, ctx.threads, linked))
            ctx.logger.debug("indexed")
        metrics = build_metrics(inputs.sample, "fastq", counts,
                                parse_markdup_stats(stats.read_text()))
        metrics_path = ctx.path(inputs.sample + ".align_metrics.json")
        write_json_atomic(metrics_path, metrics.model_dump(mode="json"))
        if cram:
            return AlignOutputs(cram=out, cram_index=out_index, metrics=metrics_path)
        return AlignOutputs(bam=out, bam_index=out_index, metrics=metrics_path)

    # -- aligned input → used as is -------------------------------------------------------------

    def _use_aligned(self, inputs: AlignInputs, contigs: tuple[Contig, ...], work: Path,
                     ctx: StageContext) -> AlignOutputs:
        assert inputs.bam is not None and inputs.bam_index is not None
        linked = linked_reference(inputs.reference, inputs.reference_index, inputs.reference_gzi,
                                  work / "reference")
        is_cram, indexed_records = _check_aligned(inputs, contigs, linked)
        counts = parse_flagstat(flagstat(inputs.bam, ctx.threads, linked))
        if indexed_records is not None and indexed_records != counts["records"]:
            raise InputError(
                f"the index counts {indexed_records} records but the file holds "
                f"{counts['records']}", path=inputs.bam_index, field="bam_index",
                hint="the index belongs to another file (or an older version of it); "
                "re-create it with 'samtools index'",
            )
        suffix = ".cram" if is_cram else ".bam"
        index_suffix = suffix + "." + inputs.bam_index.name.rsplit(".", 1)[-1]
        out = ctx.path(inputs.sample + suffix)
        out_index = ctx.path(inputs.sample + index_suffix)
        _link_or_copy(inputs.bam, out, ctx)
        _link_or_copy(inputs.bam_index, out_index, ctx)
        metrics = build_metrics(inputs.sample, "bam", counts, None)
        metrics_path = ctx.path(inputs.sample + ".align_metrics.json")
        write_json_atomic(metrics_path, metrics.model_dump(mode="json"))
        if is_cram:
            return AlignOutputs(cram=out, cram_index=out_index, metrics=metrics_path)
        return AlignOutputs(bam=out, bam_index=out_index, metrics=metrics_path)

    def bind(self, ctx: BindContext, unit: str) -> AlignInputs:
        row = ctx.case.samplesheet.row(unit)
        reference = ctx.case.resources.reference
        if reference.index is None:
            raise InputError(
                "the reference has no .fai index in the resources", item_id="reference",
                hint="add 'index: {path: ….fai, sha256: …}' to the reference resource",
            )
        return AlignInputs(
            sample=unit,
            reference=reference.path,
            reference_index=reference.index.path,
            reference_gzi=None if reference.gzi is None else reference.gzi.path,
            fastq_1=row.fastq_1,
            fastq_2=row.fastq_2,
            bam=row.bam,
            bam_index=row.bam_index,
        )


def _read_text(path: Path, role: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the {role}: {exc}", path=path,
                         hint="give the .fai written by 'samtools faidx'") from None


def _check_aligned(
    inputs: AlignInputs, contigs: tuple[Contig, ...], linked: Path
) -> tuple[bool, int | None]:
    """Refuse an aligned file of another reference, unsorted, or of another sample.

    Returns whether it is CRAM and the record count its index holds (None for CRAM indexes,
    which do not count records).
    """
    assert inputs.bam is not None and inputs.bam_index is not None
    try:
        handle = pysam.AlignmentFile(str(inputs.bam), index_filename=str(inputs.bam_index),
                                     reference_filename=str(linked))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot open the aligned reads with their index: {exc}",
                         path=inputs.bam, field="bam",
                         hint="give a BAM or CRAM file and its .bai/.csi/.crai index") from None
    with handle:
        header = handle.header.to_dict()
        bam_contigs = header_contigs(header.get("SQ", []))
        problem = reference_mismatch(bam_contigs, contigs)
        if problem is not None:
            raise InputError(
                f"the aligned reads were aligned to another reference: {problem} "
                f"(BAM {inputs.bam.name}: {describe_contigs(bam_contigs)}; reference "
                f"{inputs.reference.name}: {describe_contigs(contigs)})",
                path=inputs.bam, field="bam",
                hint="give reads aligned to this reference, or FASTQ so they are aligned here",
            )
        order = header.get("HD", {}).get("SO")
        if order != "coordinate":
            raise InputError(
                f"the aligned reads are not coordinate-sorted (@HD SO:{order or 'missing'})",
                path=inputs.bam, field="bam",
                hint="sort them ('samtools sort') and index them, or give FASTQ",
            )
        samples = sorted({str(rg.get("SM")) for rg in header.get("RG", [])})
        if samples and samples != [inputs.sample]:
            raise InputError(
                f"the aligned reads belong to sample(s) {', '.join(samples)}, not "
                f"'{inputs.sample}' (read group SM)", path=inputs.bam, field="bam",
                hint="check for a sample swap; if the file is right, correct the sample ID "
                "in the samplesheet or the SM of its read groups",
            )
        if handle.is_cram:
            return True, None
        stats = handle.get_index_statistics()
        return False, sum(s.total for s in stats) + handle.nocoordinate


def _link_or_copy(source: Path, target: Path, ctx: StageContext) -> None:
    with ctx.atomic(target) as tmp:
        try:
            os.link(source, tmp)
        except OSError:
            shutil.copyfile(source, tmp)
