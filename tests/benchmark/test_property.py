"""Property: a truth set re-represented equivalently scores recall = precision = 1."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bp2.benchmark.api import compare_units, count_row
from bp2.benchmark.compare import VariantRecord

# a reference rich in repeats, so indels have many equivalent positions
REFERENCE = ("GATC" + "CA" * 6 + "GTTTTTTTAGC" + "AGT" * 4 + "CCGATGACT" + "T" * 6 + "GCATGC"
             + "AC" * 5 + "TGGCTAGCTAGGATCCA")


def fetch(chrom: str, start: int, end: int) -> str:
    return REFERENCE[start:end]


def _apply(edits: list[tuple[int, int, str]]) -> str:
    out, cur = [], 0
    for start, end, seq in sorted(edits):
        out.append(REFERENCE[cur:start] + seq)
        cur = end
    return "".join(out) + REFERENCE[cur:]


def _equivalent_positions(start: int, end: int, seq: str) -> list[int]:
    """0-based starts where the same-length edit spells the same haplotype (shifts in repeats)."""
    target = _apply([(start, end, seq)])
    length = end - start
    out = []
    for s in range(1, len(REFERENCE) - length):
        ins = seq if length == 0 else ""
        if length == 0:
            cand = REFERENCE[:s] + ins + REFERENCE[s:]
        else:
            cand = REFERENCE[:s] + REFERENCE[s + length:]
        if cand == target:
            out.append(s)
    return out


@st.composite
def truth_and_query(draw: st.DrawFn) -> tuple[list[VariantRecord], list[VariantRecord]]:
    truth: list[VariantRecord] = []
    query: list[VariantRecord] = []
    pos = 3
    while True:
        pos += draw(st.integers(min_value=4, max_value=12))
        if pos >= len(REFERENCE) - 8:
            break
        kind = draw(st.sampled_from(["snp", "del", "ins", "mnp", "complex"]))
        gt = draw(st.sampled_from([(0, 1), (1, 1)]))
        base = REFERENCE[pos - 1]
        if kind == "snp":
            alt = draw(st.sampled_from([b for b in "ACGT" if b != base]))
            truth.append(VariantRecord("c", pos, base, (alt,), gt))
            query.append(VariantRecord("c", pos, base, (alt,), gt))
            continue
        if kind == "mnp":  # the query writes two SNPs 2 bp apart as one MNP record
            a1 = draw(st.sampled_from([b for b in "ACGT" if b != base]))
            b2 = REFERENCE[pos + 1]
            a2 = draw(st.sampled_from([b for b in "ACGT" if b != b2]))
            truth += [VariantRecord("c", pos, base, (a1,), (1, 1)),
                      VariantRecord("c", pos + 2, b2, (a2,), (1, 1))]
            query.append(VariantRecord("c", pos, REFERENCE[pos - 1:pos + 2],
                                       (a1 + REFERENCE[pos] + a2,), (1, 1)))
            pos += 2
            continue
        if kind == "complex":  # the query merges a hom SNP and the hom deletion after it
            a1 = draw(st.sampled_from([b for b in "ACGT" if b != base]))
            size = draw(st.integers(min_value=1, max_value=3))
            d_ref = REFERENCE[pos + 1:pos + 3 + size]  # anchor at pos + 2, delete size + 1 bases
            truth += [VariantRecord("c", pos, base, (a1,), (1, 1)),
                      VariantRecord("c", pos + 2, d_ref, (d_ref[0],), (1, 1))]
            q_ref = REFERENCE[pos - 1:pos + 3 + size]  # through the last deleted base
            q_alt = a1 + REFERENCE[pos:pos + 2]
            query.append(VariantRecord("c", pos, q_ref, (q_alt,), (1, 1)))
            pos += 2 + size
            continue
        size = draw(st.integers(min_value=1, max_value=3))
        if kind == "del":
            start, end, seq = pos, pos + size, ""
        else:
            seq = draw(st.text(alphabet="ACGT", min_size=size, max_size=size))
            start, end = pos, pos
        ref = REFERENCE[pos - 1:end]
        truth.append(VariantRecord("c", pos, ref, (base + seq,), gt))
        # the query writes it at a random equivalent position, with random extra padding
        starts = [s for s in _equivalent_positions(start, end, seq) if s > pos - 4 and s <= pos + 4]
        s = draw(st.sampled_from(starts))
        q_seq = _apply([(start, end, seq)])[s:s + len(seq)] if kind == "ins" else ""
        q_end = s + (end - start)
        pad_left = draw(st.integers(min_value=1, max_value=2))
        pad_right = draw(st.integers(min_value=0, max_value=2))
        q_ref = REFERENCE[s - pad_left:q_end + pad_right]
        q_alt = REFERENCE[s - pad_left:s] + q_seq + REFERENCE[q_end:q_end + pad_right]
        query.append(VariantRecord("c", s - pad_left + 1, q_ref, (q_alt,), gt))
        pos = max(pos, q_end + pad_right) + 2
    query.sort(key=lambda r: r.pos)
    return truth, query


@pytest.mark.verifies("SRS-315")
@given(truth_and_query())
@settings(max_examples=80, deadline=None)
def test_equivalent_representations_score_one(case: tuple[list[VariantRecord],
                                                          list[VariantRecord]]) -> None:
    """It gives recall = precision = 1 for shifted, padded and merged re-representations."""
    truth, query = case
    assert truth
    t, q = compare_units(truth, query, fetch, pass_only=False)
    for type_ in ("SNP", "INDEL"):
        row = count_row(type_, "ALL", "*", t, q, None)
        wrong = [(u.pos, u.ref, u.alts, u.decision) for u in t + q if u.decision != "TP"]
        assert row.truth_fn == row.query_fp == 0 and not wrong, wrong



@pytest.mark.verifies("SRS-315", "SRS-305")
@given(truth_and_query(), st.data())
@settings(max_examples=60, deadline=None)
def test_a_changed_genotype_is_never_credited(case: tuple[list[VariantRecord],
                                                          list[VariantRecord]],
                                              data: st.DataObject) -> None:
    """It counts a query record whose genotype was changed (het <-> hom) as FN + FP (am)."""
    truth, query = case
    index = data.draw(st.integers(min_value=0, max_value=len(query) - 1))
    changed = query[index]
    gt = (1, 1) if changed.genotype == (0, 1) else (0, 1)
    query = [*query[:index], VariantRecord(changed.chrom, changed.pos, changed.ref,
                                           changed.alts, gt), *query[index + 1:]]
    t, q = compare_units(truth, query, fetch, pass_only=False)
    wrong_t = [u for u in t if u.decision != "TP"]
    wrong_q = [u for u in q if u.decision != "TP"]
    assert wrong_t and wrong_q
    assert all(u.decision in ("FN", "FP") and u.match_kind == "am" for u in wrong_t + wrong_q)
