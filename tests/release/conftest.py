"""Fixtures of the release tests: the fixture project, built once and copied per test, and two
releases of its baseline commit made once per session."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from bp2.release.api import ReleaseOutcome, ReleaseRequest, make_release
from tests.release.fixture import Fixture, make_fixture


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_fixture(tmp_path_factory.mktemp("template") / "relfix").root


@pytest.fixture
def fx(_template: Path, tmp_path: Path) -> Fixture:
    """A fresh copy of the committed baseline project (with its .git)."""
    root = tmp_path / "relfix"
    shutil.copytree(_template, root, symlinks=True)
    return Fixture(root)


@dataclass(frozen=True)
class Released:
    project: Path
    first: ReleaseOutcome
    second: ReleaseOutcome


@pytest.fixture(scope="session")
def released(_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Released:
    """The baseline released twice from the same commit (a passing release)."""
    base = tmp_path_factory.mktemp("released")
    root = base / "relfix"
    shutil.copytree(_template, root, symlinks=True)
    stale = root / ".bp2-results/results.json"  # git-ignored; an old run's results
    stale.parent.mkdir(exist_ok=True)
    stale.write_text('{"format": "bp2-test-results/1", "tests": []}')
    first = make_release(ReleaseRequest("1.0.0", base / "bundle-a", root))
    second = make_release(ReleaseRequest("1.0.0", base / "bundle-b", root))
    return Released(root, first, second)
