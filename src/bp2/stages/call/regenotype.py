"""Indel re-genotyping from reads that span the indel's whole repeat context.

**Why.**  ``bcftools mpileup`` (1.16) scores every read overlapping an indel, including reads
that end inside the repeat the indel sits in.  Such a read cannot tell the two alleles apart,
yet it is counted for REF, so a homozygous indel in a tandem repeat is often called
heterozygous (on dataset 11, 3 of the bare chain's 13 false negatives).  Here a read counts
only when it is informative: it is aligned, whole, against the local reference haplotype and the
haplotype carrying the indel (edit distance, free ends in the haplotype: ``edlib`` ``HW`` mode),
and it supports the allele it fits strictly better.  A read that ends inside the repeat fits both
equally and is left out.  Mates of one fragment count once (and not at all if they disagree).

**What may change.**  Only the genotype of a diploid sample at a biallelic indel, and only
between ``0/1`` and ``1/1``: a variant is never created or removed here.  A change needs the
spanning-read likelihood of the new genotype to beat that of bcftools' genotype by
``min_lr`` (phred) and to beat ``0/0``.  The binomial model gives each spanning fragment an
``error`` probability of supporting the allele it does not carry.  A changed sample gets the
new ``GT``, ``PL`` and ``GQ`` from this model and keeps bcftools' genotype in ``FORMAT/IRG``;
every assessed sample gets ``FORMAT/ISR`` (spanning fragments for REF, ALT).

The arithmetic (:func:`indel_event`, :func:`read_support`, :func:`fragment_counts`,
:func:`decide`) is pure; :func:`regenotype_file` is the htslib edge.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import edlib
import pysam

Genotype = tuple[int, int]
HET: Genotype = (0, 1)
HOM: Genotype = (1, 1)
ISR_HEADER = ('##FORMAT=<ID=ISR,Number=2,Type=Integer,Description="bp2 indel re-genotyping: '
              'fragments spanning the indel repeat context that support REF and ALT">')
IRG_HEADER = ('##FORMAT=<ID=IRG,Number=1,Type=String,Description="bp2 indel re-genotyping: the '
              'bcftools call genotype this sample had before spanning reads changed it">')
_FLAG_SKIP = 0x4 | 0x100 | 0x200 | 0x400  # unmapped, secondary, QC fail, duplicate (as mpileup)


@dataclass(frozen=True)
class IndelEvent:
    """An indel trimmed to its changed bases, and the reference span it can slide over."""

    pos0: int  # 0-based position of the first replaced base (insertions: inserted before it)
    ref: str  # replaced reference bases ('' for a pure insertion)
    alt: str  # new bases ('' for a pure deletion)
    lo: int  # 0-based start of the ambiguous span (leftmost placement)
    hi: int  # exclusive end (rightmost placement)


def indel_event(pos0: int, ref: str, alt: str, base: Callable[[int], str]) -> IndelEvent:
    """Trim a VCF allele pair and find the span over which the indel can be shifted.

    ``base(i)`` is the upper-case reference base at 0-based ``i`` ('' outside the contig).
    """
    ref, alt = ref.upper(), alt.upper()
    while ref and alt and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    while ref and alt and ref[0] == alt[0]:
        ref, alt, pos0 = ref[1:], alt[1:], pos0 + 1
    if ref and alt:  # complex replacement: no sliding
        return IndelEvent(pos0, ref, alt, pos0, pos0 + len(ref))
    if ref:  # deletion of ref[pos0 : pos0+n]
        n = len(ref)
        right = pos0
        while base(right) and base(right) == base(right + n):
            right += 1
        left = pos0
        while left > 0 and base(left - 1) and base(left - 1) == base(left + n - 1):
            left -= 1
        return IndelEvent(pos0, ref, alt, left, right + n)
    rot, right = alt, pos0  # insertion of alt before pos0
    while base(right) and base(right) == rot[0]:
        rot, right = rot[1:] + rot[0], right + 1
    rot, left = alt, pos0
    while left > 0 and base(left - 1) and base(left - 1) == rot[-1]:
        rot, left = rot[-1] + rot[:-1], left - 1
    return IndelEvent(pos0, ref, alt, left, right)


def haplotypes(event: IndelEvent, window_start: int, window: str) -> tuple[str, str]:
    """The reference window and the same window carrying the indel."""
    offset = event.pos0 - window_start
    if offset < 0 or offset + len(event.ref) > len(window):
        raise ValueError("the window does not contain the indel")
    return window, window[:offset] + event.alt + window[offset + len(event.ref):]


def read_support(read: str, hap_ref: str, hap_alt: str) -> int | None:
    """1 when the whole read fits the ALT haplotype better, 0 for REF, None when it cannot tell."""
    d_ref = edlib.align(read, hap_ref, mode="HW", task="distance")["editDistance"]
    d_alt = edlib.align(read, hap_alt, mode="HW", task="distance")["editDistance"]
    if d_alt < d_ref:
        return 1
    if d_ref < d_alt:
        return 0
    return None


def fragment_counts(votes: Iterable[tuple[str, int | None]]) -> tuple[int, int]:
    """(REF, ALT) fragment counts from per-read votes; fragments whose reads disagree drop out."""
    per: dict[str, int | None] = {}
    for name, vote in votes:
        if vote is None:
            continue
        if name in per and per[name] != vote:
            per[name] = None
        else:
            per[name] = vote
    values = list(per.values())
    return values.count(0), values.count(1)


@dataclass(frozen=True)
class Decision:
    genotype: Genotype
    pl: tuple[int, int, int]  # phred-scaled likelihoods of 0/0, 0/1, 1/1 (minimum 0)
    gq: int
    lr: float  # phred advantage of the new genotype over the caller's


def log10_likelihoods(n_ref: int, n_alt: int, error: float) -> tuple[float, float, float]:
    """log10 P(counts | 0/0, 0/1, 1/1) under a binomial model with per-fragment ``error``."""
    ok, bad, half = math.log10(1 - error), math.log10(error), math.log10(0.5)
    return (n_ref * ok + n_alt * bad, (n_ref + n_alt) * half, n_ref * bad + n_alt * ok)


def decide(n_ref: int, n_alt: int, current: Genotype, error: float, min_lr: float
           ) -> Decision | None:
    """The genotype spanning reads support, when it should replace ``current`` (else None)."""
    if current not in (HET, HOM):
        return None
    lik = log10_likelihoods(n_ref, n_alt, error)
    index = {HET: 1, HOM: 2}
    best = HOM if lik[2] > lik[1] else HET
    if best == current or lik[0] >= lik[index[best]]:
        return None
    lr = 10 * (lik[index[best]] - lik[index[current]])
    if lr < min_lr:
        return None
    top = max(lik)
    pl = tuple(round(-10 * (value - top)) for value in lik)
    gq = min(99, sorted(pl)[1])
    return Decision(best, (pl[0], pl[1], pl[2]), gq, lr)


# --- htslib edge ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    min_mapq: int
    error: float
    min_lr: float
    max_reads: int  # per sample and site, as mpileup's per-file depth cap
    count_orphans: bool  # mpileup -A: keep reads of improper pairs


@dataclass(frozen=True)
class Summary:
    assessed: int  # (site, sample) pairs with spanning-read counts
    changed: int


_PAD = 10  # extra haplotype bases beyond the read so edits at its ends cost the same on both


def regenotype_file(
    source: Path,
    target: Path,
    samples: Sequence[tuple[str, Path, Path]],
    reference: Path,
    reference_index: Path,
    reference_gzi: Path | None,
    settings: Settings,
) -> Summary:
    """Copy a BCF, re-genotyping its biallelic indels from the named (sample, BAM, index) reads."""
    fasta = pysam.FastaFile(str(reference), filepath_index=str(reference_index),
                            filepath_index_compressed=None if reference_gzi is None
                            else str(reference_gzi))
    handles = {
        name: pysam.AlignmentFile(str(bam), index_filename=str(index),
                                  reference_filename=str(reference))
        for name, bam, index in samples
    }
    assessed = changed = 0
    try:
        quiet = pysam.set_verbosity(0)  # htslib reports the (unneeded) missing BCF index
        try:
            vin = pysam.VariantFile(str(source))
        finally:
            pysam.set_verbosity(quiet)
        with vin:
            header = vin.header.copy()
            header.add_line(ISR_HEADER)
            header.add_line(IRG_HEADER)
            has_gq = "GQ" in header.formats
            with pysam.VariantFile(str(target), "wb0", header=header) as vout:
                for rec in vin:
                    rec.translate(header)
                    alts = rec.alts or ()
                    ref = rec.ref or ""
                    if len(alts) == 1 and len(ref) != len(alts[0]) and _usable(alts[0]):
                        a, c = _regenotype_record(rec, ref, alts[0], fasta, handles, settings,
                                                  has_gq)
                        assessed += a
                        changed += c
                    vout.write(rec)
    finally:
        for handle in handles.values():
            handle.close()
        fasta.close()
    return Summary(assessed, changed)


def _usable(alt: str) -> bool:
    return alt not in ("*", "") and not alt.startswith("<") and set(alt.upper()) <= set("ACGTN")


def _regenotype_record(rec: pysam.VariantRecord, ref: str, alt: str, fasta: pysam.FastaFile,
                       handles: Mapping[str, pysam.AlignmentFile], settings: Settings,
                       has_gq: bool) -> tuple[int, int]:
    chrom: str = rec.chrom
    length: int = fasta.get_reference_length(chrom)
    margin = 1000
    ref_pos0: int = rec.pos - 1
    cache_start = max(0, ref_pos0 - margin)
    cache_end = min(length, ref_pos0 + len(ref) + margin)
    cache = str(fasta.fetch(chrom, cache_start, cache_end)).upper()

    def base(i: int) -> str:
        if cache_start <= i < cache_end:
            return cache[i - cache_start]
        if 0 <= i < length:
            return str(fasta.fetch(chrom, i, i + 1)).upper()
        return ""

    def window(start: int, end: int) -> str:
        if cache_start <= start and end <= cache_end:
            return cache[start - cache_start:end - cache_start]
        return str(fasta.fetch(chrom, start, end)).upper()

    event = indel_event(ref_pos0, ref, alt, base)
    assessed = changed = 0
    for name, handle in handles.items():
        call = rec.samples[name]
        gt = call.get("GT")
        if gt is None or len(gt) != 2 or None in gt or tuple(sorted(gt)) not in (HET, HOM):
            continue
        votes: list[tuple[str, int | None]] = []
        seen = 0
        fetch_start, fetch_end = max(0, event.lo - 1), min(length, event.hi + 1)
        for read in handle.fetch(chrom, fetch_start, max(fetch_end, fetch_start + 1)):
            if not keep_read(read, settings):
                continue
            seen += 1
            if seen > settings.max_reads:
                break
            seq, end = read.query_sequence, read.reference_end
            if not seq or end is None or read.query_name is None:
                continue
            clip = len(seq) - read.query_alignment_length
            pad = _PAD + clip + abs(len(event.alt) - len(event.ref))
            w0 = max(0, min(read.reference_start, event.lo) - pad)
            w1 = min(length, max(end, event.hi) + pad)
            hap_ref, hap_alt = haplotypes(event, w0, window(w0, w1))
            votes.append((read.query_name, read_support(seq.upper(), hap_ref, hap_alt)))
        n_ref, n_alt = fragment_counts(votes)
        call["ISR"] = (n_ref, n_alt)
        assessed += 1
        decision = decide(n_ref, n_alt, (gt[0], gt[1]) if gt[0] <= gt[1] else (gt[1], gt[0]),
                          settings.error, settings.min_lr)
        if decision is None:
            continue
        call["IRG"] = "/".join(str(a) for a in gt)
        call["GT"] = decision.genotype
        call.phased = False
        call["PL"] = decision.pl
        if has_gq:
            call["GQ"] = decision.gq
        changed += 1
    return assessed, changed


def keep_read(read: pysam.AlignedSegment, settings: Settings) -> bool:
    """Whether mpileup would use the read (flags, MAPQ, improper pairs unless orphans count)."""
    flag: int = read.flag
    if flag & _FLAG_SKIP or read.mapping_quality < settings.min_mapq:
        return False
    paired_improper = flag & 0x1 and not flag & 0x2
    return settings.count_orphans or not paired_improper
