"""Tests of the calling intervals and the chunk plan."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bp2.errors import InputError
from bp2.stages.call.chunks import covered, parse_fai, parse_regions_bed, plan_chunks, whole_contigs

FAI = "chr1\t2500\t6\t60\t61\nchrM\t300\t2600\t60\t61\nchr2\t1000\t2900\t60\t61\n"


@pytest.mark.verifies("SRS-148")
def test_plan_cuts_at_fixed_multiples_and_groups_small_pieces() -> None:
    """It cuts contigs at multiples of chunk_size and groups small pieces, in .fai order."""
    contigs = parse_fai(FAI, "x.fai")
    chunks = plan_chunks(whole_contigs(contigs), 1000)
    assert [c.intervals for c in chunks] == [
        (("chr1", 0, 1000),),
        (("chr1", 1000, 2000),),
        (("chr1", 2000, 2500), ("chrM", 0, 300)),
        (("chr2", 0, 1000),),
    ]
    assert chunks[2].regions_text() == "chr1\t2001\t2500\nchrM\t1\t300\n"


@given(st.lists(st.integers(1, 5000), min_size=1, max_size=6), st.integers(1, 3000))
@pytest.mark.verifies("SRS-148")
def test_plan_tiles_the_intervals_exactly(lengths: list[int], size: int) -> None:
    """It covers every base once, in order, with no chunk above chunk_size."""
    intervals = tuple((f"c{i}", 0, n) for i, n in enumerate(lengths))
    chunks = plan_chunks(intervals, size)
    pieces = covered(chunks)
    assert all(c.size <= size for c in chunks)
    for chrom, start, end in intervals:
        mine = [(s, e) for c, s, e in pieces if c == chrom]
        assert mine[0][0] == start and mine[-1][1] == end
        assert all(a[1] == b[0] for a, b in itertools.pairwise(mine))


@pytest.mark.verifies("SRS-148")
def test_regions_bed_is_merged_in_reference_order() -> None:
    """It merges overlapping BED intervals and orders them as the reference does."""
    contigs = parse_fai(FAI, "x.fai")
    bed = "chr2\t10\t20\nchr1\t5\t15\nchr1\t10\t30\n"
    assert parse_regions_bed(bed, contigs, "r.bed") == (("chr1", 5, 30), ("chr2", 10, 20))


@pytest.mark.verifies("SRS-150")
def test_regions_bed_with_unknown_contig_is_refused() -> None:
    """It refuses a BED line on a contig the reference lacks, naming the line."""
    with pytest.raises(InputError) as err:
        parse_regions_bed("chr1\t1\t5\n20\t1\t5\n", parse_fai(FAI, "x.fai"), "r.bed")
    assert err.value.line == 2 and "'20'" in err.value.title
    with pytest.raises(InputError):
        parse_regions_bed("chr1\t1\t99999\n", parse_fai(FAI, "x.fai"), "r.bed")


@pytest.mark.verifies("SRS-150")
def test_bad_fai_is_refused() -> None:
    """It refuses a .fai line without five columns, naming the line."""
    with pytest.raises(InputError) as err:
        parse_fai("chr1\t10\t1\t60\t61\n>chr1\n", "x.fai")
    assert err.value.line == 2
