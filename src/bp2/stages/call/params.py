"""Every calling parameter of the ``call`` stage, each with its one-line justification.

The values here are the defaults; the pipeline definition pins them.  None was searched for on
the validation data: each is bcftools' own calibrated default, a published convention, or a
consequence of how the stage works, as its description says.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from bp2.stages.base import StageModel, StageParams


class FilterRule(StageModel):
    """A named soft filter: records matching ``expression`` get ``name`` in FILTER."""

    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.]{0,31}$",
                      description="FILTER ID written to the VCF (not 'PASS')")
    expression: str = Field(min_length=1, description="bcftools filter -e expression")
    justification: str = Field(min_length=1, description="why the rule exists")


DEFAULT_FILTERS = (
    FilterRule(
        name="LowQual", expression="QUAL<10",
        justification="QUAL 10 means a 10% chance that no sample carries the variant; below it "
        "a site is more likely noise than variant (GATK's standard emit threshold)",
    ),
)


class CallParams(StageParams):
    """mpileup, call, re-genotyping, filter and chunking parameters of the ``call`` stage."""

    # --- bcftools mpileup -----------------------------------------------------------------
    min_mapq: int = Field(
        20, ge=0, le=60,
        description="mpileup -q: reads with MAPQ<20 (>1% chance of misplacement) come from "
        "repeats and paralogues and make false calls there")
    min_baseq: int = Field(
        1, ge=0, le=60,
        description="mpileup -Q: bcftools 1.16 default; BAQ and the error model already "
        "down-weight doubtful bases, a hard cut would discard evidence")
    max_baseq: int = Field(
        60, ge=1, le=93,
        description="mpileup --max-BQ: bcftools default cap; Illumina qualities above 60 are "
        "not calibrated")
    adjust_mapq: int = Field(
        0, ge=0,
        description="mpileup -C: 0 (off); the coefficient was tuned for bwa-backtrack and "
        "mis-penalises minimap2/bwa-mem mapping qualities")
    max_depth: int = Field(
        250, ge=1,
        description="mpileup -d: per-file read cap, >=5x a 30-50x genome so only collapsed "
        "repeats are capped; bounds memory")
    max_indel_depth: int = Field(
        250, ge=1,
        description="mpileup -L: per-file depth cap for indel candidates, equal to max_depth "
        "so indels are seen at every depth SNVs are")
    baq: Literal["partial", "full", "off"] = Field(
        "partial",
        description="mpileup BAQ mode: bcftools default (applied where reads disagree); "
        "'full' (-D) costs time for no gain on Illumina, 'off' (-B) raises SNV false positives "
        "near indels")
    count_orphans: bool = Field(
        False,
        description="mpileup -A: false, reads of improper pairs are dropped (often chimeras or "
        "mis-mapped mates)")
    ignore_overlaps: bool = Field(
        False,
        description="mpileup -x: false, so the two mates of a short fragment are not counted "
        "as independent evidence")
    annotations: tuple[str, ...] = Field(
        ("FORMAT/AD", "FORMAT/DP", "FORMAT/SP"),
        description="mpileup -a: allele depths (allele balance, de novo checks), depth, and "
        "strand-bias P for review")
    gap_open: int = Field(
        40, ge=0,
        description="mpileup -o: bcftools' calibrated phred gap-open error for Illumina")
    gap_extend: int = Field(
        20, ge=0,
        description="mpileup -e: bcftools' calibrated phred gap-extension error for Illumina")
    tandem_qual: int = Field(
        500, ge=0,
        description="mpileup -h: bcftools 1.16 homopolymer-error coefficient (the 1.12 value "
        "100 lost indels in repeats)")
    min_indel_reads: int = Field(
        2, ge=1,
        description="mpileup -m: an indel candidate needs two gapped reads, so one read's "
        "error is never a candidate")
    min_indel_fraction: float = Field(
        0.05, ge=0, le=1,
        description="mpileup -F: bcftools default; a candidate needs 5% gapped reads, well "
        "below a heterozygote's 50%")
    indel_size: int = Field(
        110, ge=1,
        description="mpileup --indel-size: bcftools default; near the read length, beyond "
        "which reads cannot show the indel")
    ambiguous_reads: Literal["drop", "incAD", "incAD0"] = Field(
        "drop",
        description="mpileup --ambig-reads: ambiguous reads are not counted in AD, so AD "
        "reflects reads that tell the alleles apart")

    # --- bcftools call --------------------------------------------------------------------
    caller: Literal["multiallelic"] = Field(
        "multiallelic",
        description="call -m: the multiallelic model, the only one that calls sites with two "
        "ALT alleles (1/2) and handles joint samples")
    prior: float = Field(
        1.1e-3, gt=0, lt=1,
        description="call -P: expected substitution rate, bcftools default close to human "
        "heterozygosity (about 1e-3)")
    call_annotations: tuple[str, ...] = Field(
        ("FORMAT/GQ",),
        description="call -a: genotype quality, used by QC and de novo checks")

    # --- bp2 indel re-genotyping ----------------------------------------------------------
    regenotype_indels: bool = Field(
        True,
        description="re-decide het/hom at biallelic indels from reads spanning the repeat; "
        "mpileup counts non-spanning reads as REF (see regenotype.py)")
    regenotype_error: float = Field(
        0.02, gt=0, lt=0.5,
        description="chance a spanning fragment supports the allele it does not carry; 2% "
        "covers PCR stutter in repeats, far from a heterozygote's 50%")
    regenotype_min_lr: float = Field(
        20.0, ge=0,
        description="phred advantage (99:1 odds) the spanning-read genotype needs over "
        "bcftools' before it replaces it, the usual GQ 20 confidence")

    # --- bp2 local haplotype re-genotyping --------------------------------------------------
    local_haplotypes: bool = Field(
        True,
        description="re-genotype clusters of records in one tandem repeat (holding an indel) "
        "from read-vs-haplotype alignment (see haplotypes.py)")
    local_anchor: int = Field(
        5, ge=1, le=30,
        description="aligned read bases needed on each side of a cluster's repeat, so reads "
        "ending inside the repeat (blind to the alleles) do not vote")
    local_max_window: int = Field(
        100, ge=10, le=500,
        description="longest cluster window re-genotyped: two thirds of a 150-base read, so "
        "about a third of the reads still span it with their anchors")
    local_min_support: int = Field(
        2, ge=1,
        description="fragments a read-derived haplotype needs, as mpileup -m 2: one read's "
        "error is never a candidate")
    local_min_fraction: float = Field(
        0.2, gt=0, le=1,
        description="fraction of a sample's spanning fragments a read-derived haplotype needs: "
        "a heterozygote carries 50%, single-read errors stay far below 20%")
    local_max_candidates: int = Field(
        8, ge=2, le=16,
        description="candidate haplotypes per cluster (reference included): bounds the "
        "genotypes scored per sample to 36")
    local_error: float = Field(
        0.01, gt=0, lt=0.5,
        description="probability of one read-vs-haplotype edit not from the haplotype "
        "(Illumina base errors plus repeat stutter, phred 20)")
    local_cap: float = Field(
        3.0, gt=0,
        description="largest log10 weight one fragment gives (phred 30), so a chimeric or "
        "mis-mapped read cannot outweigh two good ones")
    local_min_lr: float = Field(
        20.0, ge=0,
        description="phred advantage (99:1 odds) the read-supported haplotypes need over the "
        "called ones before they replace them, as regenotype_min_lr")

    # --- filters ----------------------------------------------------------------------------
    filters: tuple[FilterRule, ...] = Field(
        DEFAULT_FILTERS,
        description="soft filters applied in order after normalisation; each sets its name in "
        "FILTER, PASS otherwise")

    # --- parallel chunks --------------------------------------------------------------------
    chunk_size: int = Field(
        10_000_000, ge=1_000,
        description="bases per parallel chunk: each mpileup loads its contig's whole sequence, "
        "so 10 Mb keeps that near 1% of a chunk's work while ~320 genome chunks balance workers")
