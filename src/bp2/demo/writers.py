"""Text renderings of the demo case's files, and deterministic (g)zip/BGZF writing.

Every ``*_text`` function is pure: the same records give the same text.  Writers at the bottom
put bytes on disk: gzip with mtime 0 and no file name, BGZF and tabix indexes through pysam.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pysam

from bp2.demo.genes import Gene, gtf_lines
from bp2.demo.genome import BUILD, CONTIGS, Feature, Genome, contig_order
from bp2.demo.reads import ARTEFACT_FRACTION
from bp2.demo.sequence import decode
from bp2.demo.variants import (
    POPULATION_SIZES,
    POPULATIONS,
    SAMPLES,
    Planted,
    Variant,
)

FASTA_WIDTH = 60
GZIP_LEVEL = 4  # zlib level 4: ~6x faster than 6 on FASTQ for ~7 % larger files


def _contig_header() -> list[str]:
    return [f"##contig=<ID={chrom},length={length},assembly={BUILD}>" for chrom, length in CONTIGS]


def fasta_text(genome: Genome) -> str:
    lines: list[str] = []
    for chrom, _ in CONTIGS:
        lines.append(f">{chrom}")
        text = decode(genome.contigs[chrom])
        lines.extend(text[i:i + FASTA_WIDTH] for i in range(0, len(text), FASTA_WIDTH))
    return "\n".join(lines) + "\n"


def gtf_text(genes: tuple[Gene, ...], source_line: str) -> str:
    lines = ["#!genome-build " + BUILD, "#!genome-version " + BUILD,
             "#!annotation-source " + source_line]
    for gene in sorted(genes, key=lambda g: (contig_order(g.chrom), g.start)):
        lines.extend(gtf_lines(gene))
    return "\n".join(lines) + "\n"


def bed_text(features: list[Feature] | tuple[Feature, ...], *, names: bool) -> str:
    ordered = sorted(features, key=lambda f: (contig_order(f.chrom), f.start, f.end))
    if names:
        return "".join(f"{f.chrom}\t{f.start}\t{f.end}\t{f.name}\n" for f in ordered)
    return "".join(f"{f.chrom}\t{f.start}\t{f.end}\n" for f in ordered)


def truth_vcf_text(variants: list[Variant], source: str) -> str:
    header = [
        "##fileformat=VCFv4.2",
        f"##source={source}",
        "##reference=reference.fa",
        *_contig_header(),
        '##FILTER=<ID=PASS,Description="All filters passed">',
        '##FILTER=<ID=Artefact,Description="Not a germline variant: a sequencing artefact '
        "planted in a fraction of the proband's forward-strand reads (decoy); a caller should "
        'report it as non-PASS or not at all">',
        '##INFO=<ID=KIND,Number=1,Type=String,Description="planted (answer key), decoy (answer '
        'key, must not reach Tier 1/2), background (private to the family) or common '
        '(population polymorphism)">',
        '##INFO=<ID=LABEL,Number=1,Type=String,Description="Label in expected_tiers.tsv">',
        '##INFO=<ID=GENE,Number=1,Type=String,Description="Gene of a planted variant or decoy">',
        '##INFO=<ID=TRUTH,Number=1,Type=String,Description="How the record is represented in '
        'the reads, when not as a germline genotype">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype, phased paternal|maternal; '
        'haploid for males on chrX outside the PARs and on chrY, and for everyone on chrM">',
        "#" + "\t".join(["CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT",
                         *SAMPLES]),
    ]
    rows: list[str] = []
    for v in variants:
        info = [f"KIND={v.kind}"]
        if v.label:
            info += [f"LABEL={v.label}", f"GENE={v.gene}"]
        if v.artefact:
            share = round(ARTEFACT_FRACTION * 50)  # half the reads are forward-strand
            info.append(f"TRUTH=artefact:forward_strand_only:about_{share}_percent_of_proband_reads")
        rows.append("\t".join([v.chrom, str(v.pos), v.label or ".", v.ref, v.alt, ".", v.filter,
                               ";".join(info), "GT", *(v.genotype(s) for s in SAMPLES)]))
    return "\n".join(header + rows) + "\n"


def _fmt(value: float) -> str:
    return f"{value:.6g}"


def population_counts(af: dict[str, float]) -> tuple[int, int, dict[str, float]]:
    """(AC, AN, per-population AF) of a gnomAD v3.1.2-sized population with these AFs."""
    counts = {pop: round(af.get(pop, 0.0) * 2 * POPULATION_SIZES[pop]) for pop in POPULATIONS}
    counts["oth"] = round(af.get("nfe", 0.0) * 2 * POPULATION_SIZES["oth"])
    if sum(counts.values()) == 0:
        counts["nfe"] = 1
    freqs = {pop: counts[pop] / (2 * POPULATION_SIZES[pop]) for pop in POPULATIONS}
    an = 2 * sum(POPULATION_SIZES.values())
    return sum(counts.values()), an, freqs


def population_vcf_text(variants: list[Variant]) -> str:
    header = [
        "##fileformat=VCFv4.2",
        "##source=bp2.demo synthetic population allele frequencies (gnomAD v3.1.2 genomes "
        "style; 76,156 individuals)",
        *_contig_header(),
        '##FILTER=<ID=PASS,Description="All filters passed">',
        '##INFO=<ID=AC,Number=A,Type=Integer,Description="Alternate allele count">',
        '##INFO=<ID=AN,Number=1,Type=Integer,Description="Total number of alleles">',
        '##INFO=<ID=AF,Number=A,Type=Float,Description="Alternate allele frequency">',
        *(f'##INFO=<ID=AF_{pop},Number=A,Type=Float,Description="Alternate allele frequency '
          f'in the {pop} population">' for pop in POPULATIONS),
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
    ]
    rows: list[str] = []
    for v in sorted(variants, key=lambda v: v.key):
        ac, an, freqs = population_counts(_af_of(v))
        info = [f"AC={ac}", f"AN={an}", f"AF={_fmt(ac / an)}",
                *(f"AF_{pop}={_fmt(freqs[pop])}" for pop in POPULATIONS)]
        rows.append("\t".join([v.chrom, str(v.pos), ".", v.ref, v.alt, ".", "PASS",
                               ";".join(info)]))
    return "\n".join(header + rows) + "\n"


def _af_of(variant: Variant) -> dict[str, float]:
    if variant.population_af is None:
        raise ValueError(f"{variant.chrom}:{variant.pos} has no population AF")
    return variant.population_af


def global_af(variant: Variant) -> float:
    ac, an, _ = population_counts(_af_of(variant))
    return ac / an


def common_snps_vcf_text(variants: list[Variant]) -> str:
    header = [
        "##fileformat=VCFv4.2",
        "##source=bp2.demo common SNP sites (global AF 0.05-0.5) for contamination and "
        "identity checks",
        *_contig_header(),
        '##INFO=<ID=AF,Number=A,Type=Float,Description="Alternate allele frequency">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
    ]
    rows = [
        "\t".join([v.chrom, str(v.pos), ".", v.ref, v.alt, ".", "PASS",
                   f"AF={_fmt(global_af(v))}"])
        for v in sorted(variants, key=lambda v: v.key)
    ]
    return "\n".join(header + rows) + "\n"


def _clinvar_type(v: Variant) -> str:
    if len(v.ref) == len(v.alt) == 1:
        return "single_nucleotide_variant"
    return "Deletion" if len(v.ref) > len(v.alt) else "Insertion"


def clinvar_vcf_text(variants: list[Variant], gene_numbers: dict[str, int]) -> str:
    header = [
        "##fileformat=VCFv4.1",
        "##source=ClinVar (bp2.demo synthetic records)",
        f"##reference={BUILD}",
        *_contig_header(),
        '##ID=<Description="ClinVar Variation ID">',
        '##INFO=<ID=ALLELEID,Number=1,Type=Integer,Description="the ClinVar Allele ID">',
        '##INFO=<ID=CLNDN,Number=.,Type=String,Description="ClinVar\'s preferred disease name '
        'for the concept specified by disease identifiers in CLNDISDB">',
        '##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="ClinVar review status of '
        'germline classification for the Variation ID">',
        '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="Aggregate germline classification '
        'for this single variant">',
        '##INFO=<ID=CLNVC,Number=1,Type=String,Description="Variant type">',
        '##INFO=<ID=GENEINFO,Number=1,Type=String,Description="Gene(s) for the variant reported '
        'as gene symbol:gene id">',
        '##INFO=<ID=MC,Number=.,Type=String,Description="comma separated list of molecular '
        'consequence in the form of Sequence Ontology ID|molecular_consequence">',
        '##INFO=<ID=ORIGIN,Number=.,Type=String,Description="Allele origin (1 = germline)">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
    ]
    rows: list[str] = []
    for v in sorted(variants, key=lambda v: v.key):
        entry = v.clinvar
        if entry is None:
            raise ValueError(f"{v.chrom}:{v.pos} has no ClinVar entry")
        info = [f"ALLELEID={entry.allele_id}", f"CLNDN={entry.disease}",
                f"CLNREVSTAT={entry.revstat}", f"CLNSIG={entry.clnsig}",
                f"CLNVC={_clinvar_type(v)}",
                f"GENEINFO={v.gene}:{990_000 + gene_numbers[v.gene]}",
                f"MC={entry.molecular_consequence}", "ORIGIN=1"]
        rows.append("\t".join([v.chrom, str(v.pos), str(entry.variation_id), v.ref, v.alt, ".",
                               ".", ";".join(info)]))
    return "\n".join(header + rows) + "\n"


EXPECTED_COLUMNS = ("chrom", "pos", "ref", "alt", "gene", "kind", "expected_tier", "segregation",
                    "reason", "consequence", "label", "proband_gt", "father_gt", "mother_gt")


def expected_tiers_text(planted: list[Planted]) -> str:
    rows = ["\t".join(EXPECTED_COLUMNS)]
    for p in sorted(planted, key=lambda p: p.variant.key):
        v = p.variant
        rows.append("\t".join([v.chrom, str(v.pos), v.ref, v.alt, p.gene, p.kind,
                               p.expected_tier, p.segregation, p.reason, p.consequence, p.label,
                               *(v.genotype(s) for s in SAMPLES)]))
    return "\n".join(rows) + "\n"


# --------------------------------------------------------------------------------- writing

def write_gzip(path: Path, data: bytes) -> None:
    """gzip with mtime 0 and no stored file name: the same bytes give the same file."""
    path.write_bytes(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))


def write_bgzf_vcf(path: Path, text: str) -> Path:
    """Write ``text`` BGZF-compressed to ``path`` (…vcf.gz) and tabix-index it; return the .tbi."""
    plain = path.with_name(path.name.removesuffix(".gz"))
    plain.write_text(text, encoding="utf-8")
    pysam.tabix_compress(str(plain), str(path), force=True)
    plain.unlink()
    pysam.tabix_index(str(path), preset="vcf", force=True)
    return path.with_name(path.name + ".tbi")


def write_fasta(path: Path, text: str) -> Path:
    """Write a plain FASTA and its samtools .fai index; return the index path."""
    path.write_text(text, encoding="ascii")
    pysam.faidx(str(path))
    return path.with_name(path.name + ".fai")
