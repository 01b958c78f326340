"""SAM records of a read pair from hand-made minimap2 hits: each number is worked out here."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from bp2.stages.align.sam import (
    Hit,
    Read,
    choose_primaries,
    hits_of_pair,
    is_proper,
    pair_gap,
    pair_records,
    pair_text,
    revcomp,
)

READ1 = Read("r1", "ACGTACGTAC", "ABCDEFGHIJ")  # 10 bases
READ2 = Read("r1", "TTTTGGGGCC", "abcdefghij")


def hit(ctg: str, r_st: int, r_en: int, q_st: int, q_en: int, rev: bool, cigar: str,
        mapq: int = 60, nm: int = 0) -> Hit:
    return Hit(ctg, r_st, r_en, q_st, q_en, rev, mapq, nm, cigar)


def fields(line: str) -> list[str]:
    return line.split("\t")


@pytest.mark.verifies("SRS-120")
def test_proper_pair_fields() -> None:
    """It writes flags 99/147, mate positions and a ±TLEN from 5' end to 5' end plus one."""
    first = [hit("chr1", 100, 110, 0, 10, False, "10M")]
    second = [hit("chr1", 300, 310, 0, 10, True, "10M")]
    one, two = (fields(r) for r in pair_records(READ1, READ2, first, second, "G"))
    # flag 1+2+32+64 = 99 (paired, proper, mate reverse, first); 1+2+16+128 = 147
    assert one[:9] == ["r1", "99", "chr1", "101", "60", "10M", "=", "301", "210"]
    # TLEN: read 2's 5' end is its last base (309), read 1's is 100: 309 - 100 = 209, plus one
    assert two[:9] == ["r1", "147", "chr1", "301", "60", "10M", "=", "101", "-210"]
    assert one[9:11] == [READ1.seq, READ1.qual]
    assert two[9:11] == [revcomp(READ2.seq), READ2.qual[::-1]]  # reverse strand: revcomp
    assert two[9] == "GGCCCCAAAA"
    assert one[11:] == ["RG:Z:G", "NM:i:0"]


@pytest.mark.verifies("SRS-120")
def test_soft_clips_follow_strand() -> None:
    """It soft-clips the unaligned query ends on the reference-left/right side by strand."""
    # read 1 forward, bases 2..9 aligned: 2 clipped on the left, 1 on the right
    first = [hit("chr1", 100, 107, 2, 9, False, "7M")]
    # read 2 reverse, bases 0..7 aligned: on the reverse strand its 3 unaligned 3' bases are
    # left of the alignment in reference order
    second = [hit("chr1", 200, 207, 0, 7, True, "7M")]
    one, two = (fields(r) for r in pair_records(READ1, READ2, first, second, "G"))
    assert one[5] == "2S7M1S"
    assert two[5] == "3S7M"


@pytest.mark.verifies("SRS-120")
def test_unmapped_mate_is_placed_at_mapped_mate() -> None:
    """It keeps an unmapped read, placed at its mapped mate, with flags 73/133 and TLEN 0."""
    first = [hit("chr2", 500, 510, 0, 10, False, "10M")]
    one, two = (fields(r) for r in pair_records(READ1, READ2, first, [], "G"))
    assert one[:9] == ["r1", "73", "chr2", "501", "60", "10M", "=", "501", "0"]  # 1+8+64
    assert two[:9] == ["r1", "133", "chr2", "501", "0", "*", "=", "501", "0"]  # 1+4+128
    assert two[9:11] == [READ2.seq, READ2.qual]  # unmapped: as sequenced
    assert two[11:] == ["RG:Z:G"]


@pytest.mark.verifies("SRS-120")
def test_both_unmapped() -> None:
    """It keeps a pair that does not map, flags 77/141, with no position."""
    one, two = (fields(r) for r in pair_records(READ1, READ2, [], [], "G"))
    assert one[:9] == ["r1", "77", "*", "0", "0", "*", "*", "0", "0"]  # 1+4+8+64
    assert two[:9] == ["r1", "141", "*", "0", "0", "*", "*", "0", "0"]  # 1+4+8+128


@pytest.mark.verifies("SRS-120")
def test_supplementary_is_hard_clipped_with_sa() -> None:
    """It writes a split read's second part as supplementary (0x800), hard-clipped, with SA tags."""
    first = [hit("chr1", 100, 106, 0, 6, False, "6M", mapq=50, nm=1),
             hit("chr3", 900, 904, 6, 10, True, "4M", mapq=20, nm=0)]
    second = [hit("chr1", 300, 310, 0, 10, True, "10M")]
    records = [fields(r) for r in pair_records(READ1, READ2, first, second, "G")]
    primary, supplementary, mate = records
    assert primary[1] == "99" and primary[5] == "6M4S"
    # 1 + 16 (reverse) + 32 (mate reverse) + 64 + 2048 = 2161; not proper (only primaries are)
    assert supplementary[1] == "2161"
    assert supplementary[5] == "4M6H"  # reverse strand: the 6 unaligned 5' bases on the right
    assert supplementary[9] == revcomp(READ1.seq[6:10])
    assert supplementary[10] == READ1.qual[6:10][::-1]
    assert supplementary[6:9] == ["chr1", "301", "0"]  # mate on another contig: TLEN 0
    assert "SA:Z:chr3,901,-,4M6S,20,0;" in primary
    assert "SA:Z:chr1,101,+,6M4S,50,1;" in supplementary
    assert mate[1] == "147"


@pytest.mark.verifies("SRS-120")
def test_sa_entry_with_deletion() -> None:
    """It writes an SA CIGAR as clip, M and the net D (reference longer than query)."""
    first = [hit("chr1", 100, 108, 0, 5, False, "3M3D2M"), hit("chr1", 5000, 5005, 5, 10, False,
                                                                "5M")]
    primary = fields(pair_records(READ1, READ2, first, [], "G")[0])
    assert "SA:Z:chr1,5001,+,5S5M,60,0;" in primary
    supplementary = fields(pair_records(READ1, READ2, first, [], "G")[1])
    assert "SA:Z:chr1,101,+,5M3D5S,60,0;" in supplementary


@pytest.mark.verifies("SRS-120")
def test_pair_gap_follows_minimap2() -> None:
    """It allows a gap of 800 minus both read lengths between mates, and at least 100."""
    assert pair_gap(101, 101) == 598
    assert pair_gap(150, 150) == 500
    assert pair_gap(400, 400) == 100


@pytest.mark.verifies("SRS-120")
def test_proper_pair_rules() -> None:
    """It calls a pair proper only forward-then-reverse on one contig within the gap."""
    fwd = hit("chr1", 100, 201, 0, 101, False, "101M")
    assert is_proper(fwd, hit("chr1", 799, 900, 0, 101, True, "101M"), 598)  # gap 598
    assert not is_proper(fwd, hit("chr1", 800, 901, 0, 101, True, "101M"), 598)  # gap 599
    assert not is_proper(fwd, hit("chr1", 300, 401, 0, 101, False, "101M"), 598)  # same strand
    assert not is_proper(fwd, hit("chr2", 300, 401, 0, 101, True, "101M"), 598)  # other contig
    assert not is_proper(fwd, hit("chr1", 50, 151, 0, 101, True, "101M"), 598)  # reverse first


@pytest.mark.verifies("SRS-120")
def test_primary_choice_prefers_a_proper_pair() -> None:
    """It keeps the first hits as primaries unless another combination pairs properly."""
    far = hit("chr1", 10_000, 10_010, 0, 10, False, "10M")
    near = hit("chr1", 100, 110, 0, 10, False, "10M")
    mate = hit("chr1", 300, 310, 0, 10, True, "10M")
    assert choose_primaries([far, near], [mate], 500) == (1, 0, True)
    assert choose_primaries([far], [mate], 500) == (0, 0, False)
    assert choose_primaries([], [mate], 500) == (-1, 0, False)


@dataclass
class FakeMappyHit:
    ctg: str
    r_st: int
    r_en: int
    q_st: int
    q_en: int
    strand: int
    mapq: int
    NM: int
    cigar: list[list[int]]
    is_primary: bool
    read_num: int


@pytest.mark.verifies("SRS-120")
def test_hits_of_pair_turns_read2_coordinates_back() -> None:
    """It drops secondary hits and maps read 2's query interval back to read 2's orientation."""
    hits = [
        FakeMappyHit("chr1", 100, 130, 0, 30, 1, 60, 0, [[30, 0]], True, 1),
        FakeMappyHit("chr1", 900, 930, 0, 30, 1, 0, 0, [[30, 0]], False, 1),  # secondary
        # mappy gives read 2's interval on its reverse complement: 71..101 of 101 bases is
        # 0..30 of read 2 itself (101 - 101 = 0, 101 - 71 = 30)
        FakeMappyHit("chr1", 300, 330, 71, 101, 1, 60, 2, [[10, 0], [2, 1], [18, 0]], True, 2),
    ]
    first, second = hits_of_pair(hits, 30, 101)
    assert first == [Hit("chr1", 100, 130, 0, 30, False, 60, 0, "30M")]
    assert second == [Hit("chr1", 300, 330, 0, 30, False, 60, 2, "10M2I18M")]


def random_hit(rng: random.Random, read_num: int, qlen: int) -> FakeMappyHit:
    """A plausible mappy hit: an aligned query interval, a CIGAR of its length, any strand."""
    q_st = rng.choice([0, 0, 0, rng.randrange(qlen // 2)])
    q_en = rng.choice([qlen, qlen, qlen, rng.randrange(q_st + 1, qlen + 1)])
    aligned = q_en - q_st
    cigar = [[aligned, 0]]
    ref_len = aligned
    if aligned > 4 and rng.random() < 0.3:  # an insertion or a deletion inside
        op, size = rng.choice([(1, 2), (2, 3)])
        head = rng.randrange(1, aligned - 2)
        cigar = [[head, 0], [size, op], [aligned - head - (size if op == 1 else 0), 0]]
        ref_len = aligned - size if op == 1 else aligned + size
    r_st = rng.choice([rng.randrange(0, 60), rng.randrange(0, 2000)])
    return FakeMappyHit(rng.choice(["chr1", "chr1", "chr1", "chr2"]), r_st, r_st + ref_len, q_st,
                        q_en, rng.choice([1, -1]), rng.randrange(61), rng.randrange(5), cigar,
                        rng.random() > 0.1, read_num)


@pytest.mark.verifies("SRS-120")
def test_pair_text_writes_what_pair_records_writes() -> None:
    """It writes each pair's records exactly as the general rules do, on many varied pairs."""
    rng = random.Random(20261125)
    single_hit_pairs = 0
    for _ in range(3000):
        len1, len2 = rng.choice([(10, 10), (40, 60), (150, 150)])
        read1, read2 = (Read("p", "".join(rng.choices("ACGTN", k=n)),
                             "".join(rng.choices("#5<I", k=n))) for n in (len1, len2))
        hits = [random_hit(rng, 1, len1) for _ in range(rng.choice([0, 1, 1, 1, 2]))]
        hits += [random_hit(rng, 2, len2) for _ in range(rng.choice([0, 1, 1, 1, 2]))]
        rng.shuffle(hits)
        first, second = hits_of_pair(hits, len1, len2)
        single_hit_pairs += len(first) == len(second) == 1
        expected = "\n".join(pair_records(read1, read2, first, second, "G", 300))
        assert pair_text("p", read1.seq, read1.qual, read2.seq, read2.qual, iter(hits), "G",
                         300) == expected, hits
    assert single_hit_pairs > 500  # the direct path was exercised, not only the general one
    # the edges: a gap of exactly 598 (proper) and 599 (not) either way round, equal 5' ends
    seq, qual = "A" * 101, "I" * 101
    for a_st, a_strand, b_st, b_strand in [(100, 1, 799, -1), (100, 1, 800, -1),
                                           (799, -1, 100, 1), (800, -1, 100, 1),
                                           (100, 1, 0, -1), (100, -1, 0, 1)]:
        hits = [FakeMappyHit("chr1", a_st, a_st + 101, 0, 101, a_strand, 60, 0, [[101, 0]],
                             True, 1),
                FakeMappyHit("chr1", b_st, b_st + 101, 0, 101, b_strand, 60, 0, [[101, 0]],
                             True, 2)]
        first, second = hits_of_pair(hits, 101, 101)
        expected = "\n".join(pair_records(Read("e", seq, qual), Read("e", seq, qual), first,
                                          second, "G"))
        assert pair_text("e", seq, qual, seq, qual, hits, "G") == expected, hits
