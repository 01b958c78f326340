"""The trio's variants: planted ones with a known tier, decoys, and Mendelian background.

Every sample has two *copies* of each contig, numbered 0 (inherited from the father) and 1
(inherited from the mother); a copy that does not exist is ``None``:

* autosomes: copies 0 and 1;
* chrX: copy 1 (the X from the mother) everywhere; in males copy 0 is the Y chromosome, which
  exists on chrX only inside the pseudo-autosomal regions (PARs);
* chrY: copy 0 in males only;
* chrM: copy 1 only (mitochondria come from the mother).

The proband's copy 0 is the copy his father transmitted and copy 1 the copy his mother
transmitted (one crossover per parental autosome and maternal X), so the background is Mendelian
by construction; only the planted *de novo* variants are added to the proband alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bp2.demo.genes import Gene, coding_positions, transcript_bases
from bp2.demo.genome import CONTIGS, LENGTHS, X_PARS, Genome, contig_order, in_par
from bp2.demo.sequence import MITO_CODE, STANDARD_CODE, N, decode

PROBAND, FATHER, MOTHER = "proband", "father", "mother"
SAMPLES = (PROBAND, FATHER, MOTHER)
SEX = {PROBAND: "male", FATHER: "male", MOTHER: "female"}

Alleles = tuple[int | None, int | None]  # (copy 0, copy 1)

POPULATIONS = ("afr", "amr", "asj", "eas", "fin", "nfe", "sas", "ami", "mid")
# gnomAD v3.1.2 genome sample counts per population ("oth" makes up the rest of AN)
POPULATION_SIZES = {"afr": 20_744, "amr": 7_647, "asj": 1_736, "eas": 2_604, "fin": 5_316,
                    "nfe": 34_029, "sas": 2_419, "ami": 456, "mid": 158, "oth": 1_047}


def copies(sample: str, chrom: str, pos: int) -> Alleles:
    """Which copies of ``chrom`` at ``pos`` the sample has: 0 where present, None where absent."""
    male = SEX[sample] == "male"
    if chrom == "chrM":
        return (None, 0)
    if chrom == "chrY":
        return (0, None) if male else (None, None)
    if chrom == "chrX" and male:
        return (0, 0) if in_par(chrom, pos) else (None, 0)
    return (0, 0)


@dataclass(frozen=True)
class ClinVarEntry:
    clnsig: str
    revstat: str
    disease: str
    variation_id: int
    allele_id: int
    molecular_consequence: str  # "SO:0001583|missense_variant"


@dataclass
class Variant:
    chrom: str
    pos: int
    ref: str
    alt: str
    alleles: dict[str, Alleles]
    kind: str  # planted | decoy | background | common
    label: str = ""
    gene: str = ""
    filter: str = "PASS"
    artefact: bool = False  # in the proband's reads only, not in any haplotype
    note: str = ""
    population_af: dict[str, float] | None = None
    clinvar: ClinVarEntry | None = None

    @property
    def key(self) -> tuple[int, int, str, str]:
        return (contig_order(self.chrom), self.pos, self.ref, self.alt)

    @property
    def end(self) -> int:
        return self.pos + len(self.ref) - 1

    def carried(self) -> bool:
        return any(a == 1 for alleles in self.alleles.values() for a in alleles)

    def genotype(self, sample: str) -> str:
        if self.artefact and sample == PROBAND:
            return "0/1"  # what the reads show, not a germline genotype
        present = [str(a) for a in self.alleles[sample] if a is not None]
        return "|".join(present) if present else "."


@dataclass(frozen=True)
class Planted:
    """A planted variant or decoy with its answer-key entry."""

    label: str
    gene: str
    kind: str
    consequence: str
    expected_tier: str
    segregation: str
    reason: str
    variant: Variant = field(compare=False)


# --------------------------------------------------------------------------- transmission

@dataclass(frozen=True)
class Transmission:
    """Which parental copy each parent passed to the proband, per contig (one crossover)."""

    breakpoints: dict[tuple[str, str], tuple[int, int]]  # (parent, chrom) → (pos, first copy)

    @classmethod
    def draw(cls, rng: np.random.Generator) -> Transmission:
        points: dict[tuple[str, str], tuple[int, int]] = {}
        for chrom, length in CONTIGS:
            for parent in (FATHER, MOTHER):
                points[(parent, chrom)] = (int(rng.integers(length // 5, 4 * length // 5)),
                                           int(rng.integers(0, 2)))
        return cls(points)

    def copy_from(self, parent: str, chrom: str, pos: int) -> int | None:
        """The parental copy transmitted at ``pos`` (None when that parent transmits none)."""
        if chrom == "chrM":
            return 1 if parent == MOTHER else None
        if parent == FATHER and chrom in ("chrX", "chrY"):
            return 0 if (chrom == "chrY" or in_par(chrom, pos)) else None  # he passes on his Y
        if parent == MOTHER and chrom == "chrY":
            return None
        breakpoint_pos, first = self.breakpoints[(parent, chrom)]
        return first if pos < breakpoint_pos else 1 - first


def inherit(transmission: Transmission, chrom: str, pos: int, father: Alleles,
            mother: Alleles) -> Alleles:
    """The proband's alleles given his parents' alleles."""
    f_copy = transmission.copy_from(FATHER, chrom, pos)
    m_copy = transmission.copy_from(MOTHER, chrom, pos)
    paternal = father[f_copy] if f_copy is not None else None
    maternal = mother[m_copy] if m_copy is not None else None
    template = copies(PROBAND, chrom, pos)
    return (paternal if template[0] is not None else None,
            maternal if template[1] is not None else None)


def parental_alleles(spec: str, transmitted: int | None, present: Alleles) -> Alleles:
    """Alleles of a parent from a code: '0' ref, 'T' het on the transmitted copy, 'U' het on
    the untransmitted copy, 'H' alt on every copy."""
    values: list[int | None] = [None if p is None else 0 for p in present]
    if spec == "H":
        values = [None if p is None else 1 for p in present]
    elif spec in ("T", "U"):
        if transmitted is None:
            raise ValueError("this parent transmits no copy here")
        index = transmitted if spec == "T" else 1 - transmitted
        if present[index] is None:
            raise ValueError("no such copy")
        values[index] = 1
    return (values[0], values[1])


# -------------------------------------------------------------------------- occupancy

class Sites:
    """Positions taken by variants, with a margin, per contig (so variants never interact)."""

    def __init__(self, genome: Genome) -> None:
        self.taken = {chrom: np.zeros(length + 2, dtype=bool) for chrom, length in CONTIGS}
        self.blocked = {chrom: genome.contigs[chrom] == N for chrom, _ in CONTIGS}
        for chrom, length in CONTIGS:
            self.blocked[chrom][:60] = True
            self.blocked[chrom][length - 60:] = True
        for lo, hi in X_PARS:
            for boundary in (lo, hi):
                self.blocked["chrX"][max(0, boundary - 60):boundary + 60] = True

    def block_exons(self, genes: tuple[Gene, ...], margin: int = 10) -> None:
        for gene in genes:
            for tx in gene.transcripts:
                for start, end in tx.exons:
                    self.blocked[gene.chrom][max(0, start - 1 - margin):end + margin] = True

    def free(self, chrom: str, start: int, end: int, margin: int,
             *, allow_blocked: bool = False) -> bool:
        lo, hi = max(0, start - 1 - margin), end + margin
        if hi > LENGTHS[chrom]:
            return False
        if self.taken[chrom][lo:hi].any():
            return False
        return allow_blocked or not self.blocked[chrom][start - 1:end].any()

    def take(self, chrom: str, start: int, end: int, margin: int) -> None:
        self.taken[chrom][max(0, start - 1 - margin):end + margin] = True


# ------------------------------------------------------------------------ planted variants

def _codon_table(gene: Gene) -> dict[str, str]:
    return MITO_CODE if gene.mito else STANDARD_CODE


_COMPLEMENT = {"A": "T", "C": "G", "G": "C", "T": "A"}


def _genomic(base: str, gene: Gene) -> str:
    return base if gene.strand == "+" else _COMPLEMENT[base]


def _shared_exon(gene: Gene, pos: int, margin: int) -> bool:
    """``pos`` lies ``margin`` bases inside an exon present in every transcript of the gene."""
    for start, end in gene.canonical.exons:
        if start + margin <= pos <= end - margin:
            return (start, end) not in gene.skipped_exons and all(
                (start, end) in tx.exons for tx in gene.transcripts)
    return False


def codon_change(rng: np.random.Generator, genome: Genome, sites: Sites, gene: Gene,
                 want: str) -> tuple[int, str, str, str]:
    """An SNV in a codon of the canonical transcript with consequence ``want``.

    ``want`` is ``missense``, ``stop_gained`` or ``synonymous``; returns (pos, ref, alt, change)
    in genomic orientation with ``change`` like ``p.Arg123Ter`` (one-letter: ``R123*``).
    """
    reference = genome.contigs[gene.chrom]
    positions = coding_positions(gene, gene.canonical)
    codons = len(positions) // 3
    table = _codon_table(gene)
    stops = {"TAA", "TAG"} if gene.mito else {"TAA", "TAG", "TGA"}
    for k in rng.permutation(np.arange(int(codons * 0.15), int(codons * 0.7))):
        codon_pos = positions[3 * int(k):3 * int(k) + 3]
        if not all(_shared_exon(gene, p, 12) for p in codon_pos):
            continue
        codon = transcript_bases(reference, gene, codon_pos)
        options: list[tuple[int, str, str]] = []
        for offset in range(3):
            for base in "ACGT":
                if base == codon[offset]:
                    continue
                new = codon[:offset] + base + codon[offset + 1:]
                old_aa, new_aa = table[codon], table[new]
                ok = {"missense": new_aa not in (old_aa, "*") and new not in stops,
                      "stop_gained": new in stops,
                      "synonymous": new_aa == old_aa}[want]
                if ok:
                    options.append((offset, base, new_aa))
        if not options:
            continue
        offset, base, new_aa = options[int(rng.integers(0, len(options)))]
        pos = codon_pos[offset]
        if not sites.free(gene.chrom, pos, pos, 50, allow_blocked=True):
            continue
        ref = decode(reference[pos - 1:pos])
        return pos, ref, _genomic(base, gene), f"{table[codon]}{int(k) + 1}{new_aa}"
    raise RuntimeError(f"no codon of {gene.symbol} allows a {want} change")  # pragma: no cover


def frameshift(rng: np.random.Generator, genome: Genome, sites: Sites, gene: Gene,
               kind: str) -> tuple[int, str, str]:
    """A 1 bp deletion (``del``) or insertion (``ins``) inside a shared coding exon, chosen so
    that its VCF representation is already left-aligned."""
    reference = genome.contigs[gene.chrom]
    positions = sorted(coding_positions(gene, gene.canonical))
    for index in rng.permutation(np.arange(int(len(positions) * 0.2),
                                           int(len(positions) * 0.6))):
        g = positions[int(index)]
        if not _shared_exon(gene, g, 12) or not sites.free(gene.chrom, g - 1, g + 1, 50,
                                                             allow_blocked=True):
            continue
        before, here = decode(reference[g - 2:g - 1]), decode(reference[g - 1:g])
        if kind == "del":
            if before == here:
                continue
            return g - 1, before + here, before
        inserted = next(b for b in "ACGT"[int(rng.integers(0, 4)):] + "ACGT" if b != here)
        return g, here, here + inserted
    raise RuntimeError(f"no frameshift site in {gene.symbol}")  # pragma: no cover


def splice_site(genome: Genome, sites: Sites, rng: np.random.Generator, gene: Gene,
                where: str, offset: int) -> tuple[int, str, str]:
    """An SNV at intron position ``offset`` from the ``donor`` (+offset) or ``acceptor``
    (-offset) end of an intron of the canonical transcript (transcript orientation)."""
    reference = genome.contigs[gene.chrom]
    ordered = gene.canonical.exons_in_order(gene.strand)
    for j in rng.permutation(len(ordered) - 1):
        upstream, downstream = ordered[int(j)], ordered[int(j) + 1]
        if upstream in gene.skipped_exons or downstream in gene.skipped_exons:
            continue
        if where == "donor":
            pos = upstream[1] + offset if gene.strand == "+" else upstream[0] - offset
        else:
            pos = downstream[0] - offset if gene.strand == "+" else downstream[1] + offset
        if not sites.free(gene.chrom, pos, pos, 50, allow_blocked=True):
            continue
        ref = decode(reference[pos - 1:pos])
        tx_ref = ref if gene.strand == "+" else _COMPLEMENT[ref]
        tx_alt = {"G": "A", "A": "G", "T": "C", "C": "T"}[tx_ref]  # transitions
        return pos, ref, _genomic(tx_alt, gene)
    raise RuntimeError(f"no {where} site in {gene.symbol}")  # pragma: no cover


def _af(**values: float) -> dict[str, float]:
    return {pop: values.get(pop, 0.0) for pop in POPULATIONS}


@dataclass(frozen=True)
class Design:
    """One planted variant or decoy: where, what, who carries it and the expected tier."""

    label: str
    gene: str
    change: str  # missense | stop_gained | synonymous | frameshift_del | frameshift_ins |
    # splice_donor | splice_acceptor | splice_donor_5th_base
    kind: str
    father: str  # parental allele code, see parental_alleles
    mother: str
    de_novo: int | None  # proband copy receiving a de novo allele
    expected_tier: str
    segregation: str
    reason: str
    population_af: dict[str, float] | None = None
    clinvar: tuple[str, str, str] | None = None  # CLNSIG, CLNREVSTAT, CLNDN
    artefact: bool = False


DESIGNS: tuple[Design, ...] = (
    Design("P1", "BPD1", "missense", "de_novo", "0", "0", 0, "Tier1", "deNovo",
           "de novo moderate-impact (missense) variant in a green MONOALLELIC NOT-imprinted "
           "gene; absent from both unaffected parents"),
    Design("P2", "BPD3", "stop_gained", "homozygous_recessive", "T", "T", None, "Tier1",
           "SimpleRecessive",
           "homozygous high-impact variant in a green BIALLELIC gene, both parents "
           "heterozygous carriers; AF_nfe 0.004 passes the recessive threshold 0.01 "
           "(it would fail the dominant 0.001)",
           population_af=_af(nfe=0.004)),
    Design("P3a", "BPD4", "frameshift_del", "compound_heterozygous", "T", "0", None, "Tier1",
           "CompoundHeterozygous",
           "paternal high-impact (frameshift) half of a compound heterozygote in a green "
           "BIALLELIC gene; the maternal half is P3b",
           population_af=_af(afr=0.002)),
    Design("P3b", "BPD4", "missense", "compound_heterozygous", "0", "T", None, "Tier2",
           "CompoundHeterozygous",
           "maternal moderate-impact (missense) half of a compound heterozygote in a green "
           "BIALLELIC gene; the paternal half is P3a; moderate impact gives Tier 2"),
    Design("P4", "BPDX1", "splice_acceptor", "x_linked_hemizygous", "0", "T", None, "Tier1",
           "XLinkedSimpleRecessive",
           "hemizygous high-impact (splice acceptor) variant in the son in a green X-LINKED "
           "gene (hemizygous in males, biallelic in females); mother a heterozygous carrier"),
    Design("P5", "MT-BPD1", "stop_gained", "mitochondrial", "0", "0", 1, "Tier1",
           "MitochondrialGenome",
           "homoplasmic high-impact variant in a green MITOCHONDRIAL gene, arisen in the "
           "proband's germline (absent from his mother)"),
    Design("P6", "BPD6", "splice_donor_5th_base", "clinvar_pathogenic", "T", "T", None,
           "Tier1", "SimpleRecessive",
           "homozygous ClinVar Pathogenic (criteria provided, multiple submitters, no "
           "conflicts) variant in a green BIALLELIC gene; low impact (donor +5) and AF_nfe "
           "0.012 above the recessive threshold, so only the known-pathogenic bypass tiers it",
           population_af=_af(nfe=0.012),
           clinvar=("Pathogenic", "criteria_provided,_multiple_submitters,_no_conflicts",
                    "BPD6-related_disorder")),
    Design("D1", "BPD2", "frameshift_ins", "decoy_unaffected_carrier", "T", "0", None, "none",
           "none",
           "high-impact variant in a green MONOALLELIC gene inherited from the unaffected "
           "father: fails complete-penetrance segregation (would be Tier 1 only under "
           "incomplete penetrance, which is not the default)"),
    Design("D2", "BPD5", "splice_donor", "decoy_single_het_recessive", "0", "T", None, "none",
           "none",
           "a single heterozygous high-impact variant in a green BIALLELIC gene is not tiered "
           "(no second qualifying variant in BPD5)"),
    Design("D3", "BPD7", "missense", "decoy_population_af", "T", "T", None, "none",
           "SimpleRecessive",
           "homozygous missense in a green BIALLELIC gene but population AF 0.02 exceeds the "
           "recessive threshold 0.01 (a ClinVar Pathogenic record exists at this position "
           "for a different ALT allele: it must not be applied)",
           population_af=_af(afr=0.02, amr=0.02, asj=0.02, eas=0.02, fin=0.02, nfe=0.02,
                             sas=0.02, ami=0.02, mid=0.02)),
    Design("D4", "BPD1", "stop_gained", "decoy_non_pass", "0", "0", None, "none", "deNovo",
           "sequencing artefact: alt bases in ~15% of the proband's reads, all on the forward "
           "strand, none in the parents; a caller must emit it as non-PASS (low allele "
           "fraction, strand bias, low quality) or not at all",
           artefact=True),
    Design("D5", "BPD9", "synonymous", "decoy_clinvar_benign", "T", "T", None, "none",
           "SimpleRecessive",
           "homozygous synonymous (low impact) variant in a green BIALLELIC gene, ClinVar "
           "Benign: benign assertions do not qualify for the known-pathogenic bypass",
           clinvar=("Benign", "criteria_provided,_multiple_submitters,_no_conflicts",
                    "not_specified")),
    Design("D6", "BPD8", "stop_gained", "decoy_off_panel", "0", "0", 0, "Tier3", "deNovo",
           "de novo high-impact, ClinVar Pathogenic variant in a gene that is not on the "
           "applied panel: may reach Tier 3 only",
           clinvar=("Pathogenic", "criteria_provided,_single_submitter",
                    "BPD8-related_disorder")),
    Design("D7", "BPD2", "missense", "decoy_population_specific_af", "0", "0", 1, "none",
           "deNovo",
           "de novo missense in a green MONOALLELIC gene but AF_asj 0.004 exceeds the dominant "
           "ASJ threshold 0.003, although the global AF (~0.00009) is below 0.001",
           population_af=_af(asj=0.004)),
)

CONSEQUENCES = {
    "missense": "missense_variant", "stop_gained": "stop_gained",
    "synonymous": "synonymous_variant", "frameshift_del": "frameshift_variant",
    "frameshift_ins": "frameshift_variant", "splice_donor": "splice_donor_variant",
    "splice_acceptor": "splice_acceptor_variant",
    "splice_donor_5th_base": "splice_donor_5th_base_variant",
}
SO_TERMS = {
    "missense_variant": "SO:0001583", "stop_gained": "SO:0001587",
    "synonymous_variant": "SO:0001819", "frameshift_variant": "SO:0001589",
    "splice_donor_variant": "SO:0001575", "splice_acceptor_variant": "SO:0001574",
    "splice_donor_5th_base_variant": "SO:0001787",
}


def place_design(rng: np.random.Generator, genome: Genome, sites: Sites,
                 design: Design) -> tuple[int, str, str, str]:
    """Genomic (pos, ref, alt, protein change or '') of a design in its gene."""
    gene = genome.gene(design.gene)
    if design.change in ("missense", "stop_gained", "synonymous"):
        return codon_change(rng, genome, sites, gene, design.change)
    if design.change.startswith("frameshift"):
        pos, ref, alt = frameshift(rng, genome, sites, gene, design.change.split("_")[1])
        return pos, ref, alt, ""
    where, offset = {"splice_donor": ("donor", 1), "splice_acceptor": ("acceptor", 1),
                     "splice_donor_5th_base": ("donor", 5)}[design.change]
    pos, ref, alt = splice_site(genome, sites, rng, gene, where, offset)
    return pos, ref, alt, ""


# ------------------------------------------------------------------------------- the family

class _ClinVarIds:
    """Hands out VariationIDs and AlleleIDs in order (deterministic)."""

    def __init__(self) -> None:
        self.next = 900_001

    def entry(self, values: tuple[str, str, str], consequence: str) -> ClinVarEntry:
        number = self.next
        self.next += 1
        return ClinVarEntry(values[0], values[1], values[2], number, number + 1_000_000,
                            f"{SO_TERMS.get(consequence, 'SO:0001060')}|{consequence}")


@dataclass
class Family:
    """All variants of the trio plus the population-only sites, sorted."""

    variants: list[Variant]
    planted: list[Planted]
    population_only: list[Variant]  # in the population-AF file, carried by nobody
    clinvar_only: list[Variant]  # in the ClinVar file, carried by nobody
    transmission: Transmission

    def carried(self) -> list[Variant]:
        return sorted((v for v in self.variants if v.carried() or v.artefact),
                      key=lambda v: v.key)


def make_family(rng: np.random.Generator, genome: Genome) -> Family:
    transmission = Transmission.draw(rng)
    sites = Sites(genome)
    variants: list[Variant] = []
    planted: list[Planted] = []
    ids = _ClinVarIds()

    for design in DESIGNS:
        pos, ref, alt, change = place_design(rng, genome, sites, design)
        chrom = genome.gene(design.gene).chrom
        sites.take(chrom, pos, pos + len(ref) - 1, 50)
        consequence = CONSEQUENCES[design.change]
        alleles = _design_alleles(transmission, chrom, pos, design)
        variant = Variant(
            chrom, pos, ref, alt, alleles, "decoy" if design.label.startswith("D") else "planted",
            label=design.label, gene=design.gene,
            filter="Artefact" if design.artefact else "PASS", artefact=design.artefact,
            note=design.reason if design.artefact else "",
            population_af=design.population_af,
            clinvar=None if design.clinvar is None else ids.entry(design.clinvar, consequence),
        )
        variants.append(variant)
        planted.append(Planted(design.label, design.gene, design.kind,
                               consequence + (f" ({change})" if change else ""),
                               design.expected_tier, design.segregation, design.reason, variant))

    sites.block_exons(genome.genes)
    population_only: list[Variant] = []
    clinvar_only: list[Variant] = []
    variants.extend(_background(rng, genome, sites, transmission, population_only))
    population_only.extend(_traps(rng, genome, sites, planted, clinvar_only, ids))
    variants.sort(key=lambda v: v.key)
    population_only.sort(key=lambda v: v.key)
    clinvar_only.sort(key=lambda v: v.key)
    return Family(variants, planted, population_only, clinvar_only, transmission)


def _design_alleles(transmission: Transmission, chrom: str, pos: int,
                    design: Design) -> dict[str, Alleles]:
    father = parental_alleles(design.father, transmission.copy_from(FATHER, chrom, pos),
                              copies(FATHER, chrom, pos))
    mother = parental_alleles(design.mother, transmission.copy_from(MOTHER, chrom, pos),
                              copies(MOTHER, chrom, pos))
    proband = inherit(transmission, chrom, pos, father, mother)
    if design.de_novo is not None:
        values = list(proband)
        values[design.de_novo] = 1
        proband = (values[0], values[1])
    if design.artefact:  # not in any haplotype: the reads get it (see reads.ARTEFACT_*)
        proband = (None if proband[0] is None else 0, None if proband[1] is None else 0)
    return {PROBAND: proband, FATHER: father, MOTHER: mother}


# ---------------------------------------------------------------------------- background

_TRANSITION = {"A": "G", "G": "A", "C": "T", "T": "C"}


def _snv_alt(rng: np.random.Generator, ref: str) -> str:
    if rng.random() < 2 / 3:
        return _TRANSITION[ref]
    return str(rng.choice([b for b in "ACGT" if b not in (ref, _TRANSITION[ref])]))


def _draw_allele(rng: np.random.Generator, reference: np.ndarray, length: int,
                 indel_rate: float) -> tuple[int, str, str] | None:
    """A random SNV or left-aligned 1–6 bp indel: (pos, ref, alt), or None if unusable."""
    pos = int(rng.integers(80, length - 80))
    kind = rng.random()
    if kind >= indel_rate:
        ref = decode(reference[pos - 1:pos])
        return None if ref == "N" else (pos, ref, _snv_alt(rng, ref))
    size = int(rng.integers(1, 7))
    if kind < indel_rate / 2:  # deletion of reference[pos+1 .. pos+size] (1-based)
        while pos > 80 and reference[pos - 1] == reference[pos + size - 1]:
            pos -= 1
        ref = decode(reference[pos - 1:pos + size])
        return None if "N" in ref else (pos, ref, ref[0])
    inserted = "".join("ACGT"[int(b)] for b in rng.integers(0, 4, size=size))
    anchor = decode(reference[pos - 1:pos])
    while pos > 80 and anchor == inserted[-1]:
        inserted = anchor + inserted[:-1]
        pos -= 1
        anchor = decode(reference[pos - 1:pos])
    return None if anchor == "N" else (pos, anchor, anchor + inserted)


def _population_spread(rng: np.random.Generator, global_af: float) -> dict[str, float]:
    """Per-population AFs scattered around ``global_af``."""
    return {pop: float(np.clip(global_af * np.exp(rng.normal(0.0, 0.3)), 0.0, 0.95))
            for pop in POPULATIONS}


def _background(rng: np.random.Generator, genome: Genome, sites: Sites,
                transmission: Transmission, population_only: list[Variant]) -> list[Variant]:
    found: list[Variant] = []

    def add_site(chrom: str, indel_rate: float) -> tuple[int, str, str] | None:
        reference = genome.contigs[chrom]
        for _ in range(200):
            drawn = _draw_allele(rng, reference, LENGTHS[chrom], indel_rate)
            if drawn is None:
                continue
            pos, ref, _ = drawn
            if sites.free(chrom, pos, pos + len(ref) - 1, 12):
                sites.take(chrom, pos, pos + len(ref) - 1, 12)
                return drawn
        return None

    def family_variant(chrom: str, drawn: tuple[int, str, str], father: Alleles,
                       mother: Alleles, kind: str) -> Variant:
        pos, ref, alt = drawn
        proband = inherit(transmission, chrom, pos, father, mother)
        return Variant(chrom, pos, ref, alt, {PROBAND: proband, FATHER: father, MOTHER: mother},
                       kind)

    for chrom, length in CONTIGS:
        if chrom in ("chrY", "chrM"):
            continue
        # common sites: one per 200 bp on autosomes, one per 400 bp on chrX (dbSNP's common
        # variants, AF ≥ 1 %, lie about one per 300 bp of the human genome); parents in HWE.
        # This density gives family QC its >1,000 informative sites on a 350 kb autosome.
        common_every = 200 if chrom in ("chr1", "chr2") else 400
        for _ in range(length // common_every):
            drawn = add_site(chrom, 0.08)
            if drawn is None:
                continue
            pos = drawn[0]
            p = float(rng.uniform(0.06, 0.48))
            pops = _population_spread(rng, p)
            father = _hwe(rng, p, copies(FATHER, chrom, pos))
            mother = _hwe(rng, p, copies(MOTHER, chrom, pos))
            variant = family_variant(chrom, drawn, father, mother, "common")
            variant.population_af = pops
            if variant.carried():
                found.append(variant)
            else:
                population_only.append(variant)
        # rare private variants: one per 8 kb per parental copy
        for parent in (FATHER, MOTHER):
            for copy in (0, 1):
                for _ in range(length // 8_000):
                    drawn = add_site(chrom, 0.15)
                    if drawn is None:
                        continue
                    present = copies(parent, chrom, drawn[0])
                    if present[copy] is None:
                        sites.take(chrom, drawn[0], drawn[0], 0)
                        continue
                    values: list[int | None] = [None if p is None else 0 for p in present]
                    values[copy] = 1
                    alleles = (values[0], values[1])
                    other = FATHER if parent == MOTHER else MOTHER
                    zero = parental_alleles("0", None, copies(other, chrom, drawn[0]))
                    father = alleles if parent == FATHER else zero
                    mother = alleles if parent == MOTHER else zero
                    variant = family_variant(chrom, drawn, father, mother, "background")
                    if rng.random() < 0.3:
                        variant.population_af = _population_spread(
                            rng, float(10 ** rng.uniform(-5, -3.5)))
                    found.append(variant)
    # chrY: the father's Y, passed to his son
    for _ in range(LENGTHS["chrY"] // 5_000):
        drawn = add_site("chrY", 0.1)
        if drawn is not None:
            found.append(family_variant("chrY", drawn, (1, None), (None, None), "background"))
    # chrM: each parent's own homoplasmic haplogroup variants; the son has his mother's
    shared = [add_site("chrM", 0.0) for _ in range(3)]
    mother_only = [add_site("chrM", 0.05) for _ in range(9)]
    father_only = [add_site("chrM", 0.05) for _ in range(7)]
    for group, father_has, mother_has in ((shared, 1, 1), (mother_only, 0, 1),
                                          (father_only, 1, 0)):
        for drawn in group:
            if drawn is not None:
                found.append(family_variant("chrM", drawn, (None, father_has),
                                            (None, mother_has), "background"))
    return found


def _hwe(rng: np.random.Generator, p: float, present: Alleles) -> Alleles:
    values = [None if c is None else int(rng.random() < p) for c in present]
    return (values[0], values[1])


def _traps(rng: np.random.Generator, genome: Genome, sites: Sites, planted: list[Planted],
           clinvar_only: list[Variant], ids: _ClinVarIds) -> list[Variant]:
    """Records that annotation must match by allele, not position; and not-carried sites."""
    population: list[Variant] = []
    none: dict[str, Alleles] = {}
    by_label = {p.label: p.variant for p in planted}
    p1 = by_label["P1"]
    other = next(b for b in "ACGT" if b not in (p1.ref, p1.alt))
    population.append(Variant(p1.chrom, p1.pos, p1.ref, other, none, "trap", gene=p1.gene,
                              note="same position as P1, different ALT",
                              population_af=_af(afr=0.03, amr=0.03, asj=0.03, eas=0.03,
                                                fin=0.03, nfe=0.03, sas=0.03, ami=0.03,
                                                mid=0.03)))
    d3 = by_label["D3"]
    gene = genome.gene(d3.gene)
    table = _codon_table(gene)
    positions = coding_positions(gene, gene.canonical)
    index = positions.index(d3.pos)
    codon_pos = positions[index - index % 3:index - index % 3 + 3]
    codon = transcript_bases(genome.contigs[gene.chrom], gene, codon_pos)
    offset = codon_pos.index(d3.pos)
    d3_tx_alt = _genomic(d3.alt, gene)  # complement twice is identity
    d3_aa = table[codon[:offset] + d3_tx_alt + codon[offset + 1:]]
    for base in "ACGT":
        new = codon[:offset] + base + codon[offset + 1:]
        if base not in (codon[offset], d3_tx_alt) and table[new] not in (d3_aa, table[codon]):
            entry = ids.entry(("Pathogenic", "criteria_provided,_single_submitter",
                               "BPD7-related_disorder"),
                              "stop_gained" if table[new] == "*" else "missense_variant")
            clinvar_only.append(Variant(d3.chrom, d3.pos, d3.ref, _genomic(base, gene), none,
                                        "trap", gene=d3.gene,
                                        note="same position as D3, different ALT",
                                        clinvar=entry))
            break
    # rare population sites nobody in the family carries, some inside exons
    for chrom, length in CONTIGS:
        if chrom in ("chrY", "chrM"):
            continue
        reference = genome.contigs[chrom]
        for _ in range(length // 5_000):
            pos = int(rng.integers(100, length - 100))
            if not sites.free(chrom, pos, pos, 12, allow_blocked=True):
                continue
            ref = decode(reference[pos - 1:pos])
            if ref == "N":
                continue
            sites.take(chrom, pos, pos, 12)
            population.append(Variant(chrom, pos, ref, _snv_alt(rng, ref), none, "population",
                                      population_af=_population_spread(
                                          rng, float(10 ** rng.uniform(-5, -3)))))
    # ClinVar records in panel genes that nobody carries (realistic background of the file)
    for symbol, clnsig in (("BPD1", "Pathogenic"), ("BPD3", "Likely_pathogenic"),
                           ("BPD4", "Uncertain_significance"),
                           ("BPD5", "Conflicting_classifications_of_pathogenicity"),
                           ("BPDX1", "Pathogenic/Likely_pathogenic")):
        gene = genome.gene(symbol)
        pos, ref, alt, _ = codon_change(rng, genome, sites, gene, "missense")
        sites.take(gene.chrom, pos, pos, 12)
        entry = ids.entry((clnsig, "criteria_provided,_single_submitter",
                           f"{symbol}-related_disorder"), "missense_variant")
        clinvar_only.append(Variant(gene.chrom, pos, ref, alt, none, "clinvar", gene=symbol,
                                    clinvar=entry))
    return population

