"""A deterministic sweep of test alleles around every transcript of a gene model.

For each transcript: every position within 10 bases of each exon edge gets an SNV, a 1-base
deletion and (alternately) insertions and 2–3 base deletions; every position within 6 bases of
the start and stop codons gets all three SNVs, deletions of 1, 2, 3 and 6 bases and four
insertions; random coding positions get SNVs and 1–6 base insertions and deletions (half the
insertions duplicate the bases before them); random exonic and intronic positions and the flanks
(1 to 5,002 bases out, across VEP's 5,000-base limit) get a few more.  The alleles are written
as a VCF and normalised (left-aligned, parsimonious) by ``bcftools norm``, so both annotators
see what a caller's normalised output looks like.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pysam

from bp2.genemodel import read_gene_model
from bp2.stages.annotate.transcripts import transcript_models

Variant = tuple[str, int, str, str]


def sweep_variants(gene_model: Path, fasta_path: Path, seed: int = 13485) -> list[Variant]:
    fasta = pysam.FastaFile(str(fasta_path))
    lengths = dict(zip(fasta.references, fasta.lengths, strict=True))
    order = {name: index for index, name in enumerate(fasta.references)}
    rng = random.Random(seed)
    models = transcript_models(read_gene_model(gene_model), lengths)
    found: set[Variant] = set()

    def bases(contig: str, start: int, end: int) -> str:
        return fasta.fetch(contig, start - 1, end).upper()

    def snv(contig: str, pos: int, every: bool = False) -> None:
        if not 1 < pos < lengths[contig]:
            return
        ref = bases(contig, pos, pos)
        if ref not in "ACGT":
            return
        others = [b for b in "ACGT" if b != ref]
        for alt in (others if every else [others[pos % 3]]):
            found.add((contig, pos, ref, alt))

    def deletion(contig: str, pos: int, size: int) -> None:
        if pos <= 1 or pos + size >= lengths[contig]:
            return
        ref = bases(contig, pos, pos + size)
        if "N" not in ref:
            found.add((contig, pos, ref, ref[0]))

    def insertion(contig: str, pos: int, inserted: str) -> None:
        if not 1 < pos < lengths[contig]:
            return
        ref = bases(contig, pos, pos)
        if ref != "N" and inserted and "N" not in inserted:
            found.add((contig, pos, ref, ref + inserted))

    for model in models:
        contig = model.contig
        edges = [edge for exon in model.exons for edge in exon]
        for edge in edges:
            for pos in range(edge - 10, edge + 11):
                snv(contig, pos)
                deletion(contig, pos, 1)
                if pos % 2 == 0:
                    insertion(contig, pos, "ACGT"[pos % 4])
                if pos % 3 == 0:
                    deletion(contig, pos, 2)
                    deletion(contig, pos, 3)
                    insertion(contig, pos, bases(contig, pos - 2, pos))
        if model.coding is not None:
            low, high = model.coding
            for first, last in ((low, low + 2), (high - 2, high)):
                for pos in range(first - 6, last + 7):
                    snv(contig, pos, every=True)
                    for size in (1, 2, 3, 6):
                        deletion(contig, pos, size)
                    for inserted in ("A", "TTT", "TAA", "GC"):
                        insertion(contig, pos, inserted)
            coding = [p for s, e in model.exons for p in range(max(s, low), min(e, high) + 1)]
            for pos in rng.sample(coding, min(60, len(coding))):
                snv(contig, pos, every=True)
            for pos in rng.sample(coding, min(25, len(coding))):
                deletion(contig, pos, rng.randint(1, 6))
            for pos in rng.sample(coding, min(25, len(coding))):
                size = rng.randint(1, 6)
                copy = rng.random() < 0.5
                insertion(contig, pos, bases(contig, pos - size + 1, pos) if copy
                          else "".join(rng.choice("ACGT") for _ in range(size)))
        exonic = [p for s, e in model.exons for p in range(s, e + 1)]
        for pos in rng.sample(exonic, min(20, len(exonic))):
            snv(contig, pos)
            deletion(contig, pos, rng.randint(1, 4))
            insertion(contig, pos, "AC")
        for gap in (1, 2, 100, 2000, 4999, 5000, 5001, 5002):
            snv(contig, model.start - gap)
            snv(contig, model.end + gap)
        intronic = [p for _, (s, e) in model.introns() for p in range(s + 20, e - 20)]
        for pos in rng.sample(intronic, min(10, len(intronic))):
            snv(contig, pos)
            deletion(contig, pos, 2)
    return sorted(found, key=lambda v: (order[v[0]], v[1], v[2], v[3]))


def write_normalised_vcf(variants: list[Variant], fasta_path: Path, out: Path) -> Path:
    """``out`` (bgzipped, indexed): the variants normalised and sorted by bcftools."""
    fasta = pysam.FastaFile(str(fasta_path))
    raw = out.with_name(out.name.replace(".vcf.gz", ".raw.vcf"))
    lines = ["##fileformat=VCFv4.2"]
    lines += [f"##contig=<ID={n},length={n_len}>"
              for n, n_len in zip(fasta.references, fasta.lengths, strict=True)]
    lines.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")
    lines += [f"{c}\t{p}\t.\t{r}\t{a}\t.\t.\t." for c, p, r, a in variants]
    raw.write_text("\n".join(lines) + "\n", encoding="utf-8")
    bcftools = shutil.which("bcftools")
    assert bcftools is not None, "bcftools is needed to normalise the sweep"
    normed = subprocess.run([bcftools, "norm", "--no-version", "-f", str(fasta_path), "-c", "e",
                             str(raw)], capture_output=True, check=True).stdout
    sorted_vcf = subprocess.run([bcftools, "sort", "-Ov"], input=normed, capture_output=True,
                                check=True).stdout
    subprocess.run([bcftools, "norm", "--no-version", "-d", "exact", "-Oz", "-o", str(out)],
                   input=sorted_vcf, capture_output=True, check=True)
    pysam.tabix_index(str(out), preset="vcf", force=True)
    raw.unlink()
    return out
