"""The SAM header the stage writes, and the reference-identity check of a given BAM.

Pure functions over text and records.  The header carries no path, time or host, so the same
inputs give the same bytes wherever and whenever the stage runs: ``@SQ`` lines name each contig
with its length, ``M5`` (MD5 of the upper-case sequence, which identifies the reference by
content) and ``UR`` (the reference's file name only); one ``@RG``; one ``@PG`` naming the stage
and its version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bp2.errors import InputError

_RG_VALUE_FORBIDDEN = set("\t\n\r")


@dataclass(frozen=True, slots=True)
class Contig:
    name: str
    length: int


@dataclass(frozen=True, slots=True)
class ReadGroup:
    id: str
    sample: str
    platform: str
    library: str

    def line(self) -> str:
        return f"@RG\tID:{self.id}\tSM:{self.sample}\tPL:{self.platform}\tLB:{self.library}"


def parse_fai(text: str, path: Path) -> tuple[Contig, ...]:
    """Contig names and lengths from a ``samtools faidx`` index (5 or 6 tab-separated columns)."""
    contigs: list[Contig] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cols = line.split("\t")
        if len(cols) not in (5, 6) or not cols[1].isdigit():
            raise InputError(
                f"not a FASTA index line ({len(cols)} columns)", path=path, line=number,
                hint="give the .fai written by 'samtools faidx' for this reference",
            )
        if cols[0] in seen:
            raise InputError(f"contig '{cols[0]}' is listed twice", path=path, line=number,
                             hint="re-create the index with 'samtools faidx'")
        seen.add(cols[0])
        contigs.append(Contig(cols[0], int(cols[1])))
    if not contigs:
        raise InputError("FASTA index lists no contigs", path=path,
                         hint="give the .fai written by 'samtools faidx' for this reference")
    return tuple(contigs)


def check_read_group_value(field: str, value: str) -> None:
    """Refuse read-group values SAM cannot hold (tabs, newlines, empty)."""
    if not value or _RG_VALUE_FORBIDDEN & set(value):
        raise InputError(f"read-group {field} '{value}' is empty or holds a tab or newline",
                         field=field, hint="use a short printable name")


def sam_header(
    contigs: Sequence[Contig],
    md5s: Sequence[str],
    reference_name: str,
    read_group: ReadGroup,
    program: str,
    version: str,
    description: str,
) -> str:
    """The complete SAM header text (ending with a newline) for the stage's alignments."""
    lines = ["@HD\tVN:1.6\tSO:unsorted\tGO:query"]
    lines += [f"@SQ\tSN:{c.name}\tLN:{c.length}\tM5:{m5}\tUR:{reference_name}"
              for c, m5 in zip(contigs, md5s, strict=True)]
    lines.append(read_group.line())
    lines.append(f"@PG\tID:{program}\tPN:{program}\tVN:{version}\tDS:{description}")
    return "\n".join(lines) + "\n"


def header_contigs(sq_lines: Sequence[dict[str, object]]) -> tuple[Contig, ...]:
    """Contigs of a pysam header's ``SQ`` list."""
    return tuple(Contig(str(sq["SN"]), int(str(sq["LN"]))) for sq in sq_lines)


def reference_mismatch(bam: Sequence[Contig], reference: Sequence[Contig]) -> str | None:
    """Why a BAM's contigs differ from the reference's (names, lengths, order), or None."""
    if tuple(bam) == tuple(reference):
        return None
    ref_lengths = {c.name: c.length for c in reference}
    bam_names = {c.name for c in bam}
    for contig in bam:
        if contig.name not in ref_lengths:
            return f"the BAM has contig '{contig.name}' which the reference lacks"
        if ref_lengths[contig.name] != contig.length:
            return (f"contig '{contig.name}' is {contig.length} bp in the BAM but "
                    f"{ref_lengths[contig.name]} bp in the reference")
    missing = [c.name for c in reference if c.name not in bam_names]
    if missing:
        return f"the reference has contig '{missing[0]}' which the BAM lacks"
    return "the contigs are the same but in a different order"


def describe_contigs(contigs: Sequence[Contig]) -> str:
    """A short description of a contig list for messages: the count and the first few."""
    shown = ", ".join(f"{c.name}:{c.length}" for c in contigs[:3])
    if len(contigs) > 3:
        shown += ", …"
    return f"{len(contigs)} contig{'' if len(contigs) == 1 else 's'} ({shown})"
