"""Simulated reads: the error and quality model, FASTQ format, and the variants they carry."""

from __future__ import annotations

import functools
import gzip
from pathlib import Path

import numpy as np
import pysam
import pytest

from bp2.demo import DemoCase
from bp2.demo.haplotypes import Artefact, Molecule
from bp2.demo.reads import (
    DUPLICATE_RATE,
    QUALITY_BINS,
    READ_LENGTH,
    expected_error_rate,
    sequence,
    simulate,
)
from tests.demo.helpers import fastq_sequences, read_tsv, revcomp

FLANK = 15


@pytest.mark.verifies("SRS-065")
def test_substitution_rate_rises_along_the_read() -> None:
    """It miscalls about 0.1 % of bases at the first cycles rising to about 1 % at the last."""
    rng = np.random.default_rng(7)
    templates = rng.integers(0, 4, size=(40_000, READ_LENGTH + 1)).astype(np.uint8)
    _, _, errors = sequence(rng, templates)
    per_cycle = errors.mean(axis=0)
    first, last = per_cycle[:15].mean(), per_cycle[-15:].mean()
    assert 0.0005 < first < 0.002
    assert 0.006 < last < 0.013
    assert last > 4 * first
    expected = expected_error_rate()
    assert abs(per_cycle.mean() - expected.mean()) < 0.0008


@pytest.mark.verifies("SRS-065")
def test_base_qualities_predict_the_errors() -> None:
    """It miscalls bases at the rate their Phred quality states (Q2 ≫ Q12 ≫ Q23 ≫ Q37)."""
    rng = np.random.default_rng(8)
    templates = rng.integers(0, 4, size=(60_000, READ_LENGTH + 1)).astype(np.uint8)
    _, qualities, errors = sequence(rng, templates)
    assert set(np.unique(qualities).tolist()) <= set(QUALITY_BINS.tolist())
    observed = {int(q): float(errors[qualities == q].mean()) for q in QUALITY_BINS}
    for q, rate in observed.items():
        stated = 10 ** (-q / 10)
        assert stated / 2 < rate < stated * 2 or (q == 37 and rate < 0.001), (q, rate)


@pytest.mark.verifies("SRS-065")
def test_some_reads_carry_one_base_indel_errors() -> None:
    """It gives about 1.5 % of reads (1e-4 per base) a 1 bp insertion or deletion error."""
    rng = np.random.default_rng(9)
    templates = rng.integers(0, 4, size=(40_000, READ_LENGTH + 1)).astype(np.uint8)
    bases, _, _ = sequence(rng, templates)
    tail = (bases[:, 110:] != templates[:, 110:READ_LENGTH]).mean(axis=1)
    shifted = (tail > 0.4).mean()  # an indel before cycle 110 garbles the rest of the read
    assert 0.007 < shifted < 0.02


def _molecule(length: int = 20_000, depth: float = 30.0, artefact: Artefact | None = None
              ) -> Molecule:
    codes = np.random.default_rng(10).integers(0, 4, size=length).astype(np.uint8)
    return Molecule("test", codes, depth, artefact)


@pytest.mark.verifies("SRS-065")
def test_pairs_come_from_both_strands_at_the_requested_depth() -> None:
    """It draws pairs at the molecule's depth from both strands, with a few duplicates."""
    molecule = _molecule()
    reads = simulate(np.random.default_rng(11), molecule)
    pairs = len(reads.r1)
    assert pairs == round(30.0 * 20_000 / (2 * READ_LENGTH))
    text = "".join("ACGT"[int(c)] for c in molecule.codes)
    forward = reverse = 0
    for r1, r2 in zip(reads.r1[:400], reads.r2[:400], strict=True):
        s1 = "".join("ACGT"[int(c)] for c in r1[:30])
        s2 = "".join("ACGT"[int(c)] for c in r2[:30])
        if s1 in text and revcomp(s2) in text:  # read 1 on the forward strand
            forward += 1
            assert 200 <= text.index(revcomp(s2)) + 30 - text.index(s1) <= 600
        elif s2 in text and revcomp(s1) in text:  # read 1 on the reverse strand
            reverse += 1
            assert 200 <= text.index(revcomp(s1)) + 30 - text.index(s2) <= 600
    assert forward + reverse > 360  # the rest have an error in their first 30 bases
    assert 0.4 < forward / (forward + reverse) < 0.6
    starts = ["".join("ACGT"[int(c)] for c in r[:40]) + "".join("ACGT"[int(c)] for c in m[:40])
              for r, m in zip(reads.r1, reads.r2, strict=True)]
    duplicated = 1 - len(set(starts)) / len(starts)
    assert DUPLICATE_RATE / 3 < duplicated < DUPLICATE_RATE * 1.5


@pytest.mark.verifies("SRS-065")
def test_artefact_appears_on_forward_strand_reads_only() -> None:
    """It puts the artefact's ALT base into some forward-strand reads and no reverse ones."""
    molecule = _molecule(artefact=Artefact(10_000, 0))
    text = "".join("ACGT"[int(c)] for c in molecule.codes)
    if text[10_000] == "A":
        molecule = _molecule(artefact=Artefact(10_000, 1))
    assert molecule.artefact is not None
    alt = "ACGT"[molecule.artefact.alt]
    left, right = text[10_000 - FLANK:10_000], text[10_001:10_001 + FLANK]
    reads = simulate(np.random.default_rng(12), molecule)
    joined = "\n".join("".join("ACGT"[int(c)] for c in r) for r in np.vstack([reads.r1, reads.r2]))
    assert joined.count(left + alt + right) > 0
    assert joined.count(revcomp(left + alt + right)) == 0


@functools.cache
def _fastq_text(path: Path) -> str:
    return fastq_sequences(path)


def _counts(case: DemoCase, sample: str, kmer: str) -> tuple[int, int]:
    """(forward, reverse) reads of ``sample`` containing ``kmer``."""
    reads = next(s for s in case.samples if s.sample == sample)
    forward = reverse = 0
    for path in (reads.fastq_1, reads.fastq_2):
        text = _fastq_text(path)
        forward += text.count(kmer)
        reverse += text.count(revcomp(kmer))
    return forward, reverse


def _alleles(case: DemoCase, row: dict[str, str]) -> tuple[str, str]:
    with pysam.FastaFile(str(case.reference)) as fasta:
        pos, ref = int(row["pos"]), row["ref"]
        left = fasta.fetch(row["chrom"], pos - 1 - FLANK, pos - 1)
        right = fasta.fetch(row["chrom"], pos - 1 + len(ref), pos - 1 + len(ref) + FLANK)
    return left + ref + right, left + row["alt"] + right


@pytest.mark.verifies("SRS-065")
def test_reads_carry_the_planted_variants(case: DemoCase) -> None:
    """It puts each planted variant in the reads of exactly the samples that carry it."""
    rows = [r for r in read_tsv(case.expected_tiers) if r["kind"] != "decoy_non_pass"]
    for row in rows:
        ref_kmer, alt_kmer = _alleles(case, row)
        for sample in ("proband", "father", "mother"):
            gt = row[f"{sample}_gt"]
            alt = sum(_counts(case, sample, alt_kmer))
            ref = sum(_counts(case, sample, ref_kmer))
            label = (row["label"], sample, gt, ref, alt)
            if "1" not in gt:
                assert alt == 0, label
            elif "0" not in gt:
                assert alt >= 5 and ref <= 1, label  # k-mer-exact reads of a 15× haploid copy
            else:
                assert alt >= 4 and ref >= 4 and 0.2 < alt / (alt + ref) < 0.8, label


@pytest.mark.verifies("SRS-064", "SRS-065")
def test_non_pass_decoy_is_a_forward_strand_minority_in_the_proband(case: DemoCase) -> None:
    """It shows the non-PASS decoy in ~15 % of the son's reads, forward strand only."""
    (row,) = [r for r in read_tsv(case.expected_tiers) if r["kind"] == "decoy_non_pass"]
    ref_kmer, alt_kmer = _alleles(case, row)
    forward, reverse = _counts(case, "proband", alt_kmer)
    ref = sum(_counts(case, "proband", ref_kmer))
    assert forward >= 2 and reverse == 0
    assert 0.05 < forward / (forward + ref) < 0.3
    for parent in ("father", "mother"):
        assert sum(_counts(case, parent, alt_kmer)) == 0
    with pysam.VariantFile(str(case.truth_vcf)) as vcf:
        (record,) = list(vcf.fetch(row["chrom"], int(row["pos"]) - 1, int(row["pos"])))
    assert list(record.filter) == ["Artefact"] and "artefact" in record.info["TRUTH"]


@pytest.mark.verifies("SRS-065")
def test_fastq_files_are_paired_named_and_150_bp(small_case: DemoCase) -> None:
    """It writes gzipped, paired, named 150 bp FASTQ reads with mtime 0."""
    for sample in small_case.samples:
        with gzip.open(sample.fastq_1, "rt") as one, gzip.open(sample.fastq_2, "rt") as two:
            lines_1, lines_2 = one.read().splitlines(), two.read().splitlines()
        assert len(lines_1) == len(lines_2) and len(lines_1) % 4 == 0 and lines_1
        for i in range(0, len(lines_1), 4):
            n = i // 4 + 1
            assert lines_1[i] == f"@{sample.sample}:{n}/1"
            assert lines_2[i] == f"@{sample.sample}:{n}/2"
        for lines in (lines_1, lines_2):
            assert {len(s) for s in lines[1::4]} == {READ_LENGTH}
            assert set("".join(lines[1::4])) <= set("ACGT")
            assert set(lines[2::4]) == {"+"}
            assert set("".join(lines[3::4])) <= {chr(q + 33) for q in QUALITY_BINS}
        for path in (sample.fastq_1, sample.fastq_2):
            header = path.read_bytes()[:10]
            assert header[3] == 0 and header[4:8] == b"\0\0\0\0"  # no file name, mtime 0
