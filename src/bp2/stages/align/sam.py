"""SAM records for one read pair from its minimap2 hits: flags, mate fields, TLEN, clipping, SA.

Pure functions over records.  The rules are minimap2's own SAM writer (``mm_write_sam3`` in
``format.c``, minimap2 2.2x) so that the stage's alignments match ``minimap2 -ax sr`` record for
record (a test compares them):

* Secondary hits (``is_primary`` false) are dropped, as ``-ax sr`` does (``--secondary=no``).
* Of a segment's remaining hits the SAM primary is the first, unless another choice makes the
  pair proper (minimap2 lifts the best pair to primary); the others are supplementary (0x800),
  hard-clipped, with their clipped SEQ/QUAL.
* 0x2 (proper pair) marks the two primaries when they lie on one contig in forward-reverse
  orientation, the forward one starting no later than the reverse one, and the reverse one
  starting at most ``max(max_frag_len - len1 - len2, 100)`` bases after the forward one ends
  (``mm_pair`` in ``pe.c`` with the chaining gap of ``mm_map_frag`` in ``map.c``).
* An unmapped read whose mate is mapped takes the mate's contig and position; TLEN is the
  5'-to-5' distance plus one, signed; SA lists the segment's other non-secondary hits.

mappy reports read-2 query coordinates on the reverse-complemented read it mapped
(``mm_map_aux`` in ``cmappy.h``); :func:`hits_of_pair` converts them back to read 2's own
orientation before anything else uses them.

:func:`pair_text` is what the mapping workers call: for the common pair (one non-secondary hit
per read, 98.7 % of dataset 1) it writes the same two records straight from the mappy hits,
without the intermediate :class:`Hit`/:class:`Read` records, which halved the formatting time;
every other pair goes through :func:`pair_records`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple, Protocol

_COMPLEMENT = str.maketrans("ACGTNacgtnRYKMSWBDHVrykmswbdhv", "TGCANtgcanYRMKSWVHDByrmkswvhdb")
_CIGAR_OPS = "MIDNSHP=X"
MAX_FRAG_LEN = 800  # minimap2's default maximum fragment length for pairing (-F)
MAX_GAP = 100  # minimap2's sr preset chaining gap (-g100), the least gap pairing allows


class MappyHit(Protocol):
    """The attributes of a ``mappy.Alignment`` this module reads."""

    @property
    def ctg(self) -> str: ...
    @property
    def r_st(self) -> int: ...
    @property
    def r_en(self) -> int: ...
    @property
    def q_st(self) -> int: ...
    @property
    def q_en(self) -> int: ...
    @property
    def strand(self) -> int: ...
    @property
    def mapq(self) -> int: ...
    @property
    def NM(self) -> int: ...  # noqa: N802 - mappy's attribute name
    @property
    def cigar(self) -> Sequence[Sequence[int]]: ...
    @property
    def is_primary(self) -> bool: ...
    @property
    def read_num(self) -> int: ...


class Read(NamedTuple):
    """One read of a pair as given in the FASTQ (name without any /1, /2 suffix)."""

    name: str
    seq: str
    qual: str


class Hit(NamedTuple):
    """One non-secondary alignment of a read, query coordinates in the read's own orientation."""

    ctg: str
    r_st: int  # 0-based start on the reference
    r_en: int  # 0-based exclusive end
    q_st: int
    q_en: int
    rev: bool
    mapq: int
    nm: int
    cigar: str  # aligned part only, without clipping

    def pos5(self) -> int:
        """0-based reference position of the read's 5' end (minimap2's TLEN anchor)."""
        return self.r_en - 1 if self.rev else self.r_st


def revcomp(seq: str) -> str:
    return seq.translate(_COMPLEMENT)[::-1]


def cigar_text(cigar: Sequence[Sequence[int]]) -> str:
    return "".join([f"{length}{_CIGAR_OPS[op]}" for length, op in cigar])


def hits_of_pair(hits: Iterable[MappyHit], len1: int, len2: int) -> tuple[list[Hit], list[Hit]]:
    """Split mappy hits into (read 1, read 2) non-secondary hits, in mappy's order."""
    first: list[Hit] = []
    second: list[Hit] = []
    for h in hits:
        if not h.is_primary:
            continue  # a secondary alignment; -ax sr does not print them
        if h.read_num == 1:
            q_st, q_en, target = h.q_st, h.q_en, first
        else:  # mappy maps read 2 reverse-complemented: turn its query interval back
            q_st, q_en, target = len2 - h.q_en, len2 - h.q_st, second
        target.append(Hit(h.ctg, h.r_st, h.r_en, q_st, q_en, h.strand < 0, h.mapq, h.NM,
                          cigar_text(h.cigar)))
    return first, second


def pair_gap(len1: int, len2: int, max_frag_len: int = MAX_FRAG_LEN) -> int:
    """The largest reference gap between mates of a proper pair (minimap2's max_chain_gap_ref)."""
    return max(max_frag_len - len1 - len2, MAX_GAP)


def is_proper(a: Hit, b: Hit, max_gap: int) -> bool:
    """Whether two mates form a forward-reverse pair minimap2 would call a proper fragment."""
    if a.ctg != b.ctg or a.rev == b.rev:
        return False
    fwd, rev = (b, a) if a.rev else (a, b)
    return fwd.r_st <= rev.r_st and rev.r_st - fwd.r_en <= max_gap


def choose_primaries(
    first: Sequence[Hit], second: Sequence[Hit], max_gap: int
) -> tuple[int, int, bool]:
    """Indices of each read's SAM-primary hit (-1 when unmapped) and whether the pair is proper.

    The first hit of each read is its primary unless another combination forms a proper pair,
    in which case the first such combination (in hit order) is chosen, as minimap2's pairing
    lifts the best proper pair to primary.
    """
    if not first or not second:
        return (0 if first else -1), (0 if second else -1), False
    for i, a in enumerate(first):
        for j, b in enumerate(second):
            if is_proper(a, b, max_gap):
                return i, j, True
    return 0, 0, False


def _clips(hit: Hit, qlen: int) -> tuple[int, int]:
    """Clipped lengths on the left and right of the alignment in reference order."""
    if hit.rev:
        return qlen - hit.q_en, hit.q_st
    return hit.q_st, qlen - hit.q_en


def _sa_entry(hit: Hit, qlen: int) -> str:
    aligned_q, aligned_r = hit.q_en - hit.q_st, hit.r_en - hit.r_st
    clip5, clip3 = _clips(hit, qlen)
    parts = [f"{clip5}S"] if clip5 else []
    if aligned_q < aligned_r:
        parts += [f"{aligned_q}M", f"{aligned_r - aligned_q}D"]
    else:
        parts.append(f"{aligned_r}M")
        if aligned_q > aligned_r:
            parts.append(f"{aligned_q - aligned_r}I")
    if clip3:
        parts.append(f"{clip3}S")
    strand = "-" if hit.rev else "+"
    return f"{hit.ctg},{hit.r_st + 1},{strand},{''.join(parts)},{hit.mapq},{hit.nm};"


def _segment_records(
    read: Read,
    hits: Sequence[Hit],
    primary: int,
    mate: Hit | None,
    proper: bool,
    segment_flag: int,
    rg_tag: str,
) -> list[str]:
    qlen = len(read.seq)
    mate_flag = 0x8 if mate is None else (0x20 if mate.rev else 0)
    if primary < 0:  # unmapped read: placed at its mate when the mate is mapped
        flag = 0x1 | 0x4 | segment_flag | mate_flag
        if mate is None:
            place = "*\t0\t0\t*\t*\t0\t0"
        else:
            place = f"{mate.ctg}\t{mate.r_st + 1}\t0\t*\t=\t{mate.r_st + 1}\t0"
        return [f"{read.name}\t{flag}\t{place}\t{read.seq}\t{read.qual}\t{rg_tag}"]
    records = []
    for index, hit in enumerate(hits):
        supplementary = index != primary
        flag = 0x1 | segment_flag | mate_flag
        if hit.rev:
            flag |= 0x10
        if supplementary:
            flag |= 0x800
        elif proper:
            flag |= 0x2
        left, right = _clips(hit, qlen)
        clip = "H" if supplementary else "S"
        cigar = (f"{left}{clip}" if left else "") + hit.cigar + (f"{right}{clip}" if right else "")
        if mate is None:
            mate_fields = f"=\t{hit.r_st + 1}\t0"
        elif mate.ctg == hit.ctg:
            tlen = mate.pos5() - hit.pos5()
            tlen += 1 if tlen > 0 else (-1 if tlen < 0 else 0)
            mate_fields = f"=\t{mate.r_st + 1}\t{tlen}"
        else:
            mate_fields = f"{mate.ctg}\t{mate.r_st + 1}\t0"
        seq, qual = read.seq, read.qual
        if supplementary:
            seq, qual = seq[hit.q_st:hit.q_en], qual[hit.q_st:hit.q_en]
        if hit.rev:
            seq, qual = revcomp(seq), qual[::-1]
        tags = f"{rg_tag}\tNM:i:{hit.nm}"
        if len(hits) > 1:
            tags += "\tSA:Z:" + "".join(
                _sa_entry(other, qlen) for k, other in enumerate(hits) if k != index
            )
        records.append(
            f"{read.name}\t{flag}\t{hit.ctg}\t{hit.r_st + 1}\t{hit.mapq}\t{cigar}\t{mate_fields}"
            f"\t{seq}\t{qual}\t{tags}"
        )
    return records


def pair_records(
    read1: Read,
    read2: Read,
    first: Sequence[Hit],
    second: Sequence[Hit],
    read_group: str,
    max_frag_len: int = MAX_FRAG_LEN,
) -> list[str]:
    """SAM lines (without newlines) for one read pair: read 1's records, then read 2's."""
    p1, p2, proper = choose_primaries(first, second,
                                      pair_gap(len(read1.seq), len(read2.seq), max_frag_len))
    mate_of_1 = second[p2] if p2 >= 0 else None
    mate_of_2 = first[p1] if p1 >= 0 else None
    rg_tag = f"RG:Z:{read_group}"
    return _segment_records(read1, first, p1, mate_of_1, proper, 0x40, rg_tag) + _segment_records(
        read2, second, p2, mate_of_2, proper, 0x80, rg_tag
    )


def pair_text(
    name: str,
    seq1: str,
    qual1: str,
    seq2: str,
    qual2: str,
    hits: Iterable[MappyHit],
    read_group: str,
    max_frag_len: int = MAX_FRAG_LEN,
) -> str:
    """The SAM lines of one pair from its mappy hits, joined by newlines (none at the end).

    The same records as :func:`pair_records` over :func:`hits_of_pair`; the common case — one
    non-secondary hit per read, no supplementary — is written directly from the hits, without
    the intermediate :class:`Hit` and :class:`Read` records (a test checks both agree).
    """
    hits = list(hits)
    a = b = None
    for h in hits:
        if h.is_primary:
            if h.read_num == 1:
                if a is not None:
                    break
                a = h
            else:
                if b is not None:
                    break
                b = h
    else:
        if a is not None and b is not None:
            return _single_hits_text(name, seq1, qual1, seq2, qual2, a, b, read_group,
                                     max_frag_len)
    read1, read2 = Read(name, seq1, qual1), Read(name, seq2, qual2)
    first, second = hits_of_pair(hits, len(seq1), len(seq2))
    return "\n".join(pair_records(read1, read2, first, second, read_group, max_frag_len))


def _single_hits_text(
    name: str, seq1: str, qual1: str, seq2: str, qual2: str, a: MappyHit, b: MappyHit,
    read_group: str, max_frag_len: int,
) -> str:
    """:func:`pair_records` for read 1's one hit ``a`` and read 2's one hit ``b``, inlined."""
    len1, len2 = len(seq1), len(seq2)
    a_rev, b_rev = a.strand < 0, b.strand < 0
    a_ctg, b_ctg = a.ctg, b.ctg
    a_st, a_en, b_st, b_en = a.r_st, a.r_en, b.r_st, b.r_en
    same_ctg = a_ctg == b_ctg
    proper = False
    if same_ctg and a_rev != b_rev:  # is_proper, forward mate first
        gap = pair_gap(len1, len2, max_frag_len)
        if a_rev:
            proper = b_st <= a_st and a_st - b_en <= gap
        else:
            proper = a_st <= b_st and b_st - a_en <= gap
    # clipping in reference order (_clips); mappy gives read 2's interval reverse-complemented
    left1, right1 = (len1 - a.q_en, a.q_st) if a_rev else (a.q_st, len1 - a.q_en)
    left2, right2 = (b.q_st, len2 - b.q_en) if b_rev else (len2 - b.q_en, b.q_st)
    cigar1 = ((f"{left1}S" if left1 else "") + cigar_text(a.cigar)
              + (f"{right1}S" if right1 else ""))
    cigar2 = ((f"{left2}S" if left2 else "") + cigar_text(b.cigar)
              + (f"{right2}S" if right2 else ""))
    proper_flag = 0x2 if proper else 0
    flag1 = 0x41 | proper_flag | (0x10 if a_rev else 0) | (0x20 if b_rev else 0)
    flag2 = 0x81 | proper_flag | (0x10 if b_rev else 0) | (0x20 if a_rev else 0)
    if same_ctg:
        tlen = (b_en - 1 if b_rev else b_st) - (a_en - 1 if a_rev else a_st)  # 5' to 5'
        tlen += 1 if tlen > 0 else (-1 if tlen < 0 else 0)
        mate1, mate2 = f"=\t{b_st + 1}\t{tlen}", f"=\t{a_st + 1}\t{-tlen}"
    else:
        mate1, mate2 = f"{b_ctg}\t{b_st + 1}\t0", f"{a_ctg}\t{a_st + 1}\t0"
    if a_rev:
        seq1, qual1 = revcomp(seq1), qual1[::-1]
    if b_rev:
        seq2, qual2 = revcomp(seq2), qual2[::-1]
    rg_tag = f"RG:Z:{read_group}"
    return (
        f"{name}\t{flag1}\t{a_ctg}\t{a_st + 1}\t{a.mapq}\t{cigar1}\t{mate1}\t{seq1}\t{qual1}"
        f"\t{rg_tag}\tNM:i:{a.NM}\n"
        f"{name}\t{flag2}\t{b_ctg}\t{b_st + 1}\t{b.mapq}\t{cigar2}\t{mate2}\t{seq2}\t{qual2}"
        f"\t{rg_tag}\tNM:i:{b.NM}"
    )
