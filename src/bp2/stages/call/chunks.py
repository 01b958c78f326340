"""The calling intervals and their split into chunks that run in parallel.

Pure functions: the ``.fai`` and BED texts are parsed here, the plan depends only on the contigs,
the optional regions and ``chunk_size`` — never on the thread count — so the concatenated output
is the same however many chunks run at once.

Plan: the calling intervals (whole contigs in ``.fai`` order, or the merged BED intervals in that
order) are cut at fixed multiples of ``chunk_size`` from each contig's start, and consecutive
pieces are grouped into one chunk while their total length stays within ``chunk_size`` (so a
genome's many small contigs, or an exome's many targets, do not each start a process).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bp2.errors import InputError

Interval = tuple[str, int, int]  # contig, 0-based start, exclusive end


@dataclass(frozen=True)
class Chunk:
    """A run of calling intervals handled by one ``mpileup | call`` process pair."""

    index: int
    intervals: tuple[Interval, ...]

    @property
    def size(self) -> int:
        return sum(end - start for _, start, end in self.intervals)

    def regions_text(self) -> str:
        """``bcftools -R`` text: CHROM, FROM, TO, 1-based inclusive, tab-separated."""
        return "".join(f"{chrom}\t{start + 1}\t{end}\n" for chrom, start, end in self.intervals)


def parse_fai(text: str, source: Path | str) -> dict[str, int]:
    """Contig name → length, in file order, from ``.fai`` text."""
    contigs: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cols = line.split("\t")
        try:
            name, length = cols[0], int(cols[1])
            int(cols[2]), int(cols[3]), int(cols[4])
        except (IndexError, ValueError):
            raise InputError("not a FASTA index (.fai) line: 5 tab-separated columns expected",
                             path=source, line=number,
                             hint="give the .fai made by 'samtools faidx' for this reference"
                             ) from None
        if name in contigs:
            raise InputError(f"contig '{name}' appears twice in the FASTA index", path=source,
                             line=number, hint="re-index the reference with 'samtools faidx'")
        contigs[name] = length
    if not contigs:
        raise InputError("FASTA index (.fai) is empty", path=source,
                         hint="give the .fai made by 'samtools faidx' for this reference")
    return contigs


def parse_regions_bed(text: str, contigs: Mapping[str, int], source: Path | str
                      ) -> tuple[Interval, ...]:
    """Merged BED intervals in ``.fai`` order; unknown contigs and bad spans are refused."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        cols = line.split("\t")
        try:
            chrom, start, end = cols[0], int(cols[1]), int(cols[2])
        except (IndexError, ValueError):
            raise InputError("BED line needs chrom<TAB>start<TAB>end with integer positions",
                             path=source, line=number,
                             hint="fix the line (0-based start, exclusive end)") from None
        if chrom not in contigs:
            raise InputError(f"BED contig '{chrom}' is not in the reference", path=source,
                             line=number,
                             hint="use the reference's contig names (see its .fai); "
                             "'20' and 'chr20' are different names")
        if not 0 <= start < end <= contigs[chrom]:
            raise InputError(f"BED interval {chrom}:{start}-{end} is empty or outside the contig "
                             f"(length {contigs[chrom]:,})", path=source, line=number,
                             hint="use 0-based start < end <= contig length")
        spans.setdefault(chrom, []).append((start, end))
    intervals: list[Interval] = []
    for chrom in contigs:
        merged: list[tuple[int, int]] = []
        for start, end in sorted(spans.get(chrom, [])):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        intervals.extend((chrom, start, end) for start, end in merged)
    if not intervals:
        raise InputError("regions BED has no intervals", path=source,
                         hint="give at least one chrom<TAB>start<TAB>end line, or no BED to call "
                         "the whole reference")
    return tuple(intervals)


def whole_contigs(contigs: Mapping[str, int]) -> tuple[Interval, ...]:
    return tuple((name, 0, length) for name, length in contigs.items() if length > 0)


def plan_chunks(intervals: Sequence[Interval], chunk_size: int) -> tuple[Chunk, ...]:
    """Cut the intervals at multiples of ``chunk_size`` and group pieces up to that size."""
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    pieces: list[Interval] = []
    for chrom, start, end in intervals:
        cursor = start
        while cursor < end:
            boundary = min(end, (cursor // chunk_size + 1) * chunk_size)
            pieces.append((chrom, cursor, boundary))
            cursor = boundary
    chunks: list[Chunk] = []
    current: list[Interval] = []
    size = 0
    for piece in pieces:
        length = piece[2] - piece[1]
        if current and size + length > chunk_size:
            chunks.append(Chunk(len(chunks), tuple(current)))
            current, size = [], 0
        current.append(piece)
        size += length
    if current:
        chunks.append(Chunk(len(chunks), tuple(current)))
    return tuple(chunks)


def covered(chunks: Iterable[Chunk]) -> tuple[Interval, ...]:
    """All intervals of the chunks, in order (for checks: they tile the calling intervals)."""
    return tuple(interval for chunk in chunks for interval in chunk.intervals)
