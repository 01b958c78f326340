"""Population allele frequencies and ClinVar assertions, matched **by allele**.

A record of a resource VCF (gnomAD-style frequencies, ClinVar) applies to a called allele only
when both, split into one ALT each and normalised (:func:`~.alleles.normalise`: left-aligned,
parsimonious), are the same ``(contig, pos, ref, alt)``.  A resource record at the same position
with another ALT never applies: that is how a position-only match would wrongly drop a de novo
variant as common or rescue a benign one as pathogenic.

Resource files are read as text through their tabix index, one block of ``BLOCK`` bases at a
time (the called VCF is sorted, so each block is read once); records up to ``MARGIN`` bases to
the right of a block are normalised with it, so an indel written right-shifted in the resource
still finds its left-aligned key.  Values are copied as the resource writes them (no float
round trip).  Parsing is pure (:func:`parse_info`, :func:`records_in_lines`); :class:`TabixTable`
is the file edge.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pysam

from bp2.annotation import CLINVAR_REVIEW_STATUS_KEY, CLINVAR_SIGNIFICANCE_KEY, POPULATIONS
from bp2.errors import InputError
from bp2.stages.annotate.alleles import AlleleKey, normalise
from bp2.stages.annotate.transcripts import SequenceSource

IMPLEMENTS = ("SRS-205", "SRS-206")

BLOCK = 50_000
MARGIN = 1_000

AF_KEY = "AF"


def parse_info(text: str) -> dict[str, str]:
    """A VCF INFO column as key → raw value text (flags map to an empty string)."""
    if text in ("", "."):
        return {}
    result: dict[str, str] = {}
    for item in text.split(";"):
        if not item:
            continue
        key, _, value = item.partition("=")
        result[key] = value
    return result


@dataclass(frozen=True)
class ResourceRecord:
    """One ALT of a resource record, normalised, with the INFO values kept for it."""

    key: AlleleKey
    values: Mapping[str, str]
    record_id: str


def _per_allele(value: str, index: int, count: int, number: str) -> str | None:
    if number != "A":
        return value
    parts = value.split(",")
    if len(parts) != count:
        return None
    item = parts[index]
    return None if item in ("", ".") else item


def records_in_lines(lines: Iterable[str], keys: Mapping[str, str], source: SequenceSource,
                     ) -> Iterator[ResourceRecord]:
    """Split and normalise resource VCF lines; ``keys`` maps each wanted INFO key to its
    Number (``A`` values are taken per ALT, others as written)."""
    for line in lines:
        cols = line.rstrip("\n").split("\t")
        if len(cols) < 8:
            continue
        contig, pos_text, record_id, ref, alt_text, info_text = (
            cols[0], cols[1], cols[2], cols[3], cols[4], cols[7])
        alts = alt_text.split(",")
        info = parse_info(info_text)
        for index, alt in enumerate(alts):
            if alt in (".", "*") or alt.startswith("<") or not set(alt.upper()) <= set("ACGTN"):
                continue
            values: dict[str, str] = {}
            for key, number in keys.items():
                if key in info:
                    value = _per_allele(info[key], index, len(alts), number)
                    if value is not None:
                        values[key] = value
            yield ResourceRecord(normalise(contig, int(pos_text), ref, alt, source), values,
                                 record_id)


@dataclass
class TabixTable:
    """A bgzipped, tabix-indexed resource VCF looked up block by block."""

    path: Path
    index: Path
    role: str
    source: SequenceSource
    keys: Mapping[str, str] = field(default_factory=dict)
    handle: pysam.TabixFile | None = None
    contigs: frozenset[str] = frozenset()
    header: tuple[str, ...] = ()
    _block: tuple[str, int] | None = None
    _table: dict[AlleleKey, list[ResourceRecord]] = field(default_factory=dict)

    def open(self) -> None:
        for path, what in ((self.path, self.role), (self.index, f"{self.role} index")):
            if not path.is_file():
                raise InputError.missing_file(path, what)
        try:
            self.handle = pysam.TabixFile(str(self.path), index=str(self.index))
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot open the {self.role}: {exc}", path=self.path,
                             hint="give a bgzip-compressed VCF and its tabix (.tbi) index"
                             ) from None
        self.contigs = frozenset(str(c) for c in self.handle.contigs)
        self.header = tuple(str(h) for h in self.handle.header)

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None

    def lookup(self, key: AlleleKey) -> list[ResourceRecord]:
        """Resource records of exactly this allele (empty when none)."""
        if self.handle is None or key.contig not in self.contigs:
            return []
        block = (key.contig, (key.pos - 1) // BLOCK)
        if block != self._block:
            self._load(*block)
        return self._table.get(key, [])

    def _load(self, contig: str, number: int) -> None:
        assert self.handle is not None
        low, high = number * BLOCK, (number + 1) * BLOCK + MARGIN  # 0-based half-open fetch
        table: dict[AlleleKey, list[ResourceRecord]] = {}
        try:
            lines = list(self.handle.fetch(contig, low, high))
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read the {self.role} at {contig}:{low + 1}-{high}: {exc}",
                             path=self.path, hint="check that the file and its index belong "
                             "together (re-index with 'tabix -p vcf')") from None
        for record in records_in_lines(lines, self.keys, self.source):
            table.setdefault(record.key, []).append(record)
        self._table, self._block = table, (contig, number)


def info_numbers(header: Sequence[str]) -> dict[str, str]:
    """INFO key → Number from VCF header lines."""
    numbers: dict[str, str] = {}
    for line in header:
        if not line.startswith("##INFO=<"):
            continue
        body = line[len("##INFO=<"):].rstrip(">")
        fields: dict[str, str] = {}
        for part in body.split(","):
            name, _, value = part.partition("=")
            if name in ("ID", "Number") and name not in fields:
                fields[name] = value
        if "ID" in fields:
            numbers[fields["ID"]] = fields.get("Number", ".")
    return numbers


def population_keys(header: Sequence[str], path: Path) -> dict[str, str]:
    """The frequency keys a gnomAD-style VCF offers (``AF`` required, ``AF_<pop>`` optional)."""
    numbers = info_numbers(header)
    if AF_KEY not in numbers:
        raise InputError("the population-frequency VCF declares no INFO/AF", path=path,
                         field="population_af",
                         hint="give a gnomAD-style VCF with INFO AF (and AF_<population>)")
    wanted = [AF_KEY, *(f"AF_{p}" for p in POPULATIONS)]
    return {key: numbers[key] for key in wanted if key in numbers}


def clinvar_keys(header: Sequence[str], path: Path) -> dict[str, str]:
    numbers = info_numbers(header)
    missing = [k for k in (CLINVAR_SIGNIFICANCE_KEY, CLINVAR_REVIEW_STATUS_KEY)
               if k not in numbers]
    if missing:
        raise InputError(f"the ClinVar VCF declares no INFO/{', INFO/'.join(missing)}",
                         path=path, field="clinvar",
                         hint="give ClinVar's VCF release (clinvar.vcf.gz) with its .tbi")
    return {CLINVAR_SIGNIFICANCE_KEY: numbers[CLINVAR_SIGNIFICANCE_KEY],
            CLINVAR_REVIEW_STATUS_KEY: numbers[CLINVAR_REVIEW_STATUS_KEY]}
