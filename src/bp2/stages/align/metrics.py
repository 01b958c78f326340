"""Alignment metrics from ``samtools flagstat -O json`` and ``samtools markdup -f`` reports.

Pure parsing over text.  Counts add the QC-passed and QC-failed columns of flagstat; fractions
are rounded to six decimals so the metrics file is byte-stable.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

_FLAGSTAT_KEYS = {
    "records": "total",
    "primary_reads": "primary",
    "secondary": "secondary",
    "supplementary": "supplementary",
    "primary_mapped": "primary mapped",
    "paired_in_sequencing": "paired in sequencing",
    "properly_paired": "properly paired",
    "mate_mapped": "with itself and mate mapped",
    "singletons": "singletons",
    "duplicates": "duplicates",
    "primary_duplicates": "primary duplicates",
}


class AlignmentMetrics(BaseModel):
    """What the metrics JSON of the align stage holds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sample: str
    source: Literal["fastq", "bam"]
    records: int
    primary_reads: int
    secondary: int
    supplementary: int
    qc_failed: int
    primary_mapped: int
    paired_in_sequencing: int
    properly_paired: int
    mate_mapped: int
    singletons: int
    duplicates: int
    primary_duplicates: int
    mapped_fraction: float
    properly_paired_fraction: float
    duplicate_fraction: float
    markdup: dict[str, int] | None = None


def _fraction(part: int, whole: int) -> float:
    return round(part / whole, 6) if whole else 0.0


def parse_flagstat(text: str) -> dict[str, int]:
    """Counts from ``samtools flagstat -O json`` (QC-passed plus QC-failed), keyed as metrics."""
    data: dict[str, dict[str, Any]] = json.loads(text)
    passed, failed = data["QC-passed reads"], data["QC-failed reads"]
    counts = {key: int(passed[name]) + int(failed[name]) for key, name in _FLAGSTAT_KEYS.items()}
    counts["qc_failed"] = int(failed["total"])
    return counts


def parse_markdup_stats(text: str) -> dict[str, int]:
    """``KEY: value`` lines of a ``samtools markdup -f`` report (the COMMAND line is left out)."""
    stats: dict[str, int] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if not sep or key == "COMMAND":
            continue
        value = value.strip()
        if value.lstrip("-").isdigit():
            stats[key.strip().lower().replace(" ", "_")] = int(value)
    return stats


def build_metrics(
    sample: str, source: Literal["fastq", "bam"], counts: dict[str, int],
    markdup: dict[str, int] | None,
) -> AlignmentMetrics:
    return AlignmentMetrics(
        sample=sample,
        source=source,
        **counts,
        mapped_fraction=_fraction(counts["primary_mapped"], counts["primary_reads"]),
        properly_paired_fraction=_fraction(counts["properly_paired"],
                                           counts["paired_in_sequencing"]),
        duplicate_fraction=_fraction(counts["primary_duplicates"], counts["primary_mapped"]),
        markdup=markdup,
    )
