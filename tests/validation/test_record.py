"""Validation records: the JSON written per protocol and read back by release and trace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from bp2.errors import InputError
from bp2.validation.record import (
    CriterionResult,
    ValidationRecord,
    load_records,
    read_record,
    write_index,
    write_record,
)


def record(pid: str = "VAL-001", status: str = "passed", passed: bool = True,
           reason: str | None = None) -> ValidationRecord:
    return ValidationRecord.model_validate({
        "protocol_id": pid, "title": "t", "validates": ["UN-004"], "status": status,
        "reason": reason,
        "criteria": [CriterionResult(metric="recall", comparator=">=", threshold=0.99,
                                     value=0.995, ci_low=0.98, ci_high=0.999, n=994,
                                     passed=passed)],
        "pipeline_version": "bp2-germline 0.1.0", "stage_versions": {"call": "1.0.1"},
        "inputs": [{"name": "reads", "path": "/d/r1.fq.gz", "sha256": "a" * 64}],
        "started": "2026-01-01T00:00:00+00:00", "finished": "2026-01-01T00:01:00+00:00",
        "duration_s": 60.0, "figures": {"bp2.ALL.recall": 0.995}})


@pytest.mark.verifies("SRS-336")
def test_records_round_trip_through_the_index(tmp_path: Path) -> None:
    """It writes result.json per protocol and index.json, and loads them back sorted by ID."""
    second, first = record("VAL-003"), record("VAL-002", "failed", False, "criteria not met")
    for r in (second, first):
        write_record(tmp_path, r)
    write_index(tmp_path, [second, first])
    index = json.loads((tmp_path / "index.json").read_text())
    assert [e["protocol_id"] for e in index["records"]] == ["VAL-002", "VAL-003"]
    assert load_records(tmp_path) == [first, second]
    assert not list(tmp_path.rglob("*.bp2tmp*"))


@pytest.mark.verifies("SRS-336")
def test_a_record_cannot_claim_a_pass_it_does_not_hold() -> None:
    """It refuses a passed record with a failed criterion and a not-executed one without reason."""
    with pytest.raises(ValidationError, match="cannot hold a failed criterion"):
        record(passed=False)
    with pytest.raises(ValidationError, match="must give its reason"):
        record(status="not-executed")


@pytest.mark.verifies("SRS-336")
def test_a_malformed_record_names_file_and_field(tmp_path: Path) -> None:
    """It reports a malformed result.json as an input error naming the file and the field."""
    path = write_record(tmp_path, record())
    data = json.loads(path.read_text())
    data["status"] = "maybe"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError) as err:
        read_record(path)
    assert err.value.field == "status" and err.value.path == str(path)
