"""Breakage tests: mutate a temporary copy of this repository and expect the specific check.

The design history, code and tests of the repository are copied to a temporary folder, given a
results file in which every test that claims an ID passed, and checked once as a baseline.  Each
test then breaks one thing — a dangling tag, an edited parent, a failing linked test, a removed
control, a raised residual risk, a cycle, a duplicate ID — and runs the trace check as a process
(``python -m bp2.trace check``: the ``bp2 trace`` commands without the pipeline's start-up time).
It must exit 1 and report the mutation under its own check ID, which the baseline did not.

The mutations touch the trace engine's own items (SRS-035/036, UN-007, HAZ-014), so they do not
depend on other parts' requirements.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml

from bp2.trace.harvest import harvest
from bp2.trace.ids import is_item_id
from bp2.trace.model import load_model
from bp2.trace.results import TestResult
from tests.trace.factory import REPO, Project

COPIED = ("requirements", "risk", "validation", "verification", "traceability", "src", "tests",
          "pyproject.toml")
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".bp2-results", "*.egg-info")

Findings = set[tuple[str, str | None]]


def _copy_repository(dest: Path) -> Project:
    dest.mkdir(parents=True)
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=IGNORE)
        elif source.is_file():
            shutil.copy(source, dest / name)
    return Project(dest)


def _all_claims_pass(project: Project, fail: str | None = None) -> Path:
    """A results file in which every statically claimed test passed (``fail``'s test failed)."""
    model = load_model(project.root)
    found = harvest(project.root, model.code, model.tests, model.features)
    claims: dict[str, set[str]] = defaultdict(set)
    for marker in found.markers:
        if is_item_id(marker.id):
            claims[f"{marker.path}::{marker.owner}"].add(marker.id)
    tests = [TestResult(nodeid=nodeid, outcome="failed" if fail in ids else "passed",  # type: ignore[arg-type]
                        duration=0.01, ids=tuple(sorted(ids)))
             for nodeid, ids in sorted(claims.items())]
    if fail is not None and not any(fail in ids for ids in claims.values()):
        raise AssertionError(f"no test claims {fail}")
    return project.results(tests)


def _check(project: Project) -> tuple[int, Findings]:
    done = subprocess.run([sys.executable, "-m", "bp2.trace", "check", "--format", "json"],
                          cwd=project.root, capture_output=True, text=True, check=False,
                          timeout=300)
    assert done.returncode in (0, 1), done.stderr
    doc = json.loads(done.stdout)
    return done.returncode, {(f["check"], f["item"]) for f in doc["findings"]}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Findings]:
    project = _copy_repository(tmp_path_factory.mktemp("baseline") / "repo")
    _all_claims_pass(project)
    _, findings = _check(project)
    return project.root, findings


@pytest.fixture
def copy(baseline: tuple[Path, Findings], tmp_path: Path) -> Project:
    root = tmp_path / "repo"
    shutil.copytree(baseline[0], root)
    return Project(root)


def _edit(project: Project, rel: str, **changes: Any) -> None:
    path = project.root / rel
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _expect(project: Project, baseline: tuple[Path, Findings], check: str, item: str) -> None:
    code, findings = _check(project)
    assert code == 1
    assert (check, item) in findings - baseline[1], sorted(findings - baseline[1])


@pytest.mark.verifies("SRS-041")
def test_dangling_tag(copy: Project, baseline: tuple[Path, Findings]) -> None:
    """It reports unknown-link and exits 1 for a scenario tagged with an ID that does not exist."""
    copy.write("verification/features/broken.feature",
               "Feature: Broken\n  @SRS-9998\n  Scenario: Dangling\n    Given nothing\n")
    _all_claims_pass(copy)
    _expect(copy, baseline, "unknown-link", "SRS-9998")


@pytest.mark.verifies("SRS-035", "SRS-036")
def test_edited_parent(copy: Project, baseline: tuple[Path, Findings]) -> None:
    """It reports suspect-link and exits 1 after a reviewed parent's statement is edited."""
    subprocess.run([sys.executable, "-m", "bp2.trace", "review", "SRS-035", "--by", "Breakage"],
                   cwd=copy.root, check=True, capture_output=True, timeout=300)
    _edit(copy, "requirements/UN-007.yaml", statement="An auditor needs something else entirely.")
    _expect(copy, baseline, "suspect-link", "SRS-035")


@pytest.mark.verifies("SRS-044")
def test_failing_linked_test(copy: Project, baseline: tuple[Path, Findings]) -> None:
    """It reports test-failed and exits 1 when a test linked to SRS-035 fails."""
    _all_claims_pass(copy, fail="SRS-035")
    _expect(copy, baseline, "test-failed", "SRS-035")


@pytest.mark.verifies("SRS-043")
def test_removed_control(copy: Project, baseline: tuple[Path, Findings]) -> None:
    """It reports hazard-without-control and exits 1 when a hazard's controls are removed."""
    _edit(copy, "risk/HAZ-014.yaml", controls=[])
    _expect(copy, baseline, "hazard-without-control", "HAZ-014")


@pytest.mark.verifies("SRS-043", "SRS-034")
def test_raised_residual_risk(copy: Project, baseline: tuple[Path, Findings]) -> None:
    """It reports residual-risk-unacceptable and exits 1 when a residual risk is raised."""
    _edit(copy, "risk/HAZ-014.yaml", residual={"severity": "critical", "probability": "frequent"})
    _expect(copy, baseline, "residual-risk-unacceptable", "HAZ-014")


@pytest.mark.verifies("SRS-041")
def test_cycle(copy: Project, baseline: tuple[Path, Findings]) -> None:
    """It reports link-cycle and exits 1 when two requirements list each other as parents."""
    _edit(copy, "requirements/SRS-035.yaml", parents=["UN-007", "SRS-036"])
    _edit(copy, "requirements/SRS-036.yaml", parents=["UN-007", "SRS-035"])
    _expect(copy, baseline, "link-cycle", "SRS-035")


@pytest.mark.verifies("SRS-030")
def test_duplicate_id(copy: Project, baseline: tuple[Path, Findings]) -> None:
    """It reports duplicate-id and exits 1 when a second file defines SRS-035."""
    (copy.root / "requirements" / "copied").mkdir()
    shutil.copy(copy.root / "requirements" / "SRS-035.yaml",
                copy.root / "requirements" / "copied" / "SRS-035.yaml")
    _expect(copy, baseline, "duplicate-id", "SRS-035")
