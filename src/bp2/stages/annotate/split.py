"""Multi-allelic records split into biallelic ones, as ``bcftools norm -m-any -f REF`` does.

**Why split, rather than annotate each ALT inside the multi-allelic record.**  Every key the
annotate stage adds is a property of one allele: its consequences, its gnomAD frequency and,
above all, its ClinVar significance.  ``CLNSIG``/``CLNREVSTAT`` are ``Number=.`` in ClinVar's
own VCF and cannot say which ALT of a record they belong to, so a Pathogenic record of one ALT
would reach the other ALT through the ClinVar route (the trap of SRS-206).  A split allele can
also be given its own normalised (left-aligned, parsimonious) position, which a shared record
cannot: ``AAAATAAAT>AAAAT,A`` is the deletions ``AAAAT>A`` and ``AAAATAAAT>A``.  And a
biallelic record is what every downstream reader handles alike (tier, the report, a clinical
scientist's IGV session), as the ``call`` stage already writes.

**What a split record holds** (bcftools' rules, checked against ``bcftools norm -m-any -f`` on
real VCFs by the tests):

* CHROM, ID, QUAL and FILTER copied; REF/ALT the record's REF and that ALT, then trimmed and
  left-aligned against the reference (:func:`~.alleles.normalise`), ``*`` and symbolic alleles
  kept as written;
* INFO and FORMAT values declared ``Number=A`` keep that ALT's value, ``Number=R`` the REF's and
  that ALT's, ``Number=G`` the likelihoods of the genotypes 0/0, 0/k, k/k (0 and k for a
  haploid call); every other value is copied.  A value list of the wrong length is an error;
* GT re-coded per ALT: allele k becomes 1, every other ALT becomes 0 (REF), missing alleles and
  phasing are kept, so a ``1/2`` call is ``1/0`` in the first record and ``0/1`` in the second:
  a heterozygote for each ALT;
* INFO ``OLD_MULTIALLELIC=CHROM:POS:REF/ALT1/ALT2…`` (vt's key) names the record it came from.

A biallelic input record is passed through unchanged.  Left alignment can move a split allele
before records already written, so :class:`SortBuffer` holds records for ``window`` bases (as
bcftools' ``--site-win``) and a split allele is never moved before the last record written (it
is then only trimmed, which keeps it a correct, if not left-most, description).

Pure: the reference is reached through a :class:`~.transcripts.SequenceSource`.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from bp2.stages.annotate.alleles import normalise
from bp2.stages.annotate.transcripts import SequenceSource

IMPLEMENTS = ("SRS-280", "SRS-281")

SPLIT_FROM_KEY = "OLD_MULTIALLELIC"
SPLIT_FROM_HEADER = (
    f'##INFO=<ID={SPLIT_FROM_KEY},Number=1,Type=String,Description="The multi-allelic record '
    'this biallelic record was split from (CHROM:POS:REF/ALT1/ALT2...), by bp2 annotate">')
SPLIT_WINDOW = 1000  # bases a record is held for local re-sorting (bcftools --site-win default)

_DECLARATION = re.compile(r"^##(INFO|FORMAT)=<(.*)>\s*$")
_ATTRIBUTE = re.compile(r'(?:^|,)(ID|Number)=("[^"]*"|[^,>]*)')
_GT_ALLELE = re.compile(r"([/|]?)([^/|]*)")


class SplitError(ValueError):
    """A record that cannot be split (``line``: the input line, when known)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class FieldNumbers:
    """The declared ``Number`` of each INFO and FORMAT key of a VCF header."""

    info: Mapping[str, str]
    format: Mapping[str, str]


def field_numbers(meta: Sequence[str]) -> FieldNumbers:
    """``Number`` of every ``##INFO`` and ``##FORMAT`` declaration among header lines."""
    found: dict[str, dict[str, str]] = {"INFO": {}, "FORMAT": {}}
    for line in meta:
        match = _DECLARATION.match(line)
        if match is None:
            continue
        attributes = dict(_ATTRIBUTE.findall(match.group(2)))
        if "ID" in attributes and "Number" in attributes:
            found[match.group(1)][attributes["ID"]] = attributes["Number"]
    return FieldNumbers(info=found["INFO"], format=found["FORMAT"])


def _genotype_index(a: int, b: int) -> int:
    """VCF's order of diploid genotype likelihoods: (a, b) with a <= b at b(b+1)/2 + a."""
    a, b = min(a, b), max(a, b)
    return b * (b + 1) // 2 + a


def pick(value: str, number: str, n_alts: int, alt: int, key: str) -> str:
    """The part of a ``Number=A/R/G`` value that belongs to ALT ``alt`` (1-based)."""
    if number not in ("A", "R", "G") or value == ".":
        return value
    items = value.split(",")
    n_alleles = n_alts + 1
    if number == "A":
        if len(items) != n_alts:
            raise SplitError(f"{key} (Number=A) has {len(items)} value(s) for {n_alts} ALT "
                             "alleles")
        return items[alt - 1]
    if number == "R":
        if len(items) != n_alleles:
            raise SplitError(f"{key} (Number=R) has {len(items)} value(s) for {n_alleles} "
                             "alleles")
        return f"{items[0]},{items[alt]}"
    if len(items) == n_alleles:  # haploid likelihoods
        return f"{items[0]},{items[alt]}"
    if len(items) == n_alleles * (n_alleles + 1) // 2:
        return ",".join(items[_genotype_index(a, b)] for a, b in ((0, 0), (0, alt), (alt, alt)))
    raise SplitError(f"{key} (Number=G) has {len(items)} value(s): neither a haploid "
                     f"({n_alleles}) nor a diploid ({n_alleles * (n_alleles + 1) // 2}) "
                     f"count for {n_alleles} alleles")


def recode_genotype(gt: str, n_alts: int, alt: int) -> str:
    """GT for ALT ``alt`` alone: that allele → 1, any other ALT → 0; missing and phase kept."""
    parts = []
    for separator, allele in _GT_ALLELE.findall(gt):
        if not separator and not allele:
            continue
        if allele in (".", "0"):
            parts.append(separator + allele)
            continue
        if not allele.isdigit() or int(allele) > n_alts:
            raise SplitError(f"GT '{gt}' names allele '{allele}', but the record has {n_alts} "
                             "ALT alleles")
        parts.append(separator + ("1" if int(allele) == alt else "0"))
    return "".join(parts)


def _info(text: str, numbers: Mapping[str, str], n_alts: int, alt: int, origin: str) -> str:
    kept = []
    for item in ("" if text == "." else text).split(";"):
        if not item:
            continue
        key, equals, value = item.partition("=")
        if key == SPLIT_FROM_KEY:
            continue
        kept.append(f"{key}={pick(value, numbers.get(key, '.'), n_alts, alt, 'INFO/' + key)}"
                    if equals else item)
    kept.append(f"{SPLIT_FROM_KEY}={origin}")
    return ";".join(kept)


def _sample(text: str, keys: Sequence[str], numbers: Mapping[str, str], n_alts: int,
            alt: int) -> str:
    values = text.split(":")
    out = []
    for key, value in zip(keys, values, strict=False):
        if key == "GT":
            out.append(recode_genotype(value, n_alts, alt))
        else:
            out.append(pick(value, numbers.get(key, "."), n_alts, alt, "FORMAT/" + key))
    return ":".join(out)


def trim(pos: int, ref: str, alt: str) -> tuple[int, str, str]:
    """Shared trailing, then leading, bases dropped while both alleles keep one (no shift)."""
    while len(ref) > 1 and len(alt) > 1 and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    while len(ref) > 1 and len(alt) > 1 and ref[0] == alt[0]:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    return pos, ref, alt


def _is_sequence(allele: str) -> bool:
    return allele not in ("*", ".") and not allele.startswith("<") and "[" not in allele and (
        "]" not in allele)


@dataclass(frozen=True)
class SplitRecord:
    """One output record: its columns, and whether it came from a split (and was moved)."""

    cols: tuple[str, ...]
    line: int  # the input record's line
    alt_index: int = 0  # the ALT (1-based) of the multi-allelic record it was split from; 0: not
    moved: bool = False  # position or alleles changed by normalisation
    limited: bool = False  # left alignment stopped at the last record written

    @property
    def pos(self) -> int:
        return int(self.cols[1])

    @property
    def split(self) -> bool:
        return self.alt_index > 0


def split_record(cols: Sequence[str], line: int, numbers: FieldNumbers,
                 source: SequenceSource, floor: int = 1) -> list[SplitRecord]:
    """A record as biallelic records (itself, unchanged, when it has one ALT).

    ``floor`` is the lowest position a split allele may be moved to (the last position already
    written)."""
    alts = cols[4].split(",")
    if len(alts) == 1:
        return [SplitRecord(tuple(cols), line)]
    n_alts = len(alts)
    contig, pos, ref = cols[0], int(cols[1]), cols[3]
    origin = f"{contig}:{pos}:{ref}/{'/'.join(alts)}"
    keys = cols[8].split(":") if len(cols) > 8 else []
    records = []
    for alt_index, alt in enumerate(alts, start=1):
        new_pos, new_ref, new_alt, limited = pos, ref, alt, False
        if _is_sequence(alt) and alt.upper() != ref.upper():
            key = normalise(contig, pos, ref, alt, source)
            if key.pos >= floor:
                new_pos, new_ref, new_alt = key.pos, key.ref, key.alt
            else:
                new_pos, new_ref, new_alt = trim(pos, ref, alt)
                limited = True
        out = [contig, str(new_pos), cols[2], new_ref, new_alt, cols[5], cols[6],
               _info(cols[7], numbers.info, n_alts, alt_index, origin)]
        if len(cols) > 8:
            out.append(cols[8])
            out += [_sample(s, keys, numbers.format, n_alts, alt_index) for s in cols[9:]]
        records.append(SplitRecord(tuple(out), line, alt_index=alt_index,
                                   moved=(new_pos, new_ref.upper(), new_alt.upper())
                                   != (pos, ref.upper(), alt.upper()),
                                   limited=limited))
    return records


@dataclass
class SortBuffer:
    """Records held until no later input can be placed before them (one contig at a time)."""

    window: int = SPLIT_WINDOW
    contig: str | None = None
    written: int = 0  # position of the last record released on this contig (0: none)
    _heap: list[tuple[int, int, SplitRecord]] = field(default_factory=list)
    _serial: int = 0

    def floor(self) -> int:
        """The lowest position a record pushed now may have."""
        return max(self.written, 1)

    def push(self, record: SplitRecord) -> None:
        heapq.heappush(self._heap, (record.pos, self._serial, record))
        self._serial += 1

    def release(self, before: int | None) -> Iterator[SplitRecord]:
        """Records at positions below ``before - window`` (all of them for None), in order."""
        while self._heap and (before is None or self._heap[0][0] < before - self.window):
            pos, _, record = heapq.heappop(self._heap)
            self.written = pos
            yield record

    def new_contig(self, contig: str | None) -> Iterator[SplitRecord]:
        """Every record held (the contig ends), then start on ``contig``."""
        yield from self.release(None)
        self.written = 0
        self.contig = contig


def split_records(records: Iterable[tuple[Sequence[str], int]], numbers: FieldNumbers,
                  source: SequenceSource, window: int = SPLIT_WINDOW) -> Iterator[SplitRecord]:
    """Sorted records (columns, line) → biallelic records, still sorted."""
    buffer = SortBuffer(window=window)
    for cols, line in records:
        if cols[0] != buffer.contig:
            yield from buffer.new_contig(cols[0])
        try:
            pieces = split_record(cols, line, numbers, source, buffer.floor())
        except SplitError as exc:
            raise SplitError(f"{cols[0]}:{cols[1]}: {exc}", line) from None
        for piece in pieces:
            buffer.push(piece)
        yield from buffer.release(int(cols[1]))
    yield from buffer.new_contig(None)
