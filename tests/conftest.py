"""Shared pytest configuration for bp2's tests."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-stage-lock",
        action="store_true",
        default=False,
        help="record new (stage, version) entries in pipeline/stage-lock.json",
    )


@pytest.fixture(scope="session")
def bp2_exe() -> str:
    """The installed bp2 command (the one in the test interpreter's environment)."""
    candidate = Path(sys.executable).parent / "bp2"
    if candidate.is_file():
        return str(candidate)
    found = shutil.which("bp2")
    if found is None:
        pytest.fail("the bp2 command is not installed; run 'make test' (pip install -e .)")
    return found


@pytest.fixture(autouse=True)
def _no_operator_leak(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BP2_OPERATOR", os.environ.get("BP2_OPERATOR", "pytest"))
