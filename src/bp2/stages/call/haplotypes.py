"""Local haplotype re-genotyping of variant clusters in tandem repeats (pure arithmetic).

**Why.**  ``bcftools call`` decides each record on its own from per-base pileups.  Where
several variants crowd into one tandem repeat (a deletion and an SNV at the junction of two
homopolymers, two different indels in one CA repeat, an SNV inside a long insertion's repeat),
the reads' per-base evidence is split between alleles that describe the same haplotypes in
different ways, and the records it writes can be mutually inconsistent (a ``1/1`` SNV inside a
base that a ``0/1`` deletion removes), miss an allele, or add one that no haplotype carries.
On dataset 11 these clusters are most of the remaining errors.

**What.**  A *cluster* is a run of called records whose spans, each widened to the tandem repeats
it touches (:func:`repeat_span`) and to the span its indels can slide over, overlap; a cluster
holding an indel is re-genotyped as a whole, over one *window* of reference ``[start, end)``
that covers it with ``anchor`` flanking bases on each side:

1. **Candidate haplotypes** (window sequences) are the reference, each called ALT allele alone,
   each phasing of each sample's called genotypes, and every window sequence that at least
   ``min_support`` fragments and ``min_fraction`` of one sample's window-spanning fragments
   carry (:func:`read_candidates`): so a haplotype the pileup missed can still be found.  A
   cluster of one record whose reads show no haplotype beyond these is left to the indel
   re-genotyping (:mod:`.regenotype`), which already settles its 0/1 versus 1/1.
2. **Read likelihoods.**  Every read over the window is aligned whole against each candidate
   set in its reference context (edit distance, free ends; :func:`read_log_likelihoods`); a
   candidate's log10-likelihood is ``-edits * log10(1/error)``.  A read that ends inside the
   repeat fits the candidates that differ only there equally, so it does not vote between them.
   The mates of a fragment add up, and a fragment's likelihoods are floored ``cap`` below its
   best (one chimeric or mis-mapped fragment cannot dominate).
3. **Genotypes.**  For each sample and each unordered pair of candidates (one candidate when
   haploid) the likelihood is the product over its fragments of the mean of the two
   haplotypes' likelihoods (:func:`genotype_likelihoods`).
4. **Decision.**  The best pair replaces the sample's called haplotypes only when it beats the
   best phasing of the called genotypes by ``min_lr`` phred (always when the called records
   cannot be phased into haplotypes at all, e.g. a ``1/1`` SNV inside a ``0/1`` deletion).
   The cluster's records are then rewritten from the decided haplotypes (also when the
   haplotypes stand but two or more records write them differently from the haplotypes'
   alignment): each haplotype is aligned to the reference window (affine gaps,
   :func:`decompose`) into SNVs and indels, one biallelic record per distinct allele, with each
   sample's GT, marginal PL (:func:`marginal_pl`), GQ, AD and DP from the model.

Everything here is a pure function over strings and numbers; :mod:`.local` is the htslib edge.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import edlib

Allele = tuple[int, str, str]  # 0-based position, REF bases, ALT bases (VCF style, padded)
Pair = tuple[int, ...]  # candidate indices, one per chromosome copy (sorted)


def repeat_span(seq: str, start: int, end: int, max_period: int = 6, min_length: int = 4
                ) -> tuple[int, int]:
    """Widen ``[start, end)`` (indices into ``seq``) over every tandem repeat it touches.

    A tandem repeat of period ``p`` (1..``max_period``) is a run where each base equals the one
    ``p`` before; runs of at least ``min_length`` bases (and two copies) that overlap or abut the
    span are absorbed, repeatedly, so adjacent repeats (a poly-T then a poly-A) join one span.
    """
    lo, hi = max(0, start), min(len(seq), max(end, start + 1))
    changed = True
    while changed:
        changed = False
        for period in range(1, max_period + 1):
            for seed in (lo - 1, lo, hi - 1, hi):
                if not 0 <= seed < len(seq):
                    continue
                a, b = seed, seed + 1
                while a > 0 and a - 1 + period < len(seq) and seq[a - 1] == seq[a - 1 + period]:
                    a -= 1
                while b < len(seq) and b - period >= 0 and seq[b] == seq[b - period] and \
                        b - period >= a:
                    b += 1
                length = b - a
                if length < max(min_length, 2 * period) or length < period + 1:
                    continue
                if b < lo or a > hi:
                    continue
                if a < lo or b > hi:
                    lo, hi, changed = min(lo, a), max(hi, b), True
    return lo, hi


def _core(allele: Allele) -> Allele:
    """The allele without the shared anchor base of an indel (an SNV there does not clash)."""
    pos0, ref, alt = allele
    if len(ref) != len(alt) and ref and alt and ref[0] == alt[0]:
        return pos0 + 1, ref[1:], alt[1:]
    return allele


def overlaps(a: Allele, b: Allele) -> bool:
    """Whether two alleles change overlapping reference bases (or insert at the same place)."""
    (p, r, _), (q, s, _) = _core(a), _core(b)
    if p == q:
        return True
    return p < q + len(s) and q < p + len(r)


def apply_alleles(window: str, start: int, alleles: Iterable[Allele]) -> str | None:
    """The window sequence carrying ``alleles`` (None when two overlap or one is outside)."""
    ordered = sorted(_core(a) for a in alleles)
    for left, right in itertools.pairwise(ordered):
        if overlaps(left, right):
            return None
    seq = window
    for pos0, ref, alt in reversed(ordered):
        offset = pos0 - start
        if offset < 0 or offset + len(ref) > len(window) or window[offset:offset + len(ref)] != ref:
            return None
        seq = seq[:offset] + alt + seq[offset + len(ref):]
    return seq


def phasings(calls: Sequence[tuple[Allele | None, ...]]) -> list[tuple[tuple[Allele, ...], ...]]:
    """Every assignment of a sample's called alleles to its chromosome copies.

    ``calls`` holds, per record, the allele on each copy (None for REF) in GT order, most
    confident record first; copies of a heterozygous diploid record may swap.  An allele that
    overlaps one already placed on the same copy is left out of that copy, so bcftools'
    mutually inconsistent records (a ``1/1`` SNV inside a ``1/1`` deletion) still give the
    haplotypes their most confident records describe.  At most 2**8 phasings are listed.
    """
    if not calls:
        return []
    ploidy = len(calls[0])
    options: list[list[tuple[Allele | None, ...]]] = []
    for call in calls:
        if ploidy == 2 and call[0] != call[1]:
            options.append([call, (call[1], call[0])])
        else:
            options.append([call])
    result = []
    for choice in itertools.islice(itertools.product(*options), 256):
        copies: list[list[Allele]] = [[] for _ in range(ploidy)]
        for call in choice:
            for k, allele in enumerate(call):
                if allele is not None and not any(overlaps(allele, o) for o in copies[k]):
                    copies[k].append(allele)
        result.append(tuple(tuple(c) for c in copies))
    return result


# --- reads -----------------------------------------------------------------------------------


def query_span(cigar: Sequence[tuple[int, int]], ref_start: int, start: int, end: int
               ) -> tuple[int, int] | None:
    """Query coordinates ``[qs, qe)`` of the read bases aligned over reference ``[start, end)``.

    ``start`` and ``end - 1`` must each be aligned to a read base (M/=/X); otherwise None (the
    read does not span the window with clean anchors).
    """
    rpos, qpos = ref_start, 0
    qs = qe = None
    for op, length in cigar:
        if op in (0, 7, 8):  # M, =, X
            if qs is None and rpos <= start < rpos + length:
                qs = qpos + start - rpos
            if rpos <= end - 1 < rpos + length:
                qe = qpos + end - 1 - rpos + 1
            rpos += length
            qpos += length
        elif op in (1, 4):  # I, S
            qpos += length
        elif op in (2, 3):  # D, N
            rpos += length
        if rpos > end and qe is not None:
            break
    if qs is None or qe is None or qe <= qs:
        return None
    return qs, qe


def read_candidates(inners: Mapping[str, Sequence[str]], min_support: int, min_fraction: float,
                    window: str, anchor: int) -> list[str]:
    """Window sequences carried by enough fragments of one sample (name -> sample's inners).

    ``inners`` maps a sample to the window sequences of its spanning fragments (one each).  A
    sequence whose first or last ``anchor`` bases differ from the reference ``window`` is not a
    candidate: it carries a change outside the cluster, which its own record describes.
    """
    found: dict[str, int] = {}
    for seqs in inners.values():
        counts: dict[str, int] = {}
        for seq in seqs:
            counts[seq] = counts.get(seq, 0) + 1
        need = max(min_support, math.ceil(min_fraction * len(seqs)))
        for seq, n in counts.items():
            if n >= need and seq[:anchor] == window[:anchor] and \
                    seq[len(seq) - anchor:] == window[len(window) - anchor:]:
                found[seq] = max(found.get(seq, 0), n)
    return sorted(found, key=lambda s: (-found[s], s))


def read_log_likelihoods(segment: str, haplotypes: Sequence[str], error: float, cap: float
                         ) -> list[float]:
    """log10 P(read segment | haplotype) for each haplotype, floored ``cap`` below the best.

    The whole read is aligned (edlib ``HW``: free ends in the haplotype, which reaches beyond
    the read on both sides), so a read that ends inside a repeat fits the candidates that differ
    only there equally and does not vote between them.
    """
    per_edit = math.log10(error)
    values = [edlib.align(segment, hap, mode="HW", task="distance")["editDistance"] * per_edit
              for hap in haplotypes]
    best = max(values)
    return [max(v, best - cap) for v in values]


def pairs(n: int, ploidy: int) -> list[Pair]:
    """Unordered genotypes over ``n`` candidates for a ploidy of 1 or 2."""
    if ploidy == 1:
        return [(i,) for i in range(n)]
    return [(i, j) for i in range(n) for j in range(i, n)]


def genotype_likelihoods(fragments: Sequence[Sequence[float]], ploidy: int, n: int
                         ) -> dict[Pair, float]:
    """log10 likelihood of every genotype from the fragments' per-candidate log10 likelihoods."""
    result: dict[Pair, float] = {}
    for pair in pairs(n, ploidy):
        total = 0.0
        for lls in fragments:
            if len(pair) == 1:
                total += lls[pair[0]]
            else:
                a, b = lls[pair[0]], lls[pair[1]]
                top = max(a, b)
                total += top + math.log10((10 ** (a - top) + 10 ** (b - top)) / 2)
        result[pair] = total
    return result


def choose(likelihoods: Mapping[Pair, float], called: Sequence[Pair], min_lr: float
           ) -> Pair | None:
    """The genotype a sample gets: the best one when it beats the called one by ``min_lr`` phred.

    ``called`` lists the genotypes the called records can be phased into (the best of them is
    the called genotype); when there is none the best genotype is taken outright, unless no read
    informs the choice (all genotypes equally likely: None).  Ties prefer fewer ALT haplotypes.
    """
    best = max(likelihoods, key=lambda k: (likelihoods[k], -sum(k)))
    if not called:
        informative = len(set(likelihoods.values())) > 1
        return best if informative else None
    now = max(called, key=lambda k: likelihoods[k])
    gain = 10 * (likelihoods[best] - likelihoods[now])
    if best != now and gain > 0 and gain >= min_lr:
        return best
    return now


# --- decomposition ----------------------------------------------------------------------------

# Haplotype-vs-reference alignment costs: GATK HaplotypeCaller's haplotype-to-reference scores
# (match 200, mismatch -150, gap -260 for the first base and -11 for each further one), negated.
# A published convention for writing haplotypes as VCF records (HaplotypeCaller is one of the
# callers GIAB's truth sets integrate); a substitution costs more than opening a gap, so two unit
# indels in a repeat are preferred to one longer indel plus a substitution.
_MATCH, _MISMATCH, _OPEN, _EXTEND = -200, 150, 249, 11


def decompose(ref: str, hap: str, start: int) -> list[Allele]:
    """Alleles turning ``ref`` into ``hap`` (both begin with one shared anchor base at ``start``).

    Global alignment with affine gaps (GATK HaplotypeCaller's scores); of equal-cost alignments
    the one with gaps left-most is taken (left-aligned, as ``bcftools norm`` would).  A deletion
    or insertion is written VCF-style with the base before it; a gap that starts where another
    change ends (a substitution, an insertion before a deletion) joins it in one complex record.
    ValueError when a gap would displace the shared first base (the caller then leaves the
    cluster as called).
    """
    if ref == hap:
        return []
    # the DP runs only over the part that differs: shared suffix dropped, shared prefix down to
    # one anchor base (ties between placements are settled by bcftools norm's left-alignment)
    suffix = 0
    while suffix < min(len(ref), len(hap)) - 1 and ref[-1 - suffix] == hap[-1 - suffix]:
        suffix += 1
    ref, hap = ref[:len(ref) - suffix], hap[:len(hap) - suffix]
    prefix = 0
    while prefix < min(len(ref), len(hap)) - 1 and ref[prefix + 1] == hap[prefix + 1] \
            and ref[prefix] == hap[prefix]:
        prefix += 1
    for back in (0, 8, 32):  # a gap that would slide into the dropped prefix: keep more of it
        cut = max(0, prefix - back)
        try:
            return _decompose(ref[cut:], hap[cut:], start + cut)
        except ValueError:
            if cut == 0:
                raise
    return _decompose(ref, hap, start)


def _decompose(ref: str, hap: str, start: int) -> list[Allele]:
    n, m = len(ref), len(hap)
    inf = float("inf")
    # three matrices: M (diagonal), X (gap in hap = deletion), Y (gap in ref = insertion)
    mm = [[inf] * (m + 1) for _ in range(n + 1)]
    dx = [[inf] * (m + 1) for _ in range(n + 1)]
    iy = [[inf] * (m + 1) for _ in range(n + 1)]
    mm[0][0] = 0.0
    for i in range(1, n + 1):
        dx[i][0] = _OPEN + _EXTEND * i
    for j in range(1, m + 1):
        iy[0][j] = _OPEN + _EXTEND * j
    for i in range(1, n + 1):
        ri = ref[i - 1]
        for j in range(1, m + 1):
            cost = _MATCH if ri == hap[j - 1] else _MISMATCH
            mm[i][j] = min(mm[i - 1][j - 1], dx[i - 1][j - 1], iy[i - 1][j - 1]) + cost
            dx[i][j] = min(mm[i - 1][j] + _OPEN + _EXTEND, dx[i - 1][j] + _EXTEND,
                           iy[i - 1][j] + _OPEN + _EXTEND)
            iy[i][j] = min(mm[i][j - 1] + _OPEN + _EXTEND, iy[i][j - 1] + _EXTEND,
                           dx[i][j - 1] + _OPEN + _EXTEND)
    # trace back from the end, preferring matches on ties: gaps come out left-most (left-aligned)
    ops: list[str] = []
    i, j = n, m
    state = min((mm[n][m], 0), (dx[n][m], 1), (iy[n][m], 2))[1]
    while i > 0 or j > 0:
        if state == 0:
            cost = _MATCH if ref[i - 1] == hap[j - 1] else _MISMATCH
            ops.append("M" if cost == _MATCH else "X")
            prev = mm[i][j] - cost
            i, j = i - 1, j - 1
            state = 0 if mm[i][j] == prev else (1 if dx[i][j] == prev else 2)
        elif state == 1:
            ops.append("D")
            value = dx[i][j]
            i -= 1
            state = 1 if dx[i][j] + _EXTEND == value else (
                0 if mm[i][j] + _OPEN + _EXTEND == value else 2)
        else:
            ops.append("I")
            value = iy[i][j]
            j -= 1
            state = 2 if iy[i][j] + _EXTEND == value else (
                0 if mm[i][j] + _OPEN + _EXTEND == value else 1)
    ops.reverse()
    alleles: list[Allele] = []
    i = j = 0
    k = 0
    while k < len(ops):
        op = ops[k]
        if op == "M":
            i, j, k = i + 1, j + 1, k + 1
        elif op == "X":
            alleles.append((start + i, ref[i], hap[j]))
            i, j, k = i + 1, j + 1, k + 1
        else:
            run = k
            while run < len(ops) and ops[run] == op:
                run += 1
            length = run - k
            anchor = i - 1  # the base before the gap
            if anchor < 0:
                raise ValueError("a gap before the shared anchor base")
            first = ref[anchor]
            if alleles and alleles[-1][0] == start + anchor:  # a change on the anchor base
                first = alleles.pop()[2]  # one complex record: that change and the gap
            if op == "D":
                alleles.append((start + anchor, ref[anchor:i + length], first))
                i += length
            else:
                alleles.append((start + anchor, ref[anchor], first + hap[j:j + length]))
                j += length
            k = run
    return alleles


def trim(allele: Allele) -> Allele:
    """The parsimonious form of an allele (shared trailing, then leading bases removed, one
    anchor base kept for an indel)."""
    pos0, ref, alt = allele
    while len(ref) > 1 and len(alt) > 1 and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    while len(ref) > 1 and len(alt) > 1 and ref[0] == alt[0]:
        ref, alt, pos0 = ref[1:], alt[1:], pos0 + 1
    return pos0, ref, alt


@dataclass(frozen=True)
class SampleCall:
    """The decided haplotypes of one sample, with its genotype likelihoods."""

    pair: Pair
    likelihoods: Mapping[Pair, float]  # log10, over every genotype of the candidates


def marginal_pl(call: SampleCall, carriers: Sequence[bool]) -> tuple[int, ...]:
    """Phred-scaled likelihoods of carrying an allele on 0, 1 (, 2) copies (minimum 0).

    ``carriers[k]`` says whether candidate ``k`` carries the allele; each dosage takes the best
    genotype with that many carrying copies.
    """
    ploidy = len(call.pair)
    best = [-math.inf] * (ploidy + 1)
    for pair, value in call.likelihoods.items():
        dose = sum(carriers[k] for k in pair)
        best[dose] = max(best[dose], value)
    top = max(best)
    return tuple(min(9999, round(-10 * (v - top))) if v > -math.inf else 9999 for v in best)


def allele_depths(fragments: Sequence[Sequence[float]], pair: Pair, carriers: Sequence[bool]
                  ) -> tuple[int, int]:
    """(REF, ALT) fragment counts for one allele: a fragment counts for the side whose best
    haplotype (among the sample's pair and the reference, candidate 0) fits it strictly better.
    """
    own = sorted(set(pair) | {0})
    ref = alt = 0
    for lls in fragments:
        with_allele = [lls[k] for k in own if carriers[k]]
        without = [lls[k] for k in own if not carriers[k]]
        if not with_allele or not without:
            continue
        if max(with_allele) > max(without):
            alt += 1
        elif max(without) > max(with_allele):
            ref += 1
    return ref, alt
