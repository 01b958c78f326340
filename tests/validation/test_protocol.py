"""Loading executable protocols and checking their datasets' sha256."""

from __future__ import annotations

from pathlib import Path

import pytest

from bp2.errors import ExitCode, InputError
from bp2.validation.protocol import (
    AccuracyExecution,
    NotExecutable,
    TieringTrioExecution,
    list_protocols,
    load_protocol,
    resolve_datasets,
)
from tests.validation.conftest import sha, write_protocol

REPO = Path(__file__).resolve().parents[2]

ACCURACY = """\
execution:
  kind: germline-accuracy
  reference: sample
  samples:
  - {id: S1, sex: female, fastq_1: sample, fastq_2: sample, affected: true}
  truth: sample
  confident: sample
  evaluate_sample: S1
  window: chr20:1-100
"""


@pytest.mark.verifies("SRS-330")
def test_every_project_protocol_loads() -> None:
    """It loads every validation/VAL-*.yaml of bp2 itself; each real-data protocol is runnable."""
    ids = list_protocols(REPO)
    assert {"VAL-001", "VAL-002", "VAL-003", "VAL-004", "VAL-006"} <= set(ids)
    kinds = {pid: type(load_protocol(REPO, pid).execution) for pid in ids}
    for pid in ("VAL-002", "VAL-003", "VAL-004"):
        assert kinds[pid] is AccuracyExecution
    assert kinds["VAL-005"] is TieringTrioExecution
    for pid in ("VAL-007", "VAL-009"):
        assert kinds[pid] is NotExecutable


@pytest.mark.verifies("SRS-330")
def test_execution_block_is_checked(project: Path) -> None:
    """It loads an execution block and refuses one naming an unknown dataset key."""
    write_protocol(project, "VAL-900", execution=ACCURACY)
    protocol = load_protocol(project, "VAL-900")
    assert isinstance(protocol.execution, AccuracyExecution)
    assert protocol.execution.window_interval() == ("chr20", 0, 100)
    write_protocol(project, "VAL-901", execution=ACCURACY.replace("truth: sample",
                                                                  "truth: nothing"))
    with pytest.raises(InputError) as err:
        load_protocol(project, "VAL-901")
    assert err.value.field == "execution.truth" and "nothing" in err.value.title


@pytest.mark.verifies("SRS-330")
def test_an_unknown_execution_kind_names_the_field(project: Path) -> None:
    """It refuses an execution kind it does not know, naming the field."""
    write_protocol(project, "VAL-902", execution="execution:\n  kind: by-magic\n")
    with pytest.raises(InputError) as err:
        load_protocol(project, "VAL-902")
    assert err.value.exit_code == ExitCode.BAD_INPUT
    assert err.value.field is not None and err.value.field.startswith("execution")


@pytest.mark.verifies("SRS-331")
def test_datasets_are_resolved_and_hashed(project: Path) -> None:
    """It expands ${BP2_TEST_DATA} and accepts a file whose sha256 matches the protocol."""
    write_protocol(project, "VAL-900", execution=ACCURACY)
    data = project.parent / "data"
    resolved = resolve_datasets(load_protocol(project, "VAL-900"), {"BP2_TEST_DATA": data})
    assert resolved["sample"].path == data / "sample.txt"
    assert resolved["sample"].sha256 == sha(b"reads\n")


@pytest.mark.verifies("SRS-331")
def test_a_sha256_mismatch_is_refused(project: Path) -> None:
    """It refuses a dataset whose sha256 differs, naming the dataset, the file and both hashes."""
    write_protocol(project, "VAL-900", execution=ACCURACY, digest="f" * 64)
    with pytest.raises(InputError) as err:
        resolve_datasets(load_protocol(project, "VAL-900"),
                         {"BP2_TEST_DATA": project.parent / "data"})
    text = str(err.value)
    assert "sha256 mismatch" in text and "a small file" in text and sha(b"reads\n") in text
    assert err.value.item_id == "VAL-900" and err.value.field == "datasets[0].sha256"


@pytest.mark.verifies("SRS-331")
def test_a_missing_dataset_says_where_to_point(project: Path) -> None:
    """It names the missing file and tells the user to set BP2_TEST_DATA."""
    write_protocol(project, "VAL-900", execution=ACCURACY)
    with pytest.raises(InputError) as err:
        resolve_datasets(load_protocol(project, "VAL-900"),
                         {"BP2_TEST_DATA": project.parent / "elsewhere"})
    assert "BP2_TEST_DATA" in err.value.hint
