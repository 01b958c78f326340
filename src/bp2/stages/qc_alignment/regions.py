"""Regions: the reference's contigs, BED targets, contig classes and sex-chromosome PARs.

Pure functions over text and records.  Intervals are 0-based half-open ``(start, end)``; a
region set is a mapping contig → sorted, merged intervals.

**Contig classes.**  An *autosome* is a contig whose name, without a leading ``chr``, is a
decimal number (``chr1``…``chr22``, ``1``…``22``; the demo's ``chr1``/``chr2``); ``X``/``chrX``
and ``Y``/``chrY`` are the sex chromosomes; ``M``/``MT``/``chrM``/``chrMT`` the mitochondrion;
everything else (unplaced, ALT, decoy, EBV) is *other* and never enters a coverage metric.

**PARs.**  The pseudo-autosomal regions are taken, in order of preference, from an explicit
bcftools ``--ploidy-file`` (the non-PAR part of X or Y is where sex ``M`` has ploidy 1), or from
the public GRC coordinates of the declared build (GRCh37/hg19/b37, GRCh38/hg38):

======  ==========================  ==========================
build   X PAR1 / PAR2 (1-based)     Y PAR1 / PAR2 (1-based)
======  ==========================  ==========================
GRCh37  60,001-2,699,520            10,001-2,649,520
        154,931,044-155,260,560     59,034,050-59,363,566
GRCh38  10,001-2,781,479            10,001-2,781,479
        155,701,383-156,030,895     56,887,903-57,217,415
======  ==========================  ==========================

The demo build ``bp2-demo-1`` declares its PARs only in its ploidy file.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from bp2.errors import InputError
from bp2.genome import (
    PARS,
    X_NAMES,
    Y_NAMES,
    Span,
    build_from_label,
    male_haploid_spans,
    outside,
    parse_ploidy,
)

Interval = tuple[int, int]
RegionSet = dict[str, tuple[Interval, ...]]

_AUTOSOME = re.compile(r"^(?:chr)?([0-9]+)$")
MITO_NAMES = ("chrM", "MT", "chrMT", "M")


class ContigClass(StrEnum):
    AUTOSOME = "autosome"
    X = "X"
    Y = "Y"
    MITO = "mitochondrial"
    OTHER = "other"


def classify(name: str) -> ContigClass:
    if _AUTOSOME.match(name):
        return ContigClass.AUTOSOME
    if name in X_NAMES:
        return ContigClass.X
    if name in Y_NAMES:
        return ContigClass.Y
    if name in MITO_NAMES:
        return ContigClass.MITO
    return ContigClass.OTHER


@dataclass(frozen=True)
class Contig:
    name: str
    length: int


def parse_fai(text: str, source: Path | str) -> tuple[Contig, ...]:
    """The contigs of a ``samtools faidx`` index, in file order."""
    contigs: list[Contig] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cols = line.split("\t")
        if len(cols) < 5:
            raise InputError(f"FASTA index line has {len(cols)} columns, 5 are needed",
                             path=source, line=number,
                             hint="give the .fai written by 'samtools faidx'")
        try:
            length = int(cols[1])
        except ValueError:
            raise InputError("FASTA index length is not an integer", path=source, line=number,
                             hint="give the .fai written by 'samtools faidx'") from None
        if cols[0] in seen or length <= 0:
            raise InputError(f"FASTA index lists contig '{cols[0]}' twice or with no bases",
                             path=source, line=number,
                             hint="re-index the reference with 'samtools faidx'")
        seen.add(cols[0])
        contigs.append(Contig(cols[0], length))
    if not contigs:
        raise InputError("FASTA index lists no contigs", path=source,
                         hint="give the .fai written by 'samtools faidx'")
    return tuple(contigs)


# -- interval arithmetic ---------------------------------------------------------------------

def merge(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """Sorted union of half-open intervals; touching intervals are joined, empty ones dropped."""
    merged: list[list[int]] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((s, e) for s, e in merged)


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> tuple[Interval, ...]:
    """Intersection of two sorted, merged interval lists."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def subtract(a: Sequence[Interval], b: Sequence[Interval]) -> tuple[Interval, ...]:
    """``a`` minus ``b`` (both sorted and merged)."""
    out: list[Interval] = []
    j = 0
    for start, end in a:
        cursor = start
        while j < len(b) and b[j][1] <= cursor:
            j += 1
        k = j
        while k < len(b) and b[k][0] < end:
            if b[k][0] > cursor:
                out.append((cursor, b[k][0]))
            cursor = max(cursor, b[k][1])
            k += 1
        if cursor < end:
            out.append((cursor, end))
    return tuple(out)


def total(intervals: Iterable[Interval]) -> int:
    return sum(end - start for start, end in intervals)


def overlapping(intervals: Sequence[Interval], starts: Sequence[int], lo: int,
                hi: int) -> Sequence[Interval]:
    """The intervals of a sorted, merged list overlapping ``[lo, hi)``, given their starts."""
    first = max(bisect.bisect_right(starts, lo) - 1, 0)
    last = bisect.bisect_left(starts, hi)
    return [iv for iv in intervals[first:last] if iv[1] > lo and iv[0] < hi]


# -- BED --------------------------------------------------------------------------------------

def parse_bed(text: str, source: Path | str, contigs: Mapping[str, int]) -> RegionSet:
    """A BED file's intervals per contig (merged); each contig must be in the reference."""
    found: dict[str, list[Interval]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        cols = line.split("\t") if "\t" in line else line.split()
        if len(cols) < 3:
            raise InputError(f"BED line has {len(cols)} columns, at least 3 are needed",
                             path=source, line=number, hint="columns: contig, start, end")
        contig = cols[0]
        try:
            start, end = int(cols[1]), int(cols[2])
        except ValueError:
            raise InputError("BED start or end is not an integer", path=source, line=number,
                             hint="BED positions are 0-based start, exclusive end") from None
        if contig not in contigs:
            raise InputError(
                f"BED contig '{contig}' is not in the reference",
                path=source, line=number,
                hint="use the reference's contig names (see its .fai), e.g. 'chr20' or '20'",
            )
        if start < 0 or end < start or end > contigs[contig]:
            raise InputError(
                f"BED interval {start}-{end} is outside {contig} (0-{contigs[contig]})",
                path=source, line=number,
                hint="use 0 <= start <= end <= contig length (0-based, half-open)",
            )
        found.setdefault(contig, []).append((start, end))
    regions = {contig: merge(ivs) for contig, ivs in found.items()}
    if not any(regions.values()):
        raise InputError("BED file holds no interval", path=source,
                         hint="give at least one 'contig<TAB>start<TAB>end' line")
    return {c: ivs for c, ivs in regions.items() if ivs}


# -- sex chromosomes --------------------------------------------------------------------------

@dataclass(frozen=True)
class SexChromosomes:
    """Names and non-PAR regions of X and Y (either may be absent), and where the PARs came from."""

    x: str | None
    y: str | None
    x_nonpar: tuple[Interval, ...]
    y_nonpar: tuple[Interval, ...]
    source: str


def find_name(contigs: Mapping[str, int], names: Sequence[str]) -> str | None:
    return next((n for n in names if n in contigs), None)


def nonpar_from_ploidy(text: str, source: Path | str, contigs: Mapping[str, int]
                       ) -> SexChromosomes:
    """X and Y non-PAR regions from a bcftools ploidy file (where ``M`` has ploidy 1)."""
    x, y = find_name(contigs, X_NAMES), find_name(contigs, Y_NAMES)
    lines = parse_ploidy(text, source)
    for line in lines:
        if line.chrom != "*" and line.chrom not in contigs:
            raise InputError(f"ploidy file names contig '{line.chrom}', which the reference does "
                             "not have", path=source, line=line.line,
                             hint="use the reference's contig names (see its .fai)")

    def haploid(name: str) -> tuple[Interval, ...]:
        spans = male_haploid_spans(lines, name)
        return merge((start - 1, min(end, contigs[name])) for start, end in spans)

    return SexChromosomes(
        x, y,
        haploid(x) if x else (),
        haploid(y) if y else (),
        "ploidy file (male-haploid spans)",
    )


def nonpar_from_build(label: str | None, contigs: Mapping[str, int], source: str
                      ) -> SexChromosomes:
    """X and Y non-PAR regions from the declared build's public PAR coordinates."""
    x, y = find_name(contigs, X_NAMES), find_name(contigs, Y_NAMES)
    if x is None and y is None:
        return SexChromosomes(None, None, (), (), "reference has no X or Y")
    family = build_from_label(label)
    if family is None:
        raise InputError(
            f"no pseudo-autosomal region (PAR) coordinates for build '{label or 'unset'}'",
            path=source, field="build",
            hint="declare the reference build (GRCh37 or GRCh38) or give the build's ploidy "
            "file (bcftools --ploidy-file format) as the 'ploidy' input",
        )
    pars = PARS[family]
    for name, want in ((x, pars.x_length), (y, pars.y_length)):
        if name is not None and contigs[name] != want:
            raise InputError(
                f"{name} is {contigs[name]:,} bp but {family} has {want:,} bp: the reference "
                f"is not {family}", path=source, field="build",
                hint="declare the reference's true build, or give its ploidy file",
            )

    def nonpar(spans: Sequence[Span], length: int) -> tuple[Interval, ...]:
        return merge((start - 1, end) for start, end in outside(spans, length))

    return SexChromosomes(
        x, y,
        nonpar(pars.x_pars, contigs[x]) if x else (),
        nonpar(pars.y_pars, contigs[y]) if y else (),
        f"{family} PAR coordinates (GRC)",
    )
