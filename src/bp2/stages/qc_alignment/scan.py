"""One pass over the alignments: depth, read counts, insert sizes, Q30 bases and SNP alleles.

This is the I/O edge of the stage: it reads records with pysam and hands plain values to the
pure accumulators (:mod:`.readstats`, :mod:`.coverage`).  Contigs are read through the index
in the reference's order (``fetch(contig)``), then the BAM's contigs that the reference lacks
(counted, never in a coverage metric), then the unplaced unmapped reads (``fetch("*")``).

**Depth** counts, at each reference position, the aligned bases (CIGAR ``M``/``=``/``X``;
deletions, skips and clips are not coverage) of records that are mapped, not secondary, not
duplicates, not QC-failed, with ``MAPQ ≥ min_mapq`` — the read filter of GEL's coverage metric
(MAPQ > 10, duplicates removed) and of ``samtools depth -Q 11 -G UNMAP,SECONDARY,QCFAIL,DUP``.
Supplementary alignments count, as in samtools.  **A template's overlapping records count
once** (GEL: "after removing overlapping bases"; ``samtools depth -s``): the positions that an
earlier record with the same read name already covered (the overlapping mate, or a repeated
record) are left out of a later one.  Depth is accumulated
as difference arrays over fixed-size chunks that are summarised and dropped as soon as the reads
have moved past them, so memory does not grow with contig length.

**Q30 bases** (GEL's yield metric): bases with quality ≥ 30 in primary, non-duplicate,
non-QC-failed reads, mapped or not (soft clips included; hard-clipped bases are not in the
file); the aligned bases of a read at positions that an earlier record of its template already
covered are not counted again.

**SNP alleles** for the contamination estimate: at each common-SNP site, the base of every
read that counts for depth (same filters; overlapping mates once) with base quality ≥
``min_site_base_quality``, kept when it is the site's REF or ALT allele (a template's
overlapping records once).
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from bp2.errors import InputError
from bp2.stages.qc_alignment.coverage import CoverageCollector
from bp2.stages.qc_alignment.readstats import (
    DUP,
    QCFAIL,
    SECONDARY,
    SUPPLEMENTARY,
    UNMAP,
    FlagCounts,
    count_at_least,
    insert_size_of,
)
from bp2.stages.qc_alignment.regions import Contig, Interval, merge, subtract

Q30 = 30
CHUNK = 1 << 20  # positions per depth chunk
_ALIGNED_OPS = (0, 7, 8)  # M, =, X
_REF_ONLY_OPS = (2, 3)  # D, N
_QUERY_ONLY_OPS = (1, 4)  # I, S


@dataclass(frozen=True)
class SiteTable:
    """Common-SNP sites of one contig: sorted 0-based positions, alleles and global indices."""

    positions: tuple[int, ...]
    ref: tuple[str, ...]
    alt: tuple[str, ...]
    index: tuple[int, ...]


@dataclass
class SiteObservations:
    """Per observed base: the site's global index, whether it is ALT, and its base quality."""

    site: array[int] = field(default_factory=lambda: array("l"))
    is_alt: array[int] = field(default_factory=lambda: array("b"))
    quality: array[int] = field(default_factory=lambda: array("B"))

    def add(self, site: int, is_alt: bool, quality: int) -> None:
        self.site.append(site)
        self.is_alt.append(1 if is_alt else 0)
        self.quality.append(quality)


@dataclass(frozen=True)
class ScanSettings:
    min_mapq: int
    min_site_base_quality: int


@dataclass
class ScanResult:
    flags: FlagCounts
    insert_sizes: array[int]
    q30_bases: int
    observations: SiteObservations


Segment = tuple[int, int, int]  # reference start, reference end, query start


def aligned_segments(cigar: Sequence[tuple[int, int]], ref_start: int) -> list[Segment]:
    """The aligned (``M``/``=``/``X``) stretches of a CIGAR as (ref start, ref end, query start)."""
    segments: list[Segment] = []
    ref, query = ref_start, 0
    for op, length in cigar:
        if op in _ALIGNED_OPS:
            segments.append((ref, ref + length, query))
            ref += length
            query += length
        elif op in _REF_ONLY_OPS:
            ref += length
        elif op in _QUERY_ONLY_OPS:
            query += length
    return segments


def segment_blocks(segments: Sequence[Segment]) -> tuple[Interval, ...]:
    """The reference blocks of a read's segments, joined where they touch (in order already)."""
    if len(segments) == 1:
        return ((segments[0][0], segments[0][1]),)
    blocks: list[Interval] = []
    for start, end, _ in segments:
        if blocks and start <= blocks[-1][1]:
            blocks[-1] = (blocks[-1][0], max(end, blocks[-1][1]))
        else:
            blocks.append((start, end))
    return tuple(blocks)


def overlap_q30(segments: Sequence[Segment], qualities: array[int] | None,
                mate_blocks: Sequence[Interval]) -> int:
    """Q30 bases of a read at reference positions its mate's aligned blocks cover."""
    counted = 0
    for ref_start, ref_end, query_start in segments:
        for block_start, block_end in mate_blocks:
            lo, hi = max(ref_start, block_start), min(ref_end, block_end)
            if lo < hi:
                counted += count_at_least(qualities, Q30, query_start + lo - ref_start,
                                          query_start + hi - ref_start)
    return counted


class DepthTrack:
    """Depth of one contig as difference arrays over chunks, emitted in order when complete."""

    def __init__(self, contig: Contig, emit: Any, chunk: int = CHUNK) -> None:
        self.contig = contig
        self.emit = emit  # callable(start, depth)
        self.chunk = chunk
        self.starts: dict[int, list[int]] = {}
        self.ends: dict[int, list[int]] = {}
        self.next_chunk = 0
        self.n_chunks = -(-contig.length // chunk)

    def add(self, start: int, end: int) -> None:
        end = min(end, self.contig.length)
        while start < end:
            k = start // self.chunk
            stop = min((k + 1) * self.chunk, end)
            self.starts.setdefault(k, []).append(start - k * self.chunk)
            self.ends.setdefault(k, []).append(stop - k * self.chunk)
            start = stop

    def advance(self, position: int) -> None:
        """Emit every chunk that ends at or before ``position`` (no later read can reach it)."""
        limit = min(position // self.chunk, self.n_chunks)
        while self.next_chunk < limit:
            self._emit(self.next_chunk)

    def finish(self) -> None:
        while self.next_chunk < self.n_chunks:
            self._emit(self.next_chunk)

    def _emit(self, k: int) -> None:
        lo = k * self.chunk
        size = min(self.chunk, self.contig.length - lo)
        starts, ends = self.starts.pop(k, None), self.ends.pop(k, None)
        if starts is None or ends is None:
            depth = np.zeros(size, dtype=np.int32)
        else:
            diff = (np.bincount(np.asarray(starts, dtype=np.int64), minlength=size + 1)
                    - np.bincount(np.asarray(ends, dtype=np.int64), minlength=size + 1))
            depth = np.cumsum(diff[:size]).astype(np.int32)
        self.next_chunk = k + 1
        self.emit(lo, depth)


PURGE_EVERY = 1000  # positions between purges of templates the scan has moved past


class _Templates:
    """Blocks counted per template, so a template's overlapping records count once.

    ``seen`` maps a read name to (end of its last counted block, its counted blocks).
    """

    def __init__(self) -> None:
        self.seen: dict[str, tuple[int, tuple[Interval, ...]]] = {}
        self.purge_at = 0

    def get(self, name: str) -> tuple[Interval, ...]:
        entry = self.seen.get(name)
        return () if entry is None else entry[1]

    def add(self, name: str, blocks: tuple[Interval, ...]) -> None:
        entry = self.seen.get(name)
        merged = blocks if entry is None else merge((*entry[1], *blocks))
        self.seen[name] = (merged[-1][1], merged)

    def advance(self, position: int) -> None:
        """Forget templates whose counted blocks all end at or before ``position``."""
        if position < self.purge_at:
            return
        self.purge_at = position + PURGE_EVERY
        for name in [n for n, e in self.seen.items() if e[0] <= position]:
            del self.seen[name]


class ContigScan:
    """The per-read work on one contig (see the module docstring)."""

    def __init__(self, contig: Contig, settings: ScanSettings, result: ScanResult,
                 collector: CoverageCollector, bases: Any, sites: SiteTable | None,
                 source: str) -> None:
        self.contig = contig
        self.settings = settings
        self.result = result
        self.sites = sites
        self.source = source
        self.depth_seen = _Templates()
        self.q30_seen = _Templates()
        self.last_start = -1

        def emit(start: int, depth: npt.NDArray[np.int32]) -> None:
            collector.consume(contig.name, start, depth, bases(contig.name, start,
                                                                start + depth.size))

        self.track = DepthTrack(contig, emit)

    def add(self, read: Any) -> None:
        flag: int = read.flag
        start: int = read.reference_start
        if start < self.last_start:
            raise InputError(
                f"the alignments are not coordinate-sorted ({self.contig.name}:{start + 1} "
                f"after {self.last_start + 1})", path=self.source, field="alignments",
                hint="sort them with 'samtools sort' and re-index")
        self.last_start = start
        self.result.flags.add(flag, read.mapping_quality, read.reference_id,
                              read.next_reference_id)
        primary = not flag & (SECONDARY | SUPPLEMENTARY)
        counted = not flag & (QCFAIL | DUP)
        if primary:
            size = insert_size_of(flag, read.reference_id, read.next_reference_id,
                                  read.template_length)
            if size is not None:
                self.result.insert_sizes.append(size)
        if flag & UNMAP:
            if primary and counted:
                self.result.q30_bases += count_at_least(read.query_qualities, Q30)
            return
        self.track.advance(start)
        self.depth_seen.advance(start)
        self.q30_seen.advance(start)
        name: str = read.query_name
        segments = aligned_segments(read.cigartuples or (), start)
        blocks = segment_blocks(segments) if segments else ()
        qualities = read.query_qualities
        if primary and counted:
            self.result.q30_bases += count_at_least(qualities, Q30)
            earlier = self.q30_seen.get(name)
            if earlier:
                self.result.q30_bases -= overlap_q30(segments, qualities, earlier)
            if blocks:
                self.q30_seen.add(name, blocks)
        if (counted and not flag & SECONDARY and blocks
                and read.mapping_quality >= self.settings.min_mapq):
            earlier = self.depth_seen.get(name)
            for lo, hi in subtract(blocks, earlier) if earlier else blocks:
                self.track.add(lo, hi)
            if self.sites is not None and self.sites.positions:
                self._observe(read, segments, qualities, earlier)
            self.depth_seen.add(name, blocks)

    def _observe(self, read: Any, segments: Sequence[Segment], qualities: array[int] | None,
                 skip: Sequence[Interval]) -> None:
        assert self.sites is not None
        positions = self.sites.positions
        sequence: str | None = read.query_sequence
        if sequence is None or qualities is None or not segments:
            return
        first = bisect.bisect_left(positions, segments[0][0])
        if first >= len(positions) or positions[first] >= segments[-1][1]:
            return
        for ref_start, ref_end, query_start in segments:
            i = bisect.bisect_left(positions, ref_start)
            while i < len(positions) and positions[i] < ref_end:
                pos = positions[i]
                if not any(lo <= pos < hi for lo, hi in skip):
                    offset = query_start + pos - ref_start
                    quality = qualities[offset]
                    if quality >= self.settings.min_site_base_quality:
                        base = sequence[offset]
                        if base == self.sites.ref[i]:
                            self.result.observations.add(self.sites.index[i], False, quality)
                        elif base == self.sites.alt[i]:
                            self.result.observations.add(self.sites.index[i], True, quality)
                i += 1

    def finish(self) -> None:
        self.track.finish()


def scan_alignments(
    handle: Any,
    reference_contigs: Sequence[Contig],
    bases: Any,
    collector: CoverageCollector,
    sites: Mapping[str, SiteTable],
    settings: ScanSettings,
    source: str,
) -> ScanResult:
    """Read every record once (see the module docstring) and return the read-level results.

    ``handle`` is an open, indexed ``pysam.AlignmentFile``; ``bases(contig, start, end)`` returns
    the reference bases of a span (upper or lower case) as bytes.
    """
    result = ScanResult(FlagCounts(), array("l"), 0, SiteObservations())
    in_file = set(handle.references)
    for contig in reference_contigs:
        scan = ContigScan(contig, settings, result, collector, bases, sites.get(contig.name),
                          source)
        if contig.name in in_file:
            for read in handle.fetch(contig.name):
                scan.add(read)
        scan.finish()
    known = {c.name for c in reference_contigs}
    for name in handle.references:
        if name not in known:
            _count_only(handle.fetch(name), result)
    _count_only(handle.fetch("*"), result)
    return result


def _count_only(reads: Iterable[Any] | Iterator[Any], result: ScanResult) -> None:
    """Records outside the reference's contigs: flag counts, insert sizes and Q30 bases only."""
    for read in reads:
        flag = read.flag
        result.flags.add(flag, read.mapping_quality, read.reference_id, read.next_reference_id)
        if not flag & (SECONDARY | SUPPLEMENTARY):
            size = insert_size_of(flag, read.reference_id, read.next_reference_id,
                                  read.template_length)
            if size is not None:
                result.insert_sizes.append(size)
            if not flag & (QCFAIL | DUP):
                result.q30_bases += count_at_least(read.query_qualities, Q30)
