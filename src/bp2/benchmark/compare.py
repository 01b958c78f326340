"""Benchmark records and file edges: VCF/BED reading, regions, and the counts-only view.

The benchmarking engine itself lives in :mod:`bp2.benchmark.engine` (units, exact and
haplotype-aware matching, decisions) and :mod:`bp2.benchmark.api` (rows and output files); this
module reads VCF and BED files into :class:`VariantRecord` and :class:`Regions`, and keeps the
first API (:func:`compare`, :func:`compare_files` returning TP/FP/FN per class) as a thin view of
that one engine.  Matching rules: see :mod:`bp2.benchmark.engine`.  Counted here as hap.py's PASS
rows: a truth unit counts when it overlaps a confident interval; ``SNV`` = one base replaced by
one base (MNPs are decomposed into SNVs); every other unit counts as ``INDEL``.
"""

from __future__ import annotations

import bisect
import gzip
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import pysam

from bp2.benchmark.normalise import left_align, trim
from bp2.errors import InputError

if TYPE_CHECKING:
    from bp2.benchmark.engine import Unit

IMPLEMENTS = ("SRS-155",)

Fetch = Callable[[str, int, int], str]
"""``fetch(chrom, start0, end0)`` returns the reference bases of a 0-based half-open interval."""

PASSING_FILTERS = frozenset({"PASS", "."})


@dataclass(frozen=True)
class VariantRecord:
    """One VCF record as the engine sees it: position, alleles, one sample's genotype, FILTER."""

    chrom: str
    pos: int  # 1-based
    ref: str
    alts: tuple[str, ...]
    genotype: tuple[int | None, ...]  # allele indices; None for a missing allele
    filters: tuple[str, ...] = ("PASS",)

    @property
    def passing(self) -> bool:
        return not self.filters or all(f in PASSING_FILTERS for f in self.filters)


@dataclass(frozen=True, order=True)
class Allele:
    """A normalised biallelic variant."""

    chrom: str
    pos: int  # 1-based
    ref: str
    alt: str

    @property
    def end(self) -> int:
        """0-based exclusive end of the reference bases the allele spans."""
        return self.pos - 1 + len(self.ref)

    @property
    def kind(self) -> VariantClass:
        return VariantClass.SNV if len(self.ref) == 1 and len(self.alt) == 1 else VariantClass.INDEL


class VariantClass(StrEnum):
    SNV = "SNV"
    INDEL = "INDEL"


class Zygosity(StrEnum):
    HET = "het"
    HOM = "hom"


@dataclass(frozen=True, order=True)
class Call:
    """A normalised allele carried by a sample, with its zygosity."""

    allele: Allele
    zygosity: Zygosity


@dataclass(frozen=True)
class Regions:
    """Sorted, merged 0-based half-open intervals per contig."""

    intervals: Mapping[str, tuple[tuple[int, int], ...]]

    @classmethod
    def from_intervals(cls, items: Iterable[tuple[str, int, int]]) -> Regions:
        per: dict[str, list[tuple[int, int]]] = {}
        for chrom, start, end in items:
            if end > start:
                per.setdefault(chrom, []).append((start, end))
        merged: dict[str, tuple[tuple[int, int], ...]] = {}
        for chrom, spans in per.items():
            spans.sort()
            out: list[tuple[int, int]] = []
            for start, end in spans:
                if out and start <= out[-1][1]:
                    out[-1] = (out[-1][0], max(out[-1][1], end))
                else:
                    out.append((start, end))
            merged[chrom] = tuple(out)
        return cls(merged)

    def contains(self, chrom: str, start: int, end: int) -> bool:
        """Whether [start, end) lies wholly inside one interval (a point when start == end)."""
        spans = self.intervals.get(chrom, ())
        index = bisect.bisect_right(spans, (start, float("inf"))) - 1
        return index >= 0 and spans[index][0] <= start and end <= spans[index][1]

    def overlaps(self, chrom: str, start: int, end: int) -> bool:
        """Whether [start, end) shares a base with an interval (a point: lies inside one)."""
        spans = self.intervals.get(chrom, ())
        index = bisect.bisect_right(spans, (start, float("inf"))) - 1
        if index >= 0 and (spans[index][1] > start or (start == end
                                                       and spans[index][1] >= start)):
            return True
        return index + 1 < len(spans) and spans[index + 1][0] < end

    def intersect(self, other: Regions) -> Regions:
        items: list[tuple[str, int, int]] = []
        for chrom, spans in self.intervals.items():
            for start, end in spans:
                for o_start, o_end in other.intervals.get(chrom, ()):
                    lo, hi = max(start, o_start), min(end, o_end)
                    if hi > lo:
                        items.append((chrom, lo, hi))
        return Regions.from_intervals(items)

    @property
    def size(self) -> int:
        return sum(end - start for spans in self.intervals.values() for start, end in spans)


@dataclass(frozen=True)
class Counts:
    """TP/FP/FN of one variant class, with recall and precision (1.0 when undefined)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def f1(self) -> float:
        r, p = self.recall, self.precision
        return 2 * r * p / (r + p) if r + p else 0.0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def as_dict(self) -> dict[str, float | int]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn,
                "recall": round(self.recall, 6), "precision": round(self.precision, 6),
                "f1": round(self.f1, 6)}


@dataclass(frozen=True)
class Comparison:
    """Result of a comparison: counts per class, and the unmatched calls for inspection."""

    snv: Counts
    indel: Counts
    false_positives: tuple[Call, ...] = field(default=())
    false_negatives: tuple[Call, ...] = field(default=())

    @property
    def total(self) -> Counts:
        return self.snv + self.indel

    def as_dict(self) -> dict[str, dict[str, float | int]]:
        return {"SNV": self.snv.as_dict(), "INDEL": self.indel.as_dict(),
                "ALL": self.total.as_dict()}


def normalise(chrom: str, pos: int, ref: str, alt: str, fetch: Fetch | None = None) -> Allele:
    """Trim an allele to its parsimonious form and, given ``fetch``, left-align it."""
    ref, alt = ref.upper(), alt.upper()
    if fetch is not None:
        return Allele(chrom, *left_align(chrom, pos, ref, alt, fetch))
    return Allele(chrom, *trim(pos, ref, alt))


def compare(
    truth: Iterable[VariantRecord],
    query: Iterable[VariantRecord],
    regions: Regions,
    fetch: Fetch | None = None,
) -> Comparison:
    """Benchmark PASS query records against the truth inside ``regions`` (counts per class).

    A thin view of the benchmarking engine (:mod:`bp2.benchmark.engine`) for callers that need
    only TP/FP/FN: ``tp`` counts truth units, ``fp`` query units (hap.py's PASS rows).
    """
    from bp2.benchmark.api import compare_units, query_verdict, truth_verdict

    t_units, q_units = compare_units(list(truth), list(query), fetch, pass_only=True)
    tp: Counter[VariantClass] = Counter()
    fp: Counter[VariantClass] = Counter()
    fn: Counter[VariantClass] = Counter()
    missing: list[Call] = []
    extra: list[Call] = []
    for u in t_units:
        verdict = truth_verdict(u, regions)
        kind = VariantClass.SNV if u.kind == "SNP" else VariantClass.INDEL
        if verdict == "TP":
            tp[kind] += 1
        elif verdict == "FN":
            fn[kind] += 1
            missing.extend(_calls(u))
    for u in q_units:
        if query_verdict(u, regions) == "FP":
            kind = VariantClass.SNV if u.kind == "SNP" else VariantClass.INDEL
            fp[kind] += 1
            extra.extend(_calls(u))
    return Comparison(
        snv=Counts(tp[VariantClass.SNV], fp[VariantClass.SNV], fn[VariantClass.SNV]),
        indel=Counts(tp[VariantClass.INDEL], fp[VariantClass.INDEL], fn[VariantClass.INDEL]),
        false_positives=tuple(sorted(extra)),
        false_negatives=tuple(sorted(missing)),
    )


def _calls(unit: Unit) -> list[Call]:
    called = [a for a in unit.gt if a > 0]
    return [Call(Allele(unit.chrom, unit.pos, unit.ref, unit.alts[a - 1]),
                 Zygosity.HOM if all(x == a for x in unit.gt) else Zygosity.HET)
            for a in sorted(set(called))]


# --- file edges -------------------------------------------------------------------------------


def parse_bed(lines: Iterable[str], source: Path | str = "<bed>") -> Regions:
    """Parse BED text (``track``/``browser``/``#`` lines skipped) into merged regions."""
    items: list[tuple[str, int, int]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        cols = line.rstrip("\n").split("\t")
        try:
            chrom, start, end = cols[0], int(cols[1]), int(cols[2])
        except (IndexError, ValueError):
            raise InputError("BED line needs chrom<TAB>start<TAB>end with integer positions",
                             path=source, line=number,
                             hint="fix the line (0-based start, exclusive end)") from None
        if start < 0 or end < start:
            raise InputError(f"BED interval {start}-{end} is invalid", path=source, line=number,
                             hint="start must be >= 0 and no greater than end")
        items.append((chrom, start, end))
    return Regions.from_intervals(items)


def read_bed(path: Path) -> Regions:
    if not path.is_file():
        raise InputError.missing_file(path, "BED file")
    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    try:
        if gzipped:
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                return parse_bed(handle, path)
        with path.open(encoding="utf-8") as handle:
            return parse_bed(handle, path)
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise InputError(f"cannot read the BED file: {exc}", path=path,
                         hint="give a plain or (b)gzipped BED text file") from None


def read_vcf(path: Path, sample: str | None = None, regions: Regions | None = None,
             index: Path | None = None) -> list[VariantRecord]:
    """Records of one sample of a VCF (the first when ``sample`` is None).

    With an explicit ``index`` (.tbi/.csi) and ``regions``, only records overlapping the
    regions are read; otherwise the whole file is.
    """
    if not path.is_file():
        raise InputError.missing_file(path, "VCF")
    quiet = pysam.set_verbosity(0)  # htslib would report the index it is not asked to use
    try:
        return _read_vcf(path, sample, regions, index)
    finally:
        pysam.set_verbosity(quiet)


def _read_vcf(path: Path, sample: str | None, regions: Regions | None,
              index: Path | None) -> list[VariantRecord]:
    try:
        vcf = pysam.VariantFile(str(path), index_filename=None if index is None else str(index))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the VCF: {exc}", path=path,
                         hint="give a VCF or bgzipped VCF (and its own index)") from None
    with vcf:
        samples = list(vcf.header.samples)
        if not samples:
            raise InputError("VCF has no sample column", path=path,
                             hint="compare VCFs that carry genotypes")
        name = sample if sample is not None else samples[0]
        if name not in samples:
            raise InputError(f"sample '{name}' is not in the VCF", path=path,
                             hint=f"samples present: {', '.join(samples)}")
        iterators: list[Iterable[pysam.VariantRecord]]
        if regions is not None and index is not None:
            contigs = set(vcf.header.contigs)
            iterators = [vcf.fetch(chrom, start, end)
                         for chrom, spans in regions.intervals.items() if chrom in contigs
                         for start, end in spans]
        else:
            iterators = [vcf]
        seen: set[tuple[str, int, str, tuple[str, ...]]] = set()
        records: list[VariantRecord] = []
        # without an index every record is read; keep those a region fetch would return
        unindexed = regions if regions is not None and index is None else None
        for iterator in iterators:
            for rec in iterator:
                if unindexed is not None and not unindexed.overlaps(
                        rec.chrom, rec.pos - 1, rec.pos - 1 + len(rec.ref or "N")):
                    continue
                record = _record(rec, name)
                key = (record.chrom, record.pos, record.ref, record.alts)
                if key not in seen:  # overlapping fetches may return a record twice
                    seen.add(key)
                    records.append(record)
        return records


def _record(rec: pysam.VariantRecord, sample: str) -> VariantRecord:
    gt = rec.samples[sample].get("GT") or ()
    filters = tuple(str(name) for name in rec.filter)
    return VariantRecord(rec.chrom, rec.pos, rec.ref or "", tuple(rec.alts or ()), tuple(gt),
                         filters or ("PASS",))


def reference_fetch(path: Path, index: Path, gzi: Path | None = None) -> Fetch:
    """A ``fetch`` reading one FASTA through its explicitly named index files."""
    fasta = pysam.FastaFile(str(path), filepath_index=str(index),
                            filepath_index_compressed=None if gzi is None else str(gzi))

    def fetch(chrom: str, start: int, end: int) -> str:
        return str(fasta.fetch(chrom, start, end))

    return fetch


def compare_files(
    truth_vcf: Path,
    query_vcf: Path,
    confident_bed: Path,
    *,
    truth_sample: str | None = None,
    query_sample: str | None = None,
    window: Regions | None = None,
    fetch: Fetch | None = None,
    truth_index: Path | None = None,
    query_index: Path | None = None,
) -> Comparison:
    """Compare two VCF files inside a confident BED (optionally intersected with ``window``)."""
    regions = read_bed(confident_bed)
    if window is not None:
        regions = regions.intersect(window)
    truth = read_vcf(truth_vcf, truth_sample, regions, truth_index)
    query = read_vcf(query_vcf, query_sample, regions, query_index)
    return compare(truth, query, regions, fetch)
