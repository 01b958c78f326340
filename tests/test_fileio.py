"""Tests of atomic writes, checksums and canonical JSON."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bp2.fileio import (
    atomic_path,
    canonical_json,
    is_temporary,
    sha256_file,
    temporary_sibling,
    write_json_atomic,
)


@pytest.mark.verifies("SRS-005")
def test_atomic_write_publishes_only_complete_files(tmp_path: Path) -> None:
    """It leaves neither the final file nor a temporary one when the write fails midway."""
    target = tmp_path / "calls.vcf.gz"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_bytes(b"partial")
        raise RuntimeError("interrupted")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.verifies("SRS-005")
def test_atomic_write_replaces_old_file_only_when_done(tmp_path: Path) -> None:
    """It keeps the old file until the new one is complete, then replaces it."""
    target = tmp_path / "x.json"
    target.write_text("old")
    with atomic_path(target) as tmp:
        tmp.write_text("new")
        assert target.read_text() == "old"
    assert target.read_text() == "new"


@pytest.mark.verifies("SRS-005")
def test_temporary_name_keeps_the_format_suffix(tmp_path: Path) -> None:
    """It names temporary files so tools still see the format suffix (.bam, .vcf.gz)."""
    tmp = temporary_sibling(tmp_path / "sample.sorted.bam")
    assert tmp.name.endswith(".sorted.bam") and is_temporary(tmp)
    assert not is_temporary(tmp_path / "sample.sorted.bam")


@pytest.mark.verifies("SRS-009")
@given(st.dictionaries(st.text(max_size=5), st.integers(), max_size=6))
def test_canonical_json_ignores_key_order(mapping: dict[str, int]) -> None:
    """It gives the same text for equal mappings whatever their key order."""
    assert canonical_json(mapping) == canonical_json(dict(reversed(list(mapping.items()))))


@pytest.mark.verifies("SRS-008")
def test_sha256_of_known_bytes(tmp_path: Path) -> None:
    """It computes the standard sha256 (checked against the published digest of 'abc')."""
    path = tmp_path / "abc"
    path.write_bytes(b"abc")
    assert sha256_file(path) == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    write_json_atomic(tmp_path / "j.json", {"b": 1, "a": 2})
    assert (tmp_path / "j.json").read_text() == '{\n  "a": 2,\n  "b": 1\n}\n'
