"""The file edge of the FASTQ checks: scan files (in parallel processes), then pair R1 with R2.

Each file is read in raw blocks (hashed with MD5 as they are read), decompressed when it is
gzip/BGZF, cut into chunks of whole records and checked (``fastq.check_chunk``); each chunk's read
names are reduced to one digest.  Files are independent, so with several threads they are scanned
in separate processes (the checks are CPU-bound Python, so threads would share one core).  R1 and
R2 are then paired by comparing their digests chunk by chunk; only when two digests differ are
the two chunks read again to name the first read that does not pair.  Every record is checked
unless ``max_records`` is set; the MD5 always covers the whole file.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from bp2.stages.intake.fastq import (
    GZIP_MAGIC,
    Chunk,
    FastqFault,
    FileReport,
    check_chunk,
    first_name_mismatch,
    gunzip_blocks,
    names_digest,
    read_name,
    record_chunks,
)

RAW_BLOCK = 1 << 20
RECORDS_PER_CHUNK = 1 << 15


def _raw_blocks(handle: BinaryIO, md5: Any, first: bytes) -> Iterator[bytes]:
    if first:
        md5.update(first)
        yield first
    while block := handle.read(RAW_BLOCK):
        md5.update(block)
        yield block


def _chunks(handle: BinaryIO, md5: Any, records_per_chunk: int) -> Iterator[Chunk]:
    size = os.fstat(handle.fileno()).st_size
    tail = b""
    if size >= 28:
        handle.seek(size - 28)
        tail = handle.read(28)
        handle.seek(0)
    first = handle.read(RAW_BLOCK)
    if first.startswith(GZIP_MAGIC):
        blocks: Iterator[bytes] = gunzip_blocks(_raw_blocks(handle, md5, first), tail=tail)
    elif not first or first.startswith(b"@"):
        blocks = _raw_blocks(handle, md5, first)
    else:
        md5.update(first)
        raise FastqFault(
            "the file is neither gzip-compressed nor FASTQ text (it starts with neither '@' nor "
            "the gzip signature)", "give the reads as .fastq.gz (or plain .fastq) files", line=1)
    return record_chunks(blocks, records_per_chunk)


def scan_file(path: Path, max_records: int = 0,
              records_per_chunk: int = RECORDS_PER_CHUNK) -> FileReport:
    """Check every record of one FASTQ (gzip, BGZF or plain) and hash the whole file."""
    report = FileReport()
    md5 = hashlib.md5(usedforsecurity=False)
    try:
        handle = path.open("rb")
    except OSError as exc:
        report.fault = FastqFault(f"the file cannot be opened: {exc.strerror}",
                                  "check that the file exists and is readable")
        return report
    with handle:
        try:
            for chunk in _chunks(handle, md5, records_per_chunk):
                if max_records:
                    remaining = max_records - report.stats.records
                    if remaining <= 0:
                        report.complete = False
                        break
                    if chunk.records > remaining:
                        chunk = Chunk(chunk.first_record, chunk.lines[: 4 * remaining])
                        report.complete = False
                report.stats.add(check_chunk(chunk))
                report.name_digests.append(names_digest(chunk.lines[0::4]))
        except FastqFault as fault:
            report.fault = fault
        while block := handle.read(RAW_BLOCK):  # the MD5 always covers the whole file
            md5.update(block)
    report.md5 = md5.hexdigest()
    return report


def scan_files(paths: Sequence[Path], max_records: int = 0, workers: int = 1,
               records_per_chunk: int = RECORDS_PER_CHUNK) -> list[FileReport]:
    """Scan several files, ``workers`` at a time (in processes when more than one)."""
    if workers <= 1 or len(paths) <= 1:
        return [scan_file(p, max_records, records_per_chunk) for p in paths]
    with ProcessPoolExecutor(max_workers=min(workers, len(paths))) as pool:
        futures = [pool.submit(scan_file, p, max_records, records_per_chunk) for p in paths]
        return [f.result() for f in futures]


@dataclass(frozen=True)
class NameMismatch:
    """The first read whose R1 and R2 names differ (1-based record number)."""

    record: int
    name_1: str
    name_2: str

    @property
    def line(self) -> int:
        return 4 * (self.record - 1) + 1


def pair_mismatch(fastq_1: Path, fastq_2: Path, report_1: FileReport, report_2: FileReport,
                  records_per_chunk: int = RECORDS_PER_CHUNK) -> NameMismatch | None:
    """The first read that does not pair between R1 and R2, over the records both scans checked."""
    digests = zip(report_1.name_digests, report_2.name_digests, strict=False)
    chunk_index = next((i for i, (a, b) in enumerate(digests) if a != b), None)
    if chunk_index is None:
        return None
    with fastq_1.open("rb") as h1, fastq_2.open("rb") as h2:
        md5 = hashlib.md5(usedforsecurity=False)
        pairs = zip(_chunks(h1, md5, records_per_chunk), _chunks(h2, md5, records_per_chunk),
                    strict=False)
        for index, (c1, c2) in enumerate(pairs):
            if index < chunk_index:
                continue
            heads_1, heads_2 = c1.lines[0::4], c2.lines[0::4]
            within = first_name_mismatch(heads_1, heads_2)
            if within is None:  # digests differ only through the records past the shorter end
                return None
            return NameMismatch(record=c1.first_record + within + 1,
                                name_1=_name(heads_1[within]), name_2=_name(heads_2[within]))
    return None


def _name(header: bytes) -> str:
    return read_name(header).decode("ascii", errors="backslashreplace")[:80]
