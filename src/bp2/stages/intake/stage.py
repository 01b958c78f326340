"""``intake``: check a case's inputs before any analysis, and summarise them.

**What is checked** (every problem found is reported at once, each naming its file, line or
field and the fix; nothing is written when there is any):

* the samplesheet and PED (``bp2.case``): parsed with line numbers and cross-checked — every
  individual has reads, parents exist, sexes agree, one family, no one is their own ancestor, at
  least one individual is affected;
* that the reads given to the stage are the ones the samplesheet names (same kind, same file
  names), and the samplesheet's md5 for each FASTQ (``md5_1``/``md5_2``) when it gives one;
* every record of every FASTQ (``fastq.py``/``scan.py``): gzip/BGZF integrity (a stream cut
  short is refused naming the last line reached), 4-line structure, bases A/C/G/T/N only,
  Phred+33 qualities of the bases' length, R1 and R2 with the same read names in the same order
  and the same number of records, and at least ``min_reads`` pairs;
* the reference: the ``.fai`` (and ``.gzi`` for bgzip) describe the FASTA, and the build is
  recognised from contig names and lengths, M5 checksums or lengths alone against the declared
  table ``builds.yaml`` (an unknown set of contigs is "unrecognised (custom)");
* each BAM: readable to its end, its record count equal to its index's, at least ``min_reads``
  records, and its ``@SQ`` contigs from the reference's build: a BAM of another build (or naming,
  e.g. ``20`` against ``chr20``) is refused naming both builds, as are reads on contigs the
  reference lacks, a contig of another length, or (``verify_m5``) another sequence;
* each resource (VCF/BCF with its index, BED, GTF, GFF): same build as the reference, contigs of
  the same lengths, and data on at least one reference contig — never a silent zero overlap.

Two inputs with the same MD5 (the same reads given twice) are refused.

**Outputs**: ``intake.json`` (case, samples with sex, phenotype, parents, read-pair counts,
bases, Q30 bases, read lengths and MD5s, the reference build and how it was recognised, each
resource's build) and ``intake.tsv`` (one line per sample).  Files are named by base name only,
so the outputs are byte-identical wherever the same inputs are checked.

**Speed**: FASTQ checks run at C speed over chunks of 32,768 records (about 450,000 records/s
per core here including decompression); with ``--threads N`` up to N files are scanned in
parallel processes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import ClassVar

from bp2.case import Pedigree, Samplesheet, check_case, read_pedigree, read_samplesheet
from bp2.errors import InputError, InputProblems
from bp2.fileio import pretty_json
from bp2.stages.base import BindContext, Scope, Stage, StageContext, iter_paths
from bp2.stages.intake.builds import (
    BuildTable,
    Contig,
    Recognition,
    agreement,
    load_table,
    recognise,
    table_digest,
)
from bp2.stages.intake.checks import (
    duplicate_problems,
    fastq_problems,
    match_reads,
    md5_problem,
)
from bp2.stages.intake.fastq import FileReport
from bp2.stages.intake.genome import (
    Fault,
    Reference,
    open_reference,
    read_bam,
    read_table_contigs,
    read_vcf_contigs,
    resource_kind,
)
from bp2.stages.intake.models import (
    IntakeInputs,
    IntakeOutputs,
    IntakeParams,
    ResourceFile,
    SampleReads,
)
from bp2.stages.intake.scan import pair_mismatch, scan_files
from bp2.stages.intake.summary import BamResult, ResourceResult, build_summary, summary_tsv

JSON_NAME = "intake.json"
TSV_NAME = "intake.tsv"

_MISSING_HINTS = {
    "reference_index": "index the reference with 'samtools faidx REF' and name the .fai in "
    "reference_index",
    "reference_gzi": "index the bgzip-compressed reference with 'samtools faidx REF.fa.gz' "
    "(it writes the .gzi too) and name it in reference_gzi",
    "bam_index": "index the BAM with 'samtools index BAM' and name the index",
    "index": "index the file ('bcftools index -t' for a VCF) and name the index",
}


def _missing(field: str, path: Path) -> InputError:
    last = field.rsplit(".", 1)[-1]
    role = {"reference_index": "FASTA index (.fai) of the reference",
            "reference_gzi": ".gzi index of the reference"}.get(last, f"input file '{field}'")
    return InputError(f"{role} not found", path=path, field=field,
                      hint=_MISSING_HINTS.get(last, "check the path; every file the stage reads "
                                              "must exist and be named in its inputs"))


def _flatten(error: InputError) -> list[InputError]:
    return list(error.problems) if isinstance(error, InputProblems) else [error]


def md5_file(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


class IntakeStage(Stage[IntakeInputs, IntakeOutputs, IntakeParams]):
    ID: ClassVar[str] = "intake"
    VERSION: ClassVar[str] = "1.0.1"
    IMPLEMENTS: ClassVar[tuple[str, ...]] = (
        "SRS-100", "SRS-101", "SRS-102", "SRS-103", "SRS-104", "SRS-105", "SRS-106", "SRS-107",
        "SRS-108", "SRS-109", "SRS-110", "SRS-111", "SRS-112", "SRS-113",
    )
    TOOLS: ClassVar[tuple[str, ...]] = ("pysam", "htslib")
    SCOPE: ClassVar[Scope] = Scope.CASE
    DESCRIPTION: ClassVar[str] = (
        "Check the case before analysis: samplesheet and PED, every FASTQ record (gzip "
        "integrity, pairing, bases, qualities, md5), BAMs, and the reference build of reads "
        "and resources; summarise the case"
    )

    Inputs = IntakeInputs
    Outputs = IntakeOutputs
    Params = IntakeParams

    def run(self, inputs: IntakeInputs, params: IntakeParams, ctx: StageContext) -> IntakeOutputs:
        table = load_table()
        problems: list[InputError] = []
        absent: set[Path] = set()
        for field, path in iter_paths(inputs):
            if not path.is_file():
                problems.append(_missing(field, path))
                absent.add(path)

        sheet: Samplesheet | None = None
        ped: Pedigree | None = None
        if inputs.samplesheet not in absent:
            try:
                sheet = read_samplesheet(inputs.samplesheet)
            except InputError as error:
                problems.extend(_flatten(error))
        if inputs.pedigree not in absent:
            try:
                ped = read_pedigree(inputs.pedigree)
            except InputError as error:
                problems.extend(_flatten(error))
        if sheet is not None and ped is not None:
            problems.extend(check_case(sheet, ped))
        if sheet is not None:
            problems.extend(match_reads(sheet, inputs.reads))

        reference: Reference | None = None
        reference_build: Recognition | None = None
        ref_files = {inputs.reference, inputs.reference_index, inputs.reference_gzi}
        if not absent & ref_files:
            reference, faults = open_reference(inputs.reference, inputs.reference_index,
                                               inputs.reference_gzi)
            paths = {"reference": inputs.reference, "reference_index": inputs.reference_index,
                     "reference_gzi": inputs.reference_gzi or inputs.reference}
            problems.extend(InputError(f.title, path=paths[field], line=f.line, field=field,
                                       hint=f.hint) for field, f in faults)
        try:
            if reference is not None:
                reference_build = recognise(reference.contigs, table,
                                            reference.md5 if params.verify_m5 else None)
                ctx.logger.info("reference: %d contig(s), %s (by %s)", len(reference.contigs),
                                reference_build.label, reference_build.method)
            bams = self._check_bams(inputs, params, table, reference, reference_build, absent,
                                    problems)
            fastq = self._check_fastqs(inputs, params, ctx, sheet, absent, problems)
            resources = self._check_resources(inputs, params, table, reference, reference_build,
                                              absent, problems)
        finally:
            if reference is not None:
                reference.close()

        files: list[tuple[str, Path, str]] = []
        for index, (r1, r2) in fastq.items():
            entry = inputs.reads[index]
            for role, fastq_path, report in (("fastq_1", entry.fastq_1, r1),
                                             ("fastq_2", entry.fastq_2, r2)):
                if fastq_path is not None and report.fault is None and report.stats.records:
                    files.append((f"{role} of sample '{entry.sample}'", fastq_path, report.md5))
        for index, bam in bams.items():
            entry = inputs.reads[index]
            if entry.bam is not None and bam.info.records:
                files.append((f"bam of sample '{entry.sample}'", entry.bam, bam.md5))
        problems.extend(duplicate_problems(files))

        if problems:
            raise InputProblems.combine(problems)
        assert sheet is not None and ped is not None  # otherwise a problem was raised above
        assert reference is not None and reference_build is not None
        summary = build_summary(
            sheet=sheet, ped=ped, reads=inputs.reads, fastq=fastq, bams=bams,
            reference_name=inputs.reference.name, reference_contigs=reference.contigs,
            reference_build=reference_build, resources=resources,
            max_reads_to_check=params.max_reads_to_check, table_version=table.version,
            table_sha256=table_digest(),
        )
        json_path, tsv_path = ctx.path(JSON_NAME), ctx.path(TSV_NAME)
        with ctx.atomic(json_path) as tmp:
            tmp.write_text(pretty_json(summary), encoding="utf-8")
        with ctx.atomic(tsv_path) as tmp:
            tmp.write_text(summary_tsv(summary), encoding="utf-8")
        return IntakeOutputs(intake_json=json_path, summary_tsv=tsv_path)

    # -- reads --------------------------------------------------------------------------------

    def _check_bams(self, inputs: IntakeInputs, params: IntakeParams, table: BuildTable,
                    reference: Reference | None, reference_build: Recognition | None,
                    absent: set[Path], problems: list[InputError]) -> dict[int, BamResult]:
        results: dict[int, BamResult] = {}
        for index, entry in enumerate(inputs.reads):
            if (entry.bam is None or entry.bam_index is None
                    or {entry.bam, entry.bam_index} & absent):
                continue
            field = f"reads[{index}].bam"
            info, faults = read_bam(entry.bam, entry.bam_index)
            problems.extend(self._faults(faults, f"bam of sample '{entry.sample}'", entry.bam,
                                         field))
            if info is None:
                continue
            if info.records < params.min_reads:
                problems.append(InputError(
                    f"the BAM of sample '{entry.sample}' holds {info.records:,} reads"
                    + (f", fewer than the {params.min_reads:,} required" if info.records else ""),
                    path=entry.bam, field=field,
                    hint="give the sample's aligned reads (an empty BAM usually means a failed "
                    "alignment or export)"))
            recognition = recognise(info.contigs, table)
            if reference is not None and reference_build is not None:
                for d in agreement(
                        f"the BAM of sample '{entry.sample}'", info.contigs, recognition,
                        reference.lengths, reference_build, table, used=info.used,
                        require_all_used=True,
                        reference_md5=reference.md5 if params.verify_m5 else None):
                    problems.append(InputError(d.title, path=entry.bam, field=field, hint=d.hint))
            results[index] = BamResult(info=info, md5=md5_file(entry.bam),
                                       recognition=recognition)
        return results

    def _check_fastqs(self, inputs: IntakeInputs, params: IntakeParams, ctx: StageContext,
                      sheet: Samplesheet | None, absent: set[Path],
                      problems: list[InputError]) -> dict[int, tuple[FileReport, FileReport]]:
        entries: list[tuple[int, SampleReads]] = [
            (index, entry) for index, entry in enumerate(inputs.reads)
            if entry.fastq_1 is not None and entry.fastq_2 is not None
            and not {entry.fastq_1, entry.fastq_2} & absent
        ]
        paths = [p for _, e in entries for p in (e.fastq_1, e.fastq_2) if p is not None]
        reports = scan_files(paths, params.max_reads_to_check, workers=ctx.threads)
        results: dict[int, tuple[FileReport, FileReport]] = {}
        for k, (index, entry) in enumerate(entries):
            assert entry.fastq_1 is not None and entry.fastq_2 is not None
            r1, r2 = reports[2 * k], reports[2 * k + 1]
            mismatch = pair_mismatch(entry.fastq_1, entry.fastq_2, r1, r2)
            problems.extend(fastq_problems(index, entry, (r1, r2), mismatch, params.min_reads))
            if sheet is not None and entry.sample in sheet.sample_ids:
                for column, path, report in (("md5_1", entry.fastq_1, r1),
                                             ("md5_2", entry.fastq_2, r2)):
                    problem = md5_problem(sheet, entry.sample, column, path, report.md5)
                    if problem is not None:
                        problems.append(problem)
            ctx.logger.info("%s: %d read pairs checked", entry.sample, r1.stats.records)
            results[index] = (r1, r2)
        return results

    # -- resources ----------------------------------------------------------------------------

    def _check_resources(self, inputs: IntakeInputs, params: IntakeParams, table: BuildTable,
                         reference: Reference | None, reference_build: Recognition | None,
                         absent: set[Path], problems: list[InputError]) -> list[ResourceResult]:
        results: list[ResourceResult] = []
        for index, resource in enumerate(inputs.resources):
            if {resource.path, resource.index} & absent:
                continue
            field = f"resources[{index}].path"
            found = self._resource_contigs(resource, field, problems)
            if found is None:
                continue
            declared, used = found
            recognition = recognise(declared, table)
            what = f"resource '{resource.name}' ({resource.path.name})"
            if not used:
                problems.append(InputError(
                    f"{what} holds no records", path=resource.path, field=field,
                    hint="give the complete resource file (an empty one would silently "
                    "annotate nothing)"))
            elif reference is not None and reference_build is not None:
                for d in agreement(what, declared, recognition, reference.lengths,
                                   reference_build, table, used=used, require_all_used=False,
                                   reference_md5=reference.md5 if params.verify_m5 else None):
                    problems.append(InputError(d.title, path=resource.path, field=field,
                                               hint=d.hint))
            shared = tuple(c for c in used if reference is not None and c in reference.lengths)
            results.append(ResourceResult(name=resource.name, path=resource.path,
                                          recognition=recognition, used=used, shared=shared))
        return results

    def _resource_contigs(self, resource: ResourceFile, field: str, problems: list[InputError]
                          ) -> tuple[tuple[Contig, ...], tuple[str, ...]] | None:
        kind = resource_kind(resource.path)
        if kind is None:
            problems.append(InputError(
                f"resource '{resource.name}' is not a format whose contigs intake can check",
                path=resource.path, field=field,
                hint="give a VCF/BCF (with its index), BED, GTF or GFF file"))
            return None
        found, faults = (read_vcf_contigs(resource.path, resource.index) if kind == "vcf"
                         else read_table_contigs(resource.path))
        problems.extend(self._faults(faults, f"resource '{resource.name}'", resource.path,
                                     field))
        if found is None:
            return None
        declared = found.declared or tuple(Contig(name=n) for n in found.used)
        return declared, found.used

    @staticmethod
    def _faults(faults: list[Fault], what: str, path: Path, field: str) -> list[InputError]:
        return [InputError(f"{what}: {f.title}", path=path, line=f.line, field=field, hint=f.hint)
                for f in faults]

    # -- binding ------------------------------------------------------------------------------

    def bind(self, ctx: BindContext, unit: str) -> IntakeInputs:
        case = ctx.case
        reference = case.resources.reference
        if reference.index is None:
            raise InputError(
                "the reference has no FASTA index (.fai) in the resources", path=reference.path,
                item_id="reference",
                hint="index it with 'samtools faidx REF' and add 'index: {path, sha256}' to the "
                "reference entry of resources.yaml")
        reads = tuple(
            SampleReads(sample=row.sample, fastq_1=row.fastq_1, fastq_2=row.fastq_2,
                        bam=row.bam, bam_index=row.bam_index)
            for row in case.samplesheet.rows
        )
        resources = tuple(
            ResourceFile(name=name, path=res.path,
                         index=None if res.index is None else res.index.path)
            for name, res in case.resources.items()
            if name != "reference" and resource_kind(res.path) is not None
        )
        return IntakeInputs(
            samplesheet=case.samplesheet.path,
            pedigree=case.pedigree.path,
            reads=reads,
            reference=reference.path,
            reference_index=reference.index.path,
            reference_gzi=None if reference.gzi is None else reference.gzi.path,
            resources=resources,
        )
