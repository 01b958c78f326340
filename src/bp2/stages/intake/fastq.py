"""FASTQ checks over every record, as pure functions over byte blocks and line chunks.

``gunzip_blocks`` turns raw gzip/BGZF bytes into decompressed blocks, refusing a stream that ends
inside a member (truncation), fails its CRC, or is a BGZF file without its end-of-file marker.
``record_chunks`` cuts decompressed blocks into chunks of whole 4-line records.  ``check_chunk``
validates a chunk with whole-chunk byte operations (join/translate/count run in C), and falls back
to a per-record scan only to locate the first fault.  ``read_names`` gives the names used to pair
R1 with R2.  File handles and threads live in ``scan.py``.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

VALID_BASES = b"ACGTN"
PHRED_OFFSET = 33
VALID_QUALITIES = bytes(range(PHRED_OFFSET, 127))  # '!' (Q0) .. '~' (Q93)
Q30_AND_ABOVE = bytes(range(PHRED_OFFSET + 30, 127))
GZIP_MAGIC = b"\x1f\x8b"
BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")


class FastqFault(Exception):
    """A fault in one FASTQ file at a line; converted to an InputError at the edge."""

    def __init__(self, message: str, hint: str, line: int | None = None) -> None:
        super().__init__(message, hint, line)  # all three in args: it pickles across processes
        self.message = message
        self.hint = hint
        self.line = line

    def __str__(self) -> str:
        return self.message


class StreamFault(Exception):
    """The compressed stream is damaged; the caller adds the line reached."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


_TRUNCATED_HINT = ("the file is incomplete (an interrupted copy, download or write?): copy it "
                   "again from the sequencing provider and check it against its md5")


def is_bgzf_header(first: bytes) -> bool:
    """True when a gzip member header carries the BGZF 'BC' extra field."""
    return len(first) >= 18 and first[:4] == b"\x1f\x8b\x08\x04" and first[12:14] == b"BC"


def gunzip_blocks(raw_blocks: Iterable[bytes], *, tail: bytes | None = None) -> Iterator[bytes]:
    """Decompress a (multi-member) gzip stream given as raw blocks, checking its integrity.

    Raises StreamFault when the stream ends inside a member (truncated), when a member fails its
    CRC/length check or is not gzip data, and — for BGZF files, whose ``tail`` (last 28 bytes)
    the caller passes — when the BGZF end-of-file marker is missing.
    """
    decomp = zlib.decompressobj(31)
    in_member = False
    first_block = True
    offset = 0  # compressed bytes consumed before the current block
    bgzf = False
    for block in raw_blocks:
        if first_block:
            first_block = False
            bgzf = is_bgzf_header(block)
        data = block
        while data:
            if not in_member and not data.strip(b"\x00"):
                break  # zero padding after the last member
            in_member = True
            try:
                out = decomp.decompress(data)
            except zlib.error as exc:
                raise StreamFault(
                    f"the gzip data is corrupt near compressed byte {offset:,} ({exc})",
                    "the file is damaged: copy it again from the source and check its md5",
                ) from None
            if out:
                yield out
            if decomp.eof:
                data = decomp.unused_data
                decomp = zlib.decompressobj(31)
                in_member = False
            else:
                data = b""
        offset += len(block)
    if in_member:
        raise StreamFault("the gzip stream ends before its end marker: the file is truncated",
                          _TRUNCATED_HINT)
    if bgzf and tail is not None and tail != BGZF_EOF:
        raise StreamFault("the BGZF end-of-file marker is missing: the file is truncated",
                          _TRUNCATED_HINT)


@dataclass
class Chunk:
    """Whole records: ``lines`` holds 4 lines per record; ``first_record`` counts from 0."""

    first_record: int
    lines: list[bytes]

    @property
    def records(self) -> int:
        return len(self.lines) // 4

    def line_of(self, record: int, offset: int = 0) -> int:
        """1-based file line of line ``offset`` (0..3) of chunk record ``record``."""
        return 4 * (self.first_record + record) + offset + 1


def record_chunks(blocks: Iterable[bytes], records_per_chunk: int,
                  on_fault: Callable[[int], None] | None = None) -> Iterator[Chunk]:
    """Cut decompressed blocks into chunks of ``records_per_chunk`` whole records.

    A file that ends inside a record raises FastqFault naming the record and line.  Blank lines
    at the very end are allowed.  A StreamFault from the blocks is re-raised as a FastqFault
    naming the last complete line reached.
    """
    want = 4 * records_per_chunk
    pending: list[bytes] = []
    partial = b""
    emitted = 0  # records emitted
    try:
        for block in blocks:
            lines = (partial + block).split(b"\n")
            partial = lines.pop()
            pending.extend(lines)
            while len(pending) >= want:
                chunk = Chunk(emitted, pending[:want])
                del pending[:want]
                emitted += records_per_chunk
                yield chunk
    except StreamFault as fault:
        reached = 4 * emitted + len(pending)
        raise FastqFault(
            f"{fault.message}; the last complete line read is line {reached:,} "
            f"(record {reached // 4 + (1 if reached % 4 else 0):,})",
            fault.hint, line=reached or None) from None
    if partial:
        pending.append(partial)
    while pending and not pending[-1].strip():
        pending.pop()
    if len(pending) % 4:
        record = emitted + len(pending) // 4 + 1
        raise FastqFault(
            f"the file ends inside record {record:,} (line {4 * emitted + len(pending):,}): "
            "a FASTQ record has exactly 4 lines", _TRUNCATED_HINT,
            line=4 * emitted + len(pending))
    if pending:
        yield Chunk(emitted, pending)


@dataclass
class ChunkStats:
    records: int = 0
    bases: int = 0
    q30_bases: int = 0
    min_length: int | None = None
    max_length: int | None = None

    def add(self, other: ChunkStats) -> None:
        self.records += other.records
        self.bases += other.bases
        self.q30_bases += other.q30_bases
        for name, pick in (("min_length", min), ("max_length", max)):
            mine, theirs = getattr(self, name), getattr(other, name)
            setattr(self, name, theirs if mine is None else mine if theirs is None
                    else pick(mine, theirs))


def _all_start_with(lines: list[bytes], prefix: bytes) -> bool:
    joined = b"\n".join(lines)
    return joined.startswith(prefix) and joined.count(b"\n" + prefix) == len(lines) - 1


def _show(value: bytes, limit: int = 60) -> str:
    text = value.decode("ascii", errors="backslashreplace")
    return text if len(text) <= limit else text[:limit] + "…"


def _char(byte: int) -> str:
    if byte == 0x0D:
        return "carriage return (Windows line ending)"
    if 33 <= byte < 127:
        return f"'{chr(byte)}'"
    return f"byte 0x{byte:02x}"


def check_chunk(chunk: Chunk) -> ChunkStats:
    """Validate every record of a chunk; raise FastqFault at the first fault."""
    lines = chunk.lines
    heads, seqs, plus, quals = lines[0::4], lines[1::4], lines[2::4], lines[3::4]
    if not _all_start_with(heads, b"@") or b"@" in map(bytes.rstrip, heads):
        for i, head in enumerate(heads):
            if not head.startswith(b"@") or not head[1:].strip():
                raise FastqFault(
                    f"record {chunk.first_record + i + 1:,} does not start with '@name' "
                    f"(found '{_show(head)}')",
                    "each FASTQ record is 4 lines: @name, bases, '+', qualities; the file is "
                    "damaged or not FASTQ", line=chunk.line_of(i, 0))
    if not _all_start_with(plus, b"+"):
        for i, line in enumerate(plus):
            if not line.startswith(b"+"):
                raise FastqFault(
                    f"line 3 of record {chunk.first_record + i + 1:,} is not a '+' separator "
                    f"(found '{_show(line)}')",
                    "each FASTQ record is 4 lines: @name, bases, '+', qualities; a line is "
                    "missing or extra before this point", line=chunk.line_of(i, 2))
    seq_lengths = list(map(len, seqs))
    qual_lengths = list(map(len, quals))
    if seq_lengths != qual_lengths:
        for i, (s, q) in enumerate(zip(seq_lengths, qual_lengths, strict=True)):
            if s != q:
                raise FastqFault(
                    f"record {chunk.first_record + i + 1:,} has {s} bases but {q} quality "
                    "values", "bases and qualities must have the same length; the record is "
                    "damaged", line=chunk.line_of(i, 3))
    shortest, longest = min(seq_lengths), max(seq_lengths)
    if shortest == 0:
        i = seq_lengths.index(0)
        raise FastqFault(f"record {chunk.first_record + i + 1:,} has no bases",
                         "remove empty reads (or re-export the FASTQ without them)",
                         line=chunk.line_of(i, 1))
    bases = b"".join(seqs)
    if bases.translate(None, VALID_BASES):
        for i, seq in enumerate(seqs):
            bad = seq.translate(None, VALID_BASES)
            if bad:
                raise FastqFault(
                    f"record {chunk.first_record + i + 1:,} ('{_show(heads[i][1:], 40)}') has "
                    f"the invalid base {_char(bad[0])} at position {seq.index(bad[:1]) + 1}",
                    "FASTQ bases must be upper-case A, C, G, T or N; the file is damaged, or "
                    "was converted with the wrong line endings or alphabet",
                    line=chunk.line_of(i, 1))
    qualities = b"".join(quals)
    if qualities.translate(None, VALID_QUALITIES):
        for i, qual in enumerate(quals):
            bad = qual.translate(None, VALID_QUALITIES)
            if bad:
                raise FastqFault(
                    f"record {chunk.first_record + i + 1:,} has the quality character "
                    f"{_char(bad[0])} outside the Phred+33 range '!'..'~' at position "
                    f"{qual.index(bad[:1]) + 1}",
                    "qualities must be Phred+33 (Sanger/Illumina 1.8+) characters; the file "
                    "is damaged or has Windows line endings", line=chunk.line_of(i, 3))
    below_q30 = len(qualities.translate(None, Q30_AND_ABOVE))
    return ChunkStats(records=len(seqs), bases=len(bases), q30_bases=len(qualities) - below_q30,
                      min_length=shortest, max_length=longest)


def read_name(header: bytes) -> bytes:
    """The read name used for pairing: up to the first whitespace, without a /1 or /2 suffix."""
    name = header[1:].split(None, 1)[0] if header[1:].strip() else b""
    return name[:-2] if name.endswith((b"/1", b"/2")) else name


def names_digest(heads: list[bytes]) -> bytes:
    """MD5 of a chunk's read names (as ``read_name`` gives them), computed at C speed.

    Equal names give equal digests, so R1 and R2 can be scanned apart (in other processes) and
    paired afterwards by comparing one digest per chunk.
    """
    joined = b"\n".join(heads)
    if len(joined.split()) == len(heads):  # no whitespace inside any header line
        names = joined.replace(b"\n@", b"\n")[1:]
    else:
        names = b"\n".join([h[1:].split(None, 1)[0] if h[1:].strip() else b"" for h in heads])
    if b"/1\n" in names or b"/2\n" in names or names.endswith((b"/1", b"/2")):
        names = b"\n".join([n[:-2] if n.endswith((b"/1", b"/2")) else n
                            for n in names.split(b"\n")])
    return hashlib.md5(names, usedforsecurity=False).digest()


def first_name_mismatch(heads_1: list[bytes], heads_2: list[bytes]) -> int | None:
    """Index of the first record whose R1 and R2 names differ, or None."""
    if heads_1 == heads_2:  # the common case: identical header lines
        return None
    for i, (h1, h2) in enumerate(zip(heads_1, heads_2, strict=False)):
        if h1 != h2 and read_name(h1) != read_name(h2):
            return i
    return None


@dataclass
class FileReport:
    """What one FASTQ file's scan found."""

    stats: ChunkStats = field(default_factory=ChunkStats)
    md5: str = ""
    complete: bool = True  # False when the scan stopped at max_reads_to_check
    fault: FastqFault | None = None
    name_digests: list[bytes] = field(default_factory=list)  # one per chunk of records
