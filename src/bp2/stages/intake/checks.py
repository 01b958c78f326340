"""Pure checks that turn what intake found into located InputErrors (file, line, field, fix)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bp2.case import Samplesheet
from bp2.errors import InputError
from bp2.stages.intake.fastq import FastqFault, FileReport
from bp2.stages.intake.models import SampleReads
from bp2.stages.intake.scan import NameMismatch


def match_reads(sheet: Samplesheet, reads: Sequence[SampleReads]) -> list[InputError]:
    """Every samplesheet row has exactly one reads entry of the same kind and file names."""
    problems: list[InputError] = []
    given: dict[str, int] = {}
    for index, entry in enumerate(reads):
        if entry.sample in given:
            problems.append(InputError(
                f"sample '{entry.sample}' has two reads entries (reads[{given[entry.sample]}] "
                f"and reads[{index}])", field=f"reads[{index}].sample",
                hint="give one reads entry per samplesheet row"))
            continue
        given[entry.sample] = index
        try:
            row = sheet.row(entry.sample)
        except KeyError:
            problems.append(InputError(
                f"reads are given for sample '{entry.sample}', which the samplesheet does not "
                "list", path=sheet.path, field=f"reads[{index}].sample",
                hint=f"add '{entry.sample}' to the samplesheet or remove its reads entry"))
            continue
        row_kind = "bam" if row.bam is not None else "fastq"
        if row_kind != entry.kind:
            problems.append(InputError(
                f"sample '{entry.sample}' is given as {entry.kind.upper()} but the samplesheet "
                f"row gives {row_kind.upper()}", path=sheet.path, line=row.line,
                field=f"reads[{index}]",
                hint="give the files the samplesheet row names"))
            continue
        for column in ("fastq_1", "fastq_2", "bam", "bam_index"):
            named: Path | None = getattr(row, column)
            actual: Path | None = getattr(entry, column)
            if named is not None and actual is not None and named.name != actual.name:
                problems.append(InputError(
                    f"{column} of sample '{entry.sample}' is '{actual.name}' but the samplesheet "
                    f"names '{named.name}'", path=sheet.path, line=row.line, field=column,
                    hint="give the files the samplesheet names (a different file may mean a "
                    "sample swap)"))
    for row in sheet.rows:
        if row.sample not in given:
            problems.append(InputError(
                f"sample '{row.sample}' has no reads entry", path=sheet.path, line=row.line,
                field="reads", hint=f"add the reads of '{row.sample}' to the inputs"))
    return problems


def _from_fault(fault: FastqFault, sample: str, role: str, path: Path, index: int) -> InputError:
    return InputError(f"{role} of sample '{sample}': {fault.message}", path=path, line=fault.line,
                      field=f"reads[{index}].{role}", hint=fault.hint)


def fastq_problems(
    index: int,
    entry: SampleReads,
    reports: tuple[FileReport, FileReport],
    mismatch: NameMismatch | None,
    min_reads: int,
) -> list[InputError]:
    """Faults of one sample's FASTQ pair: per-file faults, pairing, counts and too few reads."""
    assert entry.fastq_1 is not None and entry.fastq_2 is not None
    paths = (entry.fastq_1, entry.fastq_2)
    problems: list[InputError] = []
    for role, path, report in zip(("fastq_1", "fastq_2"), paths, reports, strict=True):
        if report.fault is not None:
            problems.append(_from_fault(report.fault, entry.sample, role, path, index))
    if mismatch is not None:
        problems.append(InputError(
            f"fastq_2 of sample '{entry.sample}' does not pair with fastq_1: read "
            f"{mismatch.record:,} is '{mismatch.name_2}' in fastq_2 but '{mismatch.name_1}' in "
            "fastq_1", path=entry.fastq_2, line=mismatch.line, field=f"reads[{index}].fastq_2",
            hint="R1 and R2 must hold the same read pairs in the same order: give the two files "
            "of one pair, exported together (e.g. samtools fastq -1 -2 -s singletons)"))
    if problems:
        return problems
    r1, r2 = reports
    if r1.complete and r2.complete and r1.stats.records != r2.stats.records:
        problems.append(InputError(
            f"fastq_1 and fastq_2 of sample '{entry.sample}' hold different numbers of reads: "
            f"{r1.stats.records:,} in fastq_1, {r2.stats.records:,} in fastq_2",
            path=entry.fastq_2, field=f"reads[{index}].fastq_2",
            hint="R1 and R2 must hold the same read pairs: one file is incomplete or they come "
            "from different exports; give the two files of one pair"))
    elif r1.stats.records < min_reads:
        problems.append(InputError(
            f"sample '{entry.sample}' has {r1.stats.records:,} read pairs"
            + (" (the FASTQ files hold no reads)" if r1.stats.records == 0
               else f", fewer than the {min_reads:,} required"),
            path=entry.fastq_1, field=f"reads[{index}].fastq_1",
            hint="give the sample's sequencing reads (an empty file usually means a failed "
            "export or demultiplexing)"))
    return problems


def md5_problem(sheet: Samplesheet, sample: str, column: str, path: Path,
                actual: str) -> InputError | None:
    """The samplesheet's md5 for a file disagrees with the file's MD5."""
    row = sheet.row(sample)
    expected: str | None = getattr(row, column)
    if expected is None or expected == actual:
        return None
    role = "fastq_1" if column == "md5_1" else "fastq_2"
    return InputError(
        f"{role} of sample '{sample}' ({path.name}) has MD5 {actual}, not the samplesheet's "
        f"{expected}", path=sheet.path, line=row.line, field=column,
        hint="the file is not the one the md5 was taken from (damaged, truncated or replaced): "
        "copy it again from its source, or correct the md5 if the file is the intended one")


def duplicate_problems(files: Sequence[tuple[str, Path, str]]) -> list[InputError]:
    """Two inputs with the same content (MD5): the same reads given twice."""
    problems: list[InputError] = []
    first: dict[str, tuple[str, Path]] = {}
    for label, path, md5 in files:
        if md5 in first:
            other_label, other_path = first[md5]
            problems.append(InputError(
                f"{label} ({path.name}) has the same content as {other_label} "
                f"({other_path.name}): MD5 {md5}", path=path,
                hint="each file must hold different reads; one of them is probably the wrong "
                "file (a copy-paste slip or a sample swap)"))
        else:
            first[md5] = (label, path)
    return problems
