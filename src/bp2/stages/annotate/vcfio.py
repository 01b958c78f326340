"""The annotate stage's VCF text: header lines in and out, records read and rewritten.

The called VCF is read as text (plain or BGZF) and written back line by line with only its INFO
column extended, so genotypes and every other column stay byte-for-byte as the caller wrote
them.  INFO keys the stage writes are first removed from the input (header definitions and
values): annotating an annotated VCF replaces, never duplicates.  Header lines are deterministic:
no date, path or command line.  Pure functions over lines; :func:`read_lines` and
:func:`write_bgzf_indexed` are the file edges.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pysam

from bp2.annotation import (
    CLINVAR_REVIEW_STATUS_KEY,
    CLINVAR_SIGNIFICANCE_KEY,
    CSQ_KEY,
    GNOMAD_PREFIX,
)
from bp2.errors import InputError
from bp2.fileio import atomic_path

IMPLEMENTS = ("SRS-207",)

CLINVAR_ID_KEY = "CLNVID"
_CONTIG = re.compile(r"^##contig=<ID=([^,>]+)(?:.*?[,<]length=(\d+))?")
_INFO_ID = re.compile(r"^##INFO=<ID=([^,>]+)")


def read_lines(path: Path) -> Iterator[str]:
    """Lines of a plain, gzip or BGZF text file, without line ends."""
    with path.open("rb") as probe:
        magic = probe.read(2)
    opener = gzip.open if magic == b"\x1f\x8b" else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                yield line.rstrip("\n").rstrip("\r")
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the VCF: {exc}", path=path, field="vcf",
                         hint="give a VCF or bgzip-compressed VCF") from None


def owned_key(key: str) -> bool:
    """INFO keys this stage writes (and so removes from its input first)."""
    return key in (CSQ_KEY, CLINVAR_SIGNIFICANCE_KEY, CLINVAR_REVIEW_STATUS_KEY,
                   CLINVAR_ID_KEY) or key.startswith(GNOMAD_PREFIX)


@dataclass(frozen=True)
class Header:
    meta: tuple[str, ...]  # ## lines kept from the input
    columns: str  # the #CHROM line
    contigs: Mapping[str, int | None]  # ##contig ID → length


def parse_header(lines: Sequence[str], path: Path) -> Header:
    if not lines or not lines[0].startswith("##fileformat=VCF"):
        raise InputError("the file does not start with '##fileformat=VCF…'", path=path,
                         line=1, field="vcf", hint="give a VCF (plain or bgzip-compressed)")
    columns = lines[-1]
    if not columns.startswith("#CHROM"):
        raise InputError("the VCF has no '#CHROM' header line", path=path, field="vcf",
                         hint="the header must end with the #CHROM column line")
    kept: list[str] = []
    contigs: dict[str, int | None] = {}
    for line in lines[:-1]:
        info = _INFO_ID.match(line)
        if info is not None and owned_key(info.group(1)):
            continue
        contig = _CONTIG.match(line)
        if contig is not None:
            contigs[contig.group(1)] = int(contig.group(2)) if contig.group(2) else None
        kept.append(line)
    return Header(tuple(kept), columns, contigs)


def _description(text: str) -> str:
    return text.replace('"', "'").replace("\n", " ")


def new_header_lines(*, version: str, csq_fields: Sequence[str], gene_model: str,
                     population_keys: Sequence[str], population_version: str | None,
                     clinvar_version: str | None) -> list[str]:
    lines = [
        f'##INFO=<ID={CSQ_KEY},Number=.,Type=String,Description="Consequence annotations '
        f'from bp2 annotate {version} (gene model {_description(gene_model)}). Format: '
        f'{"|".join(csq_fields)}">',
    ]
    if population_version is not None:
        for key in population_keys:
            population = "all samples" if key == "AF" else f"population {key[3:]}"
            lines.append(
                f'##INFO=<ID={GNOMAD_PREFIX}{key},Number=A,Type=Float,Description="Allele '
                f"frequency in gnomAD ({_description(population_version)}), {population}; "
                f'matched by normalised allele">')
    if clinvar_version is not None:
        described = _description(clinvar_version)
        lines += [
            f'##INFO=<ID={CLINVAR_SIGNIFICANCE_KEY},Number=.,Type=String,Description="ClinVar '
            f'({described}) clinical significance; matched by normalised allele">',
            f'##INFO=<ID={CLINVAR_REVIEW_STATUS_KEY},Number=.,Type=String,Description='
            f'"ClinVar ({described}) review status; matched by normalised allele">',
            f'##INFO=<ID={CLINVAR_ID_KEY},Number=.,Type=String,Description="ClinVar '
            f'({described}) VariationID of the matching record(s)">',
        ]
    return lines


def render_header(header: Header, extra: Sequence[str]) -> str:
    return "\n".join([*header.meta, *extra, header.columns]) + "\n"


@dataclass(frozen=True)
class Record:
    """A data line split into its columns (1-based line number kept for errors)."""

    cols: tuple[str, ...]
    line: int

    @property
    def contig(self) -> str:
        return self.cols[0]

    @property
    def pos(self) -> int:
        return int(self.cols[1])

    @property
    def ref(self) -> str:
        return self.cols[3]

    @property
    def alts(self) -> tuple[str, ...]:
        return tuple(self.cols[4].split(","))


def parse_record(text: str, number: int, path: Path) -> Record:
    cols = tuple(text.split("\t"))
    if len(cols) < 8:
        raise InputError(f"VCF record has {len(cols)} tab-separated columns, at least 8 are "
                         "needed", path=path, line=number, field="vcf",
                         hint="the VCF must be tab-separated")
    if not cols[1].isdigit() or int(cols[1]) < 1:
        raise InputError(f"VCF POS '{cols[1]}' is not a positive integer", path=path,
                         line=number, field="vcf", hint="correct the POS column")
    return Record(cols, number)


def with_info(record: Record, values: Sequence[tuple[str, str]]) -> str:
    """The record's line with owned keys dropped from INFO and ``values`` appended."""
    kept = [item for item in ("" if record.cols[7] == "." else record.cols[7]).split(";")
            if item and not owned_key(item.partition("=")[0])]
    kept += [f"{key}={value}" for key, value in values]
    cols = list(record.cols)
    cols[7] = ";".join(kept) if kept else "."
    return "\t".join(cols)


def write_bgzf_indexed(path: Path, index: Path, chunks: Iterator[str]) -> None:
    """Write text as BGZF to ``path`` with its tabix index, both atomically."""
    with atomic_path(path) as tmp_vcf, atomic_path(index) as tmp_tbi:
        with pysam.BGZFile(str(tmp_vcf), "wb", index=None) as handle:
            for chunk in chunks:
                handle.write(chunk.encode("utf-8"))
        pysam.tabix_index(str(tmp_vcf), preset="vcf", index=str(tmp_tbi), force=True)
