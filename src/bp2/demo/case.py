"""``generate_demo_case``: write the synthetic trio and everything needed to run and check it.

Random draws come from independent streams keyed by purpose (genome, variants, each sample's
reads), so ``depth`` changes only the reads: a depth-4 case has the same reference, truth and
answer key as a depth-30 one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict

from bp2.demo.genome import BUILD, build_genome, ploidy_lines
from bp2.demo.haplotypes import molecules
from bp2.demo.panel import panel_record
from bp2.demo.readme import readme_text
from bp2.demo.reads import fastq_bytes, simulate_sample
from bp2.demo.variants import FATHER, MOTHER, PROBAND, SAMPLES, SEX, make_family
from bp2.demo.writers import (
    bed_text,
    clinvar_vcf_text,
    common_snps_vcf_text,
    expected_tiers_text,
    fasta_text,
    global_af,
    gtf_text,
    population_vcf_text,
    truth_vcf_text,
    write_bgzf_vcf,
    write_fasta,
    write_gzip,
)
from bp2.errors import InputError, UsageError
from bp2.fileio import sha256_file

GENERATOR_VERSION = "1.0.0"
DEFAULT_SEED = 13485
FAMILY_ID = "DEMO1"
MAX_DEPTH = 200.0

# independent random streams
_GENOME, _VARIANTS, _READS = 1, 2, 100


class DemoSample(BaseModel):
    """One member of the demo trio and their reads."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sample: str
    role: Literal["proband", "father", "mother"]
    sex: Literal["male", "female"]
    affected: bool
    fastq_1: Path
    fastq_2: Path


class DemoCase(BaseModel):
    """Every file of a generated demo case (absolute paths under ``root``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    root: Path
    seed: int
    depth: float
    build: str
    generator_version: str
    samples: tuple[DemoSample, ...]
    reference: Path
    reference_index: Path
    gene_model: Path
    truth_vcf: Path
    truth_vcf_index: Path
    confident_bed: Path
    repeats_bed: Path
    population_af: Path
    population_af_index: Path
    clinvar: Path
    clinvar_index: Path
    common_snps: Path
    common_snps_index: Path
    ploidy: Path
    panel: Path
    expected_tiers: Path
    samplesheet: Path
    pedigree: Path
    resources: Path
    readme: Path

    def files(self) -> tuple[Path, ...]:
        """Every file of the case, sorted."""
        paths = [value for name, value in self
                 if isinstance(value, Path) and name != "root"]
        for sample in self.samples:
            paths += [sample.fastq_1, sample.fastq_2]
        return tuple(sorted(paths))

    def relocate(self, root: Path) -> DemoCase:
        """The same case after its folder was moved (renamed) to ``root``."""

        def move(path: Path) -> Path:
            return root / path.relative_to(self.root)

        updates = {name: move(value) for name, value in self
                   if isinstance(value, Path) and name != "root"}
        samples = tuple(s.model_copy(update={"fastq_1": move(s.fastq_1),
                                             "fastq_2": move(s.fastq_2)})
                        for s in self.samples)
        return self.model_copy(update={**updates, "root": root, "samples": samples})


def _stream(seed: int, purpose: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, purpose]))


def generate_demo_case(outdir: Path, *, seed: int = DEFAULT_SEED, depth: float = 30.0) -> DemoCase:
    """Generate the synthetic trio into ``outdir`` (created if missing, and must be empty).

    With a fixed ``seed`` the files are byte-identical from run to run (for a given zlib and
    htslib).  ``depth`` is the mean nuclear read depth of each sample.
    """
    if not 0 < depth <= MAX_DEPTH:
        raise UsageError(f"demo depth must be above 0 and at most {MAX_DEPTH:g}, not {depth:g}",
                         hint="use --depth 30 for a realistic case or 4 for a quick one")
    if seed < 0:
        raise UsageError(f"demo seed must be a non-negative integer, not {seed}",
                         hint="use the pipeline's seed (13485)")
    outdir = outdir.resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    if any(outdir.iterdir()):
        raise InputError("demo case directory is not empty", path=outdir,
                         hint="give an empty or new directory; the case is written in full")
    source = f"bp2.demo {GENERATOR_VERSION} (seed {seed})"
    genome = build_genome(_stream(seed, _GENOME))
    family = make_family(_stream(seed, _VARIANTS), genome)
    carried = family.carried()

    reference = outdir / "reference.fa"
    reference_index = write_fasta(reference, fasta_text(genome))
    gene_model = outdir / "genes.gtf"
    gene_model.write_text(gtf_text(genome.genes, source), encoding="utf-8")
    truth = outdir / "truth.vcf.gz"
    truth_index = write_bgzf_vcf(truth, truth_vcf_text(carried, source))
    confident = outdir / "confident.bed"
    confident.write_text(bed_text(genome.confident(), names=False), encoding="utf-8")
    repeats = outdir / "repeats.bed"
    repeats.write_text(bed_text(genome.repeats, names=True), encoding="utf-8")

    in_population = [v for v in family.variants if v.population_af is not None]
    in_population += family.population_only
    population = outdir / "population_af.vcf.gz"
    population_index = write_bgzf_vcf(population, population_vcf_text(in_population))
    gene_numbers = {g.symbol: g.number for g in genome.genes}
    in_clinvar = [v for v in family.variants if v.clinvar is not None] + family.clinvar_only
    clinvar = outdir / "clinvar.vcf.gz"
    clinvar_index = write_bgzf_vcf(clinvar, clinvar_vcf_text(in_clinvar, gene_numbers))
    common = [v for v in in_population
              if v.kind == "common" and len(v.ref) == len(v.alt) == 1
              and v.chrom in ("chr1", "chr2") and 0.05 <= global_af(v) <= 0.5]
    common_snps = outdir / "common_snps.vcf.gz"
    common_index = write_bgzf_vcf(common_snps, common_snps_vcf_text(common))
    ploidy = outdir / "ploidy.txt"
    ploidy.write_text("\n".join(ploidy_lines()) + "\n", encoding="utf-8")
    panel = outdir / "panel.json"
    panel.write_text(json.dumps(panel_record(genome), indent=2) + "\n", encoding="utf-8")
    expected = outdir / "expected_tiers.tsv"
    expected.write_text(expected_tiers_text(family.planted), encoding="utf-8")

    reads_dir = outdir / "reads"
    reads_dir.mkdir()
    artefact = next(p.variant for p in family.planted if p.variant.artefact)
    samples: list[DemoSample] = []
    for index, sample in enumerate(SAMPLES):
        rng = _stream(seed, _READS + index)
        simulated = simulate_sample(rng, molecules(genome, family.variants, sample, depth,
                                                   artefact))
        fastq_1 = reads_dir / f"{sample}_R1.fastq.gz"
        fastq_2 = reads_dir / f"{sample}_R2.fastq.gz"
        write_gzip(fastq_1, fastq_bytes(sample, simulated.r1, simulated.q1, 1))
        write_gzip(fastq_2, fastq_bytes(sample, simulated.r2, simulated.q2, 2))
        role: Literal["proband", "father", "mother"] = (
            "proband" if sample == PROBAND else "father" if sample == FATHER else "mother")
        samples.append(DemoSample(sample=sample, role=role,
                                  sex="male" if SEX[sample] == "male" else "female",
                                  affected=sample == PROBAND, fastq_1=fastq_1, fastq_2=fastq_2))

    samplesheet = outdir / "samplesheet.csv"
    samplesheet.write_text(
        "sample,sex,fastq_1,fastq_2\n" + "".join(
            f"{s.sample},{s.sex},{s.fastq_1.relative_to(outdir)},{s.fastq_2.relative_to(outdir)}\n"
            for s in samples), encoding="utf-8")
    pedigree = outdir / "pedigree.ped"
    pedigree.write_text(
        "#family\tindividual\tfather\tmother\tsex\tphenotype\n"
        f"{FAMILY_ID}\t{PROBAND}\t{FATHER}\t{MOTHER}\t1\t2\n"
        f"{FAMILY_ID}\t{FATHER}\t0\t0\t1\t1\n"
        f"{FAMILY_ID}\t{MOTHER}\t0\t0\t2\t1\n", encoding="utf-8")

    version = f"{GENERATOR_VERSION}+seed.{seed}"

    def entry(path: Path, index: Path | None = None) -> dict[str, object]:
        value: dict[str, object] = {"path": path.name, "sha256": sha256_file(path),
                                    "build": BUILD, "version": version}
        if index is not None:
            value["index"] = {"path": index.name, "sha256": sha256_file(index)}
        return value

    resources = outdir / "resources.yaml"
    resources.write_text(
        "# Resources of the bp2 demo case (synthetic build bp2-demo-1); paths are relative to "
        "this file.\n" + yaml.safe_dump({
            "reference": entry(reference, reference_index),
            "gene_model": entry(gene_model),
            "population_af": entry(population, population_index),
            "clinvar": entry(clinvar, clinvar_index),
            "common_snps": entry(common_snps, common_index),
            "ploidy": entry(ploidy),
        }, sort_keys=False), encoding="utf-8")
    readme = outdir / "README.md"
    readme.write_text(readme_text(seed=seed, depth=depth, version=GENERATOR_VERSION,
                                  planted=family.planted, genome=genome,
                                  n_truth=len(carried), n_common=len(common)),
                      encoding="utf-8")
    return DemoCase(
        root=outdir, seed=seed, depth=depth, build=BUILD, generator_version=GENERATOR_VERSION,
        samples=tuple(samples), reference=reference, reference_index=reference_index,
        gene_model=gene_model, truth_vcf=truth, truth_vcf_index=truth_index,
        confident_bed=confident, repeats_bed=repeats, population_af=population,
        population_af_index=population_index, clinvar=clinvar, clinvar_index=clinvar_index,
        common_snps=common_snps, common_snps_index=common_index, ploidy=ploidy, panel=panel,
        expected_tiers=expected, samplesheet=samplesheet, pedigree=pedigree,
        resources=resources, readme=readme,
    )

