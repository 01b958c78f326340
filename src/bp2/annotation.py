"""The annotation contract: which INFO keys an annotated VCF carries, and how consequences are read.

The ``annotate`` stage writes, and the ``tier`` stage (and ``bp2 interpret`` on VCFs annotated
elsewhere) reads, these INFO keys:

==============================  =============================================================
INFO key                        meaning
==============================  =============================================================
``CSQ``                         Ensembl VEP per-transcript consequences; the field order is the
                                ``Format: a|b|...`` list in the header Description.  Fields used:
                                ``Allele Consequence IMPACT SYMBOL Gene Feature_type Feature
                                BIOTYPE HGVSc HGVSp`` and, when present, ``HGNC_ID CANONICAL``
``ANN``                         SnpEff consequences (the fixed 16-field ANN standard)
``BCSQ``                        bcftools csq consequences (``consequence|gene|transcript|
                                biotype[|strand|amino_acid_change|dna_change]``)
``gnomAD_AF``                   gnomAD allele frequency, all samples (Number=A)
``gnomAD_AF_<pop>``             gnomAD allele frequency in population ``<pop>`` (Number=A), for
                                ``<pop>`` in afr, amr, asj, eas, fin, nfe, sas, ami, mid — the
                                gnomAD INFO names (``AF_nfe``) with the prefix ``gnomAD_`` so
                                they cannot clash with the caller's own ``AF``
``INTERNAL_AF``                 allele frequency in the laboratory's own cohort (GEL's internal
                                dataset plays this role), Number=A
``CLNSIG``                      ClinVar clinical significance, as in ClinVar's VCF
                                (``Likely_pathogenic``, ``Pathogenic/Likely_pathogenic``)
``CLNREVSTAT``                  ClinVar review status, as in ClinVar's VCF
                                (``criteria_provided,_single_submitter``)
==============================  =============================================================

A missing frequency value means "not seen" (GEL counts a missing AF as 0).  The annotate stage
records the gnomAD release in the header Description of each ``gnomAD_*`` line.

Consequence terms are Sequence Ontology (SO) terms.  :data:`SO_TERMS` is Ensembl's published
table of the terms VEP assigns with their SO accession and IMPACT class ("Calculated variant
consequences", https://www.ensembl.org/info/genome/variation/prediction/predicted_data.html).
SnpEff and bcftools csq name a few consequences differently; :data:`TERM_ALIASES` maps each such
name to the Ensembl term of the same meaning, and :data:`SNPEFF_ONLY_TERMS` gives the class
SnpEff documents for the few SnpEff terms without an Ensembl equivalent.  An unknown term is an
error, never silently ignored.

Everything here is pure: functions over header descriptions and INFO value strings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

IMPLEMENTS = ("SRS-226", "SRS-227")

CSQ_KEY = "CSQ"
ANN_KEY = "ANN"
BCSQ_KEY = "BCSQ"
CONSEQUENCE_KEYS = (CSQ_KEY, ANN_KEY, BCSQ_KEY)  # preference order when several are present

GNOMAD_PREFIX = "gnomAD_"
POPULATIONS = ("afr", "amr", "asj", "eas", "fin", "nfe", "sas", "ami", "mid")
INTERNAL_AF_KEY = "INTERNAL_AF"
CLINVAR_SIGNIFICANCE_KEY = "CLNSIG"
CLINVAR_REVIEW_STATUS_KEY = "CLNREVSTAT"


def population_af_key(population: str | None = None) -> str:
    """The INFO key of gnomAD's allele frequency, overall (None) or in one population."""
    if population is None:
        return f"{GNOMAD_PREFIX}AF"
    if population not in POPULATIONS:
        raise ValueError(f"unknown gnomAD population '{population}'")
    return f"{GNOMAD_PREFIX}AF_{population}"


POPULATION_AF_KEYS: tuple[str, ...] = tuple(population_af_key(p) for p in POPULATIONS)


class Impact(StrEnum):
    """VEP/SnpEff impact classes, most severe first."""

    HIGH = "HIGH"
    MODERATE = "MODERATE"
    LOW = "LOW"
    MODIFIER = "MODIFIER"

    @property
    def rank(self) -> int:
        """0 for HIGH … 3 for MODIFIER (lower is more severe)."""
        return _IMPACT_ORDER.index(self)


_IMPACT_ORDER = (Impact.HIGH, Impact.MODERATE, Impact.LOW, Impact.MODIFIER)


@dataclass(frozen=True)
class SoTerm:
    accession: str
    impact: Impact


_H, _M, _L, _X = Impact.HIGH, Impact.MODERATE, Impact.LOW, Impact.MODIFIER

# Ensembl's table, in Ensembl's severity order (most severe first).
SO_TERMS: Mapping[str, SoTerm] = {
    "transcript_ablation": SoTerm("SO:0001893", _H),
    "splice_acceptor_variant": SoTerm("SO:0001574", _H),
    "splice_donor_variant": SoTerm("SO:0001575", _H),
    "stop_gained": SoTerm("SO:0001587", _H),
    "frameshift_variant": SoTerm("SO:0001589", _H),
    "stop_lost": SoTerm("SO:0001578", _H),
    "start_lost": SoTerm("SO:0002012", _H),
    "transcript_amplification": SoTerm("SO:0001889", _H),
    "feature_elongation": SoTerm("SO:0001907", _H),
    "feature_truncation": SoTerm("SO:0001906", _H),
    "inframe_insertion": SoTerm("SO:0001821", _M),
    "inframe_deletion": SoTerm("SO:0001822", _M),
    "missense_variant": SoTerm("SO:0001583", _M),
    "protein_altering_variant": SoTerm("SO:0001818", _M),
    "splice_donor_5th_base_variant": SoTerm("SO:0001787", _L),
    "splice_region_variant": SoTerm("SO:0001630", _L),
    "splice_donor_region_variant": SoTerm("SO:0002170", _L),
    "splice_polypyrimidine_tract_variant": SoTerm("SO:0002169", _L),
    "incomplete_terminal_codon_variant": SoTerm("SO:0001626", _L),
    "start_retained_variant": SoTerm("SO:0002019", _L),
    "stop_retained_variant": SoTerm("SO:0001567", _L),
    "synonymous_variant": SoTerm("SO:0001819", _L),
    "coding_sequence_variant": SoTerm("SO:0001580", _X),
    "mature_miRNA_variant": SoTerm("SO:0001620", _X),
    "5_prime_UTR_variant": SoTerm("SO:0001623", _X),
    "3_prime_UTR_variant": SoTerm("SO:0001624", _X),
    "non_coding_transcript_exon_variant": SoTerm("SO:0001792", _X),
    "intron_variant": SoTerm("SO:0001627", _X),
    "NMD_transcript_variant": SoTerm("SO:0001621", _X),
    "non_coding_transcript_variant": SoTerm("SO:0001619", _X),
    "coding_transcript_variant": SoTerm("SO:0001968", _X),
    "upstream_gene_variant": SoTerm("SO:0001631", _X),
    "downstream_gene_variant": SoTerm("SO:0001632", _X),
    "TFBS_ablation": SoTerm("SO:0001895", _X),
    "TFBS_amplification": SoTerm("SO:0001892", _X),
    "TF_binding_site_variant": SoTerm("SO:0001782", _X),
    "regulatory_region_ablation": SoTerm("SO:0001894", _X),
    "regulatory_region_amplification": SoTerm("SO:0001891", _X),
    "regulatory_region_variant": SoTerm("SO:0001566", _X),
    "intergenic_variant": SoTerm("SO:0001628", _X),
    "sequence_variant": SoTerm("SO:0001060", _X),
}

# Names SnpEff (ANN) and bcftools csq (BCSQ) use for consequences Ensembl names otherwise.
TERM_ALIASES: Mapping[str, str] = {
    # SnpEff
    "conservative_inframe_insertion": "inframe_insertion",
    "disruptive_inframe_insertion": "inframe_insertion",
    "conservative_inframe_deletion": "inframe_deletion",
    "disruptive_inframe_deletion": "inframe_deletion",
    "start_retained": "start_retained_variant",
    "initiator_codon_variant": "start_retained_variant",
    "non_coding_exon_variant": "non_coding_transcript_exon_variant",
    "intergenic_region": "intergenic_variant",
    "splice_region": "splice_region_variant",
    # bcftools csq
    "intergenic": "intergenic_variant",
    "intron": "intron_variant",
    "splice_acceptor": "splice_acceptor_variant",
    "splice_donor": "splice_donor_variant",
    "5_prime_utr": "5_prime_UTR_variant",
    "3_prime_utr": "3_prime_UTR_variant",
    "non_coding": "non_coding_transcript_variant",
    "synonymous": "synonymous_variant",
    "stop_retained": "stop_retained_variant",
    "missense": "missense_variant",
    "inframe_altering": "protein_altering_variant",
    "frameshift": "frameshift_variant",
    "coding_sequence": "coding_sequence_variant",
}

# SnpEff terms without an Ensembl equivalent, with the impact SnpEff documents for them.
SNPEFF_ONLY_TERMS: Mapping[str, Impact] = {
    "exon_loss_variant": _H,
    "rare_amino_acid_variant": _H,
    "gene_fusion": _H,
    "bidirectional_gene_fusion": _H,
    "chromosome_number_variation": _H,
    "structural_interaction_variant": _H,
    "protein_protein_contact": _H,
    "5_prime_UTR_premature_start_codon_gain_variant": _L,
    "5_prime_UTR_truncation": _M,
    "3_prime_UTR_truncation": _M,
    "exon_variant": _X,
    "gene_variant": _X,
    "transcript_variant": _X,
    "intragenic_variant": _X,
    "conserved_intron_variant": _X,
    "conserved_intergenic_variant": _X,
    "sequence_feature": _X,
    "miRNA": _X,
}


class AnnotationFormatError(ValueError):
    """An annotation value or header that does not follow its format (the caller adds where)."""


def normalise_term(term: str) -> str:
    """The Ensembl SO term for a consequence name from VEP, SnpEff or bcftools csq."""
    name = term.strip()
    if name in SO_TERMS or name in SNPEFF_ONLY_TERMS:
        return name
    if name in TERM_ALIASES:
        return TERM_ALIASES[name]
    raise AnnotationFormatError(
        f"unknown consequence term '{name}' (not in Ensembl's SO consequence table nor a known "
        "SnpEff/bcftools name)"
    )


def term_impact(term: str) -> Impact:
    """The impact class of one (normalised) consequence term."""
    if term in SO_TERMS:
        return SO_TERMS[term].impact
    if term in SNPEFF_ONLY_TERMS:
        return SNPEFF_ONLY_TERMS[term]
    return term_impact(normalise_term(term))


def most_severe_impact(terms: Iterable[str]) -> Impact:
    impacts = [term_impact(t) for t in terms]
    if not impacts:
        return Impact.MODIFIER
    return min(impacts, key=lambda i: i.rank)


@dataclass(frozen=True)
class TranscriptConsequence:
    """One allele's consequence on one transcript (or feature), from any of the three formats."""

    source: str  # CSQ, ANN or BCSQ
    allele: str  # the allele as the annotator wrote it ("" when the format has none: BCSQ)
    terms: tuple[str, ...]  # Ensembl SO terms
    impact: Impact  # the most severe class of ``terms`` (from the table, not the tool's column)
    symbol: str | None
    gene_id: str | None  # Ensembl gene ID without version
    hgnc_id: str | None  # "HGNC:1234"
    transcript: str | None
    biotype: str | None
    hgvsc: str | None
    hgvsp: str | None
    canonical: bool = False

    @property
    def gene_key(self) -> str | None:
        """What identifies the gene: the Ensembl gene ID, else the HGNC ID, else the symbol."""
        return self.gene_id or self.hgnc_id or self.symbol


_FORMAT = re.compile(r"Format:\s*'?\s*([^'\"]+?)\s*'?\s*\"?\s*$")


def header_format_fields(description: str) -> tuple[str, ...]:
    """The ``|``-separated field names after ``Format:`` in a CSQ/ANN header Description."""
    match = _FORMAT.search(description.strip())
    if match is None:
        raise AnnotationFormatError(
            f"the header Description has no 'Format: a|b|…' field list: {description[:120]!r}"
        )
    fields = tuple(f.strip() for f in match.group(1).split("|"))
    if len(fields) < 2 or any(not f for f in fields):
        raise AnnotationFormatError(f"malformed Format field list: {match.group(1)[:120]!r}")
    return fields


ANN_STANDARD_FIELDS = (
    "Allele", "Annotation", "Annotation_Impact", "Gene_Name", "Gene_ID", "Feature_Type",
    "Feature_ID", "Transcript_BioType", "Rank", "HGVS.c", "HGVS.p", "cDNA.pos / cDNA.length",
    "CDS.pos / CDS.length", "AA.pos / AA.length", "Distance", "ERRORS / WARNINGS / INFO",
)

CSQ_REQUIRED = ("Allele", "Consequence", "SYMBOL", "Gene", "Feature", "BIOTYPE", "HGVSc", "HGVSp")


def _blank(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    return None if text in ("", ".") else text


def _unversioned(identifier: str | None) -> str | None:
    if not identifier:
        return None
    if identifier.startswith(("ENSG", "ENST")) and "." in identifier:
        return identifier.split(".", 1)[0]
    return identifier


def _hgnc(value: str | None) -> str | None:
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return f"HGNC:{text}"
    if text.upper().startswith("HGNC:") and text[5:].isdigit():
        return f"HGNC:{text[5:]}"
    return None


def _terms(text: str) -> tuple[str, ...]:
    parts = [p for p in text.split("&") if p.strip()]
    if not parts:
        raise AnnotationFormatError("an annotation entry has an empty consequence")
    seen: list[str] = []
    for part in parts:
        term = normalise_term(part)
        if term not in seen:
            seen.append(term)
    return tuple(seen)


def parse_csq(entries: Iterable[str], fields: Sequence[str]) -> list[TranscriptConsequence]:
    """Parse VEP ``CSQ`` entries (one string per transcript) with the header's field list."""
    missing = [f for f in CSQ_REQUIRED if f not in fields]
    if missing:
        raise AnnotationFormatError(
            f"the CSQ header lacks field(s) {', '.join(missing)}; run VEP with --hgvs --symbol"
        )
    index = {name: i for i, name in enumerate(fields)}
    result = []
    for entry in entries:
        values = entry.split("|")
        if len(values) != len(fields):
            raise AnnotationFormatError(
                f"a CSQ entry has {len(values)} fields but the header declares {len(fields)}"
            )

        def get(name: str, _values: list[str] = values) -> str | None:
            return _blank(_values[index[name]]) if name in index else None

        terms = _terms(values[index["Consequence"]])
        gene = get("Gene")
        result.append(
            TranscriptConsequence(
                source=CSQ_KEY,
                allele=values[index["Allele"]].strip(),
                terms=terms,
                impact=most_severe_impact(terms),
                symbol=get("SYMBOL"),
                gene_id=_unversioned(gene) if gene and gene.startswith("ENSG") else None,
                hgnc_id=_hgnc(get("HGNC_ID")),
                transcript=_unversioned(get("Feature")),
                biotype=get("BIOTYPE"),
                hgvsc=get("HGVSc"),
                hgvsp=get("HGVSp"),
                canonical=(get("CANONICAL") or "").upper() == "YES",
            )
        )
    return result


def parse_ann(entries: Iterable[str], fields: Sequence[str] = ANN_STANDARD_FIELDS
              ) -> list[TranscriptConsequence]:
    """Parse SnpEff ``ANN`` entries (the 16-field ANN standard)."""
    if tuple(fields[:11]) != ANN_STANDARD_FIELDS[:11]:
        raise AnnotationFormatError(
            "the ANN header does not follow the ANN standard (Allele | Annotation | "
            "Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | "
            "Transcript_BioType | Rank | HGVS.c | HGVS.p | …)"
        )
    result = []
    for entry in entries:
        values = [v.strip() for v in entry.split("|")]
        if len(values) < 11:
            raise AnnotationFormatError(
                f"an ANN entry has {len(values)} fields; the ANN standard has 16"
            )
        terms = _terms(values[1])
        gene_id = _blank(values[4])
        result.append(
            TranscriptConsequence(
                source=ANN_KEY,
                allele=values[0],
                terms=terms,
                impact=most_severe_impact(terms),
                symbol=_blank(values[3]),
                gene_id=_unversioned(gene_id) if gene_id and gene_id.startswith("ENSG") else None,
                hgnc_id=None,
                transcript=_unversioned(_blank(values[6])),
                biotype=_blank(values[7]),
                hgvsc=_blank(values[9]),
                hgvsp=_blank(values[10]),
            )
        )
    return result


def parse_bcsq(entries: Iterable[str]) -> list[TranscriptConsequence]:
    """Parse bcftools csq ``BCSQ`` entries.

    A leading ``*`` (a consequence computed from the haplotype) is dropped; an ``@POS`` entry
    points to the record that holds a joint consequence and carries none itself.  BCSQ has no
    allele field, no gene ID and no HGVS.
    """
    result = []
    for entry in entries:
        text = entry.strip()
        if not text or text == "." or text.startswith("@"):
            continue
        values = text.lstrip("*").split("|")
        if len(values) < 1 or not values[0]:
            raise AnnotationFormatError(f"malformed BCSQ entry {text[:80]!r}")
        terms = _terms(values[0])
        result.append(
            TranscriptConsequence(
                source=BCSQ_KEY,
                allele="",
                terms=terms,
                impact=most_severe_impact(terms),
                symbol=_blank(values[1]) if len(values) > 1 else None,
                gene_id=None,
                hgnc_id=None,
                transcript=_unversioned(_blank(values[2])) if len(values) > 2 else None,
                biotype=_blank(values[3]) if len(values) > 3 else None,
                hgvsc=None,
                hgvsp=None,
            )
        )
    return result


def vep_allele(ref: str, alts: Sequence[str], index: int) -> str:
    """How VEP writes ALT ``index`` (0-based) in CSQ ``Allele``.

    When every allele of the record shares its first base (an indel in VCF style), VEP drops that
    base and writes an emptied allele as ``-``.
    """
    alleles = [ref, *alts]
    if all(len(a) > 0 for a in alleles) and len({a[0] for a in alleles}) == 1 and any(
        len(a) != len(ref) for a in alts
    ):
        trimmed = alts[index][1:]
        return trimmed or "-"
    return alts[index]


def consequences_for_allele(
    consequences: Sequence[TranscriptConsequence], ref: str, alts: Sequence[str], index: int
) -> list[TranscriptConsequence]:
    """The consequences that belong to ALT ``index`` of a record.

    With one ALT every entry belongs to it.  With several, an entry belongs to the ALT whose
    spelling (as written, or as VEP trims it) equals its allele field; BCSQ, which has no allele
    field, applies to every ALT of a multi-allelic record.
    """
    if len(alts) == 1:
        return list(consequences)
    wanted = {alts[index], vep_allele(ref, alts, index)}
    chosen = [c for c in consequences if c.source == BCSQ_KEY or c.allele in wanted]
    unmatched = [
        c.allele
        for c in consequences
        if c.source != BCSQ_KEY
        and not any(c.allele in {a, vep_allele(ref, alts, i)} for i, a in enumerate(alts))
    ]
    if unmatched:
        raise AnnotationFormatError(
            f"consequence allele(s) {', '.join(sorted(set(unmatched)))} match no ALT allele of "
            f"{ref}>{','.join(alts)}"
        )
    return chosen


def significance_terms(values: Iterable[str]) -> tuple[str, ...]:
    """ClinVar CLNSIG split into terms: ``Pathogenic/Likely_pathogenic`` → both, ``_`` kept."""
    text = ",".join(values)
    parts = re.split(r"[/|,]", text)
    return tuple(p.strip().lstrip("_") for p in parts if p.strip().lstrip("_"))


def review_status_text(values: Iterable[str]) -> str:
    """ClinVar CLNREVSTAT as words: ``criteria_provided,_single_submitter`` →
    ``criteria provided, single submitter`` (lower case)."""
    text = ",".join(values).replace("_", " ")
    text = re.sub(r"\s*,\s*", ", ", text)
    return re.sub(r"\s+", " ", text).strip().lower()
