"""``bp2 validate`` on a fixture project: records, exit codes and the trace check."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bp2.trace.api import attach_validation_records, build_graph
from bp2.trace.checks import validation_failed
from bp2.validation.api import validate
from bp2.validation.record import load_records, write_record
from tests.validation.conftest import write_protocol
from tests.validation.test_record import record

REPO = Path(__file__).resolve().parents[2]
NOT_EXECUTABLE = "execution:\n  kind: not-executable\n  reason: a site runs it\n"


@pytest.mark.verifies("SRS-333", "SRS-338")
def test_site_protocols_are_recorded_not_executed(project: Path, tmp_path: Path) -> None:
    """It records a protocol software cannot run as not-executed with its reason, never passed."""
    write_protocol(project, "VAL-900", execution=NOT_EXECUTABLE)
    write_protocol(project, "VAL-901")  # no execution block at all
    records = validate(project, None, tmp_path / "out", test_data=project.parent / "data")
    assert [(r.protocol_id, r.status) for r in records] == [
        ("VAL-900", "not-executed"), ("VAL-901", "not-executed")]
    assert records[0].reason == "a site runs it"
    assert load_records(tmp_path / "out") == records


@pytest.mark.verifies("SRS-331", "SRS-338")
def test_cli_exits_3_on_a_checksum_mismatch(project: Path, tmp_path: Path, bp2_exe: str
                                            ) -> None:
    """It exits 3 with a message naming the dataset when a file's sha256 differs; no record."""
    write_protocol(project, "VAL-900", digest="f" * 64, execution=(
        "execution:\n  kind: germline-accuracy\n  reference: sample\n  samples:\n"
        "  - {id: S1, sex: female, fastq_1: sample, fastq_2: sample}\n  truth: sample\n"
        "  confident: sample\n  evaluate_sample: S1\n"))
    out = tmp_path / "out"
    done = subprocess.run([bp2_exe, "validate", "VAL-900", "--outdir", str(out), "--project",
                           str(project), "--test-data", str(project.parent / "data")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 3, done.stderr
    assert "sha256 mismatch" in done.stderr and "a small file" in done.stderr
    assert not (out / "VAL-900").exists()


@pytest.mark.verifies("SRS-338")
def test_cli_needs_a_protocol_or_all(tmp_path: Path, bp2_exe: str) -> None:
    """It refuses to run without a VAL-ID or --all (usage error, exit 2)."""
    done = subprocess.run([bp2_exe, "validate", "--outdir", str(tmp_path)], capture_output=True,
                          text=True, check=False, cwd=REPO)
    assert done.returncode == 2


@pytest.mark.verifies("SRS-340")
def test_a_failed_record_is_a_trace_finding(tmp_path: Path) -> None:
    """It reports an executed record with status failed as a validation-failed finding."""
    write_record(tmp_path, record("VAL-003", "failed", False, "criteria not met: recall"))
    write_record(tmp_path, record("VAL-002"))
    graph = build_graph(REPO, results=[])
    attach_validation_records(graph, tmp_path)
    findings = [f for f in validation_failed.run(graph) if f.item_id in ("VAL-002", "VAL-003")]
    assert [f.item_id for f in findings] == ["VAL-003"]
    assert "criteria not met: recall" in findings[0].message
    assert json.loads((tmp_path / "VAL-002" / "result.json").read_text())["status"] == "passed"
