"""bp2's own real-data protocols end to end: ``bp2 run`` beside the bare Debian chain.

Each test executes one protocol of ``validation/`` exactly as ``bp2 validate`` does — the case
built from the dataset files (sha256-checked), the pipeline run through ``bp2.engine.api`` twice
in fresh output directories, the bare ``minimap2 | samtools sort`` + ``bcftools mpileup | call
-mv`` chain on the same reads, both scored by ``bp2.benchmark`` — and requires every acceptance
criterion to pass, among them bp2's FP + FN lower than the bare chain's on dataset 11 and no
higher on datasets 1 and 2.  Measured here: VAL-002 about 45 s, VAL-003 about 55 s, VAL-004
about 35 s (2 threads).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bp2.validation.api import validate
from bp2.validation.record import ValidationRecord
from tests.testdata import require_data

REPO = Path(__file__).resolve().parents[2]


def run(protocol: str, tmp_path: Path) -> ValidationRecord:
    data = require_data()
    [record] = validate(REPO, [protocol], tmp_path, test_data=data)
    return record


def check(record: ValidationRecord, tmp_path: Path) -> None:
    assert record.status == "passed", [c for c in record.criteria if not c.passed]
    bare = {c.name: c for c in record.comparator_results}["bare-chain"]
    assert bare.figures["bare.ALL.recall.n"] == record.figures["bp2.ALL.recall.n"]
    assert set(bare.versions) == {"minimap2", "samtools", "bcftools"}
    assert record.figures["repeat.differing_vcf_records"] == 0
    assert {"call", "align"} <= set(record.stage_versions)
    assert all(len(i.sha256) == 64 for i in record.inputs)
    for plot in record.plots:
        assert (tmp_path / record.protocol_id / plot).stat().st_size > 0
    assert (tmp_path / record.protocol_id / "benchmark-bp2" / "summary.csv").is_file()


@pytest.mark.slow
@pytest.mark.needs_data
@pytest.mark.verifies("SRS-333", "SRS-334", "SRS-335")
def test_val_003_dataset_11_beats_the_bare_chain(tmp_path: Path) -> None:
    """It passes VAL-003: recall and precision >= 0.99 and fewer FP + FN than the bare chain."""
    record = run("VAL-003", tmp_path)
    check(record, tmp_path)
    assert record.figures["bp2.ALL.recall.n"] == 994
    assert record.figures["errors.ALL.bp2_minus_bare"] < 0


@pytest.mark.slow
@pytest.mark.needs_data
@pytest.mark.verifies("SRS-333", "SRS-334", "SRS-335")
def test_val_002_dataset_1_no_worse_than_the_bare_chain(tmp_path: Path) -> None:
    """It passes VAL-002 on NA12878's real reads: no more FP + FN than the bare chain."""
    record = run("VAL-002", tmp_path)
    check(record, tmp_path)
    assert record.figures["errors.ALL.bp2_minus_bare"] <= 0


@pytest.mark.slow
@pytest.mark.needs_data
@pytest.mark.verifies("SRS-333", "SRS-334", "SRS-335")
def test_val_004_trio_child_and_identity_scenarios(tmp_path: Path) -> None:
    """It passes VAL-004: the child scored in the window; neither sample swap passes family QC."""
    record = run("VAL-004", tmp_path)
    check(record, tmp_path)
    assert record.figures["identity.scenarios"] == 2
    assert record.figures["identity.passing"] == 0
