"""The Dockerfile builds bp2 with scripts/setup.sh (linted here: no container engine in CI)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
KNOWN = {"FROM", "ENV", "RUN", "WORKDIR", "COPY", "CMD", "ARG", "LABEL", "USER", "ENTRYPOINT"}


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    found: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        pending += line[:-1] + " " if line.endswith("\\") else line
        if line.endswith("\\"):
            continue
        word, _, args = pending.partition(" ")
        found.append((word, args.strip()))
        pending = ""
    assert not pending, "the file ends inside a continued instruction"
    return found


@pytest.mark.verifies("SRS-402")
def test_dockerfile_runs_the_one_setup_script() -> None:
    """It has a pinned base, copies the repo, runs scripts/setup.sh and puts bp2 on PATH."""
    steps = instructions((REPO / "Dockerfile").read_text())
    words = [w for w, _ in steps]
    assert set(words) <= KNOWN, set(words) - KNOWN
    assert words[0] == "FROM" and re.fullmatch(r"[\w./-]+:[\w.-]+", steps[0][1])
    assert "latest" not in steps[0][1]
    runs = [args for w, args in steps if w == "RUN"]
    assert any("scripts/setup.sh" in r for r in runs)
    assert all("apt-get install" not in r or "--no-install-recommends" in r for r in runs)
    setup_index = next(i for i, (w, a) in enumerate(steps) if "scripts/setup.sh" in a)
    assert any(w == "COPY" for w, _ in steps[:setup_index])
    env = " ".join(a for w, a in steps if w == "ENV")
    assert "/opt/bp2/.venv/bin" in env
    cmd = next(a for w, a in steps if w == "CMD")
    assert json.loads(cmd)[0] == "bp2"  # exec form
    ci = (REPO / ".ci" / "run").read_text()
    assert "make test" in ci and "scripts/setup.sh" in (REPO / "Makefile").read_text()


@pytest.mark.verifies("SRS-402")
def test_dockerignore_keeps_the_local_environment_out() -> None:
    """It keeps .git and the developer's .venv out of the build context."""
    ignored = (REPO / ".dockerignore").read_text().split()
    assert ".git" in ignored and ".venv" in ignored
