"""Input-file checks of the ``call`` stage: formats by magic bytes, truncation, contig agreement.

The byte-level recognisers are pure (over the first/last bytes of a file); ``check_*`` functions
read the few bytes they need and raise :class:`~bp2.errors.InputError` naming the file, field and
fix.  Nothing here guesses a companion file: every path arrives as an explicit input.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path

from bp2.errors import InputError

BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")


class AlignmentFormat(StrEnum):
    BAM = "bam"
    CRAM = "cram"


class IndexFormat(StrEnum):
    BAI = "bai"
    CSI = "csi"
    CRAI = "crai"


def is_bgzf(head: bytes) -> bool:
    """A BGZF block: gzip magic, FEXTRA set and the 'BC' extra subfield."""
    return len(head) >= 16 and head[:4] == b"\x1f\x8b\x08\x04" and head[12:14] == b"BC"


def is_gzip(head: bytes) -> bool:
    return head[:2] == b"\x1f\x8b"


def _inflate_first_block(head: bytes) -> bytes:
    try:
        return zlib.decompressobj(31).decompress(head, 64)
    except zlib.error:
        return b""


def alignment_format(head: bytes) -> AlignmentFormat | None:
    if head[:4] == b"CRAM":
        return AlignmentFormat.CRAM
    if is_bgzf(head) and _inflate_first_block(head)[:4] == b"BAM\x01":
        return AlignmentFormat.BAM
    return None


def index_format(head: bytes) -> IndexFormat | None:
    if head[:4] == b"BAI\x01":
        return IndexFormat.BAI
    if is_gzip(head):
        inner = _inflate_first_block(head)
        if inner[:4] == b"CSI\x01":
            return IndexFormat.CSI
        if inner[:1].isdigit() or inner[:1] == b"-" or inner == b"":
            return IndexFormat.CRAI  # CRAI is gzipped tab-separated integers
    return None


def _head(path: Path, size: int = 65536) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def _tail(path: Path, size: int) -> bytes:
    with path.open("rb") as handle:
        handle.seek(0, 2)
        length = handle.tell()
        handle.seek(max(0, length - size))
        return handle.read()


def check_alignment(path: Path, index: Path, field: str) -> tuple[AlignmentFormat, IndexFormat]:
    """Refuse a file that is not BAM/CRAM, a truncated BAM, or an index of the wrong kind."""
    kind = alignment_format(_head(path))
    if kind is None:
        raise InputError("not a BAM or CRAM file", path=path, field=f"{field}.bam",
                         hint="give the coordinate-sorted BAM (or CRAM) of this sample")
    if kind is AlignmentFormat.BAM and _tail(path, len(BGZF_EOF)) != BGZF_EOF:
        raise InputError("BAM is truncated (no BGZF end-of-file marker)", path=path,
                         field=f"{field}.bam",
                         hint="the copy is incomplete: copy or re-create the BAM and its index")
    index_kind = index_format(_head(index))
    allowed = ({IndexFormat.BAI, IndexFormat.CSI} if kind is AlignmentFormat.BAM
               else {IndexFormat.CRAI})
    if index_kind not in allowed:
        names = " or ".join(sorted(f".{k}" for k in allowed))
        raise InputError(f"not a {kind.upper()} index ({names})", path=index,
                         field=f"{field}.bam_index",
                         hint=f"give the index made by 'samtools index' for {path.name}")
    return kind, index_kind


def check_reference(reference: Path, gzi: Path | None) -> bool:
    """Whether the reference is BGZF-compressed; refuse gzip (not BGZF) and a missing .gzi."""
    head = _head(reference, 512)
    if is_gzip(head) and not is_bgzf(head):
        raise InputError("reference is gzip- but not bgzip-compressed", path=reference,
                         field="reference",
                         hint="recompress with 'bgzip' (htslib cannot read plain gzip FASTA)")
    compressed = is_bgzf(head)
    if compressed and gzi is None:
        raise InputError("a bgzip-compressed reference needs its .gzi index", path=reference,
                         field="reference_gzi",
                         hint="give reference_gzi (made by 'samtools faidx' or 'bgzip -r')")
    if not compressed and head[:1] != b">":
        raise InputError("reference is not a FASTA file", path=reference, field="reference",
                         hint="give the FASTA (plain or bgzip) the reads were aligned to")
    if gzi is not None and not compressed:
        raise InputError("reference_gzi is given but the reference is not compressed",
                         path=gzi, field="reference_gzi", hint="drop reference_gzi")
    return compressed


def contig_problems(
    fai: Mapping[str, int],
    header: Mapping[str, int],
    mapped: Mapping[str, int],
) -> str | None:
    """Why a BAM does not fit the reference (None when it does).

    ``header`` is the BAM's @SQ name → length, ``mapped`` the mapped-read count per contig.
    Contigs present in both must have equal lengths, at least one reference contig must be in
    the BAM, and no mapped read may lie on a contig the reference lacks.
    """
    shared = [name for name in header if name in fai]
    if not shared:
        example = next(iter(header), "none")
        return (f"none of the BAM's contigs (e.g. '{example}') is in the reference "
                f"(e.g. '{next(iter(fai))}'): another naming or another build")
    for name in shared:
        if header[name] != fai[name]:
            return (f"contig '{name}' is {header[name]:,} bp in the BAM but {fai[name]:,} bp in "
                    "the reference: the reads were aligned to another build")
    lost = sorted((n for n, count in mapped.items() if count and n not in fai),
                  key=lambda n: -mapped[n])
    if lost:
        return (f"{sum(mapped[n] for n in lost):,} mapped reads lie on contigs the reference "
                f"lacks (e.g. '{lost[0]}'): they could not be called")
    return None


def read_text(path: Path, role: str, field: str) -> str:
    try:
        if is_gzip(_head(path, 2)):
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                return handle.read()
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError, EOFError) as exc:
        raise InputError(f"{role} cannot be read as text: {exc}", path=path, field=field,
                         hint=f"give a plain-text (or gzip) {role}") from None
