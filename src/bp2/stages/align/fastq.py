"""Paired FASTQ reading with line-level errors: records from lines, pairs kept in step.

:func:`chunks` cuts the two line streams into equal-sized chunks (cheap: no parsing), and
:func:`parse_chunk` — pure, run in the mapping workers — turns a chunk into columns of names,
bases and qualities with line-level errors (:func:`parse_pairs`: the same as read pairs);
:func:`open_fastq` is the I/O edge (plain or gzip/BGZF text, a truncated
compressed stream is an InputError).  A pair's names must agree once a trailing ``/1`` or ``/2``
is removed, so reads that have fallen out of step between the two files are refused instead of
being aligned as false pairs.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice, repeat
from pathlib import Path

from bp2.errors import InputError
from bp2.stages.align.sam import Read

_GZIP_MAGIC = b"\x1f\x8b"
_LINES_PER_TAKE = 4096


def read_name(header: str) -> str:
    """The read name of a FASTQ header line: up to the first space, without a /1 or /2 suffix."""
    words = header[1:].split(maxsplit=1)
    if not words:
        return ""
    name = words[0]
    if len(name) >= 3 and name[-2] == "/" and name[-1].isdigit():
        return name[:-2]
    return name


@dataclass(frozen=True)
class Chunk:
    """The same number of lines from each FASTQ of a pair, with where they start."""

    lines1: list[str]
    lines2: list[str]
    first_line: int  # 1-based line number of the chunk's first line, in both files
    first_pair: int  # 0-based index of the chunk's first pair


def parse_lines(lines: list[str], path: Path, first_line: int) -> list[Read]:
    """Reads of a list of FASTQ lines (4 per record) whose first line is ``first_line``."""
    return list(map(Read, *parse_columns(lines, path, first_line)))


def parse_columns(
    lines: list[str], path: Path, first_line: int
) -> tuple[list[str], list[str], list[str]]:
    """(names, bases, qualities) of a list of FASTQ lines, checked as :func:`parse_lines` does.

    Column-wise so that the common case runs in C loops (``map``, list comparisons); a
    failure is then located record by record so the error names the first bad line.
    """
    if len(lines) % 4:
        if len(lines) % 4 == 1 and lines[-1] in ("\n", "\r\n", ""):
            lines = lines[:-1]  # one trailing blank line
        else:
            raise InputError(
                "FASTQ ends inside a record (truncated file?)", path=path,
                line=first_line + len(lines) - len(lines) % 4,
                hint="the last record needs 4 lines; re-transfer or re-generate the file",
            )
    headers, pluses = lines[0::4], lines[2::4]
    bases = list(map(str.rstrip, lines[1::4], repeat("\r\n")))
    quals = list(map(str.rstrip, lines[3::4], repeat("\r\n")))
    well_formed = (all(map(str.startswith, headers, repeat("@")))
                   and all(map(str.startswith, pluses, repeat("+"))) and all(bases)
                   and list(map(len, bases)) == list(map(len, quals)))
    names = _names(headers) if well_formed else []
    if not well_formed or not all(names):
        _locate_error(lines, path, first_line)
    return names, bases, quals


def _names(headers: list[str]) -> list[str]:
    """:func:`read_name` of each header line, the common case in one comprehension."""
    words = [header.split(None, 1)[0] for header in headers]  # "@name" (header starts with @)
    if min(map(len, words), default=0) < 2:
        return [read_name(header) for header in headers]  # "@ name" or "@": the general rule
    return [word[1:-2] if len(word) >= 4 and word[-2] == "/" and word[-1].isdigit()
            else word[1:] for word in words]


def _locate_error(lines: list[str], path: Path, first_line: int) -> None:
    """Raise the InputError of the first malformed record of ``lines``."""
    for k in range(0, len(lines), 4):
        header, bases, plus, quals = lines[k:k + 4]
        if header[:1] != "@":
            raise InputError("FASTQ record does not start with '@'", path=path,
                             line=first_line + k,
                             hint="each record is 4 lines: @name, bases, +, qualities")
        if plus[:1] != "+":
            raise InputError("FASTQ separator line does not start with '+'", path=path,
                             line=first_line + k + 2, hint="each record is 4 lines: @name, "
                             "bases, +, qualities (multi-line FASTQ is not supported)")
        bases, quals = bases.rstrip("\r\n"), quals.rstrip("\r\n")
        name = read_name(header)
        if not name:
            raise InputError("FASTQ record has no read name", path=path, line=first_line + k,
                             hint="give each record a name after '@'")
        if not bases or len(bases) != len(quals):
            raise InputError(
                f"FASTQ record '{name}' has {len(bases)} bases but {len(quals)} qualities",
                path=path, line=first_line + k + 1,
                hint="bases and qualities must have the same, non-zero length",
            )
    raise AssertionError("a malformed record was detected but not located")  # pragma: no cover


def parse_pairs(chunk: Chunk, path1: Path, path2: Path) -> list[tuple[Read, Read]]:
    """The read pairs of a chunk, refusing files of different lengths or mismatched names."""
    names, bases1, quals1, bases2, quals2 = parse_chunk(chunk, path1, path2)
    return list(zip(map(Read, names, bases1, quals1), map(Read, names, bases2, quals2),
                    strict=True))


def parse_chunk(
    chunk: Chunk, path1: Path, path2: Path
) -> tuple[list[str], list[str], list[str], list[str], list[str]]:
    """(names, bases 1, qualities 1, bases 2, qualities 2) of a chunk's pairs, checked in step.

    Files of different lengths or mates with different names are refused.
    """
    names1, bases1, quals1 = parse_columns(chunk.lines1, path1, chunk.first_line)
    names2, bases2, quals2 = parse_columns(chunk.lines2, path2, chunk.first_line)
    if len(names1) != len(names2):
        shorter, longer = (path1, path2) if len(names1) < len(names2) else (path2, path1)
        raise InputError(
            f"FASTQ files hold different numbers of reads: {shorter.name} ends after "
            f"{chunk.first_pair + min(len(names1), len(names2))} reads, {longer.name} has more",
            path=shorter,
            hint="give the two files of the same read pairs, complete and in the same order",
        )
    if names1 != names2:
        offset, name1, name2 = next((k, one, two) for k, (one, two)
                                    in enumerate(zip(names1, names2, strict=True)) if one != two)
        line = chunk.first_line + 4 * offset
        raise InputError(
            f"read pair {chunk.first_pair + offset + 1} is out of step: '{name1}' "
            f"({path1.name}) vs '{name2}' ({path2.name}) at line {line}",
            path=path2, line=line,
            hint="fastq_1 and fastq_2 must list the mates of each pair in the same order",
        )
    return names1, bases1, quals1, bases2, quals2


def chunks(lines1: Iterable[str], lines2: Iterable[str], pairs_per_chunk: int) -> Iterator[Chunk]:
    """Cut two FASTQ line streams into chunks of up to ``pairs_per_chunk`` records each."""
    size = 4 * pairs_per_chunk
    take1, take2 = _taker(lines1), _taker(lines2)
    first_line, first_pair = 1, 0
    while True:
        part1, part2 = take1(size), take2(size)
        if not part1 and not part2:
            return
        yield Chunk(part1, part2, first_line, first_pair)
        first_line += size
        first_pair += pairs_per_chunk


def _taker(lines: Iterable[str]) -> Callable[[int], list[str]]:
    if isinstance(lines, FastqLines):
        return lines.take
    iterator = iter(lines)
    return lambda n: list(islice(iterator, n))


class FastqLines:
    """The lines of an open FASTQ; a corrupt or truncated stream raises :class:`InputError`.

    :meth:`take` reads many lines in one C loop (``islice`` over the text stream); iterating
    line by line works too.
    """

    def __init__(self, text: Iterator[str], path: Path) -> None:
        self._text = text
        self._path = path

    def take(self, count: int) -> list[str]:
        """The next ``count`` lines (fewer at the end of the file)."""
        try:
            return list(islice(self._text, count))
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise InputError(
                f"FASTQ is truncated or its compression is corrupt ({exc})", path=self._path,
                hint="re-transfer the file and check its checksum (md5_1/md5_2 in the "
                "samplesheet)",
            ) from None
        except UnicodeDecodeError as exc:
            raise InputError(
                f"FASTQ holds a non-ASCII byte at offset {exc.start} of a block",
                path=self._path, hint="FASTQ must be plain ASCII text (gzip-compressed or not)",
            ) from None

    def __iter__(self) -> Iterator[str]:
        while block := self.take(_LINES_PER_TAKE):
            yield from block


@contextmanager
def open_fastq(path: Path) -> Iterator[FastqLines]:
    """Open a FASTQ (plain, gzip or BGZF) as lines; a corrupt or truncated stream is refused."""
    raw = path.open("rb")
    try:
        compressed = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        text = (
            io.TextIOWrapper(gzip.GzipFile(fileobj=raw), encoding="ascii") if compressed
            else io.TextIOWrapper(raw, encoding="ascii")
        )
        yield FastqLines(text, path)
    finally:
        raw.close()
