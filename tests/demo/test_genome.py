"""The demo reference: contigs, PARs, repeats, confident regions and the ploidy file."""

from __future__ import annotations

import itertools

import pysam
import pytest

from bp2.demo import DemoCase
from tests.demo.helpers import revcomp


def _lengths(case: DemoCase) -> dict[str, int]:
    with pysam.FastaFile(str(case.reference)) as fasta:
        return dict(zip(fasta.references, fasta.lengths, strict=True))


def _par_bounds(case: DemoCase) -> list[tuple[int, int]]:
    """chrX's diploid-in-males ranges from the ploidy file."""
    spans = []
    for line in case.ploidy.read_text().splitlines():
        chrom, start, end, sex, ploidy = line.split("\t")
        if chrom == "chrX" and sex == "M" and ploidy == "2":
            spans.append((int(start), int(end)))
    return spans


@pytest.mark.verifies("SRS-062")
def test_contigs_and_sizes_are_as_promised(case: DemoCase) -> None:
    """It writes chr1, chr2, chrX, chrY and chrM with ≥300 kb of autosome and a 16,569 bp chrM."""
    lengths = _lengths(case)
    assert list(lengths) == ["chr1", "chr2", "chrX", "chrY", "chrM"]
    assert lengths["chr1"] >= 200_000 and lengths["chr2"] >= 120_000
    assert lengths["chr1"] + lengths["chr2"] >= 300_000
    assert 140_000 <= lengths["chrX"] <= 170_000
    assert 40_000 <= lengths["chrY"] <= 60_000
    assert lengths["chrM"] == 16_569


@pytest.mark.verifies("SRS-062")
def test_chry_pars_are_masked_and_match_chrx_par_lengths(case: DemoCase) -> None:
    """It hard-masks chrY's PARs with N, each as long as chrX's PAR at the same end."""
    lengths = _lengths(case)
    (p1_start, p1_end), (p2_start, p2_end) = sorted(_par_bounds(case))
    assert p1_start == 1 and p2_end == lengths["chrX"]
    with pysam.FastaFile(str(case.reference)) as fasta:
        y = fasta.fetch("chrY")
        x = fasta.fetch("chrX")
    par1, par2 = p1_end - p1_start + 1, p2_end - p2_start + 1
    assert set(y[:par1]) == {"N"} and set(y[-par2:]) == {"N"}
    assert "N" not in y[par1:-par2] and "N" not in x


@pytest.mark.verifies("SRS-062")
def test_ploidy_file_is_bcftools_format_with_pars(case: DemoCase) -> None:
    """It writes a bcftools ploidy file with haploid male chrX outside the PARs."""
    lengths = _lengths(case)
    rows = [line.split("\t") for line in case.ploidy.read_text().splitlines()]
    assert all(len(r) == 5 for r in rows)
    table = {(c, s, int(f) if f != "*" else 0, int(t) if t != "*" else 0): int(p)
             for c, f, t, s, p in rows}
    (_, par1_end), (par2_start, _) = sorted(_par_bounds(case))
    assert table[("chrX", "M", par1_end + 1, par2_start - 1)] == 1
    assert table[("chrY", "M", 1, lengths["chrY"])] == 1
    assert table[("chrY", "F", 1, lengths["chrY"])] == 0
    assert table[("chrM", "M", 1, 16_569)] == table[("chrM", "F", 1, 16_569)] == 1
    assert table[("*", "M", 0, 0)] == table[("*", "F", 0, 0)] == 2


def _repeats(case: DemoCase) -> list[tuple[str, int, int, str]]:
    rows = []
    for line in case.repeats_bed.read_text().splitlines():
        chrom, start, end, name = line.split("\t")
        rows.append((chrom, int(start), int(end), name))
    return rows


@pytest.mark.verifies("SRS-062")
def test_repeats_bed_describes_real_repeats(case: DemoCase) -> None:
    """It builds the repeats repeats.bed lists, where it lists them."""
    rows = _repeats(case)
    with pysam.FastaFile(str(case.reference)) as fasta:
        seqs = {(c, s, e): fasta.fetch(c, s, e) for c, s, e, _ in rows}
    kinds = {name.split(":")[0].split("(")[0] for *_, name in rows}
    assert {"homopolymer", "STR", "low_complexity", "satellite", "BPDREP1"} <= kinds
    for chrom, start, end, name in rows:
        seq = seqs[(chrom, start, end)]
        if name.startswith("homopolymer:"):
            assert len(seq) >= 10 and seq.count(name[-1]) >= 0.9 * len(seq)  # chrM: C7TC5
        elif name.startswith("STR:"):
            motif = name[len("STR:("):-len(")n")]
            assert seq == motif * (len(seq) // len(motif)) and len(seq) >= 2 * len(motif) * 3
        elif name.startswith("low_complexity"):
            assert set(seq) <= {"A", "T"} and len(seq) >= 1000
    copies = [seqs[(c, s, e)] if name.endswith("(+)") else revcomp(seqs[(c, s, e)])
              for c, s, e, name in rows if name.startswith("BPDREP1")]
    assert len(copies) >= 5 and all(len(c) == 300 for c in copies)
    for a, b in itertools.combinations(copies, 2):
        identity = sum(x == y for x, y in zip(a, b, strict=True)) / 300
        assert 0.75 < identity < 0.99  # diverged copies of one element


@pytest.mark.verifies("SRS-062")
def test_gc_content_varies_along_the_autosomes(case: DemoCase) -> None:
    """It varies G+C content along the autosomes (2 kb windows span more than 12 points)."""
    with pysam.FastaFile(str(case.reference)) as fasta:
        seq = fasta.fetch("chr1")
    gc = [sum(seq[i:i + 2000].count(b) for b in "GC") / 2000 for i in range(0, len(seq), 2000)]
    assert max(gc) - min(gc) > 0.12


@pytest.mark.verifies("SRS-062")
def test_confident_regions_are_sorted_and_exclude_hard_regions(case: DemoCase) -> None:
    """It writes a sorted confident BED without N, contig ends or unmappable repeats."""
    lengths = _lengths(case)
    order = list(lengths)
    rows = [(c, int(s), int(e)) for c, s, e in
            (line.split("\t") for line in case.confident_bed.read_text().splitlines())]
    assert rows == sorted(rows, key=lambda r: (order.index(r[0]), r[1]))
    for (c1, _, e1), (c2, s2, _) in itertools.pairwise(rows):
        assert c1 != c2 or e1 < s2
    covered = sum(e - s for _, s, e in rows)
    assert covered > 0.85 * (sum(lengths.values()) - 18_000)  # chrY PARs are N
    with pysam.FastaFile(str(case.reference)) as fasta:
        assert all("N" not in fasta.fetch(c, s, e) for c, s, e in rows)
    hard = [r for r in _repeats(case)
            if r[3].startswith(("BPDREP1", "satellite", "low_complexity"))]
    for chrom, start, end, _ in hard:
        assert not any(c == chrom and s < end and start < e for c, s, e in rows)
