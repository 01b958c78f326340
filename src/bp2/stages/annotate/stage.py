"""``annotate``: per-transcript consequences, HGVS, population frequencies and ClinVar.

**Inputs.**  The called VCF (sorted; multi-allelic records allowed), the reference
FASTA with its ``.fai`` (and ``.gzi`` when bgzipped), the gene model (GTF or GFF3, Ensembl or
GENCODE), and optionally a gnomAD-style population-frequency VCF and the ClinVar VCF, each with
its tabix index.  Every file is named in the inputs; indexes are passed to htslib explicitly.

**What it does.**  Checks first (each refusal names the files): the VCF's contigs and REF bases
belong to the reference; the gene model and resources use the reference's contig names; genes
lie inside their contigs; and the gene model's complete coding transcripts translate as open
reading frames on this reference (:mod:`.checks`).  Each multi-allelic record is split into
biallelic records, genotypes re-coded per ALT and each allele left-aligned, as ``bcftools norm
-m-any -f`` does (:mod:`.split`, which says why split rather than annotate per ALT in place).
Then, for every allele, every transcript
within ``flank`` bases (or only each gene's canonical transcript) gets its Sequence Ontology
consequences with impact class (:mod:`.consequences`, VEP's rules), HGVSc and HGVSp
(:mod:`.hgvs`), exon/intron numbers and VEP's positional fields; the allele's population
frequencies (overall and per population) and ClinVar significance and review status are looked
up **by normalised allele**, never by position alone (:mod:`.lookup`).

**Outputs.**  ``annotated.vcf.gz`` (+ ``.tbi``): the input records (multi-allelic ones split,
carrying ``OLD_MULTIALLELIC``) unchanged except INFO, which
gains ``CSQ`` (VEP's format, ``Format:`` list in the header), ``gnomAD_AF``/``gnomAD_AF_<pop>``,
``CLNSIG``, ``CLNREVSTAT`` and ``CLNVID`` (keys of :mod:`bp2.annotation`);
``consequences.tsv``: one row per allele and transcript; ``annotate_summary.json``: counts,
the gene-model checks and the resources' match counts.  Deterministic: no dates or paths in
any output, so the same inputs and parameters give byte-identical files.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal, TextIO

import pysam
from pydantic import Field, model_validator

from bp2.annotation import (
    CLINVAR_REVIEW_STATUS_KEY,
    CLINVAR_SIGNIFICANCE_KEY,
    GNOMAD_PREFIX,
    SO_TERMS,
)
from bp2.errors import InputError
from bp2.fileio import write_json_atomic
from bp2.genemodel import GeneModel, read_gene_model
from bp2.stages.annotate.alleles import normalise
from bp2.stages.annotate.annotator import CSQ_FIELDS, Annotator, CsqEntry, escape
from bp2.stages.annotate.checks import (
    CdsProblem,
    alternative_name,
    cds_problem,
    check_cds_fraction,
    contig_naming,
)
from bp2.stages.annotate.consequences import SpliceDefinition
from bp2.stages.annotate.lookup import TabixTable, clinvar_keys, population_keys
from bp2.stages.annotate.split import (
    SPLIT_FROM_HEADER,
    SPLIT_FROM_KEY,
    SPLIT_WINDOW,
    SplitError,
    SplitRecord,
    field_numbers,
    split_records,
)
from bp2.stages.annotate.transcripts import TranscriptModel, build_sequence, transcript_models
from bp2.stages.annotate.vcfio import (
    CLINVAR_ID_KEY,
    Header,
    Record,
    new_header_lines,
    parse_header,
    parse_record,
    read_lines,
    render_header,
    with_info,
    write_bgzf_indexed,
)
from bp2.stages.base import (
    CASE_UNIT,
    BindContext,
    Scope,
    Stage,
    StageContext,
    StageInputs,
    StageOutputs,
    StageParams,
)

VCF_NAME = "annotated.vcf.gz"
TSV_NAME = "consequences.tsv"
SUMMARY_NAME = "annotate_summary.json"

TSV_COLUMNS = ("CHROM", "POS", "REF", "ALT", *CSQ_FIELDS, "gnomAD_AF", CLINVAR_SIGNIFICANCE_KEY,
               CLINVAR_REVIEW_STATUS_KEY)


class AnnotateInputs(StageInputs):
    """The called VCF, the reference with its indexes, the gene model and optional resources."""

    vcf: Path = Field(description="called VCF (plain or bgzip), sorted; multi-allelic "
                      "records are split")
    reference: Path
    reference_index: Path = Field(description="the reference's .fai")
    reference_gzi: Path | None = Field(None, description=".gzi, for a bgzipped reference")
    gene_model: Path = Field(description="GTF or GFF3 (plain or gzip), Ensembl or GENCODE")
    gene_model_version: str = Field("unrecorded", description="release label for the header")
    population_af: Path | None = Field(None, description="gnomAD-style VCF (bgzip) with "
                                       "INFO AF and AF_<population>")
    population_af_index: Path | None = None
    population_af_version: str = "unrecorded"
    clinvar: Path | None = Field(None, description="ClinVar VCF (bgzip) with CLNSIG, CLNREVSTAT")
    clinvar_index: Path | None = None
    clinvar_version: str = "unrecorded"

    @model_validator(mode="after")
    def _indexes(self) -> AnnotateInputs:
        for name in ("population_af", "clinvar"):
            if (getattr(self, name) is None) != (getattr(self, f"{name}_index") is None):
                raise ValueError(f"give both {name} and {name}_index, or neither")
        return self


class AnnotateOutputs(StageOutputs):
    vcf: Path
    vcf_index: Path
    consequences: Path
    summary: Path


class AnnotateParams(StageParams):
    flank: int = Field(5000, ge=0, le=100_000, description="upstream/downstream distance "
                       "(VEP: 5,000)")
    splice_region_exon_bases: int = Field(3, ge=1, le=20, description="splice region: bases "
                                          "into the exon (VEP: 1-3)")
    splice_region_intron_min: int = Field(3, ge=3, le=50, description="splice region: first "
                                          "intron base (VEP: 3)")
    splice_region_intron_max: int = Field(8, ge=3, le=50, description="splice region: last "
                                          "intron base (VEP: 8)")
    transcripts: Literal["all", "canonical"] = Field(
        "all", description="report every transcript (the canonical one flagged) or only each "
        "gene's canonical transcript")
    split_window: int = Field(
        SPLIT_WINDOW, ge=0, le=1_000_000, description="bases a record is held to re-sort the "
        "biallelic records split from a multi-allelic one (bcftools norm --site-win); a split "
        "allele is never left-aligned before a record already written")
    max_invalid_cds_fraction: float = Field(
        0.1, ge=0.0, le=1.0, description="refuse a gene model when more of its complete coding "
        "transcripts than this fraction are not open reading frames on the reference")

    @model_validator(mode="after")
    def _splice_range(self) -> AnnotateParams:
        if self.splice_region_intron_min > self.splice_region_intron_max:
            raise ValueError("splice_region_intron_min must not exceed splice_region_intron_max")
        return self

    def splice(self) -> SpliceDefinition:
        return SpliceDefinition(self.splice_region_exon_bases, self.splice_region_intron_min,
                                self.splice_region_intron_max)


class FastaSource:
    """The reference through pysam, its indexes named explicitly."""

    def __init__(self, path: Path, fai: Path, gzi: Path | None) -> None:
        for file, role, name in ((path, "reference FASTA", "reference"),
                                 (fai, "reference index (.fai)", "reference_index")):
            if not file.is_file():
                raise InputError(f"{role} not found", path=file, field=name,
                                 hint="check the path in the inputs")
        try:
            self.fasta = pysam.FastaFile(
                str(path), filepath_index=str(fai),
                filepath_index_compressed=None if gzi is None else str(gzi))
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot open the reference: {exc}", path=path, field="reference",
                             hint="give the FASTA with its own .fai (and .gzi when bgzipped)"
                             ) from None
        self.lengths = dict(zip(self.fasta.references, self.fasta.lengths, strict=True))

    def fetch(self, contig: str, start: int, end: int) -> str:
        start = max(start, 1)
        end = min(end, self.lengths.get(contig, 0))
        if end < start:
            return ""
        return self.fasta.fetch(contig, start - 1, end).upper()

    def close(self) -> None:
        self.fasta.close()


@dataclass
class _Tally:
    records: int = 0  # input records (counted as read)
    multiallelic: int = 0  # input records with several ALTs, split
    split: int = 0  # records written for them
    moved: int = 0  # split records whose position or alleles normalisation changed
    limited: int = 0  # split records whose left alignment stopped at the last record written
    written: int = 0  # output records
    alleles: int = 0
    skipped: int = 0  # symbolic, '*' or REF-only alleles
    entries: int = 0
    most_severe: Counter[str] = field(default_factory=Counter)
    population_matched: int = 0
    clinvar_matched: int = 0
    clinvar_multiple: int = 0

    def count(self, piece: SplitRecord) -> None:
        """Count one record written (and, for a split one, its split)."""
        self.written += 1
        if piece.split:
            self.multiallelic += piece.alt_index == 1
            self.split += 1
            self.moved += piece.moved
            self.limited += piece.limited


_SEVERITY = {term: index for index, term in enumerate(SO_TERMS)}


class AnnotateStage(Stage[AnnotateInputs, AnnotateOutputs, AnnotateParams]):
    ID: ClassVar[str] = "annotate"
    VERSION: ClassVar[str] = "1.1.0"
    IMPLEMENTS: ClassVar[tuple[str, ...]] = (
        "SRS-200", "SRS-201", "SRS-202", "SRS-203", "SRS-204", "SRS-205", "SRS-206", "SRS-207",
        "SRS-208", "SRS-209", "SRS-210", "SRS-211", "SRS-212", "SRS-213", "SRS-280",
        "SRS-281",
    )
    TOOLS: ClassVar[tuple[str, ...]] = ("pysam", "htslib")
    SCOPE: ClassVar[Scope] = Scope.CASE
    DESCRIPTION: ClassVar[str] = (
        "Per-transcript SO consequences with impact, HGVS c./p. (3'-shifted on the transcript "
        "strand), gnomAD allele frequencies and ClinVar significance matched by normalised "
        "allele; VEP-style CSQ in a bgzipped, indexed VCF plus a per-transcript TSV"
    )

    Inputs = AnnotateInputs
    Outputs = AnnotateOutputs
    Params = AnnotateParams

    def run(self, inputs: AnnotateInputs, params: AnnotateParams,
            ctx: StageContext) -> AnnotateOutputs:
        if not inputs.vcf.is_file():
            raise InputError.missing_file(inputs.vcf, "called VCF")
        source = FastaSource(inputs.reference, inputs.reference_index, inputs.reference_gzi)
        tables: list[TabixTable] = []
        try:
            gene_model = read_gene_model(inputs.gene_model)
            models, model_summary = self._models(gene_model, source, inputs, params)
            population = self._table(inputs.population_af, inputs.population_af_index,
                                      "population-frequency VCF", "population_af", source,
                                      inputs.reference)
            clinvar = self._table(inputs.clinvar, inputs.clinvar_index, "ClinVar VCF",
                                  "clinvar", source, inputs.reference)
            tables = [t for t in (population, clinvar) if t is not None]
            annotator = Annotator(models, source, flank=params.flank, splice=params.splice())
            return self._annotate(inputs, params, ctx, source, annotator, population, clinvar,
                                  model_summary)
        finally:
            for table in tables:
                table.close()
            source.close()

    # --- checks -------------------------------------------------------------------------------

    @staticmethod
    def _models(gene_model: GeneModel, source: FastaSource, inputs: AnnotateInputs,
                params: AnnotateParams) -> tuple[list[TranscriptModel], dict[str, Any]]:
        lengths = source.lengths
        names = {g.contig for g in gene_model.genes}
        present = contig_naming(names, lengths, inputs.gene_model, inputs.reference,
                                "gene model", "gene_model")
        for gene in gene_model.genes:
            if gene.contig in present and gene.end > lengths[gene.contig]:
                raise InputError(
                    f"gene {gene.symbol} ({gene.gene_id}) ends at {gene.contig}:{gene.end}, past "
                    f"the end of {gene.contig} in the reference {inputs.reference.name} "
                    f"({lengths[gene.contig]:,} bp)", path=inputs.gene_model, field="gene_model",
                    hint="give the gene model in the reference's coordinates (same build; a "
                    "slice of a chromosome needs a gene model shifted to the slice)")
        models = list(transcript_models(gene_model, present))
        if params.transcripts == "canonical":
            models = [m for m in models if m.canonical]
        problems: list[CdsProblem] = []
        checked = 0
        for model in models:
            if model.coding is None or model.cds_start_nf or model.cds_end_nf:
                continue
            checked += 1
            problem = cds_problem(build_sequence(model, source))
            if problem is not None:
                problems.append(problem)
        check_cds_fraction(problems, checked, params.max_invalid_cds_fraction,
                           inputs.gene_model, inputs.reference)
        summary = {
            "genes": sum(1 for g in gene_model.genes if g.contig in present),
            "transcripts": len(models),
            "coding_transcripts_checked": checked,
            "invalid_coding_transcripts": len(problems),
            "invalid_examples": [
                {"transcript": p.transcript_id, "where": p.where, "reason": p.reason}
                for p in problems[:20]],
            "contigs_not_in_reference": sorted(names - present),
        }
        return models, summary

    @staticmethod
    def _table(path: Path | None, index: Path | None, role: str, field: str,
               source: FastaSource, reference: Path) -> TabixTable | None:
        if path is None or index is None:
            return None
        table = TabixTable(path=path, index=index, role=role, source=source)
        table.open()
        table.keys = (population_keys(table.header, path) if field == "population_af"
                      else clinvar_keys(table.header, path))
        contig_naming(table.contigs, source.lengths, path, reference, role, field)
        return table

    @staticmethod
    def _check_contigs(header: Header, source: FastaSource, inputs: AnnotateInputs) -> None:
        for name, length in header.contigs.items():
            if name in source.lengths:
                if length is not None and length != source.lengths[name]:
                    raise InputError(
                        f"the VCF's contig {name} has length {length:,} but the reference "
                        f"{inputs.reference.name} has {source.lengths[name]:,}", path=inputs.vcf,
                        field="vcf", hint="annotate with the reference the variants were "
                        "called on (same build)")
                continue
            alternative = alternative_name(name, source.lengths)
            if alternative is not None:
                raise InputError(
                    f"the VCF names contig '{name}' where the reference "
                    f"{inputs.reference.name} has '{alternative}'", path=inputs.vcf, field="vcf",
                    hint="annotate with the reference the variants were called on")

    # --- annotation ---------------------------------------------------------------------------

    def _annotate(self, inputs: AnnotateInputs, params: AnnotateParams, ctx: StageContext,
                  source: FastaSource, annotator: Annotator, population: TabixTable | None,
                  clinvar: TabixTable | None, model_summary: dict[str, Any]) -> AnnotateOutputs:
        lines = read_lines(inputs.vcf)
        header_lines: list[str] = []
        number = 0
        for line in lines:
            number += 1
            header_lines.append(line)
            if line.startswith("#CHROM"):
                break
        else:
            raise InputError("the VCF has no '#CHROM' header line", path=inputs.vcf, field="vcf",
                             hint="give a VCF with a complete header")
        header = parse_header(header_lines, inputs.vcf)
        self._check_contigs(header, source, inputs)
        numbers = field_numbers(header.meta)
        extra = new_header_lines(
            version=self.VERSION, csq_fields=CSQ_FIELDS, gene_model=inputs.gene_model_version,
            population_keys=list(population.keys) if population is not None else [],
            population_version=None if population is None else inputs.population_af_version,
            clinvar_version=None if clinvar is None else inputs.clinvar_version)
        if SPLIT_FROM_KEY not in numbers.info:
            extra.append(SPLIT_FROM_HEADER)
        tally = _Tally()
        vcf_path, tbi_path = ctx.path(VCF_NAME), ctx.path(VCF_NAME + ".tbi")
        tsv_path = ctx.path(TSV_NAME)
        with ctx.atomic(tsv_path) as tmp_tsv, tmp_tsv.open("w", encoding="utf-8") as table:
            table.write("\t".join(TSV_COLUMNS) + "\n")

            def body() -> Iterator[str]:
                yield render_header(header, extra)
                records = ((r.cols, r.line) for r in self._input_records(
                    lines, number, inputs, source, tally))
                try:
                    for piece in split_records(records, numbers, source, params.split_window):
                        tally.count(piece)
                        yield self._record(Record(piece.cols, piece.line), source, annotator,
                                           population, clinvar, tally, table) + "\n"
                except SplitError as exc:
                    raise InputError(
                        f"cannot split the multi-allelic record {exc}", path=inputs.vcf,
                        line=exc.line, field="vcf",
                        hint="each Number=A, R or G value needs one entry per ALT, allele or "
                        "genotype (as the header declares); correct the record or its header"
                    ) from None

            write_bgzf_indexed(vcf_path, tbi_path, body())
        summary_path = ctx.path(SUMMARY_NAME)
        write_json_atomic(summary_path, {
            "stage": self.ID, "version": self.VERSION,
            "records": tally.records, "multiallelic_records_split": tally.multiallelic,
            "records_written": tally.written, "split_records": tally.split,
            "split_records_normalised": tally.moved,
            "split_records_alignment_limited": tally.limited,
            "alleles_annotated": tally.alleles,
            "alleles_skipped": tally.skipped, "transcript_entries": tally.entries,
            "most_severe_consequence": dict(sorted(tally.most_severe.items(),
                                                   key=lambda kv: _SEVERITY.get(kv[0], 99))),
            "gene_model": model_summary,
            "population_af": None if population is None else {
                "keys": [GNOMAD_PREFIX + k for k in population.keys],
                "alleles_matched": tally.population_matched},
            "clinvar": None if clinvar is None else {
                "alleles_matched": tally.clinvar_matched,
                "alleles_with_several_records": tally.clinvar_multiple},
        })
        ctx.logger.info("annotated %d allele(s) of %d record(s): %d transcript entries",
                        tally.alleles, tally.records, tally.entries)
        return AnnotateOutputs(vcf=vcf_path, vcf_index=tbi_path, consequences=tsv_path,
                               summary=summary_path)

    @staticmethod
    def _input_records(lines: Iterator[str], number: int, inputs: AnnotateInputs,
                       source: FastaSource, tally: _Tally) -> Iterator[Record]:
        """The VCF's records after the header, each checked: sorted, contig and REF on the
        reference."""
        done: set[str] = set()
        contig, last = "", 0
        for text in lines:
            number += 1
            if not text:
                continue
            record = parse_record(text, number, inputs.vcf)
            if record.contig != contig:
                if record.contig in done:
                    raise InputError(
                        f"the VCF's records of {record.contig} are not together: they resume "
                        f"at line {number} after records of {contig}", path=inputs.vcf,
                        line=number, field="vcf", hint="sort the VCF (bcftools sort)")
                done.add(contig)
                contig, last = record.contig, 0
            if record.pos < last:
                raise InputError(
                    f"the VCF is not sorted: {contig}:{record.pos} comes after {contig}:{last}",
                    path=inputs.vcf, line=number, field="vcf", hint="sort the VCF (bcftools sort)")
            last = record.pos
            _check_reference(record, inputs, source)
            tally.records += 1
            yield record

    @staticmethod
    def _record(record: Record, source: FastaSource, annotator: Annotator,
                population: TabixTable | None, clinvar: TabixTable | None, tally: _Tally,
                table: TextIO) -> str:
        contig, pos, ref = record.contig, record.pos, record.ref.upper()
        alt = record.alts[0].upper()
        if alt in (".", "*") or alt.startswith("<") or "[" in alt or "]" in alt:
            tally.skipped += 1
            return with_info(record, [])
        tally.alleles += 1
        entries = annotator.annotate(contig, pos, ref, alt)
        tally.entries += len(entries)
        worst = min((t for e in entries for t in e.terms), key=lambda t: _SEVERITY.get(t, 99))
        tally.most_severe[worst] += 1
        values: list[tuple[str, str]] = [("CSQ", ",".join(e.csq() for e in entries))]
        key = normalise(contig, pos, ref, alt, source)
        frequency = ""
        if population is not None:
            found = population.lookup(key)
            if found:
                tally.population_matched += 1
                for name in population.keys:
                    value = found[0].values.get(name)
                    if value is not None:
                        values.append((GNOMAD_PREFIX + name, value))
                frequency = found[0].values.get("AF", "")
        significance = review = ""
        if clinvar is not None:
            found = clinvar.lookup(key)
            if found:
                tally.clinvar_matched += 1
                tally.clinvar_multiple += len(found) > 1
                significance = found[0].values.get(CLINVAR_SIGNIFICANCE_KEY, "")
                review = found[0].values.get(CLINVAR_REVIEW_STATUS_KEY, "")
                if significance:
                    values.append((CLINVAR_SIGNIFICANCE_KEY, significance))
                if review:
                    values.append((CLINVAR_REVIEW_STATUS_KEY, review))
                ids = sorted({r.record_id for r in found if r.record_id not in ("", ".")})
                if ids:
                    values.append((CLINVAR_ID_KEY, ",".join(escape(i) for i in ids)))
        for entry in entries:
            table.write(_tsv_row(contig, pos, ref, alt, entry, frequency, significance, review))
        return with_info(record, values)

    # --- binding ------------------------------------------------------------------------------

    def bind(self, ctx: BindContext, unit: str) -> AnnotateInputs:
        if ("call", CASE_UNIT) not in ctx.upstream and ctx.case.vcf is not None:
            vcf: object = ctx.case.vcf.path  # bp2 interpret with a gene model: the given VCF
        else:
            vcf = getattr(ctx.output("call", CASE_UNIT), "vcf", None)
        if not isinstance(vcf, Path):
            raise InputError("the call stage's outputs have no 'vcf' file",
                             hint="annotate reads the called VCF from call's 'vcf'")
        resources = ctx.case.resources
        reference = resources.reference
        if reference.index is None:
            raise InputError("the reference has no .fai index in the resources",
                             field="reference", hint="add 'index' (path and sha256 of the .fai)")
        if resources.gene_model is None:
            raise InputError("the resources name no gene_model", field="gene_model",
                             hint="add 'gene_model' (GTF or GFF3 with sha256, build, version) "
                             "to resources.yaml")
        population, clinvar = resources.population_af, resources.clinvar
        for name, resource in (("population_af", population), ("clinvar", clinvar)):
            if resource is not None and resource.index is None:
                raise InputError(f"the resource '{name}' has no tabix index in the resources",
                                 field=name, hint="add 'index' (path and sha256 of the .tbi)")
        return AnnotateInputs(
            vcf=vcf, reference=reference.path, reference_index=reference.index.path,
            reference_gzi=None if reference.gzi is None else reference.gzi.path,
            gene_model=resources.gene_model.path,
            gene_model_version=resources.gene_model.version,
            population_af=None if population is None else population.path,
            population_af_index=(None if population is None or population.index is None
                                 else population.index.path),
            population_af_version="unrecorded" if population is None else population.version,
            clinvar=None if clinvar is None else clinvar.path,
            clinvar_index=(None if clinvar is None or clinvar.index is None
                           else clinvar.index.path),
            clinvar_version="unrecorded" if clinvar is None else clinvar.version,
        )


def _check_reference(record: Record, inputs: AnnotateInputs, source: FastaSource) -> None:
    """The record's contig is in the reference and its REF equals the reference there."""
    contig, pos, ref = record.contig, record.pos, record.ref.upper()
    if contig not in source.lengths:
        raise InputError(f"VCF contig '{contig}' is not in the reference "
                         f"{inputs.reference.name}", path=inputs.vcf, line=record.line,
                         field="vcf", hint="annotate with the reference the variants were "
                         "called on")
    actual = source.fetch(contig, pos, pos + len(ref) - 1)
    if not set(ref) <= set("ACGTN") or (actual != ref and not _n_match(ref, actual)):
        raise InputError(
            f"REF {ref} at {contig}:{pos} does not match the reference "
            f"{inputs.reference.name} ({actual or 'past the contig end'})",
            path=inputs.vcf, line=record.line, field="vcf",
            hint="the VCF was called on another reference or build; annotate with the "
            "reference it was called on")


def _n_match(ref: str, actual: str) -> bool:
    """REF equals the reference where neither has an N."""
    return len(ref) == len(actual) and all(a == b or "N" in (a, b)
                                           for a, b in zip(ref, actual, strict=True))


def _tsv_row(contig: str, pos: int, ref: str, alt: str, entry: CsqEntry, frequency: str,
             significance: str, review: str) -> str:
    values = [contig, str(pos), ref, alt, *entry.values(), frequency, significance, review]
    return "\t".join(v.replace("\t", " ") for v in values) + "\n"


def summary_of(path: Path) -> dict[str, Any]:
    """The summary JSON (for tests and reports)."""
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded
