"""Tests of ``bp2 release`` on the fixture project: the steps, the gate and its refusals."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from bp2.errors import InputError, UsageError
from bp2.release.api import ReleaseRequest, make_release
from bp2.release.model import ReasonKind
from tests.release import fixture as fix
from tests.release.conftest import Released
from tests.release.fixture import Fixture
from tests.release.links import broken_links


def _bundle_text(bundle: Path) -> dict[str, bytes]:
    return {p.relative_to(bundle).as_posix(): p.read_bytes()
            for p in sorted(bundle.rglob("*")) if p.is_file()}


@pytest.mark.verifies("SRS-370")
def test_steps_run_in_order_and_are_recorded(released: Released) -> None:
    """It runs trace check, tests, validation and SOUP inventory in order, each with times and
    an exit status, replays nothing from an old run, and passes a complete project."""
    outcome = released.first
    assert [s.name for s in outcome.steps] == ["trace", "tests", "validation", "soup"]
    for step in outcome.steps:
        assert step.status == "ok", step
        assert step.started and step.finished and step.started <= step.finished
        assert step.exit_status == 0 and step.duration_s is not None
    assert outcome.decision.passed and outcome.decision.reasons == []
    bundle = outcome.outdir
    results = json.loads((bundle / "records/test-results.json").read_text())
    assert sorted(t["nodeid"] for t in results["tests"]) == [
        "tests/test_count.py::test_counts_empty_text", "tests/test_count.py::test_counts_lines"]
    assert results["tree"]["dirty"] is False
    assert (bundle / "records/validation/VAL-001/result.json").is_file()
    steps = json.loads((bundle / "records/steps.json").read_text())
    assert [s["name"] for s in steps] == ["trace", "tests", "validation", "soup"]
    assert "PASS" in (bundle / "index.html").read_text()
    # the project's stale .bp2-results/results.json was not used: only this run's results
    assert json.loads((bundle / "matrix.json").read_text())["results"] == [
        "records/test-results.json (bp2, 2 results)"]


def _stage_changed_without_bump(fx: Fixture) -> str:
    subprocess.run(["git", "-C", str(fx.root), "tag", "v1.0.0"], check=True)
    lock = json.loads((fx.root / "pipeline/stage-lock.json").read_text())
    lock["stages"]["count"]["1.0.0"]["code"] = "d" * 64
    fx.write("pipeline/stage-lock.json", json.dumps(lock, indent=2) + "\n")
    fx.commit("stage code changed, version not bumped")
    return "v1.0.0"


INJECTIONS: dict[str, tuple[Callable[[Fixture], object], ReasonKind]] = {
    "error-finding": (fix.inject_error_finding, ReasonKind.TRACE_ERROR),
    "failed-test": (fix.inject_failed_test, ReasonKind.TEST_FAILED),
    "missing-result": (fix.inject_missing_result, ReasonKind.MISSING_RESULT),
    "failed-criterion": (fix.inject_failed_criterion, ReasonKind.VALIDATION_FAILED),
    "unacceptable-residual-risk": (fix.inject_unacceptable_residual, ReasonKind.RESIDUAL_RISK),
    "stage-changed-without-bump": (_stage_changed_without_bump, ReasonKind.STAGE_NOT_BUMPED),
    "soup-differs-from-lock": (fix.inject_soup_mismatch, ReasonKind.SOUP_MISMATCH),
    "dirty-tree": (fix.inject_dirty_tree, ReasonKind.DIRTY_TREE),
}


@pytest.mark.verifies("SRS-383", "SRS-371", "SRS-372")
@pytest.mark.parametrize("case", sorted(INJECTIONS))
def test_each_injected_failure_fails_the_release(case: str, fx: Fixture,
                                                 tmp_path: Path) -> None:
    """It fails the release for each injected failure, says why on the FAIL page, and writes
    no PASS anywhere in the bundle."""
    inject, kind = INJECTIONS[case]
    previous = inject(fx)
    outcome = make_release(ReleaseRequest("1.0.0", tmp_path / "out", fx.root,
                                          previous=previous if isinstance(previous, str)
                                          else None))
    assert not outcome.decision.passed
    kinds = {r.kind for r in outcome.decision.reasons}
    assert kind in kinds, outcome.decision.reasons
    index = (outcome.outdir / "index.html").read_text()
    assert "FAIL" in index and kind.value in index
    for reason in outcome.decision.reasons:
        assert reason.title in index
    for rel, data in _bundle_text(outcome.outdir).items():
        assert b"PASS" not in data, f"PASS found in {rel}"
    pdf_text = subprocess.run(["pdftotext", str(outcome.outdir / "validation.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
    assert "FAIL" in pdf_text and "PASS" not in pdf_text
    release = json.loads((outcome.outdir / "records/release.json").read_text())
    assert release["decision"] == "FAIL" and release["reasons"]
    assert broken_links(outcome.outdir) == []
    if kind is ReasonKind.DIRTY_TREE:
        assert all(s.status == "not-run" for s in outcome.steps)
        assert "notes.txt" in (outcome.outdir / "steps.html").read_text()


@pytest.mark.verifies("SRS-384")
def test_cli_exits_non_zero_on_fail(fx: Fixture, tmp_path: Path, bp2_exe: str) -> None:
    """It exits 1 from the command line when the gate fails, and names the FAIL page."""
    fix.inject_dirty_tree(fx)
    done = subprocess.run([bp2_exe, "release", "1.0.0", "--outdir", str(tmp_path / "out"),
                           "--project", str(fx.root)], capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    assert "dirty-tree" in done.stderr and "index.html" in done.stderr
    assert (tmp_path / "out/MANIFEST.json").is_file()


@pytest.mark.verifies("SRS-384")
def test_refuses_bad_requests_before_running_anything(fx: Fixture, tmp_path: Path) -> None:
    """It refuses a non-empty outdir, an outdir inside the tree and a malformed version, leaving
    nothing behind."""
    full = tmp_path / "full"
    full.mkdir()
    (full / "x").write_text("x")
    with pytest.raises(InputError, match="not empty"):
        make_release(ReleaseRequest("1.0.0", full, fx.root))
    with pytest.raises(UsageError, match="inside the project"):
        make_release(ReleaseRequest("1.0.0", fx.root / "bundle", fx.root))
    with pytest.raises(UsageError, match="semantic version"):
        make_release(ReleaseRequest("one", tmp_path / "out", fx.root))
    assert not (tmp_path / "out").exists() and not (fx.root / "bundle").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full", "relfix"]


@pytest.mark.verifies("SRS-380")
def test_a_bumped_stage_lists_what_it_touches_and_its_re_verification(
        fx: Fixture, tmp_path: Path) -> None:
    """It traces a bumped stage to the requirements its modules implement and the hazards they
    control, and shows them re-verified in this run."""
    previous = fx.previous_bundle(tmp_path / "previous", code_digest="e" * 64, version="0.9.0")
    outcome = make_release(ReleaseRequest("1.1.0", tmp_path / "out", fx.root,
                                          previous=str(previous)))
    assert outcome.decision.passed, outcome.decision.reasons
    impact = (outcome.outdir / "impact.html").read_text()
    assert "0.9.0 → 1.0.0" in impact and "SRS-003" in impact
    assert "Every requirement touched has a passing test in this run" in impact


@pytest.mark.verifies("SRS-380")
def test_a_changed_stage_whose_requirement_fails_is_not_re_verified(
        fx: Fixture, tmp_path: Path) -> None:
    """It fails a release whose changed stage's requirement has no passing test in this run."""
    fix.inject_failed_test(fx)  # SRS-002 fails; make the stage implement it
    fx.write("src/relfix/stages/count/__init__.py",
             '"""The count stage."""\n\nIMPLEMENTS = ("SRS-002", "SRS-003")\n')
    fx.commit("stage implements SRS-002")
    previous = fx.previous_bundle(tmp_path / "previous", version="0.9.0")
    outcome = make_release(ReleaseRequest("1.1.0", tmp_path / "out", fx.root,
                                          previous=str(previous)))
    reasons = [r for r in outcome.decision.reasons if r.kind is ReasonKind.NOT_REVERIFIED]
    assert [r.item for r in reasons] == ["SRS-002"]
