"""Read-level counts (``samtools flagstat`` semantics), insert sizes and Q30 bases.

Pure accumulators over SAM flags and values, testable without a BAM file.

* :class:`FlagCounts` counts exactly what ``samtools flagstat`` counts, summed over QC-passed
  and QC-failed reads (flagstat prints the two separately): every record, secondary,
  supplementary, primary, mapped, duplicates, and — over primary paired reads — read1/read2,
  properly paired (mapped with flag 0x2), both mates mapped, singletons and mates on another
  contig.
* Insert size: ``|TLEN|`` of one read per pair (read 1), primary, not duplicate, not QC-failed,
  both mates mapped on the same contig, ``TLEN != 0`` (as Picard's CollectInsertSizeMetrics,
  which takes one read per pair and ignores pairs on different contigs).
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

PAIRED, PROPER, UNMAP, MUNMAP = 0x1, 0x2, 0x4, 0x8
READ1, READ2 = 0x40, 0x80
SECONDARY, QCFAIL, DUP, SUPPLEMENTARY = 0x100, 0x200, 0x400, 0x800


@dataclass
class FlagCounts:
    total: int = 0
    qcfail: int = 0
    secondary: int = 0
    supplementary: int = 0
    primary: int = 0
    mapped: int = 0
    primary_mapped: int = 0
    duplicates: int = 0
    primary_duplicates: int = 0
    paired: int = 0
    read1: int = 0
    read2: int = 0
    properly_paired: int = 0
    both_mapped: int = 0
    singletons: int = 0
    mate_other_contig: int = 0
    mate_other_contig_mapq5: int = 0

    def add(self, flag: int, mapq: int, tid: int, mate_tid: int) -> None:
        """Count one record, as samtools flagstat's ``flagstat_loop`` does."""
        self.total += 1
        if flag & QCFAIL:
            self.qcfail += 1
        mapped = not flag & UNMAP
        if flag & SECONDARY:
            self.secondary += 1
        elif flag & SUPPLEMENTARY:
            self.supplementary += 1
        else:
            self.primary += 1
            if flag & PAIRED:
                self.paired += 1
                if flag & PROPER and mapped:
                    self.properly_paired += 1
                if flag & READ1:
                    self.read1 += 1
                if flag & READ2:
                    self.read2 += 1
                if flag & MUNMAP and mapped:
                    self.singletons += 1
                if mapped and not flag & MUNMAP:
                    self.both_mapped += 1
                    if mate_tid != tid:
                        self.mate_other_contig += 1
                        if mapq >= 5:
                            self.mate_other_contig_mapq5 += 1
            if mapped:
                self.primary_mapped += 1
            if flag & DUP:
                self.primary_duplicates += 1
        if mapped:
            self.mapped += 1
        if flag & DUP:
            self.duplicates += 1


def insert_size_of(flag: int, tid: int, mate_tid: int, tlen: int) -> int | None:
    """The insert size one record contributes (see the module docstring), or None."""
    wanted = PAIRED | READ1
    refused = UNMAP | MUNMAP | SECONDARY | SUPPLEMENTARY | QCFAIL | DUP
    if flag & wanted != wanted or flag & refused or tid != mate_tid or tlen == 0:
        return None
    return abs(tlen)


@dataclass(frozen=True)
class InsertSizes:
    pairs: int
    median: float | None
    q1: float | None
    q3: float | None

    @property
    def iqr(self) -> float | None:
        return None if self.q1 is None or self.q3 is None else self.q3 - self.q1


def summarise_insert_sizes(values: array[int] | npt.NDArray[np.int64]) -> InsertSizes:
    """Median and quartiles (numpy's default linear interpolation) of the insert sizes."""
    data = np.asarray(values, dtype=np.int64)
    if data.size == 0:
        return InsertSizes(0, None, None, None)
    q1, median, q3 = (float(v) for v in np.percentile(data, [25, 50, 75]))
    return InsertSizes(int(data.size), median, q1, q3)


_AT_LEAST = {q: bytes(range(q, 256)) for q in range(256)}


def count_at_least(qualities: array[int] | None, threshold: int, lo: int = 0,
                   hi: int | None = None) -> int:
    """How many base qualities in ``qualities[lo:hi]`` are ≥ ``threshold`` (0 when absent)."""
    if qualities is None or len(qualities) == 0:
        return 0
    values = qualities[lo:hi].tobytes()
    return len(values) - len(values.translate(None, _AT_LEAST[threshold]))
