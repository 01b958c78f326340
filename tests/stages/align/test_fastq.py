"""FASTQ pairs: parsing, pairing in step, and refusal of broken files with file and line."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from bp2.errors import InputError
from bp2.stages.align.fastq import (
    Chunk,
    chunks,
    open_fastq,
    parse_chunk,
    parse_columns,
    parse_lines,
    parse_pairs,
    read_name,
)
from bp2.stages.align.sam import Read

P1, P2 = Path("a_R1.fastq.gz"), Path("a_R2.fastq.gz")


def record(name: str, seq: str = "ACGT", qual: str = "IIII") -> list[str]:
    return [f"@{name}\n", f"{seq}\n", "+\n", f"{qual}\n"]


@pytest.mark.verifies("SRS-130")
def test_names_lose_pair_suffix_and_comment() -> None:
    """It takes the read name up to the first space and drops a /1 or /2 suffix."""
    assert read_name("@HSQ:1:2/1 extra") == "HSQ:1:2"
    assert read_name("@HSQ:1:2 1:N:0:ACGT") == "HSQ:1:2"
    assert read_name("@r/12") == "r/12"


@pytest.mark.verifies("SRS-130")
def test_pairs_are_parsed_in_step() -> None:
    """It pairs the reads of both files record by record."""
    chunk = Chunk(record("a/1") + record("b/1", "GG", "!!"), record("a/2") + record("b/2"), 1, 0)
    pairs = parse_pairs(chunk, P1, P2)
    assert pairs[0] == (Read("a", "ACGT", "IIII"), Read("a", "ACGT", "IIII"))
    assert pairs[1][0] == Read("b", "GG", "!!")


@pytest.mark.verifies("SRS-130")
def test_out_of_step_pair_is_refused_with_line() -> None:
    """It refuses mates whose names differ, naming both names and the line."""
    chunk = Chunk(record("a") + record("b"), record("a") + record("c"), 9, 2)
    with pytest.raises(InputError) as info:
        parse_pairs(chunk, P1, P2)
    assert "read pair 4 is out of step: 'b'" in info.value.title
    assert info.value.line == 13 and info.value.path == str(P2)


@pytest.mark.verifies("SRS-130")
def test_different_read_counts_are_refused() -> None:
    """It refuses two files holding different numbers of reads, naming the shorter."""
    chunk = Chunk(record("a"), record("a") + record("b"), 1, 4000)
    with pytest.raises(InputError) as info:
        parse_pairs(chunk, P1, P2)
    assert "a_R1.fastq.gz ends after 4001 reads" in info.value.title
    assert info.value.path == str(P1)


@pytest.mark.verifies("SRS-130")
@pytest.mark.parametrize(
    ("lines", "message", "line"),
    [
        (record("a")[:3], "ends inside a record", 1),
        (["Xa\n", "A\n", "+\n", "I\n"], "does not start with '@'", 1),
        (["@a\n", "A\n", "-\n", "I\n"], "separator line", 3),
        (record("a", "ACGT", "III"), "has 4 bases but 3 qualities", 2),
        (record("a", "", ""), "has 0 bases", 2),
        (["@\n", "A\n", "+\n", "I\n"], "no read name", 1),
    ],
)
def test_malformed_records_are_refused(lines: list[str], message: str, line: int) -> None:
    """It refuses a truncated or malformed record, naming the file and line."""
    with pytest.raises(InputError) as info:
        parse_lines(record("ok") + lines, P1, 1)
    assert message in info.value.title
    assert info.value.line == line + 4 and info.value.path == str(P1)


@pytest.mark.verifies("SRS-130")
def test_trailing_blank_line_is_accepted() -> None:
    """It accepts one blank line at the end of a file."""
    assert len(parse_lines([*record("a"), "\n"], P1, 1)) == 1


@pytest.mark.verifies("SRS-124")
def test_chunks_cut_both_streams_alike() -> None:
    """It cuts both files into equal chunks of whole records, numbering their first lines."""
    lines = [line for i in range(5) for line in record(f"r{i}")]
    parts = list(chunks(iter(lines), iter(lines), 2))
    assert [(c.first_line, c.first_pair, len(c.lines1)) for c in parts] == [
        (1, 0, 8), (9, 2, 8), (17, 4, 4)]


@pytest.mark.verifies("SRS-130")
def test_truncated_gzip_is_refused(tmp_path: Path) -> None:
    """It refuses a gzip FASTQ cut short, naming the file."""
    whole = gzip.compress("".join(record("a") * 2000).encode())
    path = tmp_path / "cut.fastq.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InputError) as info, open_fastq(path) as lines:
        list(lines)
    assert "truncated or its compression is corrupt" in info.value.title
    assert info.value.path == str(path)


@pytest.mark.verifies("SRS-130")
def test_plain_and_gzip_read_alike(tmp_path: Path) -> None:
    """It reads plain and gzip FASTQ to the same lines."""
    text = "".join(record("a") + record("b"))
    plain, packed = tmp_path / "a.fastq", tmp_path / "a.fastq.gz"
    plain.write_text(text)
    packed.write_bytes(gzip.compress(text.encode()))
    with open_fastq(plain) as one, open_fastq(packed) as two:
        assert list(one) == list(two) == text.splitlines(keepends=True)


@pytest.mark.verifies("SRS-130")
def test_non_ascii_is_refused(tmp_path: Path) -> None:
    """It refuses a FASTQ holding a non-ASCII byte."""
    path = tmp_path / "bad.fastq"
    path.write_bytes(b"@a\nAC\xc3\xa9\n+\nIIII\n")
    with pytest.raises(InputError, match="non-ASCII"), open_fastq(path) as lines:
        list(lines)


@pytest.mark.verifies("SRS-130")
def test_names_of_a_chunk_follow_the_one_name_rule() -> None:
    """It names every record of a chunk as read_name names one header, odd headers included."""
    headers = ["@r/1", "@r/2 c", "@HSQ:1:2 1:N:0", "@r/12", "@ab", "@a/x", "@a\t/1", "@x/9\r"]
    lines = [line for h in headers for line in record(h[1:].rstrip("\r"))]
    lines[0::4] = [h + "\n" for h in headers]
    names, bases, quals = parse_columns(lines, P1, 1)
    assert names == [read_name(h + "\n") for h in headers]
    assert names[:4] == ["r", "r", "HSQ:1:2", "r/12"] and (bases[0], quals[0]) == ("ACGT", "IIII")
    # a header with a space after '@' takes the general rule (the name after the space)
    spaced = parse_columns(["@ lead/1\n", "A\n", "+\n", "I\n"], P1, 1)[0]
    assert spaced == [read_name("@ lead/1\n")] == ["lead"]


@pytest.mark.verifies("SRS-130")
def test_chunk_columns_match_parsed_pairs() -> None:
    """It gives the same names, bases and qualities as columns as it does as read pairs."""
    chunk = Chunk(record("a/1") + record("b/1", "GG", "!!"), record("a/2") + record("b/2"), 1, 0)
    names, bases1, quals1, bases2, quals2 = parse_chunk(chunk, P1, P2)
    pairs = parse_pairs(chunk, P1, P2)
    assert names == [one.name for one, _ in pairs] == ["a", "b"]
    assert (bases1, quals1) == ([one.seq for one, _ in pairs], [one.qual for one, _ in pairs])
    assert (bases2, quals2) == ([two.seq for _, two in pairs], [two.qual for _, two in pairs])


@pytest.mark.verifies("SRS-130")
def test_truncated_gzip_is_refused_when_cut_into_chunks(tmp_path: Path) -> None:
    """It refuses a gzip FASTQ cut short while chunks are taken from it, naming the file."""
    whole = gzip.compress("".join(record("a") * 20000).encode())
    path = tmp_path / "cut.fastq.gz"
    path.write_bytes(whole[: len(whole) * 3 // 4])
    with pytest.raises(InputError) as info, open_fastq(path) as one, open_fastq(path) as two:
        list(chunks(one, two, 1000))
    assert "truncated or its compression is corrupt" in info.value.title
    assert info.value.path == str(path)
