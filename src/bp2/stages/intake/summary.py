"""The intake summary: one JSON document for the case and one TSV line per sample.

Pure over records.  Files are named by their base names only (no directories, times or hosts), so
the same inputs give byte-identical summaries wherever they are run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bp2.case import Pedigree, Samplesheet, Sex
from bp2.stages.intake.builds import Contig, Recognition
from bp2.stages.intake.fastq import FileReport
from bp2.stages.intake.genome import BamInfo
from bp2.stages.intake.models import SampleReads


@dataclass(frozen=True)
class BamResult:
    info: BamInfo
    md5: str
    recognition: Recognition


@dataclass(frozen=True)
class ResourceResult:
    name: str
    path: Path
    recognition: Recognition
    used: tuple[str, ...]
    shared: tuple[str, ...]


def _build(recognition: Recognition) -> dict[str, Any]:
    return {
        "label": recognition.label,
        "builds": list(recognition.builds),
        "assembly": recognition.assembly,
        "recognised_by": recognition.method,
        "matching_contigs": list(recognition.evidence),
    }


def _fastq_file(role: str, path: Path, report: FileReport, expected: str | None
                ) -> dict[str, Any]:
    return {
        "role": role,
        "file": path.name,
        "records": report.stats.records,
        "bases": report.stats.bases,
        "q30_bases": report.stats.q30_bases,
        "read_length": {"min": report.stats.min_length, "max": report.stats.max_length},
        "every_record_checked": report.complete,
        "md5": report.md5,
        "md5_expected": expected,
        "md5_verified": None if expected is None else expected == report.md5,
    }


def build_summary(
    *,
    sheet: Samplesheet,
    ped: Pedigree,
    reads: Sequence[SampleReads],
    fastq: Mapping[int, tuple[FileReport, FileReport]],
    bams: Mapping[int, BamResult],
    reference_name: str,
    reference_contigs: Sequence[Contig],
    reference_build: Recognition,
    resources: Sequence[ResourceResult],
    max_reads_to_check: int,
    table_version: str,
    table_sha256: str,
) -> dict[str, Any]:
    """The case summary written to intake.json."""
    samples: list[dict[str, Any]] = []
    by_sample = {entry.sample: index for index, entry in enumerate(reads)}
    for row in sheet.rows:
        index = by_sample[row.sample]
        entry = reads[index]
        record = ped.get(row.sample)
        assert record is not None  # check_case guarantees every sample is in the PED
        sex = record.sex if record.sex is not Sex.UNKNOWN else row.sex
        sample: dict[str, Any] = {
            "sample": row.sample,
            "family": record.family,
            "father": record.father,
            "mother": record.mother,
            "sex": str(sex),
            "sex_samplesheet": str(row.sex),
            "sex_pedigree": str(record.sex),
            "phenotype": str(record.phenotype),
            "input": entry.kind,
        }
        if entry.kind == "fastq":
            r1, r2 = fastq[index]
            assert entry.fastq_1 is not None and entry.fastq_2 is not None
            sample["read_pairs"] = r1.stats.records
            sample["bases"] = r1.stats.bases + r2.stats.bases
            sample["q30_bases"] = r1.stats.q30_bases + r2.stats.q30_bases
            sample["files"] = [_fastq_file("fastq_1", entry.fastq_1, r1, row.md5_1),
                               _fastq_file("fastq_2", entry.fastq_2, r2, row.md5_2)]
        else:
            bam = bams[index]
            assert entry.bam is not None
            sample["records"] = bam.info.records
            sample["mapped"] = bam.info.mapped
            sample["unmapped"] = bam.info.unmapped
            sample["read_group_samples"] = list(bam.info.samples)
            sample["contigs_with_reads"] = list(bam.info.used)
            sample["build"] = _build(bam.recognition)
            sample["files"] = [{"role": "bam", "file": entry.bam.name, "md5": bam.md5}]
        samples.append(sample)
    families = sorted({r.family for r in ped.records})
    return {
        "case": {
            "family": families[0] if len(families) == 1 else families,
            "samples": [row.sample for row in sheet.rows],
            "affected": list(ped.affected),
            "samplesheet": sheet.path.name,
            "pedigree": ped.path.name,
        },
        "samples": samples,
        "reference": {
            "file": reference_name,
            "contigs": len(reference_contigs),
            "length": sum(c.length or 0 for c in reference_contigs),
            "build": _build(reference_build),
        },
        "resources": [
            {"name": r.name, "file": r.path.name, "build": _build(r.recognition),
             "contigs_with_data": len(r.used), "shared_with_reference": list(r.shared)}
            for r in resources
        ],
        "checks": {
            "fastq_records_checked": "all" if max_reads_to_check == 0
            else f"first {max_reads_to_check} per file",
            "build_table": {"version": table_version, "sha256": table_sha256},
        },
    }


TSV_COLUMNS = ("sample", "family", "father", "mother", "sex", "phenotype", "input",
               "read_pairs", "records", "bases", "q30_bases", "files", "md5", "md5_verified",
               "build")


def summary_tsv(summary: Mapping[str, Any]) -> str:
    """One tab-separated line per sample; '.' where a value does not apply."""
    lines = ["\t".join(TSV_COLUMNS)]
    for sample in summary["samples"]:
        files = sample["files"]
        verified = [f.get("md5_verified") for f in files]
        values = {
            **sample,
            "files": ";".join(f["file"] for f in files),
            "md5": ";".join(f["md5"] for f in files),
            "md5_verified": "." if all(v is None for v in verified)
            else "yes" if all(v in (True, None) for v in verified) else "no",
            "build": sample["build"]["label"] if "build" in sample else None,
        }
        lines.append("\t".join("." if values.get(c) is None else str(values[c])
                               for c in TSV_COLUMNS))
    return "\n".join(lines) + "\n"
