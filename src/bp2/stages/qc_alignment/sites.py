"""Common-SNP sites with population allele frequencies, from a sites VCF (pure parsing).

A site is kept when it is a biallelic SNV (single-base ``A``/``C``/``G``/``T`` REF and ALT) on an
autosome of the reference, inside the assessed autosomal region, with ``INFO/AF`` (the first
value) in ``[min_af, 1 − min_af]``.  A second record at the same position is ignored (the first
wins), so the site list does not depend on anything but the file.
"""

from __future__ import annotations

import bisect
import gzip
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bp2.errors import InputError
from bp2.stages.qc_alignment.regions import Interval, RegionSet
from bp2.stages.qc_alignment.scan import SiteTable

_BASES = frozenset("ACGT")


@dataclass(frozen=True)
class Site:
    contig: str
    position: int  # 0-based
    ref: str
    alt: str
    af: float


@dataclass(frozen=True)
class SiteSet:
    tables: dict[str, SiteTable]
    af: npt.NDArray[np.float64]  # by global site index
    records: int  # data records read
    used: int  # sites kept


def _af(info: str) -> float | None:
    for item in info.split(";"):
        if item.startswith("AF="):
            try:
                return float(item[3:].split(",")[0])
            except ValueError:
                return None
    return None


def _inside(intervals: Sequence[Interval], starts: Sequence[int], position: int) -> bool:
    i = bisect.bisect_right(starts, position) - 1
    return i >= 0 and intervals[i][0] <= position < intervals[i][1]


def parse_sites(lines: Iterable[str], source: Path | str, regions: RegionSet, min_af: float
                ) -> SiteSet:
    """The usable common-SNP sites of a VCF's lines (see the module docstring)."""
    starts = {c: [iv[0] for iv in ivs] for c, ivs in regions.items()}
    kept: dict[tuple[str, int], Site] = {}
    records = with_af = 0
    for number, raw in enumerate(lines, start=1):
        if raw.startswith("#") or not raw.strip():
            continue
        cols = raw.rstrip("\n\r").split("\t")
        if len(cols) < 8:
            raise InputError(f"VCF line has {len(cols)} columns, at least 8 are needed",
                             path=source, line=number,
                             hint="give a tab-separated VCF of common SNP sites with INFO/AF")
        records += 1
        contig, pos_text, _, ref, alt, _, _, info = cols[:8]
        try:
            position = int(pos_text) - 1
        except ValueError:
            raise InputError("VCF POS is not an integer", path=source, line=number,
                             hint="column 2 is a 1-based position") from None
        af = _af(info)
        if af is not None:
            with_af += 1
        ref, alt = ref.upper(), alt.upper()
        if (af is None or ref not in _BASES or alt not in _BASES
                or not min_af <= af <= 1 - min_af or contig not in regions
                or not _inside(regions[contig], starts[contig], position)):
            continue
        kept.setdefault((contig, position), Site(contig, position, ref, alt, af))
    if records and not with_af:
        raise InputError("the common-SNP VCF has no INFO/AF values", path=source,
                         hint="give a sites VCF whose INFO holds the population ALT allele "
                         "frequency as AF=…")
    ordered = sorted(kept.values(), key=lambda s: (s.contig, s.position))
    by_contig: dict[str, list[tuple[int, Site]]] = {}
    for index, site in enumerate(ordered):
        by_contig.setdefault(site.contig, []).append((index, site))
    tables = {
        contig: SiteTable(tuple(s.position for _, s in items), tuple(s.ref for _, s in items),
                          tuple(s.alt for _, s in items), tuple(i for i, _ in items))
        for contig, items in by_contig.items()
    }
    return SiteSet(tables, np.array([s.af for s in ordered], dtype=np.float64), records,
                   len(ordered))


def _lines(path: Path) -> Iterator[str]:
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            yield from handle
    else:
        with path.open(encoding="utf-8") as handle:
            yield from handle


def read_sites(path: Path, regions: Mapping[str, tuple[Interval, ...]], min_af: float
               ) -> SiteSet:
    """Read a plain or gzip/BGZF sites VCF (the file edge of :func:`parse_sites`)."""
    try:
        return parse_sites(_lines(path), path, dict(regions), min_af)
    except (UnicodeDecodeError, OSError, EOFError) as exc:
        raise InputError(f"cannot read the common-SNP VCF: {exc}", path=path,
                         hint="give a plain or bgzip-compressed VCF") from None
