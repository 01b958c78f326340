"""HGVS descriptions of an allele on a transcript: ``c.``/``n.`` (HGVSc) and ``p.`` (HGVSp).

Conventions (HGVS nomenclature v21, as Ensembl VEP prints it with ``--hgvs``):

* **HGVSc** is ``<transcript>[.<version>]:c.<change>`` for coding transcripts and ``:n.`` for
  non-coding ones; UTR positions are ``c.-N`` / ``c.*N`` and intronic ones ``c.N+k`` /
  ``c.N-k`` counted from the nearer exon.  Substitutions are ``c.76A>C``; deletions and
  duplications do not list the bases (``c.76del``, ``c.76_78dup``); insertions
  ``c.76_77insT``; anything else ``c.76_77delinsTG``.  Bases are on the transcript's strand.
* **3′ rule.**  An insertion or deletion in a repeat is moved as far 3′ *on the transcript's
  strand* as the sequence allows (so on a minus-strand transcript towards lower genome
  positions), without leaving the exon or intron it lies in; an insertion equal to the bases
  just 5′ of it is then a duplication.  Consequence terms are computed on the allele as
  called (left-aligned, VEP's default); only the HGVS description is shifted.
* **HGVSp** is ``<protein_id>:p.<change>`` with three-letter amino acids and ``Ter`` for a stop,
  *without* the parentheses HGVS asks for predicted changes (VEP's style: ``p.Gln58Ter``):
  ``p.Arg97Cys``, ``p.Pro150=`` (synonymous), ``p.Met1?`` (start lost), ``p.Gln58Ter``,
  ``p.Arg97ProfsTer23`` (frameshift; the first changed residue is position 1 of the count;
  ``fsTer?`` when no stop is reached in the transcript), ``p.Ter110GlnextTer17`` (the stop is
  read through, counted likewise; ``extTer?`` without a new stop), ``p.Lys23del``,
  ``p.Lys23_Leu24del``, ``p.Lys23dup``, ``p.Lys23_Leu24insGlnSer``, ``p.Lys23delinsAsnGln``.
  In-frame changes are described on the protein after the 3′ (C-terminal) rule, by trimming the
  residues the two proteins share; a stop created by the changed codons is written in nonsense
  form at its first residue (``p.Trp262Ter``) or as a delins ending in ``Ter``.  The
  alternative protein is the translation of the edited transcript from the first changed codon
  to its first stop, read into the 3′ UTR when the stop is lost or the frame shifts, so a
  deletion whose 3′ UTR rebuilds the stop is described by the protein it gives (``p.Thr421=``
  when nothing changes).

Pure functions over :class:`~.transcripts.TranscriptSequence` and the reference
(:class:`~.transcripts.SequenceSource`, for 3′ shifting).
"""

from __future__ import annotations

from dataclasses import dataclass

from bp2.stages.annotate.alleles import Allele
from bp2.stages.annotate.codons import THREE_LETTER, revcomp, translate_to_stop
from bp2.stages.annotate.consequences import CodingChange
from bp2.stages.annotate.transcripts import Location, SequenceSource, TranscriptSequence

IMPLEMENTS = ("SRS-203", "SRS-204")

_CHUNK = 64


@dataclass(frozen=True)
class Shifted:
    """An insertion or deletion after the 3′ shift: genome span and inserted/deleted bases
    (genome strand)."""

    start: int
    end: int
    ref: str
    alt: str


class _Reader:
    """Reference bases of one contig fetched in chunks as a shift walks along."""

    def __init__(self, source: SequenceSource, contig: str) -> None:
        self.source, self.contig = source, contig
        self.cache: dict[int, str] = {}

    def base(self, pos: int) -> str:
        block = (pos - 1) // _CHUNK
        if block not in self.cache:
            self.cache[block] = self.source.fetch(self.contig, block * _CHUNK + 1,
                                                  (block + 1) * _CHUNK)
        text = self.cache[block]
        index = (pos - 1) % _CHUNK
        return text[index] if index < len(text) else ""


def shift_3prime(allele: Allele, strand: int, bounds: tuple[int, int],
                 source: SequenceSource) -> Shifted:
    """Move an insertion or deletion 3′ on ``strand`` while the reference allows, keeping the
    deleted bases (an insertion: both its flanks but the last) inside ``bounds``."""
    reader = _Reader(source, allele.contig)
    low, high = bounds
    start, end = allele.start, allele.end
    if allele.is_deletion:
        deleted = allele.ref
        if strand > 0:
            while end + 1 <= high and reader.base(end + 1) == reader.base(start):
                start, end = start + 1, end + 1
        else:
            while start - 1 >= low and reader.base(start - 1) == reader.base(end):
                start, end = start - 1, end - 1
        if (start, end) != (allele.start, allele.end):
            deleted = "".join(reader.base(p) for p in range(start, end + 1))
        return Shifted(start, end, deleted, "")
    inserted = allele.alt
    if strand > 0:
        while start <= high and reader.base(start) == inserted[0]:
            inserted = inserted[1:] + inserted[0]
            start += 1
    else:
        while start - 1 >= low and reader.base(start - 1) == inserted[-1]:
            inserted = inserted[-1] + inserted[:-1]
            start -= 1
    return Shifted(start, start - 1, "", inserted)


def _region(seq: TranscriptSequence, allele: Allele) -> tuple[int, int] | None:
    """The exon or intron that holds the whole allele (an insertion: both flanks)."""
    if allele.is_insertion:
        first, last = seq.locate(allele.start - 1), seq.locate(allele.start)
    else:
        first, last = seq.locate(allele.start), seq.locate(allele.end)
    if first != last or first.kind == "outside":
        return None
    return seq.region_bounds(Location(first.kind, first.number))


def _range(seq: TranscriptSequence, low: int, high: int) -> str | None:
    """``a_b`` (transcript order) or ``a`` for the genome span low..high (an allele reaching
    past the transcript's ends is numbered on into the flanks)."""
    first, last = (low, high) if seq.model.strand > 0 else (high, low)
    a = seq.hgvs_coordinate(first, flanks=True)
    b = seq.hgvs_coordinate(last, flanks=True)
    if a is None or b is None:
        return None
    return a if first == last else f"{a}_{b}"


def hgvs_c(seq: TranscriptSequence, allele: Allele, source: SequenceSource, *,
           shift: bool = True) -> str | None:
    """HGVSc of an allele that overlaps the transcript (``shift=False``: describe the allele
    where it is, without the 3′ shift)."""
    model = seq.model
    kind = "c" if seq.is_coding else "n"
    prefix = f"{model.feature}:{kind}."
    plus = model.strand > 0

    def oriented(bases: str) -> str:
        return bases if plus else revcomp(bases)

    if allele.is_identity:
        return None
    if allele.is_insertion or allele.is_deletion:
        bounds = _region(seq, allele) if shift else None
        shifted = (shift_3prime(allele, model.strand, bounds, source) if bounds is not None
                   else Shifted(allele.start, allele.end, allele.ref, allele.alt))
        if shifted.alt:  # insertion between shifted.end and shifted.start
            size = len(shifted.alt)
            reader = _Reader(source, allele.contig)
            if plus:
                before = "".join(reader.base(p) for p in range(shifted.start - size,
                                                               shifted.start))
                dup_span = (shifted.start - size, shifted.start - 1)
            else:
                before = "".join(reader.base(p) for p in range(shifted.start,
                                                               shifted.start + size))
                dup_span = (shifted.start, shifted.start + size - 1)
            if before == shifted.alt:
                where = _range(seq, *dup_span)
                return None if where is None else f"{prefix}{where}dup"
            where = _range(seq, shifted.end, shifted.start)
            if where is None or "_" not in where:
                return None
            return f"{prefix}{where}ins{oriented(shifted.alt)}"
        where = _range(seq, shifted.start, shifted.end)
        return None if where is None else f"{prefix}{where}del"
    where = _range(seq, allele.start, allele.end)
    if where is None:
        return None
    if len(allele.ref) == 1 and len(allele.alt) == 1:
        return f"{prefix}{where}{oriented(allele.ref)}>{oriented(allele.alt)}"
    return f"{prefix}{where}delins{oriented(allele.alt)}"


def _aa(letter: str) -> str:
    return THREE_LETTER[letter]


def _peptide3(peptide: str) -> str:
    return "".join(_aa(a) for a in peptide)


def hgvs_p(seq: TranscriptSequence, change: CodingChange, terms: tuple[str, ...]) -> str | None:
    """HGVSp of a coding change (see the module docstring), None when it is not described."""
    model = seq.model
    prefix = f"{model.protein_id or model.feature}:p."
    code = model.code
    cds = seq.cds
    ref_protein, _ = translate_to_stop(cds, code)
    first = change.codon_first
    if first >= len(ref_protein):
        return None
    offset = 3 * first
    start_in_cds = change.cds_start - 1
    edited = (cds[:start_in_cds] + change.tx_alt
              + cds[start_in_cds + len(change.tx_ref):] + seq.utr3)
    alt_tail, alt_stopped = translate_to_stop(edited[offset:], code)
    ref_tail = ref_protein[first:]
    if alt_tail == ref_tail:
        return f"{prefix}{_aa(ref_tail[0])}{first + 1}="
    common = 0
    while (common < len(alt_tail) and common < len(ref_tail)
           and alt_tail[common] == ref_tail[common]):
        common += 1
    index = first + common  # 0-based position of the first changed residue
    if index == 0 and "start_lost" in terms:
        return f"{prefix}{_aa(ref_protein[0])}1?"
    if common >= len(ref_tail):
        return None
    ref_aa = ref_tail[common]
    if common >= len(alt_tail):  # the edited transcript ends before a residue is read
        return f"{prefix}{_aa(ref_aa)}{index + 1}?"
    alt_aa = alt_tail[common]

    def stop_count() -> str:
        return str(len(alt_tail) - common) if alt_stopped else "?"

    delta = (len(change.alt_codons) - len(change.ref_codons)) // 3
    stop_kept = (not change.frameshift and alt_stopped
                 and len(alt_tail) == len(ref_tail) + delta)  # the old stop ends the new protein
    if ref_aa == "*" and not stop_kept:  # the stop codon itself is read through: extension
        return f"{prefix}Ter{index + 1}{_aa(alt_aa)}extTer{stop_count()}"
    if change.frameshift:
        if alt_aa == "*":
            return f"{prefix}{_aa(ref_aa)}{index + 1}Ter"
        return f"{prefix}{_aa(ref_aa)}{index + 1}{_aa(alt_aa)}fsTer{stop_count()}"
    alt_rest = alt_tail[common:]
    if "*" in change.alt_peptide and "*" not in change.ref_peptide:  # a stop is created
        if alt_aa == "*":
            return f"{prefix}{_aa(ref_aa)}{index + 1}Ter"
        last = max(change.codon_last, index)
        return _delins(prefix, index, ref_protein[index:last + 1],
                       alt_rest[:alt_rest.index("*") + 1] if "*" in alt_rest else alt_rest)
    ref_rest = ref_tail[common:]
    suffix = 0
    while (suffix < len(ref_rest) and suffix < len(alt_rest)
           and ref_rest[-1 - suffix] == alt_rest[-1 - suffix]):
        suffix += 1
    ref_part = ref_rest[:len(ref_rest) - suffix]
    alt_part = alt_rest[:len(alt_rest) - suffix]
    if not ref_part and alt_part:
        size = len(alt_part)
        if index >= size and ref_protein[index - size:index] == alt_part:
            if size == 1:
                return f"{prefix}{_aa(alt_part)}{index}dup"
            return (f"{prefix}{_aa(alt_part[0])}{index - size + 1}_"
                    f"{_aa(alt_part[-1])}{index}dup")
        if index == 0:
            return None
        return (f"{prefix}{_aa(ref_protein[index - 1])}{index}_{_aa(ref_protein[index])}"
                f"{index + 1}ins{_peptide3(alt_part)}")
    if ref_part and not alt_part:
        if len(ref_part) == 1:
            return f"{prefix}{_aa(ref_part)}{index + 1}del"
        return (f"{prefix}{_aa(ref_part[0])}{index + 1}_{_aa(ref_part[-1])}"
                f"{index + len(ref_part)}del")
    if len(ref_part) == 1 and len(alt_part) == 1:
        return f"{prefix}{_aa(ref_part)}{index + 1}{_aa(alt_part)}"
    return _delins(prefix, index, ref_part, alt_part)


def _delins(prefix: str, index: int, ref_part: str, alt_part: str) -> str:
    where = f"{_aa(ref_part[0])}{index + 1}"
    if len(ref_part) > 1:
        where += f"_{_aa(ref_part[-1])}{index + len(ref_part)}"
    return f"{prefix}{where}delins{_peptide3(alt_part)}"
