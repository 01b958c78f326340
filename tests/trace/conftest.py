"""Fixtures of the trace engine's tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.trace.factory import Project, make_project


@pytest.fixture(scope="session")
def _templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Build each kind of project once; tests get copies."""
    base = tmp_path_factory.mktemp("templates")
    return {"complete": make_project(base / "complete").root,
            "empty": make_project(base / "empty", complete=False).root}


def _copy(source: Path, dest: Path) -> Project:
    shutil.copytree(source, dest)
    return Project(dest)


@pytest.fixture
def project(_templates: dict[str, Path], tmp_path: Path) -> Project:
    """The complete baseline design history (no findings), to mutate."""
    return _copy(_templates["complete"], tmp_path / "repo")


@pytest.fixture
def empty_project(_templates: dict[str, Path], tmp_path: Path) -> Project:
    """A repository with the trace model, risk policy and intended use, and no items."""
    return _copy(_templates["empty"], tmp_path / "repo")
