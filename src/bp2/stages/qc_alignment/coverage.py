"""Per-base depth summaries: pure numpy over depth arrays, one chunk of a contig at a time.

The scan (:mod:`.scan`) delivers each contig as consecutive chunks ``(start, depth)``, where
``depth[i]`` is the filtered depth at 0-based position ``start + i``, together with the reference
bases of the chunk.  :class:`CoverageCollector` folds every chunk into:

* one :class:`DepthSummary` per *region class* (``autosomal``, ``x_nonpar``, ``y_nonpar``):
  bases, depth sum and a histogram of depth (capped at :data:`HIST_CAP`) over the class's
  positions whose reference base is not ``N``;
* the mean depth of every contig over its non-``N`` bases;
* binned mean depth over the region classes (for the coverage plot);
* per coding exon of the panel genes: bases, depth sum, minimum and counts at ≥ each level.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from bp2.stages.qc_alignment.regions import Interval, RegionSet, overlapping

HIST_CAP = 2000  # depths above are counted in the last histogram bin (their sum stays exact)
N_CODES = (ord("N"), ord("n"))

Depth = npt.NDArray[np.int32]


@dataclass
class DepthSummary:
    """Depth over a set of positions: bases, exact sum and a capped histogram."""

    bases: int = 0
    depth_sum: int = 0
    histogram: npt.NDArray[np.int64] = field(
        default_factory=lambda: np.zeros(HIST_CAP + 1, dtype=np.int64))

    def add(self, values: Depth) -> None:
        if values.size == 0:
            return
        self.bases += int(values.size)
        self.depth_sum += int(values.sum(dtype=np.int64))
        self.histogram += np.bincount(np.minimum(values, HIST_CAP), minlength=HIST_CAP + 1)

    @property
    def mean(self) -> float | None:
        return self.depth_sum / self.bases if self.bases else None

    def fraction_at_least(self, level: int) -> float | None:
        if not self.bases:
            return None
        if level <= 0:
            return 1.0
        return float(self.histogram[min(level, HIST_CAP):].sum()) / self.bases

    def median(self) -> float | None:
        """The median depth (lower median; depths above the cap read as the cap)."""
        if not self.bases:
            return None
        cumulative = np.cumsum(self.histogram)
        return float(np.searchsorted(cumulative, (self.bases + 1) // 2))


@dataclass(frozen=True)
class ExonTarget:
    """A coding exon whose depth is wanted; ``key`` indexes :attr:`CoverageCollector.exons`."""

    key: int
    contig: str
    start: int
    end: int


@dataclass
class ExonDepth:
    bases: int = 0
    depth_sum: int = 0
    min_depth: int | None = None
    at_least: dict[int, int] = field(default_factory=dict)


@dataclass
class _Bins:
    sums: npt.NDArray[np.float64]
    counts: npt.NDArray[np.int64]


class CoverageCollector:
    """Folds depth chunks into the summaries listed in the module docstring."""

    def __init__(
        self,
        classes: Mapping[str, RegionSet],
        exons: Sequence[ExonTarget],
        levels: Sequence[int],
        contig_lengths: Mapping[str, int],
        plot_bin: int,
    ) -> None:
        self.classes = dict(classes)
        self.summaries = {name: DepthSummary() for name in classes}
        self.levels = tuple(sorted(set(levels)))
        self.contig_bases: dict[str, int] = {}
        self.contig_sums: dict[str, int] = {}
        self.plot_bin = plot_bin
        self.bins: dict[str, _Bins] = {}
        plotted = {c for regions in classes.values() for c, ivs in regions.items() if ivs}
        for contig in sorted(plotted):
            size = -(-contig_lengths[contig] // plot_bin)
            self.bins[contig] = _Bins(np.zeros(size), np.zeros(size, dtype=np.int64))
        self.exons = {e.key: ExonDepth(at_least=dict.fromkeys(self.levels, 0)) for e in exons}
        self._exons_by_contig: dict[str, list[ExonTarget]] = {}
        for exon in sorted(exons, key=lambda e: (e.contig, e.start, e.key)):
            self._exons_by_contig.setdefault(exon.contig, []).append(exon)
        self._starts = {name: {c: [iv[0] for iv in ivs] for c, ivs in regions.items()}
                        for name, regions in classes.items()}

    def consume(self, contig: str, start: int, depth: Depth, bases: bytes) -> None:
        """Fold one chunk: ``depth`` over ``[start, start + len(depth))`` and its bases."""
        size = depth.size
        codes = np.frombuffer(bases, dtype=np.uint8)
        if codes.size != size:
            raise ValueError(f"{contig}:{start}: {codes.size} reference bases for {size} depths")
        valid = (codes != N_CODES[0]) & (codes != N_CODES[1])
        n_valid = int(np.count_nonzero(valid))
        self.contig_bases[contig] = self.contig_bases.get(contig, 0) + n_valid
        self.contig_sums[contig] = self.contig_sums.get(contig, 0) + int(
            depth[valid].sum(dtype=np.int64))
        plotted = np.zeros(size, dtype=bool) if contig in self.bins else None
        for name, regions in self.classes.items():
            intervals = regions.get(contig)
            if not intervals:
                continue
            mask = _mask(intervals, self._starts[name][contig], start, size) & valid
            self.summaries[name].add(depth[mask])
            if plotted is not None:
                plotted |= mask
        if plotted is not None and plotted.any():
            index = (np.nonzero(plotted)[0] + start) // self.plot_bin
            first = int(index[0])
            counts = np.bincount(index - first)
            sums = np.bincount(index - first, weights=depth[plotted])
            bins = self.bins[contig]
            bins.sums[first:first + sums.size] += sums
            bins.counts[first:first + counts.size] += counts
        for exon in self._exons_in(contig, start, start + size):
            lo, hi = max(exon.start, start) - start, min(exon.end, start + size) - start
            values = depth[lo:hi]
            record = self.exons[exon.key]
            record.bases += int(values.size)
            record.depth_sum += int(values.sum(dtype=np.int64))
            low = int(values.min())
            record.min_depth = low if record.min_depth is None else min(record.min_depth, low)
            for level in self.levels:
                record.at_least[level] += int(np.count_nonzero(values >= level))

    def _exons_in(self, contig: str, lo: int, hi: int) -> list[ExonTarget]:
        return [e for e in self._exons_by_contig.get(contig, ()) if e.end > lo and e.start < hi]

    def contig_mean(self, contig: str) -> float | None:
        bases = self.contig_bases.get(contig, 0)
        return self.contig_sums[contig] / bases if bases else None

    def binned_means(self) -> dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]]:
        """contig → (bin start positions, mean depth) over the bins that hold class positions."""
        result = {}
        for contig, bins in self.bins.items():
            used = np.nonzero(bins.counts)[0]
            result[contig] = (used * self.plot_bin, bins.sums[used] / bins.counts[used])
        return result


def _mask(intervals: Sequence[Interval], starts: Sequence[int], lo: int, size: int
          ) -> npt.NDArray[np.bool_]:
    mask = np.zeros(size, dtype=bool)
    for start, end in overlapping(intervals, starts, lo, lo + size):
        mask[max(start, lo) - lo:min(end, lo + size) - lo] = True
    return mask
