"""``qc_alignment``: per-sample alignment QC with GEL's thresholds, flags and a pass/fail verdict.

One pass over the sample's alignments (:mod:`.scan`) gives read counts (``samtools flagstat``
semantics), insert sizes, Q30 bases, per-base depth and the reads' alleles at common-SNP sites.
From them:

* **coverage** over the autosomes (or the autosomal part of an explicit ``target_bed``) —
  mean/median depth and the fraction of bases at ≥ 1, 10, 15, 20, 30× — counting reads with
  MAPQ > 10, no duplicates, overlapping mates once, reference ``N`` bases excluded (GEL's
  metric, [S3]);
* **yield**: Q≥30 bases;
* **sex**: X and Y copy numbers from depth outside the PARs (:mod:`.sex`), compared with the
  declared sex;
* **contamination**: a maximum-likelihood mixture fraction from allele balance at the
  ``common_snps`` sites with their population AF (:mod:`.contamination`);
* **panel coverage**: for each green gene of the ``panels``, the coding bases of its canonical
  transcript in ``gene_model`` at ≥15× and ≥20× and its under-covered exons (:mod:`.panels`);
* **verdict**: the hard checks (coverage, Q30 yield, contamination, sex) with GEL's thresholds
  as parameters, the case flags and, for a failing sample, the reasons (:mod:`.verdict`).  The
  engine-level stop of tiering and reporting is not this stage's job.

Outputs: ``<sample>.qc.json`` (everything), ``<sample>.qc.tsv`` (one row per metric),
``<sample>.panel_coverage.tsv`` (one row per green gene; only a header without panels) and
``<sample>.coverage.png``.

**Limitations.**  The depth filters follow GEL's published list except base-quality trimming,
adapter trimming and clipping of semi-aligned reads, which are the aligner's job here.  The sex
and X/Y checks need X and Y in the reference (and in ``target_bed`` when one is given): the real
test data are chr20 only, so they are verified on the synthetic demo trio.  A contaminant
related to the sample is under-estimated.  Records are walked in Python on one core, about
100,000-150,000 per second here (dataset 1: 52,035 records in under a second), so a 30× genome
(~700 million records) would take one to two hours; contig-parallel scanning is future work.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pysam
from pydantic import Field, model_validator

from bp2.case import SAMPLE_ID, Sex
from bp2.errors import InputError
from bp2.fileio import write_text_atomic
from bp2.genemodel import GeneModel, read_gtf
from bp2.panelapp import Panel, read_panels
from bp2.stages.base import (
    BindContext,
    Scope,
    Stage,
    StageContext,
    StageInputs,
    StageOutputs,
)
from bp2.stages.qc_alignment.contamination import estimate_contamination
from bp2.stages.qc_alignment.coverage import CoverageCollector
from bp2.stages.qc_alignment.panels import ensembl_ids, gene_coverage, green_gene_panels, plan_genes
from bp2.stages.qc_alignment.params import QcAlignmentParams
from bp2.stages.qc_alignment.plot import draw_coverage_plot
from bp2.stages.qc_alignment.readstats import summarise_insert_sizes
from bp2.stages.qc_alignment.regions import (
    Contig,
    ContigClass,
    RegionSet,
    SexChromosomes,
    classify,
    intersect,
    nonpar_from_build,
    nonpar_from_ploidy,
    parse_bed,
    parse_fai,
    total,
)
from bp2.stages.qc_alignment.report import QcResult, panel_tsv, qc_json, qc_tsv
from bp2.stages.qc_alignment.scan import ScanSettings, scan_alignments
from bp2.stages.qc_alignment.sex import SexThresholds, infer_sex
from bp2.stages.qc_alignment.sites import SiteSet, read_sites
from bp2.stages.qc_alignment.verdict import (
    PanelSummary,
    contamination_check,
    coverage_check,
    decide,
    sex_check,
    yield_check,
)

WORK = ".work"
PLOT_BINS = 2000  # about this many depth bins across the assessed regions


class QcAlignmentInputs(StageInputs):
    """One sample's alignments and the reference; optional targets, SNP sites, genes, panels."""

    sample: str = Field(pattern=SAMPLE_ID.pattern)
    alignments: Path = Field(description="coordinate-sorted BAM or CRAM")
    alignments_index: Path = Field(description="its .bai, .csi or .crai")
    reference: Path
    reference_index: Path = Field(description=".fai of the reference")
    reference_gzi: Path | None = Field(default=None, description=".gzi of a bgzip reference")
    reference_build: str | None = Field(
        default=None, description="the reference's build label (resources.yaml 'build'): "
        "GRCh37/GRCh38 give the PAR coordinates when no ploidy file is given")
    declared_sex: Sex = Field(default=Sex.UNKNOWN,
                              description="the sex in the samplesheet/PED")
    saliva: bool = Field(default=False, description="saliva sample: exempt from LOW_COVERAGE "
                         "(GEL [S3][S5])")
    target_bed: Path | None = Field(
        default=None, description="regions in which coverage, sex and contamination are "
        "measured (whole contigs when absent)")
    common_snps: Path | None = Field(default=None,
                                     description="sites VCF with INFO/AF (plain or bgzip)")
    gene_model: Path | None = Field(default=None, description="GTF (plain or gzip)")
    panels: tuple[Path, ...] = Field(default=(), description="PanelApp panel JSON files")
    ploidy: Path | None = Field(
        default=None, description="bcftools --ploidy-file of the build: PARs are where "
        "males are not haploid")

    @model_validator(mode="after")
    def _panels_need_genes(self) -> QcAlignmentInputs:
        if self.panels and self.gene_model is None:
            raise ValueError("panels need a gene_model (GTF) to find their genes' exons")
        return self


class QcAlignmentOutputs(StageOutputs):
    qc_json: Path
    qc_tsv: Path
    panel_coverage: Path
    coverage_plot: Path


class QcAlignmentStage(Stage[QcAlignmentInputs, QcAlignmentOutputs, QcAlignmentParams]):
    ID: ClassVar[str] = "qc_alignment"
    VERSION: ClassVar[str] = "1.0.1"
    IMPLEMENTS: ClassVar[tuple[str, ...]] = (
        "SRS-160", "SRS-161", "SRS-162", "SRS-163", "SRS-164", "SRS-165", "SRS-166", "SRS-167",
        "SRS-168", "SRS-169", "SRS-170", "SRS-171", "SRS-172", "SRS-173",
    )
    TOOLS: ClassVar[tuple[str, ...]] = ("pysam", "htslib", "numpy", "matplotlib")
    SCOPE: ClassVar[Scope] = Scope.SAMPLE
    DESCRIPTION: ClassVar[str] = (
        "Alignment QC per sample: reads, mapping, pairing, duplicates, insert size, depth and "
        "GEL's autosomal ≥15× metric, Q30 yield, X/Y sex inference, contamination from SNP "
        "allele balance, panel gene coverage; GEL thresholds, flags and a pass/fail verdict"
    )

    Inputs = QcAlignmentInputs
    Outputs = QcAlignmentOutputs
    Params = QcAlignmentParams

    def gate_failures(self, outputs: QcAlignmentOutputs) -> tuple[str, ...]:
        """The sample's failure reasons from its verdict (empty when QC passed)."""
        result = json.loads(outputs.qc_json.read_text(encoding="utf-8"))
        return tuple(str(reason) for reason in result["failure_reasons"])

    def run(self, inputs: QcAlignmentInputs, params: QcAlignmentParams, ctx: StageContext
            ) -> QcAlignmentOutputs:
        contigs = parse_fai(_read_text(inputs.reference_index, "reference index"),
                            inputs.reference_index)
        lengths = {c.name: c.length for c in contigs}
        target = (_whole(contigs) if inputs.target_bed is None else
                  parse_bed(_read_text(inputs.target_bed, "target BED"), inputs.target_bed,
                            lengths))
        autosomal = {c.name: target[c.name] for c in contigs
                     if classify(c.name) is ContigClass.AUTOSOME and target.get(c.name)}
        sex_chromosomes = self._sex_chromosomes(inputs, lengths)
        x_nonpar = _restrict(sex_chromosomes.x, sex_chromosomes.x_nonpar, target)
        y_nonpar = _restrict(sex_chromosomes.y, sex_chromosomes.y_nonpar, target)
        panels = tuple(p for path in inputs.panels for p in read_panels(path))
        model = self._gene_model(inputs, panels)
        plans, exon_targets = plan_genes(panels, model, lengths)
        sites = (SiteSet({}, np.zeros(0), 0, 0) if inputs.common_snps is None else
                 read_sites(inputs.common_snps, autosomal, params.contamination_min_af))
        classes: dict[str, RegionSet] = {"autosomal": autosomal, "x_nonpar": x_nonpar,
                                         "y_nonpar": y_nonpar}
        span = sum(iv[-1][1] - iv[0][0] for regions in classes.values()
                   for iv in regions.values() if iv)
        plot_bin = max(100, -(-span // PLOT_BINS))
        levels = sorted({*params.panel_depths, params.exon_min_depth})
        collector = CoverageCollector(classes, exon_targets, levels, lengths, plot_bin)
        settings = ScanSettings(params.min_mapq, params.min_site_base_quality)
        work = ctx.path(WORK)
        shutil.rmtree(work, ignore_errors=True)
        try:
            scan = self._scan(inputs, contigs, collector, sites, settings, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        observations = scan.observations
        estimate = estimate_contamination(
            np.frombuffer(observations.site, dtype=np.int64) if observations.site else
            np.zeros(0, dtype=np.int64),
            np.frombuffer(observations.is_alt, dtype=np.int8).astype(bool),
            np.frombuffer(observations.quality, dtype=np.uint8).astype(np.int64),
            sites.af)
        summaries = collector.summaries
        sex = infer_sex(
            summaries["autosomal"].mean, summaries["x_nonpar"].mean, summaries["y_nonpar"].mean,
            inputs.declared_sex,
            SexThresholds(params.sex_x_tolerance, params.sex_y_absent_max,
                          params.sex_y_present_min),
            not_assessed_reason=_sex_unassessed_reason(sex_chromosomes, x_nonpar, y_nonpar,
                                                       inputs.target_bed is not None),
        )
        genes = gene_coverage(plans, collector.exons, params.panel_depths,
                              params.exon_min_depth, params.exon_min_fraction)
        checks = (
            coverage_check(summaries["autosomal"].fraction_at_least(params.coverage_depth),
                           params, inputs.saliva),
            yield_check(scan.q30_bases, params, sum(lengths.values())),
            contamination_check(estimate, sites.used, params),
            sex_check(sex),
        )
        panel_summary = PanelSummary(
            genes_under_covered=sum(1 for g in genes if g.gaps),
            genes_not_assessed=sum(1 for g in genes if g.status != "assessed"))
        verdict = decide(checks, sex, panel_summary, params, inputs.saliva)
        result = QcResult(
            sample=inputs.sample, stage=self.ID, version=self.VERSION, flags=scan.flags,
            inserts=summarise_insert_sizes(scan.insert_sizes), q30_bases=scan.q30_bases,
            autosomal=summaries["autosomal"], x_nonpar=summaries["x_nonpar"],
            y_nonpar=summaries["y_nonpar"],
            contig_means={c.name: collector.contig_mean(c.name) for c in contigs},
            sex=sex, contamination=estimate, sites_available=sites.used, genes=genes,
            panels=tuple(p.label for p in panels), verdict=verdict, params=params,
            context=_context(inputs, autosomal, x_nonpar, y_nonpar, sex_chromosomes, sites),
            methods=METHODS,
        )
        ctx.logger.info("%s: QC %s%s", inputs.sample, verdict.status,
                        "" if not verdict.failure_reasons else
                        " — " + "; ".join(verdict.failure_reasons))
        return self._write(inputs.sample, result, collector, contigs, params, ctx)

    # -- pieces ---------------------------------------------------------------------------------

    def _sex_chromosomes(self, inputs: QcAlignmentInputs, lengths: Mapping[str, int]
                         ) -> SexChromosomes:
        if inputs.ploidy is not None:
            return nonpar_from_ploidy(_read_text(inputs.ploidy, "ploidy file"), inputs.ploidy,
                                      lengths)
        return nonpar_from_build(inputs.reference_build, lengths, "reference_build")

    def _gene_model(self, inputs: QcAlignmentInputs, panels: tuple[Panel, ...]) -> GeneModel:
        if not panels or inputs.gene_model is None:
            return GeneModel(())
        wanted = set(green_gene_panels(panels))
        wanted.update(i for ids in ensembl_ids(panels).values() for i in ids)
        return read_gtf(inputs.gene_model, genes=wanted)

    def _scan(self, inputs: QcAlignmentInputs, contigs: tuple[Contig, ...],
              collector: CoverageCollector, sites: SiteSet, settings: ScanSettings,
              work: Path) -> Any:
        fasta = _open_fasta(inputs)
        with fasta:
            def bases(contig: str, start: int, end: int) -> bytes:
                return str(fasta.fetch(contig, start, end)).encode("ascii")

            handle = _open_alignments(inputs, work)
            with handle:
                _check_header(handle, contigs, inputs)
                return scan_alignments(handle, contigs, bases, collector, sites.tables,
                                       settings, str(inputs.alignments))

    def _write(self, sample: str, result: QcResult, collector: CoverageCollector,
               contigs: tuple[Contig, ...], params: QcAlignmentParams, ctx: StageContext
               ) -> QcAlignmentOutputs:
        json_path = ctx.path(f"{sample}.qc.json")
        tsv_path = ctx.path(f"{sample}.qc.tsv")
        panel_path = ctx.path(f"{sample}.panel_coverage.tsv")
        plot_path = ctx.path(f"{sample}.coverage.png")
        write_text_atomic(json_path, qc_json(result))
        write_text_atomic(tsv_path, qc_tsv(result))
        write_text_atomic(panel_path, panel_tsv(result.genes, params.panel_depths,
                                                params.exon_min_depth))
        autosomal = result.autosomal
        title = (f"{sample}: QC {result.verdict.status.upper()} — autosomal mean depth "
                 f"{(autosomal.mean or 0):.1f}×, "
                 f"{100 * (autosomal.fraction_at_least(params.coverage_depth) or 0):.1f} % at "
                 f"≥{params.coverage_depth}×")
        with ctx.atomic(plot_path) as tmp:
            draw_coverage_plot(tmp, title, collector.binned_means(), [c.name for c in contigs],
                               autosomal, params.coverage_depth,
                               params.min_fraction_at_coverage_depth)
        return QcAlignmentOutputs(qc_json=json_path, qc_tsv=tsv_path, panel_coverage=panel_path,
                                  coverage_plot=plot_path)

    def bind(self, ctx: BindContext, unit: str) -> QcAlignmentInputs:
        upstream = ctx.output("align", unit)
        alignments = _upstream_path(upstream, "bam", "cram")
        index = _upstream_path(upstream, "bam_index", "cram_index")
        case = ctx.case
        reference = case.resources.reference
        if reference.index is None:
            raise InputError(
                "the reference has no .fai index in the resources", item_id="reference",
                hint="add 'index: {path: ….fai, sha256: …}' to the reference resource")
        row = case.samplesheet.row(unit)
        declared = row.sex
        record = case.pedigree.get(unit)
        if declared is Sex.UNKNOWN and record is not None:
            declared = record.sex
        resources = case.resources
        return QcAlignmentInputs(
            sample=unit, alignments=alignments, alignments_index=index,
            reference=reference.path, reference_index=reference.index.path,
            reference_gzi=None if reference.gzi is None else reference.gzi.path,
            reference_build=reference.build, declared_sex=declared,
            common_snps=None if resources.common_snps is None else resources.common_snps.path,
            gene_model=(None if resources.gene_model is None or not case.panels
                        else resources.gene_model.path),
            panels=case.panels,
            ploidy=None if resources.ploidy is None else resources.ploidy.path,
        )


METHODS = {
    "depth": "pysam pass over the alignments; a base counts when its read is mapped, primary or "
    "supplementary, not a duplicate, not QC-failed, MAPQ ≥ min_mapq; CIGAR M/=/X bases only; "
    "a template's overlapping records (mates, repeated records) counted once; reference N bases "
    "excluded from every denominator",
    "q30_yield": "bases with quality ≥ 30 of primary, non-duplicate, non-QC-failed reads "
    "(mapped or not); bases over an earlier overlapping record of the template not counted "
    "twice",
    "insert_size": "|TLEN| of read 1 of primary, non-duplicate pairs with both mates on the same "
    "contig; median and quartiles (linear interpolation)",
    "sex": "copy number = 2 × mean depth outside the PARs / mean autosomal depth, for X and Y",
    "contamination": "maximum likelihood of a two-genome mixture at common-SNP sites with "
    "Hardy-Weinberg genotype priors from the sites' AF (VerifyBamID FREEMIX model, no genotype "
    "panel); grid 0-0.5 step 0.005 then golden-section refinement",
    "panel_coverage": "coding bases (CDS + stop codon) of each green gene's canonical transcript "
    "(Ensembl_canonical tag, else MANE_Select, else the longest CDS)",
}


def _whole(contigs: tuple[Contig, ...]) -> RegionSet:
    return {c.name: ((0, c.length),) for c in contigs}


def _restrict(name: str | None, nonpar: tuple[tuple[int, int], ...], target: RegionSet
              ) -> RegionSet:
    if name is None or not nonpar or not target.get(name):
        return {}
    inside = intersect(nonpar, target[name])
    return {name: inside} if inside else {}


def _sex_unassessed_reason(chromosomes: SexChromosomes, x_nonpar: RegionSet,
                           y_nonpar: RegionSet, has_bed: bool) -> str:
    if chromosomes.x is None or chromosomes.y is None:
        return "the reference has no chrX and chrY (e.g. a single-chromosome test reference)"
    if not x_nonpar or not y_nonpar:
        where = "target BED" if has_bed else "ploidy file / PAR table"
        return f"no non-PAR chrX or chrY bases to measure in the {where}"
    return ""


def _context(inputs: QcAlignmentInputs, autosomal: RegionSet, x_nonpar: RegionSet,
             y_nonpar: RegionSet, chromosomes: SexChromosomes, sites: SiteSet
             ) -> dict[str, Any]:
    return {
        "target": "autosomes (whole contigs)" if inputs.target_bed is None
        else f"target BED {inputs.target_bed.name} (autosomal part)",
        "autosomal_target_bases_incl_N": sum(total(v) for v in autosomal.values()),
        "x_nonpar_bases_incl_N": sum(total(v) for v in x_nonpar.values()),
        "y_nonpar_bases_incl_N": sum(total(v) for v in y_nonpar.values()),
        "sex_chromosomes": {"x": chromosomes.x, "y": chromosomes.y,
                            "par_source": chromosomes.source},
        "common_snp_records": sites.records,
        "alignments": inputs.alignments.name,
        "reference": inputs.reference.name,
        "reference_build": inputs.reference_build,
        "gene_model": None if inputs.gene_model is None else inputs.gene_model.name,
    }


def _upstream_path(outputs: StageOutputs, *names: str) -> Path:
    """The first of ``names`` that the upstream outputs hold as a path.

    Read by attribute so this stage does not import the align stage's code (which would tie
    this stage's version lock to align's code).
    """
    for name in names:
        value = getattr(outputs, name, None)
        if isinstance(value, Path):
            return value
    raise LookupError(f"the align outputs hold none of {', '.join(names)}")


def _read_text(path: Path, role: str) -> str:
    if not path.is_file():
        raise InputError.missing_file(path, role)
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"the {role} is not UTF-8 text (byte {exc.start})", path=path,
                         hint=f"give the {role} as plain text") from None


def _open_fasta(inputs: QcAlignmentInputs) -> Any:
    compressed = _is_gzip(inputs.reference)
    if compressed and inputs.reference_gzi is None:
        raise InputError("the reference is compressed but no reference_gzi is given",
                         path=inputs.reference, field="reference_gzi",
                         hint="give the .gzi written by 'samtools faidx' for a bgzip FASTA")
    try:
        return pysam.FastaFile(
            str(inputs.reference), filepath_index=str(inputs.reference_index),
            filepath_index_compressed=(str(inputs.reference_gzi) if compressed and
                                       inputs.reference_gzi is not None else None))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot open the reference with its index: {exc}",
                         path=inputs.reference, field="reference",
                         hint="give a FASTA (plain or bgzip) with its .fai (and .gzi)") from None


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def _is_cram(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"CRAM"


def _open_alignments(inputs: QcAlignmentInputs, work: Path) -> Any:
    """The indexed alignment file; a CRAM gets the reference through links under ``work``.

    htslib finds a CRAM reference's .fai (and .gzi) beside it, so the named files are linked
    into a private folder; nothing beside the given files is read.
    """
    options: dict[str, Any] = {"index_filename": str(inputs.alignments_index)}
    if _is_cram(inputs.alignments):
        work.mkdir(parents=True, exist_ok=True)
        linked = work / inputs.reference.name
        linked.symlink_to(inputs.reference.resolve())
        (work / (linked.name + ".fai")).symlink_to(inputs.reference_index.resolve())
        if inputs.reference_gzi is not None:
            (work / (linked.name + ".gzi")).symlink_to(inputs.reference_gzi.resolve())
        options["reference_filename"] = str(linked)
    try:
        return pysam.AlignmentFile(str(inputs.alignments), **options)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot open the alignments with their index: {exc}",
                         path=inputs.alignments, field="alignments",
                         hint="give a coordinate-sorted BAM or CRAM and its .bai/.csi/.crai"
                         ) from None


def _check_header(handle: Any, contigs: tuple[Contig, ...], inputs: QcAlignmentInputs) -> None:
    """Refuse alignments of another reference or of another sample."""
    reference = {c.name: c.length for c in contigs}
    shared = [name for name in handle.references if name in reference]
    if not shared:
        raise InputError(
            "the alignments share no contig name with the reference "
            f"(alignments: {', '.join(list(handle.references)[:3])}…; reference: "
            f"{', '.join(list(reference)[:3])}…)", path=inputs.alignments, field="alignments",
            hint="give alignments made against this reference (naming 'chr20' vs '20' differs)")
    for name in shared:
        length = handle.get_reference_length(name)
        if length != reference[name]:
            raise InputError(
                f"contig {name} is {length:,} bp in the alignments but {reference[name]:,} bp "
                "in the reference: they are from different genome builds",
                path=inputs.alignments, field="alignments",
                hint="give alignments made against this reference")
    samples = sorted({str(rg.get("SM")) for rg in handle.header.to_dict().get("RG", [])
                      if rg.get("SM") is not None})
    if samples and inputs.sample not in samples:
        raise InputError(
            f"the alignments belong to sample(s) {', '.join(samples)}, not '{inputs.sample}' "
            "(read group SM)", path=inputs.alignments, field="alignments",
            hint="check for a sample swap; if the file is right, correct the sample ID")
