"""The demo gene model: valid ORFs and splice sites on both strands, Ensembl/GENCODE-style GTF."""

from __future__ import annotations

import itertools

import numpy as np
import pysam
import pytest

from bp2.demo import DemoCase
from bp2.demo.genes import GeneSpec, build_gene, gtf_lines
from tests.demo.helpers import Tx, bases, read_gtf, revcomp, translate


def _transcripts(case: DemoCase) -> dict[str, Tx]:
    return read_gtf(case.gene_model)[1]


def _cds_sequence(fasta: pysam.FastaFile, tx: Tx) -> str:
    return bases(fasta, tx.chrom, tx.coding_positions(), tx.strand)


@pytest.mark.verifies("SRS-063")
def test_every_coding_transcript_has_a_valid_orf(case: DemoCase) -> None:
    """It gives every GTF transcript a valid ORF: ATG start, no internal stop, stop codon."""
    coding = [t for t in _transcripts(case).values() if t.biotype == "protein_coding"]
    assert coding
    with pysam.FastaFile(str(case.reference)) as fasta:
        for tx in coding:
            seq = _cds_sequence(fasta, tx)
            protein = translate(seq, mito=tx.chrom == "chrM")
            assert len(seq) % 3 == 0, tx.transcript_id
            assert seq.startswith("ATG"), tx.transcript_id
            assert protein.endswith("*") and "*" not in protein[:-1], tx.transcript_id
            if tx.chrom == "chrM":  # valid under the standard code as well
                assert "*" not in translate(seq)[:-1]


@pytest.mark.verifies("SRS-063")
def test_start_and_stop_codon_rows_bracket_the_cds(case: DemoCase) -> None:
    """It places start_codon on the first and stop_codon just after the last CDS bases."""
    with pysam.FastaFile(str(case.reference)) as fasta:
        for tx in _transcripts(case).values():
            if tx.biotype != "protein_coding":
                assert not tx.cds and not tx.start_codon and not tx.stop_codon
                continue
            positions = tx.coding_positions()
            (start,) = tx.start_codon
            (stop,) = tx.stop_codon
            assert sorted(positions[:3]) == list(range(start[0], start[1] + 1))
            assert sorted(positions[-3:]) == list(range(stop[0], stop[1] + 1))
            assert bases(fasta, tx.chrom, positions[:3], tx.strand) == "ATG"


@pytest.mark.verifies("SRS-063")
def test_introns_have_canonical_gt_ag_splice_sites(case: DemoCase) -> None:
    """It makes every intron of every transcript start with GT and end with AG (on its strand)."""
    checked = 0
    with pysam.FastaFile(str(case.reference)) as fasta:
        for tx in _transcripts(case).values():
            exons = sorted(tx.exons)
            for (_, end), (start, _) in itertools.pairwise(exons):
                intron = fasta.fetch(tx.chrom, end, start - 1)
                if tx.strand == "-":
                    intron = revcomp(intron)
                assert intron[:2] == "GT" and intron[-2:] == "AG", tx.transcript_id
                checked += 1
    assert checked >= 40


@pytest.mark.verifies("SRS-063")
def test_cds_frames_and_utrs_are_consistent(case: DemoCase) -> None:
    """It gives CDS rows correct GTF frames and UTR rows exactly the non-coding exon bases."""
    for tx in _transcripts(case).values():
        done = 0
        for start, end, frame in sorted(tx.cds, reverse=tx.strand == "-"):
            assert frame == (3 - done % 3) % 3, tx.transcript_id
            done += end - start + 1
        exon_bases = {p for a, b in tx.exons for p in range(a, b + 1)}
        coding = set(tx.coding_positions())
        utr = {p for a, b in tx.utr for p in range(a, b + 1)}
        assert utr == (exon_bases - coding if tx.cds else set())


@pytest.mark.verifies("SRS-063")
def test_gene_set_covers_both_strands_chrx_and_a_non_coding_gene(case: DemoCase) -> None:
    """It annotates ≥8 multi-exon coding genes on both strands, on chrX, and a lncRNA."""
    rows, transcripts = read_gtf(case.gene_model)
    genes = [r for r in rows if r["feature"] == "gene"]
    coding = [g for g in genes if g["attrs"]["gene_biotype"] == "protein_coding"]
    multi_exon = {t.gene_name for t in transcripts.values()
                  if t.biotype == "protein_coding" and len(t.exons) >= 2}
    assert len(multi_exon) >= 8
    assert {g["strand"] for g in coding} == {"+", "-"}
    assert {t.strand for t in transcripts.values() if t.gene_name in multi_exon} == {"+", "-"}
    assert any(g["chrom"] == "chrX" for g in coding)
    assert any(g["attrs"]["gene_biotype"] == "lncRNA" for g in genes)
    for gene in genes:
        name = gene["attrs"]["gene_name"]
        canon = [t for t in transcripts.values()
                 if t.gene_name == name and "Ensembl_canonical" in t.tags]
        assert len(canon) == 1, name
        assert str(gene["attrs"]["gene_id"]).startswith("ENSG99")
    assert sum(len(ts) > 1 for ts in _by_gene(transcripts).values()) >= 2


def _by_gene(transcripts: dict[str, Tx]) -> dict[str, list[Tx]]:
    grouped: dict[str, list[Tx]] = {}
    for tx in transcripts.values():
        grouped.setdefault(tx.gene_name, []).append(tx)
    return grouped


@pytest.mark.verifies("SRS-063")
def test_gtf_rows_carry_the_expected_features_and_attributes(case: DemoCase) -> None:
    """It writes Ensembl/GENCODE-style GTF features with the expected attributes."""
    rows, _ = read_gtf(case.gene_model)
    assert {r["feature"] for r in rows} == {"gene", "transcript", "exon", "CDS", "start_codon",
                                           "stop_codon", "UTR"}
    for row in rows:
        attrs = row["attrs"]
        assert {"gene_id", "gene_name", "gene_biotype"} <= set(attrs)
        if row["feature"] != "gene":
            assert {"transcript_id", "transcript_biotype"} <= set(attrs)
        if row["feature"] not in ("gene", "transcript"):
            assert "exon_number" in attrs


@pytest.mark.verifies("SRS-063")
@pytest.mark.parametrize("strand", ["+", "-"])
def test_built_genes_are_valid_for_many_seeds(strand: str) -> None:
    """It builds a valid ORF with GT-AG introns on either strand for any random draw."""
    for seed in range(25):
        rng = np.random.default_rng(seed)
        spec = GeneSpec("TEST1", "chr1", strand, 1_000, int(rng.integers(2, 9)),
                        int(rng.integers(100, 400)), alt_transcript=True)
        gene, seq = build_gene(rng, spec, 1_000, 1)
        genome = "N" * 999 + "".join("ACGTN"[int(c)] for c in seq)
        for tx in gene.transcripts:
            assert tx.cds is not None
            positions = sorted(p for a, b in tx.exons
                               for p in range(max(a, tx.cds[0]), min(b, tx.cds[1]) + 1))
            cds = "".join(genome[p - 1] for p in positions)
            cds = cds if strand == "+" else revcomp(cds)
            protein = translate(cds)
            assert protein[0] == "M" and protein[-1] == "*" and "*" not in protein[:-1]
        assert len(gtf_lines(gene)) > 2 * len(gene.canonical.exons)
