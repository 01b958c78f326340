"""Nextflow's trace file is read into bp2's scheduling record."""

from __future__ import annotations

from pathlib import Path

import pytest

from bp2.errors import InputError
from bp2.nextflow.trace import final_attempts, parse_duration, parse_memory, read_trace

FIELDS = ("task_id\thash\tnative_id\tprocess\ttag\tname\tstatus\texit\tattempt\tsubmit\tstart\t"
          "complete\tduration\trealtime\tcpus\tmemory\tpeak_rss\tqueue\tworkdir")
RAW = "\n".join([
    FIELDS,
    "1\t3f/a1b2c3\t81234\tALIGN\tproband\tALIGN (proband)\tFAILED\t137\t1\t1709287201250\t"
    "1709287203000\t1709287263000\t62000\t60000\t8\t17179869184\t16106127360\tcompute\t"
    "/scratch/work/3f/a1b2c3d4",
    "4\t9c/77aa01\t81240\tALIGN\tproband\tALIGN (proband)\tCOMPLETED\t0\t2\t1709287300000\t"
    "1709287301000\t1709287421500\t121500\t120500\t8\t17179869184\t9663676416\tcompute\t"
    "/scratch/work/9c/77aa0123",
    "2\tab/cdef01\t-\tCALL\tcase\tCALL (case)\tCACHED\t0\t1\t-\t-\t-\t-\t-\t8\t-\t-\t-\t"
    "/scratch/work/ab/cdef0123",
]) + "\n"
HUMAN = "\n".join([
    FIELDS,
    "19\t45/ab752a\t2032\tBP2:QC_ALIGNMENT\tmother\tQC_ALIGNMENT (mother)\tCOMPLETED\t0\t1\t"
    "2014-10-23 16:33:16.288\t2014-10-23 16:33:17.000\t2014-10-23 16:34:17.500\t1m 1s\t"
    "1m 0.5s\t2\t8 GB\t29.8 MB\tshort\t/work/45/ab752a",
]) + "\n"


@pytest.mark.verifies("SRS-407")
def test_raw_trace_keeps_the_final_attempt_of_each_task(tmp_path: Path) -> None:
    """It reads raw trace values and keeps a retried task's final attempt."""
    path = tmp_path / "trace.tsv"
    path.write_text(RAW)
    final = final_attempts(read_trace(path))
    assert set(final) == {("align", "proband"), ("call", "case")}
    align = final[("align", "proband")]
    assert (align.status, align.exit, align.attempt) == ("COMPLETED", 0, 2)
    assert align.native_id == "81240"
    assert align.realtime_s == 120.5 and align.duration_s == 121.5
    assert align.memory_bytes == 16 * 1024**3 and align.peak_rss_bytes == 9 * 1024**3
    assert align.submit == "2024-03-01T10:01:40.000+00:00"
    assert final[("call", "case")].status == "CACHED"
    assert final[("call", "case")].realtime_s is None


@pytest.mark.verifies("SRS-407")
def test_human_readable_trace_is_understood(tmp_path: Path) -> None:
    """It reads Nextflow's human-readable durations, sizes and timestamps too."""
    path = tmp_path / "trace.txt"
    path.write_text(HUMAN)
    (record,) = read_trace(path)
    assert record.stage == "qc_alignment"
    assert record.duration_s == 61.0 and record.realtime_s == 60.5
    assert record.peak_rss_bytes == int(29.8 * 1024**2)
    assert record.start == "2014-10-23T16:33:17.000+00:00"
    assert parse_duration("1h 2m 3s") == 3723.0 and parse_duration("250ms") == 0.25
    assert parse_memory("0") == 0


@pytest.mark.verifies("SRS-407")
def test_malformed_trace_names_line_and_field(tmp_path: Path) -> None:
    """It refuses an unreadable trace value with its line and field."""
    path = tmp_path / "trace.tsv"
    path.write_text(RAW.replace("\t62000\t", "\tsoon\t"))
    with pytest.raises(InputError) as caught:
        read_trace(path)
    assert caught.value.line == 2 and caught.value.field == "duration/realtime"
    path.write_text("task_id\thash\n1\tab\n")
    with pytest.raises(InputError, match="no process, tag, status"):
        read_trace(path)
