"""Edge cases of the benchmarking engine (records in memory, small reference)."""

from __future__ import annotations

import pytest

from bp2.benchmark.api import compare_units, count_row, query_verdict, truth_verdict
from bp2.benchmark.compare import Regions, VariantRecord
from bp2.benchmark.engine import Unit

#            0         1         2         3         4
#            0123456789012345678901234567890123456789012345
REFERENCE = "GATTACAGGCACACACACAGTTTTTTGCATGCCGTAAGCTTGACCA"


def fetch(chrom: str, start: int, end: int) -> str:
    if chrom != "c":
        raise KeyError(chrom)
    return REFERENCE[start:end]


def rec(pos: int, ref: str, alts: str, gt: tuple[int | None, ...],
        filters: tuple[str, ...] = ("PASS",)) -> VariantRecord:
    return VariantRecord("c", pos, ref, tuple(alts.split(",")), gt, filters)


def run(truth: list[VariantRecord], query: list[VariantRecord], *, reference: bool = True,
        confident: Regions | None = None) -> tuple[list[Unit], list[Unit]]:
    return compare_units(truth, query, fetch if reference else None, pass_only=False)


def decisions(units: list[Unit]) -> list[tuple[int, str, str]]:
    return sorted((u.pos, u.decision, u.match_kind) for u in units)


@pytest.mark.verifies("SRS-302", "SRS-305")
def test_hom_alt_against_het_is_a_genotype_error() -> None:
    """It counts a het call of a hom-alt truth variant as FN + FP with BK am (FP.gt)."""
    t, q = run([rec(3, "T", "C", (1, 1))], [rec(3, "T", "C", (0, 1))])
    assert decisions(t) == [(3, "FN", "am")]
    assert decisions(q) == [(3, "FP", "am")]
    row = count_row("SNP", "ALL", "*", t, q, None)
    assert (row.truth_fn, row.query_fp, row.fp_gt, row.fp_al) == (1, 1, 1, 0)


@pytest.mark.verifies("SRS-304")
def test_indel_shifted_in_a_repeat_matches_without_left_alignment() -> None:
    """It matches a CA deletion written at the two ends of the repeat by haplotype replay."""
    truth = [rec(9, "GCA", "G", (0, 1))]  # deletes C10 A11
    query = [rec(17, "ACA", "A", (0, 1))]  # deletes C18 A19: same haplotype
    t, q = run(truth, query, reference=True)
    assert decisions(t) == [(9, "TP", "gm")]  # left-aligned: an exact match
    # the query's REF (17-19) and the truth's (9-11) do not cover 12-16: without a reference
    # this cannot be decided, and it is reported so rather than guessed
    t, q = run(truth, query, reference=False)
    assert {u.decision for u in t + q} == {"N"}


@pytest.mark.verifies("SRS-304", "SRS-301")
def test_multiallelic_truth_against_split_query() -> None:
    """It matches a 1/2 truth record against the two split records (one TP truth unit)."""
    truth = [rec(20, "GT", "G,GTT", (1, 2))]
    query = [rec(20, "GT", "G", (0, 1)), rec(20, "G", "GT", (1, 0))]
    t, q = run(truth, query)
    assert decisions(t) == [(20, "TP", "gm")]
    assert [u.decision for u in q] == ["TP", "TP"]


@pytest.mark.verifies("SRS-304")
def test_overlapping_deletions_on_two_haplotypes() -> None:
    """It matches two overlapping het deletions only when both are called."""
    truth = [rec(20, "GTTTT", "G", (0, 1)), rec(22, "TTT", "T", (1, 0))]
    t, _ = run(truth, [rec(20, "GTTTT", "G,GTT", (1, 2))])
    assert [u.decision for u in t] == ["TP", "TP"]
    t, _q = run(truth, [rec(20, "GTTTT", "G", (0, 1))])
    # the 2-base deletion is left-aligned to 20; nothing of the query is left near it
    assert decisions(t) == [(20, "FN", "."), (20, "TP", "gm")]


@pytest.mark.verifies("SRS-301", "SRS-304")
def test_complex_allele_gets_partial_credit() -> None:
    """It decomposes a complex call and credits the primitive that is right."""
    truth = [rec(3, "T", "C", (1, 1)), rec(6, "C", "G", (1, 1))]
    # one MNP record TTAC>CTAA: T3C right, C6A wrong
    t, q = run(truth, [rec(3, "TTAC", "CTAA", (1, 1))])
    assert decisions(t) == [(3, "TP", "gm"), (6, "FN", "lm")]
    assert decisions(q) == [(3, "TP", "gm"), (6, "FP", "lm")]


@pytest.mark.verifies("SRS-303")
def test_confident_boundary() -> None:
    """It counts a straddling deletion, and makes a query call outside the BED UNK."""
    regions = Regions.from_intervals([("c", 21, 30)])
    truth = [rec(20, "GTTT", "G", (0, 1)), rec(35, "T", "A", (0, 1))]
    query = [rec(20, "GTTT", "G", (0, 1)), rec(35, "T", "A", (1, 1)), rec(2, "A", "C", (0, 1))]
    t, q = run(truth, query)
    assert [truth_verdict(u, regions) for u in t] == ["TP", "UNK"]
    assert [query_verdict(u, regions) for u in q] == ["TP", "UNK", "UNK"]
    row = count_row("INDEL", "ALL", "*", t, q, regions)
    assert (row.truth_total, row.truth_tp) == (1, 1)
    snp = count_row("SNP", "ALL", "*", t, q, regions)
    assert (snp.truth_total, snp.query_fp, snp.query_unk) == (0, 0, 2)


@pytest.mark.verifies("SRS-308")
def test_missing_genotypes_half_calls_and_spanning_deletions() -> None:
    """It ignores ./., 0/0 and * alleles and reads a half-call ./1 as 0/1."""
    truth = [rec(3, "T", "C", (0, 1)), rec(6, "C", "A", (None, None)), rec(8, "G", "T", (0, 0))]
    query = [rec(3, "T", "C", (None, 1)), rec(6, "C", "A,*", (2, 2)), rec(8, "G", "T", ())]
    t, q = run(truth, query)
    assert decisions(t) == [(3, "TP", "gm")]
    assert decisions(q) == [(3, "TP", "gm")]


@pytest.mark.verifies("SRS-308")
def test_filtered_truth_is_not_truth_and_filtered_query_is_dropped_in_pass() -> None:
    """It makes no unit of a filtered truth record and drops filtered query records for PASS."""
    truth = [rec(3, "T", "C", (0, 1)), rec(8, "G", "T", (0, 1), ("LowQual",))]
    query = [rec(3, "T", "C", (0, 1), ("LowQual",))]
    t, q = compare_units(truth, query, fetch, pass_only=True)
    assert decisions(t) == [(3, "FN", ".")] and q == []
    t, q = compare_units(truth, query, fetch, pass_only=False)
    assert decisions(t) == [(3, "TP", "gm")]


@pytest.mark.verifies("SRS-304")
def test_empty_sides() -> None:
    """It handles an empty query or truth: all FN, or all FP, and metrics undefined."""
    truth = [rec(3, "T", "C", (0, 1))]
    t, q = run(truth, [])
    assert decisions(t) == [(3, "FN", ".")]
    row = count_row("SNP", "ALL", "*", t, q, None)
    assert row.recall == 0.0 and row.precision is None
    t, q = run([], [])
    assert t == q == []
    empty = count_row("SNP", "ALL", "*", t, q, None)
    assert empty.recall is None and empty.recall_ci == (0.0, 1.0)


@pytest.mark.verifies("SRS-304")
def test_merged_record_equal_to_a_snp_and_a_deletion_in_a_repeat() -> None:
    """It matches one complex record with the SNP and repeat deletion it merges."""
    # REFERENCE[9:16] = "CACACAC" (positions 10-16): truth C10A, then delete ACAC after C12
    # (left-aligned into the repeat it crosses the SNP); query: one record, the same haplotype
    truth = [rec(10, "C", "A", (1, 1)), rec(12, "CACAC", "C", (1, 1))]
    query = [rec(10, "CACACAC", "AAC", (1, 1))]
    t, q = run(truth, query)
    assert {u.decision for u in t + q} == {"TP"}
    assert len(t) == 2
