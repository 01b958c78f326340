"""FASTQ checks over every record: pure chunk checks, gzip integrity and the file scanner."""

from __future__ import annotations

import gzip
import subprocess
import time
from pathlib import Path

import pytest

from bp2.stages.intake.fastq import (
    BGZF_EOF,
    Chunk,
    FastqFault,
    StreamFault,
    check_chunk,
    gunzip_blocks,
    names_digest,
    read_name,
    record_chunks,
)
from bp2.stages.intake.scan import pair_mismatch, scan_file, scan_files
from tests.stages.intake.cases import fastq_text, reads, write_fastq
from tests.testdata import data_file

DATASET1 = "grch37_chr20_NA12878_deepvariant/derived/NA12878_S1.chr20.10_10p1mb_R{}.fastq.gz"


def chunk(text: str) -> Chunk:
    return Chunk(0, text.encode().split(b"\n")[:-1])


def fault_of(text: str) -> FastqFault:
    with pytest.raises(FastqFault) as info:
        check_chunk(chunk(text))
    return info.value


@pytest.mark.verifies("SRS-103")
def test_a_valid_chunk_gives_counts_bases_and_q30() -> None:
    """It counts records, bases and Q30 bases of well-formed records."""
    stats = check_chunk(chunk("@a\nACGTN\n+\nII#II\n@b\nAC\n+a\n?5\n"))
    # 'I' = Q40, '?' = Q30 are ≥Q30; '#' = Q2 and '5' = Q20 are not: 4 + 1 of 7 bases
    assert (stats.records, stats.bases, stats.q30_bases) == (2, 7, 5)
    assert (stats.min_length, stats.max_length) == (2, 5)


@pytest.mark.verifies("SRS-103")
@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("@a\nACGT\n+\nIIII\n@b\nACXT\n+\nIIII\n", 6, "invalid base 'X' at position 3"),
        ("@a\nacgt\n+\nIIII\n", 2, "invalid base 'a'"),
        ("@a\r\nACGT\r\n+\r\nIIII\r\n", 2, "carriage return"),
        ("@a\nACGT\n+\nII I\n", 4, "quality character"),
        ("@a\nACGT\n+\nIII\n", 4, "4 bases but 3 quality values"),
        ("@a\nACGT\n-\nIIII\n", 3, "not a '+' separator"),
        ("@a\nACGT\n+\nIIII\nb\nACGT\n+\nIIII\n", 5, "does not start with '@name'"),
        ("@\nACGT\n+\nIIII\n", 1, "does not start with '@name'"),
        ("@a\n\n+\n\n", 2, "has no bases"),
    ],
)
def test_faulty_records_are_located(text: str, line: int, words: str) -> None:
    """It refuses a malformed record naming the problem and the file line."""
    fault = fault_of(text)
    assert words in fault.message and fault.line == line and fault.hint


@pytest.mark.verifies("SRS-103")
def test_a_file_ending_inside_a_record_is_refused() -> None:
    """It refuses a file whose last record has fewer than 4 lines, naming record and line."""
    blocks = [b"@a\nACGT\n+\nIIII\n@b\nAC", b"GT\n+\n"]
    with pytest.raises(FastqFault) as info:
        list(record_chunks(blocks, 10))
    assert "ends inside record 2" in info.value.message and info.value.line == 7


@pytest.mark.verifies("SRS-103")
def test_chunks_hold_whole_records_across_block_boundaries() -> None:
    """It cuts arbitrary byte blocks into chunks of whole 4-line records, numbering them."""
    text = fastq_text(reads(10, length=7)).encode()
    blocks = [text[i:i + 13] for i in range(0, len(text), 13)]
    chunks = list(record_chunks(blocks, 4))
    assert [(c.first_record, c.records) for c in chunks] == [(0, 4), (4, 4), (8, 2)]
    assert chunks[1].line_of(0, 1) == 4 * 4 + 2  # bases line of record 5


@pytest.mark.verifies("SRS-102")
def test_gzip_cut_short_is_refused_with_the_line_reached() -> None:
    """It refuses a gzip stream that ends inside a member, naming the last complete line."""
    data = gzip.compress(fastq_text(reads(200)).encode(), mtime=0)
    cut = data[: len(data) * 99 // 100]
    with pytest.raises(FastqFault) as info:
        list(record_chunks(gunzip_blocks([cut]), 1000))
    assert "truncated" in info.value.message
    assert info.value.line is not None and 0 < info.value.line < 800
    assert f"line {info.value.line:,}" in info.value.message


@pytest.mark.verifies("SRS-102")
def test_gzip_crc_failure_and_garbage_are_refused() -> None:
    """It refuses a member whose CRC fails and data that is not gzip."""
    data = bytearray(gzip.compress(b"@a\nACGT\n+\nIIII\n", mtime=0))
    data[-6] ^= 0xFF  # corrupt the stored CRC32
    with pytest.raises(StreamFault, match="corrupt"):
        list(gunzip_blocks([bytes(data)]))
    with pytest.raises(StreamFault, match="corrupt"):
        list(gunzip_blocks([gzip.compress(b"x", mtime=0) + b"not gzip"]))
    assert b"".join(gunzip_blocks([gzip.compress(b"x", mtime=0) + b"\0" * 8])) == b"x"


@pytest.mark.verifies("SRS-102")
def test_bgzf_without_its_eof_marker_is_refused(tmp_path: Path) -> None:
    """It refuses a BGZF file cut exactly at a block boundary (no end-of-file marker)."""
    path = write_fastq(tmp_path / "a.fastq.gz", reads(20))
    data = path.read_bytes()
    assert data.endswith(BGZF_EOF)
    path.write_bytes(data[: -len(BGZF_EOF)])
    report = scan_file(path)
    assert report.fault is not None and "BGZF end-of-file marker" in report.fault.message
    assert report.fault.line == 80  # every record was readable: the cut is after line 80


@pytest.mark.verifies("SRS-104")
def test_read_names_pair_with_suffixes_and_comments() -> None:
    """It pairs names up to the first whitespace, ignoring /1 and /2, at C speed per chunk."""
    assert read_name(b"@x:1:2/1") == b"x:1:2" and read_name(b"@x 1:N:0:ACGT") == b"x"
    plain = [b"@a", b"@b"]
    assert names_digest(plain) == names_digest([b"@a/1", b"@b/1"])
    assert names_digest(plain) == names_digest([b"@a 2:N:0:AC", b"@b\t2:N:0:AC"])
    assert names_digest(plain) != names_digest([b"@a", b"@c"])


@pytest.mark.verifies("SRS-104")
def test_pair_mismatch_names_the_first_unpaired_read(tmp_path: Path) -> None:
    """It names the first read whose R1 and R2 names differ, with its record and line."""
    records = reads(50)
    swapped = list(records)
    swapped[36], swapped[37] = swapped[37], swapped[36]
    r1 = write_fastq(tmp_path / "r1.fq.gz", records, suffix="/1")
    r2 = write_fastq(tmp_path / "r2.fq.gz", swapped, suffix="/2")
    reports = scan_files([r1, r2], records_per_chunk=16)
    found = pair_mismatch(r1, r2, reports[0], reports[1], records_per_chunk=16)
    assert found is not None
    assert (found.record, found.name_1, found.name_2) == (37, "r36", "r37")
    assert found.line == 4 * 36 + 1


@pytest.mark.verifies("SRS-103", "SRS-106")
def test_scan_checks_every_record_and_hashes_the_whole_file(tmp_path: Path) -> None:
    """It checks every record (or the first N when limited) and always hashes the whole file."""
    path = write_fastq(tmp_path / "a.fastq.gz", reads(100), bgzf=False)
    md5sum = subprocess.run(["md5sum", str(path)], capture_output=True, text=True,
                            check=True).stdout.split()[0]
    full, limited = scan_file(path), scan_file(path, max_records=30, records_per_chunk=16)
    assert (full.stats.records, full.complete, full.md5) == (100, True, md5sum)
    assert (limited.stats.records, limited.complete, limited.md5) == (30, False, md5sum)
    plain = tmp_path / "b.fastq"
    plain.write_text(fastq_text(reads(3)))
    assert scan_file(plain).stats.records == 3
    other = tmp_path / "c.txt"
    other.write_text("not a fastq\n")
    fault = scan_file(other).fault
    assert fault is not None and "neither gzip" in fault.message


@pytest.mark.verifies("SRS-103")
def test_faults_cross_the_process_boundary(tmp_path: Path) -> None:
    """It reports a file's fault, with line and fix, when files are scanned in other processes."""
    records = reads(5)
    records[2] = (records[2][0], "X" + records[2][1][1:], records[2][2])
    bad = write_fastq(tmp_path / "bad.fq.gz", records)
    good = write_fastq(tmp_path / "good.fq.gz", reads(5))
    bad_report, good_report = scan_files([bad, good], workers=2)
    assert bad_report.fault is not None and bad_report.fault.line == 10
    assert "invalid base 'X'" in str(bad_report.fault) and bad_report.fault.hint
    assert good_report.fault is None and good_report.stats.records == 5


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-103", "SRS-104", "SRS-113")
def test_dataset1_pair_is_checked_in_seconds() -> None:
    """It checks all 25,839 pairs of dataset 1 (README count, and zcat|wc -l / 4) within 5 s."""
    r1, r2 = data_file(DATASET1.format(1)), data_file(DATASET1.format(2))
    started = time.perf_counter()
    reports = scan_files([r1, r2], workers=1)
    elapsed = time.perf_counter() - started
    lines = subprocess.run(f"gzip -dc {r1} | wc -l", shell=True, capture_output=True, text=True,
                           check=True).stdout
    assert reports[0].stats.records == reports[1].stats.records == 25_839 == int(lines) // 4
    assert reports[0].stats.bases == 25_839 * 101  # 2x101 reads
    assert all(r.fault is None for r in reports)
    assert pair_mismatch(r1, r2, reports[0], reports[1]) is None
    assert elapsed < 5.0, f"{elapsed:.2f} s"

