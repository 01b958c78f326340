"""Tests of the local engine: layout, run record, cache reuse, atomic units, outdir handling."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from bp2.engine.api import load_case
from bp2.engine.local import RunMode, RunOptions, prepare_outdir, run_case
from bp2.errors import CheckFailed, InputError
from bp2.pipeline import Pipeline, PipelineStage
from tests.engine.toy_stages import CountParams, SumParams, ToyCount, ToySum


def make_case(root: Path) -> dict[str, Path]:
    root.mkdir(parents=True, exist_ok=True)
    (root / "ref.fa").write_text(">chr1\nACGTACGTAC\n")
    (root / "a_R1.fq").write_text("l1\nl2\nl3\n")
    (root / "a_R2.fq").write_text("x\n")
    (root / "b_R1.fq").write_text("l1\nl2\n")
    (root / "b_R2.fq").write_text("x\n")
    (root / "sheet.csv").write_text(
        "sample,sex,fastq_1,fastq_2\nA,male,a_R1.fq,a_R2.fq\nB,male,b_R1.fq,b_R2.fq\n"
    )
    (root / "case.ped").write_text("F1\tA\tB\t0\t1\t2\nF1\tB\t0\t0\t1\t1\n")
    (root / "pipeline.yaml").write_text("pipeline: toy\nversion: 1.0.0\nstages: []\n")
    return {name: root / name for name in ("ref.fa", "sheet.csv", "case.ped", "pipeline.yaml")}


def toy_pipeline(path: Path, multiplier: int = 1, max_lines: int = 1000) -> Pipeline:
    return Pipeline(
        path=path,
        name="toy",
        version="1.0.0",
        seed=1,
        stages=(
            PipelineStage(
                stage=ToyCount(), params=CountParams(multiplier=multiplier, max_lines=max_lines)
            ),
            PipelineStage(stage=ToySum(), params=SumParams()),
        ),
    )


def run_toy(
    files: dict[str, Path],
    outdir: Path,
    mode: RunMode,
    multiplier: int = 1,
    threads: int = 2,
    max_lines: int = 1000,
    accept: str | None = None,
) -> dict[str, str]:
    moved = prepare_outdir(outdir, mode)
    case = load_case(
        files["sheet.csv"],
        files["case.ped"],
        resources=None,
        reference=files["ref.fa"],
        panels=(),
        outdir=outdir,
    )
    record = run_case(
        case,
        toy_pipeline(files["pipeline.yaml"], multiplier, max_lines),
        outdir,
        RunOptions(
            threads=threads,
            mode=mode,
            progress=False,
            previous_run_moved_to=moved,
            accept_qc_failure=accept,
        ),
    )
    return {f"{u.stage}/{u.unit}": u.status for u in record.units}


@pytest.mark.verifies("SRS-008", "SRS-019")
def test_run_layout_and_record(tmp_path: Path) -> None:
    """It writes per-sample and case outputs in the documented layout and a complete run.json."""
    files = make_case(tmp_path / "case")
    out = tmp_path / "out"
    statuses = run_toy(files, out, RunMode.NEW)
    assert statuses == {
        "toy_count/A": "executed",
        "toy_count/B": "executed",
        "toy_sum/case": "executed",
    }
    assert (out / "toy_sum" / "total.txt").read_text() == "5\n"  # 3 lines (A) + 2 lines (B)
    assert json.loads((out / "toy_count" / "A" / "counts.json").read_text())["lines"] == 3
    record = json.loads((out / "run.json").read_text())
    assert record["status"] == "completed"
    assert record["stage_versions"] == {"toy_count": "1.0.0", "toy_sum": "1.0.0"}
    assert record["params"]["toy_count"] == {"multiplier": 1, "max_lines": 1000}
    assert set(record["case"]["samples"]) == {"A", "B"}
    assert record["resources"]["reference"]["files"]
    assert record["operator"] and record["host"] and record["tools"]["numpy"]
    provenance = json.loads((out / "toy_count" / "A" / "provenance.json").read_text())
    assert provenance["input_files"]["reads"]["sha256"]
    assert provenance["outputs"]["counts"]["path"] == "counts.json"
    log = (out / "bp2.log").read_text()
    assert log.count("run completed") == 1
    assert "toy_count 1.0.0 [A] started" in log and "toy_sum 1.0.0 [case] finished" in log


@pytest.mark.verifies("SRS-006", "SRS-019")
def test_resume_reuses_every_finished_unit(tmp_path: Path) -> None:
    """It reuses every unit from the cache when resumed with nothing changed."""
    files = make_case(tmp_path / "case")
    out = tmp_path / "out"
    run_toy(files, out, RunMode.NEW)
    statuses = run_toy(files, out, RunMode.RESUME)
    assert set(statuses.values()) == {"cached"}
    assert "toy_count [A]: cached result reused" in (out / "bp2.log").read_text()
    assert len(list((out / ".bp2" / "runs").iterdir())) == 1  # the first run.json is kept


@pytest.mark.verifies("SRS-006")
def test_changed_input_byte_reruns_only_affected_units(tmp_path: Path) -> None:
    """It re-runs only the units whose inputs changed, and their dependants."""
    files = make_case(tmp_path / "case")
    out = tmp_path / "out"
    run_toy(files, out, RunMode.NEW)
    (tmp_path / "case" / "b_R1.fq").write_text("l1\nl2\nl3\nl4\n")
    statuses = run_toy(files, out, RunMode.RESUME)
    assert statuses == {
        "toy_count/A": "cached",
        "toy_count/B": "executed",
        "toy_sum/case": "executed",
    }
    assert (out / "toy_sum" / "total.txt").read_text() == "7\n"  # 3 + 4


@pytest.mark.verifies("SRS-006")
def test_changed_param_reruns_stage(tmp_path: Path) -> None:
    """It re-runs a stage whose parameters changed instead of reusing the cache."""
    files = make_case(tmp_path / "case")
    out = tmp_path / "out"
    run_toy(files, out, RunMode.NEW)
    statuses = run_toy(files, out, RunMode.RESUME, multiplier=2)
    assert statuses["toy_count/A"] == "executed"
    assert (out / "toy_sum" / "total.txt").read_text() == "10\n"  # (3 + 2) × 2


@pytest.mark.verifies("SRS-006")
def test_tampered_output_is_recomputed(tmp_path: Path) -> None:
    """It recomputes a unit whose output file no longer has its recorded sha256."""
    files = make_case(tmp_path / "case")
    out = tmp_path / "out"
    run_toy(files, out, RunMode.NEW)
    (out / "toy_count" / "A" / "counts.json").write_text('{"sample": "A", "lines": 99}')
    statuses = run_toy(files, out, RunMode.RESUME)
    assert statuses["toy_count/A"] == "executed"
    assert (out / "toy_sum" / "total.txt").read_text() == "5\n"


@pytest.mark.verifies("SRS-007")
def test_non_empty_outdir_is_refused(tmp_path: Path) -> None:
    """It refuses to write into a non-empty outdir without --resume or --force."""
    files = make_case(tmp_path / "case")
    out = tmp_path / "out"
    run_toy(files, out, RunMode.NEW)
    with pytest.raises(InputError, match="not empty") as info:
        run_toy(files, out, RunMode.NEW)
    assert "--resume" in info.value.hint and "--force" in info.value.hint


@pytest.mark.verifies("SRS-007")
def test_force_moves_the_old_run_aside(tmp_path: Path) -> None:
    """It moves an earlier run aside under --force, keeps it intact and records where."""
    files = make_case(tmp_path / "case")
    out = tmp_path / "out"
    run_toy(files, out, RunMode.NEW)
    run_toy(files, out, RunMode.FORCE)
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("out.superseded-")]
    assert len(aside) == 1
    assert (aside[0] / "toy_sum" / "total.txt").read_text() == "5\n"
    record = json.loads((out / "run.json").read_text())
    assert record["previous_run_moved_to"] == str(aside[0])
    assert record["mode"] == "force"


@pytest.mark.verifies("SRS-005")
def test_failed_unit_leaves_no_final_output(tmp_path: Path) -> None:
    """It leaves no final-named directory or file for a unit that failed mid-write."""
    files = make_case(tmp_path / "case")
    out = tmp_path / "out"
    ToyCount.fail_for = {"B"}
    try:
        with pytest.raises(RuntimeError, match="injected failure"):
            run_toy(files, out, RunMode.NEW, threads=1)
    finally:
        ToyCount.fail_for = set()
    assert (out / "toy_count" / "A" / "counts.json").is_file()
    assert not (out / "toy_count" / "B").exists()
    assert not (out / "toy_sum").exists()
    assert not any((out / ".bp2" / "work").iterdir())
    record = json.loads((out / "run.json").read_text())
    assert record["status"] == "failed" and "injected failure" in record["error"]
    statuses = run_toy(files, out, RunMode.RESUME)
    assert statuses == {
        "toy_count/A": "cached",
        "toy_count/B": "executed",
        "toy_sum/case": "executed",
    }


@pytest.mark.verifies("SRS-021")
def test_failed_qc_stops_gated_stages_with_a_failure_report(tmp_path: Path) -> None:
    """It stops before gated stages when QC fails, writing a sample-failure report saying why."""
    files = make_case(tmp_path / "case")
    out = tmp_path / "out"
    with pytest.raises(CheckFailed) as info:
        run_toy(files, out, RunMode.NEW, max_lines=2)  # sample A has 3 lines
    assert "toy_count [A]: 3 lines is above the maximum" in info.value.title
    assert "--accept-qc-failure" in info.value.hint
    assert not (out / "toy_sum").exists()
    report = (out / "qc_failure_report.html").read_text()
    assert "3 lines is above the maximum" in report and "No clinical report" in report
    record = json.loads((out / "run.json").read_text())
    assert record["status"] == "qc_failed"
    assert record["qc"] == {
        "failures": ["toy_count [A]: 3 lines is above the maximum"],
        "accepted_reason": None,
    }


@pytest.mark.verifies("SRS-021")
def test_accepted_qc_failure_is_recorded_and_passed_on(tmp_path: Path) -> None:
    """It runs gated stages after --accept-qc-failure, recording and passing on the reason."""
    files = make_case(tmp_path / "case")
    out = tmp_path / "out"
    with pytest.raises(CheckFailed):
        run_toy(files, out, RunMode.NEW, max_lines=2)
    statuses = run_toy(files, out, RunMode.RESUME, max_lines=2, accept="reviewed by clinician X")
    assert statuses["toy_count/A"] == "cached" and statuses["toy_sum/case"] == "executed"
    total = (out / "toy_sum" / "total.txt").read_text()
    assert total == "5 (QC failure accepted: reviewed by clinician X)\n"
    record = json.loads((out / "run.json").read_text())
    assert record["status"] == "completed"
    assert record["qc"]["accepted_reason"] == "reviewed by clinician X"


@pytest.mark.verifies("SRS-016")
def test_per_sample_units_run_in_parallel_without_changing_outputs(tmp_path: Path) -> None:
    """It runs per-sample units concurrently up to --threads, with outputs as with one thread."""
    files = make_case(tmp_path / "case")
    ToyCount.barrier = threading.Barrier(2, timeout=20)  # both samples must be in run() at once
    try:
        run_toy(files, tmp_path / "two", RunMode.NEW, threads=2)
    finally:
        ToyCount.barrier = None
    run_toy(files, tmp_path / "one", RunMode.NEW, threads=1)
    for rel in ("toy_count/A/counts.json", "toy_count/B/counts.json", "toy_sum/total.txt"):
        assert (tmp_path / "two" / rel).read_bytes() == (tmp_path / "one" / rel).read_bytes()
