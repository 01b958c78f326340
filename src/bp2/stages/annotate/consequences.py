"""Sequence Ontology consequences of one allele on one transcript.

The rules follow the predicates of Ensembl VEP (``Bio::EnsEMBL::Variation::Utils::
VariationEffect`` and the splice-site rules of its transcript-variation code), re-implemented
here over :class:`~.transcripts.TranscriptSequence` and :class:`~.alleles.Allele`:

* **Outside the transcript**: ``upstream_gene_variant`` / ``downstream_gene_variant`` within
  ``distance`` bases (5,000 by default) of its 5' / 3' end, with DISTANCE.
* **Transcript ablation**: a deletion covering the whole transcript (reported alone).
* **Splice sites** (introns in transcript orientation): ``splice_donor_variant`` /
  ``splice_acceptor_variant`` at intron bases 1–2 from the donor / acceptor end;
  ``splice_donor_5th_base_variant`` at donor base 5; ``splice_donor_region_variant`` at donor
  bases 3, 4 and 6; ``splice_polypyrimidine_tract_variant`` at acceptor bases 3–17;
  ``splice_region_variant`` within ``exon_bases`` (3) bases of the exon or intron bases
  ``intron_min``–``intron_max`` (3–8) from either end, and for insertions at an exon–intron
  junction, except where a canonical splice site, the donor 5th base or the donor region already
  applies (VEP ≥ 105).  ``intron_variant`` needs a base past intron base 2 from either end.
* **Insertions at an exon–intron junction** (bp2's reading; VEP's is not documented): the
  splice dinucleotide stays intact, so the inserted bases join the exon — they get the exon's
  coding or UTR consequence beside ``splice_region_variant``.
* **Non-coding transcripts**: ``non_coding_transcript_exon_variant`` in an exon, else
  ``non_coding_transcript_variant``.
* **Coding transcripts**: ``5_prime_UTR_variant`` / ``3_prime_UTR_variant`` for an exonic allele
  5' / 3' of the coding region (VEP's genomic test); inside the CDS, the codons and peptides
  the allele changes decide ``start_lost``, ``start_retained_variant``, ``stop_gained``,
  ``stop_lost``, ``stop_retained_variant``, ``frameshift_variant``, ``inframe_insertion``,
  ``inframe_deletion``, ``missense_variant``, ``protein_altering_variant``,
  ``synonymous_variant``, ``incomplete_terminal_codon_variant`` and, when the change cannot be
  read as codons (it spans an exon boundary or the CDS edge), ``coding_sequence_variant``.
* ``NMD_transcript_variant`` is added on ``nonsense_mediated_decay`` transcripts.

Terms are returned in Ensembl's severity order (:data:`bp2.annotation.SO_TERMS`).  VEP's
``mature_miRNA_variant`` needs miRNA attributes a GTF does not carry and is not assigned.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from bp2.annotation import SO_TERMS
from bp2.stages.annotate.alleles import Allele
from bp2.stages.annotate.codons import revcomp, translate
from bp2.stages.annotate.transcripts import TranscriptSequence

IMPLEMENTS = ("SRS-200", "SRS-201", "SRS-202")

_ORDER = {term: index for index, term in enumerate(SO_TERMS)}


@dataclass(frozen=True)
class SpliceDefinition:
    """VEP's splice region: 1–3 bases into the exon, 3–8 bases into the intron."""

    exon_bases: int = 3
    intron_min: int = 3
    intron_max: int = 8


@dataclass(frozen=True)
class CodingChange:
    """An allele read as a change of codons (transcript orientation, CDS positions 1-based)."""

    cds_start: int  # first changed CDS base (for an insertion: the base after it)
    cds_end: int  # last changed CDS base (for an insertion: cds_start - 1)
    codon_first: int  # 0-based index of the first codon touched
    codon_last: int  # 0-based index of the last codon touched (codon_first - 1: none)
    ref_codons: str
    alt_codons: str
    ref_peptide: str
    alt_peptide: str
    frameshift: bool
    partial: bool  # the last codon touched is incomplete (CDS length not a multiple of 3)
    tx_ref: str  # changed bases, transcript orientation
    tx_alt: str


@dataclass(frozen=True)
class Effect:
    """One allele on one transcript: terms and VEP's positional fields."""

    terms: tuple[str, ...]
    exon: str = ""
    intron: str = ""
    cdna_position: str = ""
    cds_position: str = ""
    protein_position: str = ""
    amino_acids: str = ""
    codons: str = ""
    distance: int | None = None
    coding: CodingChange | None = None

    @property
    def within_transcript(self) -> bool:
        return self.distance is None


def order_terms(terms: set[str]) -> tuple[str, ...]:
    return tuple(sorted(terms, key=lambda t: _ORDER[t]))


def _overlap(start: int, end: int, low: int, high: int) -> bool:
    return end >= low and start <= high


def _span_text(first: int | None, last: int | None) -> str:
    if first is None and last is None:
        return ""
    if first == last:
        return str(first)
    return f"{'?' if first is None else first}-{'?' if last is None else last}"


def _numbers_text(numbers: list[int], total: int) -> str:
    if not numbers:
        return ""
    low, high = min(numbers), max(numbers)
    return f"{low}/{total}" if low == high else f"{low}-{high}/{total}"


# --- splice sites and introns -------------------------------------------------------------------


@dataclass
class _IntronFlags:
    intronic: bool = False
    splice_region: bool = False
    donor: bool = False
    acceptor: bool = False
    donor_5th_base: bool = False
    donor_region: bool = False
    polypyrimidine: bool = False


def _intron_flags(seq: TranscriptSequence, allele: Allele, splice: SpliceDefinition
                  ) -> tuple[_IntronFlags, list[int]]:
    flags = _IntronFlags()
    numbers: list[int] = []
    start, end, insertion = allele.start, allele.end, allele.is_insertion
    plus = seq.model.strand > 0
    low_in, high_in = splice.intron_min - 1, splice.intron_max - 1
    for number, (i_start, i_end) in seq.model.introns():
        if _overlap(start, end, i_start, i_end) or (insertion and (start == i_start
                                                                    or end == i_end)):
            numbers.append(number)
        if _overlap(start, end, i_start + 2, i_end - 2) or (
                insertion and (start == i_start + 2 or end == i_end - 2)):
            flags.intronic = True
        if (_overlap(start, end, i_start + low_in, i_start + high_in)
                or _overlap(start, end, i_end - high_in, i_end - low_in)
                or _overlap(start, end, i_start - splice.exon_bases, i_start - 1)
                or _overlap(start, end, i_end + 1, i_end + splice.exon_bases)
                or (insertion and (start in (i_start, i_start + low_in)
                                   or end in (i_end, i_end - low_in)))):
            flags.splice_region = True
        at_start = _overlap(start, end, i_start, i_start + 1)
        at_end = _overlap(start, end, i_end - 1, i_end)
        flags.donor |= at_start if plus else at_end
        flags.acceptor |= at_end if plus else at_start
        if plus:
            fifth = _overlap(start, end, i_start + 4, i_start + 4)
            region = _overlap(start, end, i_start + 2, i_start + 5)
            tract = _overlap(start, end, i_end - 16, i_end - 2)
        else:
            fifth = _overlap(start, end, i_end - 4, i_end - 4)
            region = _overlap(start, end, i_end - 5, i_end - 2)
            tract = _overlap(start, end, i_start + 2, i_start + 16)
        flags.donor_5th_base |= fifth
        flags.donor_region |= region and not fifth
        flags.polypyrimidine |= tract
    return flags, numbers


def _splice_terms(flags: _IntronFlags) -> set[str]:
    terms: set[str] = set()
    if flags.donor:
        terms.add("splice_donor_variant")
    if flags.acceptor:
        terms.add("splice_acceptor_variant")
    canonical = flags.donor or flags.acceptor
    if flags.donor_5th_base and not canonical:
        terms.add("splice_donor_5th_base_variant")
    elif flags.donor_region and not canonical:
        terms.add("splice_donor_region_variant")
    if flags.polypyrimidine and not canonical:
        terms.add("splice_polypyrimidine_tract_variant")
    if (flags.splice_region and not canonical and not flags.donor_5th_base
            and not flags.donor_region):
        terms.add("splice_region_variant")
    if flags.intronic:
        terms.add("intron_variant")
    return terms


# --- exons, cDNA and CDS --------------------------------------------------------------------------


def _flanks(allele: Allele) -> list[int]:
    """The genome positions an allele touches: its reference bases, or an insertion's flanks."""
    if allele.is_insertion:
        return [allele.start - 1, allele.start]
    return list(range(allele.start, allele.end + 1))


def _five_to_three(seq: TranscriptSequence, positions: list[int]) -> list[int]:
    return positions if seq.model.strand > 0 else positions[::-1]


def insertion_cdna(seq: TranscriptSequence, allele: Allele) -> tuple[int, int] | None:
    """The cDNA positions (5', 3') an insertion falls between, or None outside the cDNA.

    An insertion at an exon–intron junction leaves the splice site's dinucleotide intact, so
    the inserted bases join the exon: between the exon's last base and the next exon's first
    base at a donor, between the previous exon's last base and the exon's first base at an
    acceptor.
    """
    five, three = _five_to_three(seq, _flanks(allele))
    c5, c3 = seq.cdna_position(five), seq.cdna_position(three)
    if c5 is not None and c3 is not None:
        return c5, c3
    if c5 is not None and seq.locate(three).kind == "intron":
        return c5, c5 + 1
    if c3 is not None and seq.locate(five).kind == "intron":
        return c3 - 1, c3
    return None


def coding_change(seq: TranscriptSequence, allele: Allele) -> CodingChange | None:
    """The allele as a change of codons, when all of it lies inside the coding exonic sequence
    (an insertion: between two coding bases of the cDNA); None otherwise."""
    if not seq.is_coding:
        return None
    if allele.is_insertion:
        flanks = insertion_cdna(seq, allele)
        cdnas: list[int | None] = [None, None] if flanks is None else list(flanks)
    else:
        cdnas = [seq.cdna_position(p) for p in _five_to_three(seq, _flanks(allele))]
    cds_positions: list[int] = []
    for cdna in cdnas:
        position = None if cdna is None else seq.cds_position(cdna)
        if position is None:
            return None
        cds_positions.append(position)
    if any(b - a != 1 for a, b in itertools.pairwise(cds_positions)):
        return None  # not contiguous in the CDS (spans an intron)
    if allele.is_insertion:
        cds_start, cds_end = cds_positions[1], cds_positions[0]
    else:
        cds_start, cds_end = cds_positions[0], cds_positions[-1]
    plus = seq.model.strand > 0
    tx_ref = allele.ref if plus else revcomp(allele.ref)
    tx_alt = allele.alt if plus else revcomp(allele.alt)
    cds = seq.cds
    codon_first = (cds_start - 1) // 3
    codon_last = (cds_end - 1) // 3 if cds_end >= cds_start else codon_first - 1
    if allele.is_insertion and (cds_end % 3) != 0:
        codon_last = codon_first  # an insertion inside a codon changes that codon
    ref_codons = cds[3 * codon_first:3 * (codon_last + 1)]
    offset = cds_start - 1 - 3 * codon_first
    alt_codons = ref_codons[:offset] + tx_alt + ref_codons[offset + len(tx_ref):]
    partial = 3 * (codon_last + 1) > len(cds)
    frameshift = (len(tx_alt) - len(tx_ref)) % 3 != 0
    ref_peptide = translate(ref_codons, seq.model.code)
    alt_peptide = translate(alt_codons, seq.model.code) + ("X" if len(alt_codons) % 3 else "")
    return CodingChange(cds_start, cds_end, codon_first, codon_last, ref_codons, alt_codons,
                        ref_peptide, alt_peptide, frameshift, partial, tx_ref, tx_alt)


def _codons_text(change: CodingChange) -> str:
    offset = change.cds_start - 1 - 3 * change.codon_first

    def show(codons: str, length: int) -> str:
        if not codons:
            return "-"
        return (codons[:offset].lower() + codons[offset:offset + length].upper()
                + codons[offset + length:].lower())

    return (f"{show(change.ref_codons, len(change.tx_ref))}/"
            f"{show(change.alt_codons, len(change.tx_alt))}")


def _amino_acids_text(change: CodingChange) -> str:
    ref, alt = change.ref_peptide or "-", change.alt_peptide or "-"
    return ref if ref == alt else f"{ref}/{alt}"


def _protein_position(change: CodingChange) -> str:
    if change.codon_last < change.codon_first:  # insertion between two codons
        return f"{change.codon_first}-{change.codon_first + 1}"
    return _span_text(change.codon_first + 1, change.codon_last + 1)


# --- coding predicates (VEP) ----------------------------------------------------------------------


def _edit(sequence: str, start: int, length: int, replacement: str) -> str:
    return sequence[:start] + replacement + sequence[start + length:]


def _cdna_span(seq: TranscriptSequence, allele: Allele) -> tuple[int, int] | None:
    """cDNA span of an allele whose both ends are exonic (an insertion: its flanks)."""
    if allele.is_insertion:
        flanks = insertion_cdna(seq, allele)
        return None if flanks is None else (flanks[1], flanks[0])  # start > end, as in VEP
    ordered = _five_to_three(seq, _flanks(allele))
    first, last = seq.cdna_position(ordered[0]), seq.cdna_position(ordered[-1])
    if first is None or last is None:
        return None
    return first, last


def _boundary_terms(seq: TranscriptSequence, allele: Allele) -> set[str]:
    """Start/stop codon terms of an allele that touches the CDS but cannot be read as codons.

    When both ends of the allele are in the cDNA (it also covers UTR), VEP's test applies: edit
    the cDNA and check whether the start codon is still in place and a stop still ends the
    original CDS (``*_lost`` when not, ``*_retained_variant`` for a length change that keeps
    it).  When it also covers intron or lies across the transcript's end (VEP assigns nothing
    here), bp2 calls ``start_lost`` / ``stop_lost`` if it deletes a base of that codon.
    """
    model = seq.model
    if seq.coding_start is None or seq.coding_end is None:
        return set()
    terms: set[str] = set()
    start_bases = [seq.genome_position(c) for c in range(seq.coding_start, seq.coding_start + 3)]
    stop_bases = [seq.genome_position(c) for c in range(seq.coding_end - 2, seq.coding_end + 1)]
    span = _cdna_span(seq, allele)
    if span is None:
        if not allele.is_insertion:
            touches = [allele.start <= g <= allele.end for g in (*start_bases, *stop_bases)
                       if g is not None]
            if not model.cds_start_nf and any(touches[:3]):
                terms.add("start_lost")
            if not model.cds_end_nf and any(touches[3:]):
                terms.add("stop_lost")
        return terms
    low, high = span
    plus = model.strand > 0
    tx_alt = allele.alt if plus else revcomp(allele.alt)
    ref_length = max(0, high - low + 1)
    length_change = ref_length != len(tx_alt)
    cds = seq.cds
    if not model.cds_start_nf and _overlap(low, high, seq.coding_start, seq.coding_start + 2):
        edited = _edit(seq.utr5 + cds, low - 1 + seq.pad, ref_length, tx_alt)
        if len(edited) < len(cds) or edited[-len(cds):] != cds:
            terms.add("start_lost")
        elif length_change:
            terms.add("start_retained_variant")
    if not model.cds_end_nf and _overlap(low, high, seq.coding_end - 2, seq.coding_end):
        start_in_cds = low - seq.coding_start + seq.pad
        edited = _edit(cds + seq.utr3, max(0, start_in_cds), ref_length, tx_alt)
        if len(edited) < len(cds) or translate(edited[len(cds) - 3:len(cds)], model.code) != "*":
            terms.add("stop_lost")
        elif length_change:
            terms.add("stop_retained_variant")
    return terms


def _coding_terms(seq: TranscriptSequence, allele: Allele, change: CodingChange | None,
                  within_cds: bool) -> set[str]:
    model = seq.model
    if not within_cds:
        return set()
    if change is None:
        return _boundary_terms(seq, allele) or {"coding_sequence_variant"}
    cds = seq.cds
    length_change = len(change.tx_alt) != len(change.tx_ref)
    ref_pep, alt_pep = change.ref_peptide, change.alt_peptide

    overlaps_start = (not model.cds_start_nf
                      and _overlap(change.cds_start, change.cds_end, seq.pad + 1, seq.pad + 3))
    start_altered = False
    if overlaps_start and length_change:
        edited = _edit(seq.utr5 + cds, len(seq.utr5) + change.cds_start - 1, len(change.tx_ref),
                       change.tx_alt)
        start_altered = len(edited) < len(cds) or edited[-len(cds):] != cds
    overlaps_stop = (not model.cds_end_nf
                     and _overlap(change.cds_start, change.cds_end, len(cds) - 2, len(cds)))
    stop_altered = False
    if overlaps_stop and length_change:
        edited = _edit(cds + seq.utr3, change.cds_start - 1, len(change.tx_ref), change.tx_alt)
        stop_altered = (len(edited) < len(cds)
                        or translate(edited[len(cds) - 3:len(cds)], model.code) != "*")

    frameshift = change.frameshift and not change.partial
    codons_defined = not change.frameshift
    ref_codons, alt_codons = change.ref_codons, change.alt_codons
    start_retained = overlaps_start and length_change and not start_altered

    def inframe_insertion_core() -> bool:
        if not codons_defined or len(alt_codons) <= len(ref_codons):
            return False
        if start_retained and alt_pep.endswith(ref_pep):
            return False
        trimmed = alt_pep[:alt_pep.index("*") + 1] if "*" in alt_pep else alt_pep
        return trimmed.startswith(ref_pep) or trimmed.endswith(ref_pep)

    def inframe_deletion() -> bool:
        if change.partial or not codons_defined or len(alt_codons) >= len(ref_codons):
            return False
        if ref_codons.startswith(alt_codons) or ref_codons.endswith(alt_codons):
            return True
        ref_left, alt_left = ref_codons, alt_codons
        while ref_left and alt_left and ref_left[0] == alt_left[0]:
            ref_left, alt_left = ref_left[1:], alt_left[1:]
        while ref_left and alt_left and ref_left[-1] == alt_left[-1]:
            ref_left, alt_left = ref_left[:-1], alt_left[:-1]
        return not alt_left and len(ref_left) % 3 == 0

    if overlaps_start and start_altered and not (inframe_insertion_core() or inframe_deletion()):
        start_lost = True
    else:  # a length change that keeps ATG in place (start_retained) is not also a loss
        start_lost = (overlaps_start and not start_retained and bool(ref_pep)
                      and change.codon_first == 0 and not alt_pep.endswith(ref_pep)
                      and not alt_pep.startswith(ref_pep))

    if alt_pep:
        ends_in_stop = translate(cds[-3:], model.code) == "*"
        protein_length = len(cds) // 3 - (1 if ends_in_stop else 0)
        if not alt_pep.startswith("*"):
            stop_retained = False
        elif change.codon_first + 1 > protein_length and not ref_pep:
            stop_retained = True
        else:
            stop_retained = ref_pep.startswith("*")
    else:
        stop_retained = length_change and overlaps_stop and not stop_altered
    stop_gained = not stop_retained and "*" in alt_pep and "*" not in ref_pep
    stop_lost = "*" not in alt_pep and "*" in ref_pep and not stop_retained
    deletion = inframe_deletion()
    insertion = not start_lost and inframe_insertion_core()
    # VEP reads a frameshift's peptides (with X for the broken codon) only for stop gain/loss
    missense = (not frameshift and not start_lost and not stop_lost and not stop_gained
                and not change.partial and ref_pep != alt_pep and len(ref_pep) == len(alt_pep))
    synonymous = (bool(ref_pep) and alt_pep == ref_pep and not stop_retained
                  and "X" not in alt_pep and "X" not in ref_pep)
    protein_altering = (not frameshift and len(alt_pep) != len(ref_pep)
                        and not ref_pep.startswith("*") and not alt_pep.startswith("*")
                        and not (alt_pep.startswith(ref_pep) or alt_pep.endswith(ref_pep))
                        and not deletion and not start_lost)
    unknown = ("X" in alt_pep or "X" in ref_pep) and not (
        frameshift or deletion or protein_altering or start_retained or start_lost
        or stop_retained or stop_lost)

    named = {
        "start_lost": start_lost, "start_retained_variant": start_retained,
        "stop_gained": stop_gained, "stop_lost": stop_lost,
        "stop_retained_variant": stop_retained, "frameshift_variant": frameshift,
        "inframe_insertion": insertion, "inframe_deletion": deletion,
        "missense_variant": missense, "protein_altering_variant": protein_altering,
        "synonymous_variant": synonymous,
        "incomplete_terminal_codon_variant": change.partial,
        "coding_sequence_variant": unknown,
    }
    return {term for term, applies in named.items() if applies}


# --- the whole transcript -----------------------------------------------------------------------


def effect(seq: TranscriptSequence, allele: Allele, *, distance: int = 5000,
           splice: SpliceDefinition | None = None) -> Effect | None:
    """The consequences of ``allele`` on the transcript, or None when it lies more than
    ``distance`` bases away."""
    splice = splice or SpliceDefinition()
    model = seq.model
    start, end = allele.start, allele.end
    if not _overlap(start, end, model.start, model.end):
        before = model.start - distance <= end < model.start
        after = model.end < start <= model.end + distance
        if not before and not after:
            return None
        gap = model.start - end if before else start - model.end
        upstream = before if model.strand > 0 else after
        return Effect(("upstream_gene_variant" if upstream else "downstream_gene_variant",),
                      distance=gap)
    if allele.is_deletion and start <= model.start and end >= model.end:
        return Effect(("transcript_ablation",))

    flags, introns = _intron_flags(seq, allele, splice)
    terms = _splice_terms(flags)
    positions = _flanks(allele)
    ordered = _five_to_three(seq, positions)
    locations = [seq.locate(p) for p in ordered]
    inserted_at = insertion_cdna(seq, allele) if allele.is_insertion else None
    if allele.is_insertion:
        exonic = inserted_at is not None
        cdna: list[int | None] = [None, None] if inserted_at is None else list(inserted_at)
    else:
        exonic = any(loc.kind == "exon" for loc in locations)
        cdna = [seq.cdna_position(p) for p in ordered]
    exons = sorted({loc.number for loc in locations if loc.kind == "exon"}) if exonic else []
    cdna_text = _span_text(cdna[0], cdna[-1]) if exonic else ""

    change = None
    cds_text = protein_text = amino_text = codon_text = ""
    if not model.is_coding or not seq.is_coding:
        if exonic:
            terms.add("non_coding_transcript_exon_variant")
        else:
            terms.add("non_coding_transcript_variant")
    else:
        assert model.coding is not None
        coding_low, coding_high = model.coding
        insertion = allele.is_insertion
        before_coding = (_overlap(start, end, model.start, coding_low - 1)
                         or (insertion and start == coding_low))
        after_coding = (_overlap(start, end, coding_high + 1, model.end)
                        or (insertion and end == coding_high))
        five_prime, three_prime = ((before_coding, after_coding) if model.strand > 0
                                   else (after_coding, before_coding))
        if inserted_at is not None and seq.coding_start is not None \
                and seq.coding_end is not None:
            five_prime = inserted_at[1] <= seq.coding_start
            three_prime = inserted_at[0] >= seq.coding_end
        if exonic and five_prime:
            terms.add("5_prime_UTR_variant")
        if exonic and three_prime:
            terms.add("3_prime_UTR_variant")
        cds = [None if c is None else seq.cds_position(c) for c in cdna]
        if insertion:
            within_cds = exonic and cds[0] is not None and cds[1] is not None
        else:
            within_cds = any(c is not None for c in cds)
        change = coding_change(seq, allele) if within_cds else None
        terms |= _coding_terms(seq, allele, change, within_cds)
        if within_cds:
            cds_text = _span_text(cds[0], cds[-1])
        if change is not None:
            protein_text = _protein_position(change)
            amino_text = _amino_acids_text(change)
            codon_text = _codons_text(change)
    if model.is_nmd:
        terms.add("NMD_transcript_variant")
    if not terms:
        terms.add("coding_transcript_variant" if model.is_coding
                  else "non_coding_transcript_variant")
    total_introns = len(model.exons) - 1
    return Effect(
        terms=order_terms(terms), exon=_numbers_text(exons, len(model.exons)),
        intron=_numbers_text(introns, total_introns), cdna_position=cdna_text,
        cds_position=cds_text, protein_position=protein_text, amino_acids=amino_text,
        codons=codon_text, coding=change,
    )
