"""The benchmarking engine: records → comparison units → matches → per-unit decisions.

Rules (GA4GH small-variant benchmarking, Krusche et al. 2019; the choices of hap.py are followed
where the definitions leave room):

* **Units.**  A truth record whose genotype carries two different ALT alleles stays one unit
  (``hetalt``, as hap.py counts it); every other truth record and every query record is split
  into one unit per carried ALT allele (``1/2`` becomes ``1/0`` + ``0/1``, keeping their relative
  phase), trimmed, decomposed into primitives (MNP → SNPs; complex → alignment primitives) and,
  given a reference, left-aligned.  Filtered truth records, ``*`` and symbolic alleles, and
  genotypes with no ALT allele (``0/0``, ``./.``) make no unit; a missing allele of a half-call
  (``./1``) is taken as the reference allele.
* **Exact match.**  Units with the same position, alleles and genotype (as an unordered allele
  multiset) match: TP with BK ``gm``.
* **Haplotype match.**  The remaining units are clustered (gap ≤ :data:`CLUSTER_GAP` bp).  In a
  cluster each side's genotypes are replayed as haplotype sequences (:mod:`.haplotype`), each
  unit as the caller wrote it (before left-alignment, which could move an indel across another
  variant of its haplotype); equal pairs make every unit TP ``gm``.  Otherwise the largest
  sub-sets of the two sides that are equivalent are TP (partial credit; a cluster too large for
  that search is decided part by part, each overlap-connected part alone, then the leftovers
  together); then units equivalent when zygosity is ignored are FN/FP with BK ``am`` (FP.gt), and
  the rest FN/FP with BK ``lm`` when the other side has a unit in the cluster (FP.al), ``.`` when
  not.  Finally what a cluster left unmatched is re-compared together with the exact matches
  near it (:data:`REVISIT_RADII`), and that joint result is kept when it credits more truth
  units — an exact match fixed first must not hide a better explanation of the region.
* **No reference.**  Bases come from the REF alleles of the records of either file.  When a
  cluster's window is not covered, each overlap-connected part is decided alone; if the parts
  left discordant hold an indel and could still be equivalent by haplotype length, their units
  are *undecidable without reference* (BD ``N``) and counted apart, never guessed.
* **Confident regions.**  A truth unit counts only when its reference span overlaps the BED
  (else BD ``UNK``); a query TP counts when one of its matched truth units counts, a query FP
  when it overlaps the BED; every other query unit is ``UNK``.  Matching itself ignores the BED,
  so a match across the boundary is found.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from bp2.benchmark.haplotype import (
    Edit,
    Genotyped,
    TooComplex,
    edit_of,
    equivalent,
    lengths_compatible,
)
from bp2.benchmark.normalise import decompose, left_align, trim
from bp2.errors import InputError

IMPLEMENTS = (
    "SRS-301", "SRS-302", "SRS-304", "SRS-305", "SRS-306", "SRS-308", "SRS-313", "SRS-314",
)

TRUTH, QUERY = 0, 1
CLUSTER_GAP = 30
"""Discordant units closer than this (bp) are compared together."""
REVISIT_RADII = (10, CLUSTER_GAP)
"""Neighbourhoods (bp) in which leftovers are re-compared with exact matches, closest first."""
MAX_SUBSET_UNITS = 10
"""Partial-credit sub-set search is done in clusters of at most this many units."""

Fetch = Callable[[str, int, int], str]


class RecordLike(Protocol):
    """Structural type of the records the engine reads (``bp2.benchmark.compare.VariantRecord``)."""

    @property
    def chrom(self) -> str: ...
    @property
    def pos(self) -> int: ...
    @property
    def ref(self) -> str: ...
    @property
    def alts(self) -> tuple[str, ...]: ...
    @property
    def genotype(self) -> tuple[int | None, ...]: ...
    @property
    def passing(self) -> bool: ...


@dataclass(slots=True, eq=False)
class Unit:
    """One comparison unit and, after :func:`match`, its decision."""

    side: int
    record: int
    group: int
    chrom: str
    pos: int
    ref: str
    alts: tuple[str, ...]
    gt: tuple[int, ...]
    passing: bool
    kind: str  # SNP | INDEL
    zygosity: str  # het | homalt | hetalt
    edits: tuple[Edit | None, ...] | None = None  # computed when first replayed
    replay: tuple[int, str, tuple[str, ...]] | None = None  # as written, before left-alignment
    decision: str = ""  # TP | FP | FN | N (undecidable) ; "" = not yet decided
    match_kind: str = "."  # gm | am | lm | .
    cluster: int = 0  # 1-based position of the cluster (BS), 0 for an exact match
    partner: Unit | None = None  # the exactly matched unit of the other side
    matched_truth: list[Unit] = field(default_factory=list)

    @property
    def start(self) -> int:
        return self.pos - 1

    @property
    def end(self) -> int:
        return self.pos - 1 + len(self.ref)

    def key(self) -> tuple[str, int, str, tuple[str, ...]]:
        alleles = (self.ref, *self.alts)
        gt = self.gt if len(self.gt) == 2 else (self.gt[0], self.gt[0])
        return (self.chrom, self.pos, self.ref, tuple(sorted(alleles[a] for a in gt)))

    @property
    def replay_end(self) -> int:
        """0-based exclusive end of the span the unit covers as written or normalised."""
        if self.replay is None:
            return self.end
        return max(self.end, self.replay[0] - 1 + len(self.replay[1]))

    def genotyped(self) -> Genotyped:
        """The unit for haplotype replay, in its representation before left-alignment.

        Left-alignment can move an indel across another variant of the same haplotype (a SNP in
        the repeat); replaying the caller's own representation keeps such pairs consistent.
        """
        if self.edits is None:
            pos, ref, alts = self.replay or (self.pos, self.ref, self.alts)
            self.edits = (None, *(edit_of(pos, ref, a) for a in alts))
        return Genotyped(self.group, self.edits, self.gt)


def _usable(alt: str) -> bool:
    return bool(alt) and "*" not in alt and alt != "." and not alt.startswith("<") \
        and "[" not in alt and "]" not in alt


def _zygosity(gt: tuple[int, ...]) -> str:
    alts = {a for a in gt if a > 0}
    if len(alts) > 1:
        return "hetalt"
    return "homalt" if all(a > 0 for a in gt) else "het"


_groups = itertools.count(1)


def _unit(side: int, record: int, group: int, chrom: str, pos: int, ref: str,
          alts: tuple[str, ...], gt: tuple[int, ...], passing: bool) -> Unit:
    snp = len(ref) == 1 and all(len(a) == 1 for a in alts)
    return Unit(side, record, group, chrom, pos, ref, alts, gt, passing,
                "SNP" if snp else "INDEL", _zygosity(gt))


def _trim_multi(pos: int, ref: str, alts: list[str]) -> tuple[int, str, list[str]]:
    alleles = [ref, *alts]
    while all(len(a) > 1 for a in alleles) and len({a[-1] for a in alleles}) == 1:
        alleles = [a[:-1] for a in alleles]
    while all(len(a) > 1 for a in alleles) and len({a[0] for a in alleles}) == 1:
        alleles = [a[1:] for a in alleles]
        pos += 1
    return pos, alleles[0], alleles[1:]


def prepare(records: Sequence[RecordLike], side: int, fetch: Fetch | None = None, *,
            source: Path | str = "<vcf>") -> list[Unit]:
    """The comparison units of one side (see the module docstring)."""
    units: list[Unit] = []
    for index, r in enumerate(records):
        gt = r.genotype
        if not any(gt):  # 0/0, ./., or no GT: None and 0 are falsy
            continue
        if side == TRUTH and not r.passing:
            continue
        n_alts = len(r.alts)
        for a in gt:
            if a is not None and a > n_alts:
                raise InputError(f"genotype allele {a} beyond the {n_alts} ALT allele(s) at "
                                 f"{r.chrom}:{r.pos}", path=source, field="GT",
                                 hint="fix the genotype or the ALT column of the record")
        if len(gt) > 2:  # polyploid genotypes are outside the GA4GH diploid definitions
            continue
        ref = r.ref.upper()
        if fetch is not None:
            _check_ref(fetch, r.chrom, r.pos, ref, source)
        usable: list[str | None] = [None]
        for alt in r.alts:
            up = alt.upper() if alt else ""
            usable.append(up if _usable(up) and up != ref else None)
        gt0 = tuple(a if a is not None and usable[a] is not None else 0 for a in gt)
        carried = sorted({a for a in gt0 if a > 0})
        if not carried:
            continue
        group = next(_groups)
        if len(carried) >= 2 and side == TRUTH:
            pos, ref2, alts2 = _trim_multi(r.pos, ref, [str(usable[a]) for a in carried])
            remap = {0: 0} | {a: k + 1 for k, a in enumerate(carried)}
            units.append(_unit(side, index, group, r.chrom, pos, ref2, tuple(alts2),
                               tuple(remap[a] for a in gt0), r.passing))
            continue
        for a in carried:
            g = tuple(1 if x == a else 0 for x in gt0)
            p, rr, aa = trim(r.pos, ref, str(usable[a]))
            for pp, pr, pa in decompose(p, rr, aa):
                written: tuple[int, str, tuple[str, ...]] | None = None
                if fetch is not None and len(pr) != len(pa):
                    written = (pp, pr, (pa,))
                    pp, pr, pa = left_align(r.chrom, pp, pr, pa, fetch)
                    if (pp, pr, (pa,)) == written:
                        written = None
                unit = _unit(side, index, group, r.chrom, pp, pr, (pa,), g, r.passing)
                unit.replay = written
                units.append(unit)
    return units


def _check_ref(fetch: Fetch, chrom: str, pos: int, ref: str, source: Path | str) -> None:
    try:
        bases = fetch(chrom, pos - 1, pos - 1 + len(ref)).upper()
    except (KeyError, ValueError, IndexError):
        raise InputError(f"contig '{chrom}' of {chrom}:{pos} is not in the reference",
                         path=source, field="CHROM",
                         hint="give the reference the VCF was called against") from None
    if bases != ref and "N" not in ref:
        raise InputError(f"REF {ref} at {chrom}:{pos} does not match the reference ({bases})",
                         path=source, field="REF",
                         hint="give the reference the VCF was called against") from None


class Bases:
    """Reference bases of a window: from the FASTA, or else from the records' REF alleles."""

    def __init__(self, fetch: Fetch | None, records: Sequence[Sequence[RecordLike]]) -> None:
        self.fetch = fetch
        self._starts: dict[str, list[int]] = {}
        self._refs: dict[str, list[str]] = {}
        self._maxlen: dict[str, int] = {}
        if fetch is None:
            spans: dict[str, list[tuple[int, str]]] = {}
            for recs in records:
                for r in recs:
                    if r.ref:
                        spans.setdefault(r.chrom, []).append((r.pos - 1, r.ref.upper()))
            for chrom, items in spans.items():
                items.sort()
                self._starts[chrom] = [s for s, _ in items]
                self._refs[chrom] = [b for _, b in items]
                self._maxlen[chrom] = max(len(b) for _, b in items)

    def get(self, chrom: str, start: int, end: int) -> str | None:
        """The bases of ``[start, end)``, or None when some base is unknown or contradictory."""
        if self.fetch is not None:
            bases = self.fetch(chrom, start, end).upper()
            return bases if len(bases) == end - start else None
        starts = self._starts.get(chrom)
        if not starts:
            return None
        refs = self._refs[chrom]
        window: list[str | None] = [None] * (end - start)
        lo = bisect.bisect_left(starts, start - self._maxlen[chrom])
        hi = bisect.bisect_left(starts, end)
        for k in range(lo, hi):
            s, ref = starts[k], refs[k]
            for i in range(max(s, start), min(s + len(ref), end)):
                base = ref[i - s]
                have = window[i - start]
                if have is None:
                    window[i - start] = base
                elif have != base:
                    return None
        if any(b is None for b in window):
            return None
        return "".join(b for b in window if b is not None)


def match(truth: list[Unit], query: list[Unit], bases: Bases) -> None:
    """Decide every unit of both sides (sets ``decision``, ``match_kind``, ``cluster``)."""
    for u in itertools.chain(truth, query):
        u.decision, u.match_kind, u.cluster, u.partner = "", ".", 0, None
        u.matched_truth = []
    index: dict[tuple[str, int, str, tuple[str, ...]], list[Unit]] = {}
    for t in truth:
        index.setdefault(t.key(), []).append(t)
    for q in query:
        candidates = index.get(q.key())
        if candidates:
            t = candidates.pop()
            t.decision = q.decision = "TP"
            t.match_kind = q.match_kind = "gm"
            t.partner, q.partner = q, t
            q.matched_truth = [t]
    rest = sorted((u for u in itertools.chain(truth, query) if not u.decision),
                  key=lambda u: (u.chrom, u.start, u.end, u.side))
    exact = _ExactIndex(t for t in truth if t.partner is not None)
    cluster: list[Unit] = []
    end = -1
    for u in rest:
        if cluster and (u.chrom != cluster[0].chrom or u.start > end + CLUSTER_GAP):
            _resolve_cluster(cluster, bases)
            _revisit(cluster, exact, bases)
            cluster = []
        if not cluster:
            end = u.replay_end
        cluster.append(u)
        end = max(end, u.replay_end)
    if cluster:
        _resolve_cluster(cluster, bases)
        _revisit(cluster, exact, bases)


class _ExactIndex:
    """Exactly matched truth units by contig and start, to find those near a cluster."""

    def __init__(self, units: Iterable[Unit]) -> None:
        per: dict[str, list[Unit]] = {}
        for u in units:
            per.setdefault(u.chrom, []).append(u)
        self.units = {c: sorted(us, key=lambda u: u.start) for c, us in per.items()}
        self.starts = {c: [u.start for u in us] for c, us in self.units.items()}
        self.longest = {c: max(u.replay_end - u.start for u in us) for c, us in self.units.items()}

    def near(self, chrom: str, start: int, end: int) -> list[Unit]:
        starts = self.starts.get(chrom)
        if not starts:
            return []
        lo = bisect.bisect_left(starts, start - self.longest[chrom])
        hi = bisect.bisect_right(starts, end)
        return [u for u in self.units[chrom][lo:hi]
                if u.replay_end >= start and u.partner is not None and u.decision == "TP"]


def _revisit(cluster: list[Unit], exact: _ExactIndex, bases: Bases) -> None:
    """Re-compare what a cluster left unmatched together with the exact matches around it.

    An exact match fixed first can hide a better explanation of the region (a query indel pair
    equal to several truth SNPs, as vcfeval's global path search finds; a deletion left-aligned
    onto another deletion's position).  Each overlap-connected part of the leftovers is
    re-compared with the leftovers and exact matches within :data:`CLUSTER_GAP` bp of it; the
    joint result is kept only when it credits more truth units (or as many, and more query ones).
    """
    left = [u for u in cluster if u.decision in ("FN", "FP")]
    if not any(u.side == TRUTH for u in left) or not any(u.side == QUERY for u in left):
        return
    chrom = cluster[0].chrom
    for part in _overlap_parts(left):
        if all(u.decision == "TP" for u in part):
            continue  # settled by an earlier part's joint comparison
        ps, pe = _window(part)
        for radius in REVISIT_RADII:  # a close neighbourhood first, then the cluster gap
            lo, hi = ps - radius, pe + radius
            near = [u for u in left if u.decision in ("FN", "FP") and u.replay_end >= lo
                    and u.start <= hi]
            if not any(u.side == TRUTH for u in near) or not any(u.side == QUERY for u in near):
                continue
            pairs = exact.near(chrom, lo, hi)
            involved = [*near, *pairs, *(t.partner for t in pairs if t.partner is not None)]
            if pairs and len(involved) <= MAX_SUBSET_UNITS and _joint(involved, bases):
                break


def _joint(involved: list[Unit], bases: Bases) -> bool:
    """Re-decide ``involved`` together; keep and return True only if it credits more."""
    ws, we = _window(involved)
    window = bases.get(involved[0].chrom, ws, we)
    if window is None:
        return False
    saved = [(u, u.decision, u.match_kind, u.partner, list(u.matched_truth), u.cluster)
             for u in involved]

    def score() -> tuple[int, int]:
        return (sum(1 for u in involved if u.side == TRUTH and u.decision == "TP"),
                sum(1 for u in involved if u.side == QUERY and u.decision == "TP"))

    before = score()
    for u in involved:
        u.decision, u.match_kind, u.partner, u.matched_truth = "", ".", None, []
    _resolve(involved, ws, window)
    if score() > before:
        for u in involved:
            u.cluster = ws + 1
            if not u.decision:
                u.decision = "FN" if u.side == TRUTH else "FP"
            if u.decision != "TP" and u.match_kind == ".":
                u.match_kind = "lm"
        return True
    for u, decision, kind, partner, matched, cluster_id in saved:
        u.decision, u.match_kind, u.partner, u.matched_truth, u.cluster = (
            decision, kind, partner, matched, cluster_id)
    return False


def _window(units: Sequence[Unit]) -> tuple[int, int]:
    return min(u.start for u in units), max(u.replay_end for u in units)


def _resolve_cluster(units: list[Unit], bases: Bases) -> None:
    ws, we = _window(units)
    bs = ws + 1
    for u in units:
        u.cluster = bs
    has = {TRUTH: any(u.side == TRUTH for u in units), QUERY: any(u.side == QUERY for u in units)}
    window = bases.get(units[0].chrom, ws, we)
    if window is not None:
        _resolve(units, ws, window)
    else:
        conflicting: list[Unit] = []
        for part in _overlap_parts(units):
            ps, pe = _window(part)
            part_bases = bases.get(part[0].chrom, ps, pe)
            if part_bases is not None:
                _resolve(part, ps, part_bases)
            elif any(u.side == TRUTH for u in part) and any(u.side == QUERY for u in part):
                conflicting.extend(part)  # the two files disagree on the REF bases
        left_t = [u for u in units if u.side == TRUTH and u.decision != "TP"]
        left_q = [u for u in units if u.side == QUERY and u.decision != "TP"]
        if conflicting or (left_t and left_q
                           and any(u.kind == "INDEL" for u in left_t + left_q)
                           and lengths_compatible([u.genotyped() for u in left_t],
                                                  [u.genotyped() for u in left_q])):
            for u in left_t + left_q:
                u.decision, u.match_kind = "N", "."
            return
    for u in units:
        if not u.decision or u.decision in ("FN", "FP"):
            if not u.decision:
                u.decision = "FN" if u.side == TRUTH else "FP"
            if u.match_kind == ".":
                u.match_kind = "lm" if has[1 - u.side] else "."


def _overlap_parts(units: list[Unit]) -> list[list[Unit]]:
    parts: list[list[Unit]] = []
    end = -1
    for u in sorted(units, key=lambda x: (x.start, x.replay_end)):
        if parts and u.start <= end:
            parts[-1].append(u)
            end = max(end, u.replay_end)
        else:
            parts.append([u])
            end = u.replay_end
    return parts


def _mark_tp(ts: Sequence[Unit], qs: Sequence[Unit]) -> None:
    for u in itertools.chain(ts, qs):
        u.decision, u.match_kind = "TP", "gm"
    for q in qs:
        q.matched_truth = list(ts)


def _resolve(units: list[Unit], ws: int, window: str) -> None:
    """Haplotype comparison of the undecided units of one window whose bases are known."""
    ts = [u for u in units if u.side == TRUTH and not u.decision]
    qs = [u for u in units if u.side == QUERY and not u.decision]
    if not ts or not qs:
        return
    gt_t = [u.genotyped() for u in ts]
    gt_q = [u.genotyped() for u in qs]
    try:
        if equivalent(gt_t, gt_q, ws, window):
            _mark_tp(ts, qs)
            return
    except TooComplex:
        pass
    try:
        if len(ts) + len(qs) <= MAX_SUBSET_UNITS:
            _partial(ts, qs, ws, window)
        else:  # too many for the sub-set search: decide each overlap-connected part alone,
            parts = _overlap_parts(ts + qs)  # then what is left of them together
            if len(parts) > 1:
                for part in parts:
                    ps, pe = _window(part)
                    _resolve(part, ps, window[ps - ws:pe - ws])
                lt = [u for u in ts if not u.decision]
                lq = [u for u in qs if not u.decision]
                if lt and lq and len(lt) + len(lq) <= MAX_SUBSET_UNITS:
                    _partial(lt, lq, ws, window)
    except TooComplex:
        pass
    ts = [u for u in ts if not u.decision]
    qs = [u for u in qs if not u.decision]
    if not ts or not qs:
        return
    try:
        if equivalent([u.genotyped() for u in ts], [u.genotyped() for u in qs], ws, window,
                      squash=True):
            for u in ts + qs:
                u.decision = "FN" if u.side == TRUTH else "FP"
                u.match_kind = "am"
            return
    except TooComplex:
        pass
    for t in ts:
        for q in qs:
            if q.end < t.start or t.end < q.start:
                continue
            ls, le = min(t.start, q.start), max(t.replay_end, q.replay_end)  # local window
            try:
                if equivalent([t.genotyped()], [q.genotyped()], ls, window[ls - ws:le - ws],
                              squash=True):
                    t.decision, t.match_kind = "FN", "am"
                    q.decision, q.match_kind = "FP", "am"
            except TooComplex:  # pragma: no cover - two units never exceed the limit
                pass


def _partial(ts: list[Unit], qs: list[Unit], ws: int, window: str) -> None:
    """Greedily take the largest equivalent sub-sets of the two sides (partial credit)."""
    while ts and qs:
        best: tuple[tuple[Unit, ...], tuple[Unit, ...]] | None = None
        candidates = sorted(
            ((st, sq) for i in range(len(ts), 0, -1) for st in itertools.combinations(ts, i)
             for j in range(len(qs), 0, -1) for sq in itertools.combinations(qs, j)),
            key=lambda pair: -(len(pair[0]) + len(pair[1])))
        for st, sq in candidates:
            if equivalent([u.genotyped() for u in st], [u.genotyped() for u in sq], ws, window):
                best = (st, sq)
                break
        if best is None:
            return
        _mark_tp(*best)
        ts = [u for u in ts if not u.decision]
        qs = [u for u in qs if not u.decision]
        if ts and qs and equivalent([u.genotyped() for u in ts], [u.genotyped() for u in qs],
                                    ws, window):
            _mark_tp(ts, qs)
            return
