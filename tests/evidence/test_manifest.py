"""Tests of MANIFEST.json: content, canonical form, determinism and refusals."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from bp2.errors import InputError
from bp2.evidence.manifest import MANIFEST_NAME, parse_manifest, write_manifest
from tests.evidence.factory import FILES, make_bundle


@pytest.mark.verifies("SRS-350")
def test_manifest_lists_every_file_with_sha256_and_size(tmp_path: Path) -> None:
    """It lists every file's path, sha256 and size, sorted, and names the volatile records."""
    bundle = make_bundle(tmp_path / "b")
    doc = json.loads((bundle / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert [f["path"] for f in doc["files"]] == sorted(FILES)
    for entry in doc["files"]:
        data = FILES[entry["path"]].encode("utf-8")
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["size"] == len(data)
    assert doc["volatile"] == ["steps.json"]
    assert doc["format"] == "bp2-evidence-manifest/1"


@pytest.mark.verifies("SRS-350")
def test_manifest_is_canonical_json(tmp_path: Path) -> None:
    """It writes canonical JSON (sorted keys, no spaces, one final newline) that parses clean."""
    raw = (make_bundle(tmp_path / "b") / MANIFEST_NAME).read_bytes()
    doc = json.loads(raw)
    assert raw == (json.dumps(doc, sort_keys=True, separators=(",", ":"),
                              ensure_ascii=False) + "\n").encode("utf-8")
    manifest, defects = parse_manifest(raw)
    assert manifest is not None and defects == []


@pytest.mark.verifies("SRS-350")
def test_same_tree_gives_identical_manifest_bytes(tmp_path: Path) -> None:
    """It writes byte-identical manifests for the same tree made in another order at another
    time."""
    first = make_bundle(tmp_path / "one")
    second = tmp_path / "two"
    for rel in sorted(FILES, reverse=True):
        path = second / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(FILES[rel], encoding="utf-8")
        os.utime(path, (1_000_000, 1_000_000))
    write_manifest(second, volatile=["steps.json"])
    assert (first / MANIFEST_NAME).read_bytes() == (second / MANIFEST_NAME).read_bytes()
    write_manifest(first, volatile=["steps.json"])
    assert (first / MANIFEST_NAME).read_bytes() == (second / MANIFEST_NAME).read_bytes()


@pytest.mark.verifies("SRS-350")
def test_manifest_and_signatures_are_not_listed(tmp_path: Path) -> None:
    """It leaves MANIFEST.json and signatures/ out, but lists a nested folder named signatures."""
    bundle = tmp_path / "b"
    (bundle / "signatures").mkdir(parents=True)
    (bundle / "signatures" / "x.json").write_text("{}")
    (bundle / "sub" / "signatures").mkdir(parents=True)
    (bundle / "sub" / "signatures" / "y.txt").write_text("y")
    (bundle / MANIFEST_NAME).write_text("old")
    write_manifest(bundle)
    doc = json.loads((bundle / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert [f["path"] for f in doc["files"]] == ["sub/signatures/y.txt"]


@pytest.mark.verifies("SRS-351")
def test_symlink_in_bundle_is_refused(tmp_path: Path) -> None:
    """It refuses a bundle holding a symbolic link, naming it, and writes no manifest."""
    bundle = tmp_path / "b"
    bundle.mkdir()
    (bundle / "real.txt").write_text("r")
    (bundle / "link.txt").symlink_to("real.txt")
    with pytest.raises(InputError, match=r"symbolic link \(link.txt → real.txt\)"):
        write_manifest(bundle)
    assert not (bundle / MANIFEST_NAME).exists()


@pytest.mark.verifies("SRS-351")
def test_unknown_volatile_path_is_refused(tmp_path: Path) -> None:
    """It refuses a volatile path that is not a file of the bundle, naming it."""
    bundle = tmp_path / "b"
    bundle.mkdir()
    (bundle / "a.txt").write_text("a")
    with pytest.raises(InputError, match=r"'\./a\.txt' is not a file of the bundle"):
        write_manifest(bundle, volatile=["./a.txt"])
    assert not (bundle / MANIFEST_NAME).exists()


@pytest.mark.verifies("SRS-351")
def test_missing_bundle_folder_is_bad_input(tmp_path: Path) -> None:
    """It reports a bundle folder that does not exist as bad input."""
    with pytest.raises(InputError, match="evidence bundle folder not found"):
        write_manifest(tmp_path / "nope")
