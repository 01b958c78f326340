"""The htslib edge of local haplotype re-genotyping (see :mod:`.haplotypes` for the model).

:func:`rephase_file` copies one chunk's BCF record by record, holding only the current cluster
(a few records) in memory; a cluster holding an indel is re-genotyped from the reads of every
sample over its window and, when the reads decide other haplotypes, its records are replaced
by records decomposed from the chosen haplotypes (``INFO/LHR`` marks them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pysam

from bp2.stages.call import haplotypes as hp
from bp2.stages.call.regenotype import Settings as ReadSettings
from bp2.stages.call.regenotype import indel_event, keep_read

LHR_HEADER = ('##INFO=<ID=LHR,Number=0,Type=Flag,Description="bp2 local haplotype '
              're-genotyping: record rewritten from the haplotypes the spanning reads support">')


@dataclass(frozen=True)
class LocalSettings:
    """Parameters of local haplotype re-genotyping (pinned in the pipeline definition)."""

    reads: ReadSettings
    anchor: int  # aligned bases a read needs on each side of the window
    max_window: int  # longest window (bases) re-genotyped; longer clusters stay as called
    min_support: int  # fragments a read-derived haplotype needs in one sample
    min_fraction: float  # ... and this fraction of that sample's spanning fragments
    max_candidates: int  # candidate haplotypes scored per cluster (reference included)
    error: float  # per-edit probability of a read-vs-haplotype difference
    cap: float  # largest log10 weight one fragment can give
    min_lr: float  # phred advantage a new genotype needs over the called one


_PAD = 10  # reference bases beyond a read's ends, so edits at its ends cost the same everywhere


@dataclass(frozen=True)
class LocalSummary:
    clusters: int  # clusters assessed
    rewritten: int  # clusters whose records were replaced


class _Reference:
    """Reference bases of one FASTA, fetched in 64 kb blocks."""

    BLOCK = 1 << 16

    def __init__(self, fasta: pysam.FastaFile) -> None:
        self.fasta = fasta
        self.chrom = ""
        self.start = self.end = 0
        self.seq = ""

    def get(self, chrom: str, start: int, end: int) -> str:
        length = self.fasta.get_reference_length(chrom)
        start, end = max(0, start), min(length, end)
        if chrom != self.chrom or start < self.start or end > self.end:
            self.chrom = chrom
            self.start = max(0, start - 1024)
            self.end = min(length, max(end, start + self.BLOCK))
            self.seq = str(self.fasta.fetch(chrom, self.start, self.end)).upper()
        return self.seq[start - self.start:end - self.start]


def rephase_file(
    source: Path,
    target: Path,
    samples: Sequence[tuple[str, Path, Path]],
    reference: Path,
    reference_index: Path,
    reference_gzi: Path | None,
    settings: LocalSettings,
) -> LocalSummary:
    """Copy a BCF, re-genotyping its indel clusters from the named (sample, BAM, index) reads."""
    fasta = pysam.FastaFile(str(reference), filepath_index=str(reference_index),
                            filepath_index_compressed=None if reference_gzi is None
                            else str(reference_gzi))
    ref = _Reference(fasta)
    handles = {name: pysam.AlignmentFile(str(bam), index_filename=str(index),
                                         reference_filename=str(reference))
               for name, bam, index in samples}
    clusters = rewritten = 0
    try:
        quiet = pysam.set_verbosity(0)  # htslib reports the (unneeded) missing BCF index
        try:
            vin = pysam.VariantFile(str(source))
        finally:
            pysam.set_verbosity(quiet)
        with vin:
            header = vin.header.copy()
            header.add_line(LHR_HEADER)
            with pysam.VariantFile(str(target), "wb0", header=header) as vout:
                last = ("", -1)  # (contig, position) of the last record written
                for group in _clusters(vin, header, ref, settings.max_window):
                    replacement = None
                    if any(_has_indel(r) for r in group):
                        clusters += 1
                        replacement = _rephase(group, header, vout, ref, handles, settings)
                    if replacement and replacement[0].chrom == last[0] and \
                            replacement[0].pos < last[1]:
                        replacement = None  # would break the sort order: keep the records
                    if replacement is not None:
                        rewritten += 1
                    for rec in group if replacement is None else replacement:
                        vout.write(rec)
                        last = (rec.chrom, rec.pos if rec.chrom != last[0]
                                else max(last[1], rec.pos))
    finally:
        for handle in handles.values():
            handle.close()
        fasta.close()
    return LocalSummary(clusters, rewritten)


def _usable(rec: pysam.VariantRecord) -> bool:
    alts = rec.alts or ()
    return bool(alts) and all(a and a != "*" and not a.startswith("<") and
                              set(a.upper()) <= set("ACGTN") for a in alts)


def _trimmed_span(rec: pysam.VariantRecord, ref: _Reference) -> tuple[int, int]:
    """0-based span of the record's alleles, trimmed, with the span each indel can slide over."""
    chrom, text = rec.chrom, (rec.ref or "").upper()
    length = ref.fasta.get_reference_length(chrom)
    lo, hi = length, 0
    for alt in rec.alts or ():
        pos0, r, a = hp.trim((rec.pos - 1, text, alt.upper()))
        lo, hi = min(lo, pos0), max(hi, pos0 + len(r))
        if len(r) != len(a):
            start = max(0, pos0 - 300)
            seq = ref.get(chrom, start, pos0 + len(r) + 300)

            def base(i: int, seq: str = seq, start: int = start) -> str:
                k = i - start
                return seq[k] if 0 <= k < len(seq) else ""

            event = indel_event(pos0, r, a, base)
            lo, hi = min(lo, event.lo - 1), max(hi, event.hi)
    return max(0, lo), hi


def _has_indel(rec: pysam.VariantRecord) -> bool:
    ref = rec.ref or ""
    return any(len(a) != len(ref) for a in rec.alts or ())


def _clusters(vin: pysam.VariantFile, header: pysam.VariantHeader, ref: _Reference,
              max_window: int) -> Iterator[list[pysam.VariantRecord]]:
    """Records grouped by overlapping repeat-widened spans (unusable records stand alone).

    A group is cut once it reaches ``max_window`` bases (too long to re-genotype anyway), so a
    long satellite never accumulates records in memory.
    """
    group: list[pysam.VariantRecord] = []
    chrom, group_start, group_end = "", -1, -1
    margin = 200
    for rec in vin:
        rec.translate(header)
        if not _usable(rec):
            if group:
                yield group
                group, group_end = [], -1
            yield [rec]
            continue
        pos0, end = _trimmed_span(rec, ref)
        base = max(0, pos0 - margin)
        seq = ref.get(rec.chrom, base, end + margin)
        lo, hi = hp.repeat_span(seq, pos0 - base, end - base)
        lo, hi = lo + base, hi + base
        if group and rec.chrom == chrom and group_start <= lo <= group_end and \
                hi - group_start <= max_window:
            group.append(rec)
            group_end = max(group_end, hi)
            continue
        if group:
            yield group
        group, chrom, group_start, group_end = [rec], rec.chrom, lo, hi
    if group:
        yield group


@dataclass
class _SampleReads:
    fragments: list[list[float]]  # per fragment: log10 likelihood per candidate
    inners: list[str]  # per fragment: the window sequence it carries


def _rephase(group: Sequence[pysam.VariantRecord], header: pysam.VariantHeader,
             vout: pysam.VariantFile, ref: _Reference,
             handles: Mapping[str, pysam.AlignmentFile], settings: LocalSettings
             ) -> list[pysam.VariantRecord] | None:
    chrom = group[0].chrom
    length = ref.fasta.get_reference_length(chrom)
    spans = [_trimmed_span(r, ref) for r in group]
    lo, hi = min(a for a, _ in spans), max(b for _, b in spans)
    base = max(0, lo - 200)
    seq = ref.get(chrom, base, hi + 200)
    lo, hi = hp.repeat_span(seq, lo - base, hi - base)
    ws, we = max(0, lo + base - settings.anchor), min(length, hi + base + settings.anchor)
    if we - ws > settings.max_window or ws == 0:
        return None
    window = ref.get(chrom, ws, we)

    # called alleles and each sample's called copies
    called: dict[str, list[tuple[hp.Allele | None, ...]]] = {}
    alleles: list[hp.Allele] = []
    for rec in sorted(group, key=lambda r: -(r.qual or 0.0)):  # most confident first
        trimmed = [hp.trim((rec.pos - 1, (rec.ref or "").upper(), alt.upper()))
                   for alt in rec.alts or ()]
        alleles.extend(trimmed)
        for name in handles:
            gt = rec.samples[name].get("GT")
            if gt is None or all(a is None for a in gt):
                called.setdefault(name, [])
                continue
            if any(a is None for a in gt):
                return None  # partly missing genotype: leave the cluster as called
            called.setdefault(name, []).append(
                tuple(None if a == 0 else trimmed[a - 1] for a in gt))
    ploidy = {name: len(copies[0]) for name, copies in called.items() if copies}
    if not ploidy:
        return None

    candidates: list[str] = [window]

    def add(hap: str | None) -> int | None:
        if hap is None:
            return None
        if hap not in candidates:
            candidates.append(hap)
        return candidates.index(hap)

    for allele in alleles:
        add(hp.apply_alleles(window, ws, [allele]))
    current: dict[str, list[hp.Pair]] = {}
    for name in ploidy:
        options = []
        for copies in hp.phasings(called[name]):
            indices = [add(hp.apply_alleles(window, ws, c)) for c in copies]
            if all(i is not None for i in indices):
                options.append(tuple(sorted(i for i in indices if i is not None)))
        current[name] = options

    # reads: every usable read over the window, and the window sequence of each spanning one
    reads: dict[str, dict[str, list[tuple[str, int, int, int]]]] = {}
    inners: dict[str, list[str]] = {}
    for name in ploidy:
        per: dict[str, list[tuple[str, int, int, int]]] = {}
        inner: dict[str, str] = {}
        seen = 0
        for read in handles[name].fetch(chrom, ws, we):
            if not keep_read(read, settings.reads):
                continue
            seen += 1
            if seen > settings.reads.max_reads:
                break
            seqr, cigar, end = read.query_sequence, read.cigartuples, read.reference_end
            if not seqr or not cigar or read.query_name is None or end is None:
                continue
            clip = len(seqr) - read.query_alignment_length
            per.setdefault(read.query_name, []).append(
                (seqr.upper(), read.reference_start, end, clip))
            span = hp.query_span(cigar, read.reference_start, ws, we)
            if span is not None:
                inner.setdefault(read.query_name, seqr[span[0]:span[1]].upper())
        reads[name] = per
        inners[name] = list(inner.values())
    if not any(reads.values()):
        return None
    known = len(candidates)
    for hap in hp.read_candidates(inners, settings.min_support, settings.min_fraction, window,
                                  settings.anchor):
        if len(candidates) >= settings.max_candidates:
            break
        add(hap)
    if len(group) < 2 and len(candidates) == known:
        return None  # one record and no haplotype it misses: the indel re-genotyping decides

    scored: dict[str, _SampleReads] = {}
    growth = max(abs(len(c) - len(window)) for c in candidates)
    for name in ploidy:
        fragments = []
        for mates in reads[name].values():
            total = [0.0] * len(candidates)
            for seqr, start, end, clip in mates:
                pad = _PAD + clip + growth
                left = ref.get(chrom, min(start, ws) - pad, ws)
                right = ref.get(chrom, we, max(end, we) + pad)
                lls = hp.read_log_likelihoods(seqr, [left + c + right for c in candidates],
                                              settings.error, settings.cap)
                top = max(lls)
                total = [t + v - top for t, v in zip(total, lls, strict=True)]
            top = max(total)
            fragments.append([max(v - top, -settings.cap) for v in total])
        scored[name] = _SampleReads(fragments, inners[name])

    decided: dict[str, hp.SampleCall] = {}
    changed = False
    for name, p in ploidy.items():
        lik = hp.genotype_likelihoods(scored[name].fragments, p, len(candidates))
        choice = hp.choose(lik, current[name], settings.min_lr)
        if choice is None:
            return None  # called records that make no haplotypes, and no reads to decide
        changed = changed or choice not in current[name]
        decided[name] = hp.SampleCall(choice, lik)
    if not changed and (len(group) < 2 or _same_alleles(group, window, ws, candidates, decided)):
        return None
    return _records(header, vout, chrom, ws, window, candidates, decided, scored)


def _same_alleles(group: Sequence[pysam.VariantRecord], window: str, ws: int,
                  candidates: Sequence[str], decided: Mapping[str, hp.SampleCall]) -> bool:
    """Whether the called records already write every sample's decided haplotypes (alleles and
    the number of copies carrying each)."""
    for name, call in decided.items():
        called: Counter[hp.Allele] = Counter()
        for rec in group:
            alts = rec.alts or ()
            for index in rec.samples[name].get("GT") or ():
                if index:
                    called[hp.trim((rec.pos - 1, (rec.ref or "").upper(),
                                    alts[index - 1].upper()))] += 1
        try:
            written = Counter(hp.trim(a) for k in call.pair
                              for a in hp.decompose(window, candidates[k], ws))
        except ValueError:
            return True
        if called != written:
            return False
    return True


def _records(header: pysam.VariantHeader, vout: pysam.VariantFile, chrom: str, ws: int, window: str,
             candidates: Sequence[str], decided: Mapping[str, hp.SampleCall],
             scored: Mapping[str, _SampleReads]) -> list[pysam.VariantRecord] | None:
    """Biallelic records of every allele the decided haplotypes carry ([] when none does)."""
    decomposed: list[set[hp.Allele]] = []
    for k, candidate in enumerate(candidates):
        try:
            decomposed.append(set(hp.decompose(window, candidate, ws)))
        except ValueError:
            if any(k in call.pair for call in decided.values()):
                return None  # a chosen haplotype cannot be written: leave the cluster as called
            decomposed.append(set())
    chosen = {k for call in decided.values() for k in call.pair}
    alleles = sorted({a for k in chosen for a in decomposed[k]})
    formats = set(header.formats)
    out = []
    for allele in alleles:
        pos0, rref, alt = allele
        carriers = [allele in values for values in decomposed]
        rec = vout.new_record(contig=chrom, start=pos0, alleles=(rref, alt))
        rec.info["LHR"] = True
        qual = 0.0
        for name in header.samples:
            call = decided.get(name)
            if call is None:
                continue
            sample = rec.samples[name]
            sample["GT"] = tuple(sorted(1 if carriers[k] else 0 for k in call.pair))
            pl = hp.marginal_pl(call, carriers)
            qual += pl[0]
            if "PL" in formats:
                sample["PL"] = pl
            if "GQ" in formats:
                sample["GQ"] = min(99, sorted(pl)[1])
            reads = scored[name]
            if "DP" in formats:
                sample["DP"] = len(reads.fragments)
            if "AD" in formats:
                sample["AD"] = hp.allele_depths(reads.fragments, call.pair, carriers)
        rec.qual = min(999.0, qual)
        out.append(rec)
    return out
