"""Access to the public test data under ``BP2_TEST_DATA`` (default ``../shared/data``).

Every file is checked against the sha256 in ``MANIFEST.tsv`` before a test reads it, so a
corrupted test file fails loudly instead of silently changing a metric.  When the data is absent,
tests that need it skip with the reason — except under CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def data_root() -> Path:
    return Path(os.environ.get("BP2_TEST_DATA", REPO.parent / "shared" / "data")).resolve()


@functools.cache
def manifest() -> dict[str, str]:
    path = data_root() / "MANIFEST.tsv"
    with path.open(newline="") as handle:
        return {row["path"]: row["sha256"] for row in csv.DictReader(handle, delimiter="\t")}


@functools.cache
def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def require_data() -> Path:
    """The data root, or skip (fail under CI) when it is missing."""
    root = data_root()
    if not (root / "MANIFEST.tsv").is_file():
        message = f"public test data not found at {root} (set BP2_TEST_DATA)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; CI must have it")
        pytest.skip(message)
    return root


def data_file(relpath: str) -> Path:
    """Path of a test-data file after checking its sha256 against the manifest."""
    root = require_data()
    expected = manifest().get(relpath)
    if expected is None:
        pytest.fail(f"{relpath} is not listed in {root / 'MANIFEST.tsv'}")
    path = root / relpath
    actual = _sha256(path)
    if actual != expected:
        pytest.fail(f"{path}: sha256 {actual} differs from the manifest's {expected}")
    return path
