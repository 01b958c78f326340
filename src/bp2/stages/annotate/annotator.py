"""Per-allele annotation: every transcript's consequence entry, as VEP's ``CSQ`` fields.

:class:`Annotator` holds the transcript index and a cache of spliced transcript sequences (the
called VCF is sorted, so a transcript's sequence is built once and dropped when the records have
passed it).  :func:`csq_entries` is the pure core: an allele → one :class:`CsqEntry` per
transcript within the flank, or a single ``intergenic_variant`` entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bp2.annotation import most_severe_impact, vep_allele
from bp2.stages.annotate.alleles import Allele
from bp2.stages.annotate.consequences import SpliceDefinition, effect
from bp2.stages.annotate.hgvs import hgvs_c, hgvs_p
from bp2.stages.annotate.transcripts import (
    SequenceSource,
    TranscriptIndex,
    TranscriptModel,
    TranscriptSequence,
    build_sequence,
)

IMPLEMENTS = ("SRS-200", "SRS-207")

CSQ_FIELDS = (
    "Allele", "Consequence", "IMPACT", "SYMBOL", "Gene", "Feature_type", "Feature", "BIOTYPE",
    "EXON", "INTRON", "HGVSc", "HGVSp", "cDNA_position", "CDS_position", "Protein_position",
    "Amino_acids", "Codons", "DISTANCE", "STRAND", "FLAGS", "CANONICAL", "HGNC_ID",
)

# VCF INFO values may not hold these; VEP writes them percent-encoded (``p.Leu5%3D``).
_ESCAPES = {"%": "%25", ";": "%3B", "=": "%3D", ",": "%2C", "|": "%7C", " ": "%20",
            "\t": "%09"}


def escape(value: str) -> str:
    return "".join(_ESCAPES.get(c, c) for c in value)


@dataclass(frozen=True)
class CsqEntry:
    """One allele × transcript (or the intergenic entry), field values unescaped."""

    allele: str
    terms: tuple[str, ...]
    transcript: TranscriptModel | None
    exon: str = ""
    intron: str = ""
    hgvsc: str = ""
    hgvsp: str = ""
    cdna_position: str = ""
    cds_position: str = ""
    protein_position: str = ""
    amino_acids: str = ""
    codons: str = ""
    distance: str = ""

    @property
    def impact(self) -> str:
        return most_severe_impact(self.terms).value

    def values(self) -> tuple[str, ...]:
        """Field values in :data:`CSQ_FIELDS` order."""
        tx = self.transcript
        flags = "" if tx is None else "&".join(
            flag for flag in ("cds_start_NF", "cds_end_NF") if flag in tx.tags)
        return (
            self.allele, "&".join(self.terms), self.impact,
            "" if tx is None else tx.symbol, "" if tx is None else tx.gene_id,
            "" if tx is None else "Transcript", "" if tx is None else tx.transcript_id,
            "" if tx is None else tx.biotype, self.exon, self.intron, self.hgvsc, self.hgvsp,
            self.cdna_position, self.cds_position, self.protein_position, self.amino_acids,
            self.codons, self.distance, "" if tx is None else str(tx.strand), flags,
            "YES" if tx is not None and tx.canonical else "",
            "" if tx is None or tx.hgnc_id is None else tx.hgnc_id,
        )

    def csq(self) -> str:
        return "|".join(escape(v) for v in self.values())


def csq_entries(allele: Allele, vcf_ref: str, vcf_alt: str,
                sequences: Sequence[TranscriptSequence], source: SequenceSource, *,
                flank: int, splice: SpliceDefinition) -> list[CsqEntry]:
    """The CSQ entries of one allele given the transcripts near it (in output order)."""
    shown = vep_allele(vcf_ref, [vcf_alt], 0)
    entries: list[CsqEntry] = []
    for seq in sequences:
        found = effect(seq, allele, distance=flank, splice=splice)
        if found is None:
            continue
        hgvsc = hgvsp = ""
        if found.within_transcript and "transcript_ablation" not in found.terms:
            hgvsc = hgvs_c(seq, allele, source) or ""
            if found.coding is not None:
                hgvsp = hgvs_p(seq, found.coding, found.terms) or ""
        entries.append(CsqEntry(
            allele=shown, terms=found.terms, transcript=seq.model, exon=found.exon,
            intron=found.intron, hgvsc=hgvsc, hgvsp=hgvsp, cdna_position=found.cdna_position,
            cds_position=found.cds_position, protein_position=found.protein_position,
            amino_acids=found.amino_acids, codons=found.codons,
            distance="" if found.distance is None else str(found.distance),
        ))
    if not entries:
        entries.append(CsqEntry(allele=shown, terms=("intergenic_variant",), transcript=None))
    return entries


class Annotator:
    """Annotates alleles of a position-sorted VCF against one gene model."""

    def __init__(self, models: Sequence[TranscriptModel], source: SequenceSource, *,
                 flank: int, splice: SpliceDefinition) -> None:
        self.index = TranscriptIndex(models, flank)
        self.source = source
        self.flank = flank
        self.splice = splice
        self._cache: dict[str, TranscriptSequence] = {}
        self._contig: str | None = None

    def sequence(self, model: TranscriptModel) -> TranscriptSequence:
        found = self._cache.get(model.transcript_id)
        if found is None:
            found = build_sequence(model, self.source)
            self._cache[model.transcript_id] = found
        return found

    def _evict(self, contig: str, pos: int) -> None:
        if contig != self._contig:
            self._cache.clear()
            self._contig = contig
            return
        if len(self._cache) > 256:
            stale = [tid for tid, seq in self._cache.items()
                     if seq.model.end + self.flank < pos]
            for tid in stale:
                del self._cache[tid]

    def annotate(self, contig: str, pos: int, ref: str, alt: str) -> list[CsqEntry]:
        allele = Allele.from_vcf(contig, pos, ref, alt)
        self._evict(contig, pos)
        low = min(allele.start, allele.end)
        high = max(allele.start, allele.end)
        models = list(self.index.near(contig, low, high))
        sequences = [self.sequence(m) for m in models]
        if allele.is_identity:
            return [CsqEntry(allele=vep_allele(ref, [alt], 0), terms=("sequence_variant",),
                             transcript=None)]
        return csq_entries(allele, ref, alt, sequences, self.source, flank=self.flank,
                           splice=self.splice)
