"""Haplotype replay: decide whether two sets of genotyped variants spell the same sequences.

Each side's variants in a window are applied to the reference bases of the window, once per
haplotype, for every assignment of the unphased heterozygous records to the two haplotypes
(records split from one VCF record keep their relative phase).  Two sides are genotype-equivalent
when some assignment of each gives the same unordered pair of haplotype sequences; this is the
test hap.py (xcmp) and RTG vcfeval apply, so equal changes written differently (shifted in a
repeat, merged into a complex allele, split into primitives) match.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

IMPLEMENTS = ("SRS-304", "SRS-315")

MAX_FLIP_GROUPS = 12
"""A side with more independently phased heterozygous records in one window is not replayed."""


@dataclass(frozen=True, slots=True)
class Edit:
    """A reference interval ``[start, end)`` (0-based) replaced by ``seq``."""

    start: int
    end: int
    seq: str


def edit_of(pos: int, ref: str, alt: str) -> Edit:
    """The minimal edit of one allele (common prefix then suffix removed)."""
    start = pos - 1
    i = 0
    limit = min(len(ref), len(alt))
    while i < limit and ref[i] == alt[i]:
        i += 1
    r, a = ref[i:], alt[i:]
    j = 0
    limit = min(len(r), len(a))
    while j < limit and r[-1 - j] == a[-1 - j]:
        j += 1
    if j:
        r, a = r[:-j], a[:-j]
    return Edit(start + i, start + i + len(r), a)


@dataclass(frozen=True, slots=True)
class Genotyped:
    """One variant as the replay sees it: its group, its edits per allele index, its genotype."""

    group: int
    edits: tuple[Edit | None, ...]  # index 0 = reference (None)
    gt: tuple[int, ...]  # allele indices, length 1 (haploid) or 2


class TooComplex(Exception):
    """The window holds too many unphased heterozygous groups to enumerate."""


def _spell(window_start: int, bases: str, edits: list[Edit]) -> str | None:
    edits.sort(key=lambda e: (e.start, e.end))
    out: list[str] = []
    cur = window_start
    for e in edits:
        if e.start < cur:
            return None  # overlapping alleles on one haplotype: impossible assignment
        out.append(bases[cur - window_start:e.start - window_start])
        out.append(e.seq)
        cur = e.end
    out.append(bases[cur - window_start:])
    return "".join(out)


def haplotype_pairs(variants: Sequence[Genotyped], window_start: int, bases: str,
                    *, squash: bool = False) -> set[tuple[str, str]]:
    """Every unordered pair of haplotype sequences the variants can spell in the window.

    With ``squash`` each variant's genotype is replaced by its called ALT alleles only (``0/1``
    becomes ``1/1``): the pairs then compare alleles regardless of zygosity.
    """
    gts: list[tuple[int, int]] = []
    for v in variants:
        gt = v.gt if len(v.gt) == 2 else (v.gt[0], v.gt[0])
        if squash:
            alts = [a for a in gt if a > 0]
            gt = (alts[0], alts[-1]) if alts else gt
        gts.append(gt)
    groups: dict[int, int] = {}
    for v, gt in zip(variants, gts, strict=True):
        if gt[0] != gt[1]:
            groups.setdefault(v.group, len(groups))
    if len(groups) > MAX_FLIP_GROUPS:
        raise TooComplex
    flippable = list(groups.values())
    pairs: set[tuple[str, str]] = set()
    n_masks = 1 << max(0, len(flippable) - 1)  # the first group's orientation is fixed
    for mask in range(n_masks):
        h0: list[Edit] = []
        h1: list[Edit] = []
        for v, gt in zip(variants, gts, strict=True):
            a, b = gt
            if a != b:
                bit = groups[v.group]
                if bit > 0 and (mask >> (bit - 1)) & 1:
                    a, b = b, a
            if a > 0:
                e = v.edits[a]
                if e is not None:
                    h0.append(e)
            if b > 0:
                e = v.edits[b]
                if e is not None:
                    h1.append(e)
        s0 = _spell(window_start, bases, h0)
        s1 = _spell(window_start, bases, h1)
        if s0 is None or s1 is None:
            continue
        pairs.add((s0, s1) if s0 <= s1 else (s1, s0))
    return pairs


def equivalent(truth: Sequence[Genotyped], query: Sequence[Genotyped], window_start: int,
               bases: str, *, squash: bool = False) -> bool:
    """Whether some haplotype assignment of each side spells the same pair of sequences."""
    if not truth or not query:
        return False
    if not _lengths_compatible(truth, query, squash=squash):
        return False
    t = haplotype_pairs(truth, window_start, bases, squash=squash)
    if not t:
        return False
    return not t.isdisjoint(haplotype_pairs(query, window_start, bases, squash=squash))


def length_deltas(variants: Iterable[Genotyped], *, squash: bool = False) -> set[tuple[int, int]]:
    """The possible (sorted) pairs of haplotype length changes; needs no reference bases."""
    items: list[tuple[int, int, int]] = []
    for v in variants:
        gt = v.gt if len(v.gt) == 2 else (v.gt[0], v.gt[0])
        if squash:
            alts = [a for a in gt if a > 0]
            gt = (alts[0], alts[-1]) if alts else gt
        d = [0 if a == 0 or v.edits[a] is None else _delta(v.edits[a]) for a in gt]
        items.append((v.group, d[0], d[1]))
    groups: dict[int, list[tuple[int, int]]] = {}
    for group, d0, d1 in items:
        groups.setdefault(group, []).append((d0, d1))
    totals: set[tuple[int, int]] = {(0, 0)}
    for members in groups.values():
        a = sum(m[0] for m in members)
        b = sum(m[1] for m in members)
        nxt: set[tuple[int, int]] = set()
        for x, y in totals:
            nxt.add((x + a, y + b))
            nxt.add((x + b, y + a))
        totals = nxt
        if len(totals) > 4096:
            return {(min(x, y), max(x, y)) for x, y in totals}
    return {(min(x, y), max(x, y)) for x, y in totals}


def _delta(e: Edit | None) -> int:
    return 0 if e is None else len(e.seq) - (e.end - e.start)


def _lengths_compatible(truth: Sequence[Genotyped], query: Sequence[Genotyped], *,
                        squash: bool = False) -> bool:
    return not length_deltas(truth, squash=squash).isdisjoint(
        length_deltas(query, squash=squash))


def lengths_compatible(truth: Sequence[Genotyped], query: Sequence[Genotyped]) -> bool:
    """Whether the two sides could be equivalent judging by haplotype lengths alone."""
    return _lengths_compatible(truth, query)
