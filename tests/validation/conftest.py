"""Fixtures for the validation tests: a minimal project with protocols over small files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

PROTOCOL = """\
id: {pid}
title: Fixture protocol
validates: [UN-004]
datasets:
- key: sample
  name: a small file
  path: ${{BP2_TEST_DATA}}/sample.txt
  sha256: {sha}
method: fixture
{execution}acceptance_criteria:
- metric: recall
  measure: bp2.ALL.recall
  comparator: '>='
  threshold: 0.99
status: draft
"""


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project root with validation/ and a test-data folder holding sample.txt."""
    root = tmp_path / "project"
    (root / "validation").mkdir(parents=True)
    data = tmp_path / "data"
    data.mkdir()
    (data / "sample.txt").write_bytes(b"reads\n")
    return root


def write_protocol(root: Path, pid: str, *, execution: str = "", digest: str | None = None
                   ) -> Path:
    path = root / "validation" / f"{pid}.yaml"
    path.write_text(PROTOCOL.format(pid=pid, sha=digest or sha(b"reads\n"),
                                    execution=execution))
    return path
