"""Tests of resources.yaml loading and checking, and of a bare --reference."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

from bp2.errors import InputError
from bp2.resources import load_resources, reference_only, verify_resources


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_resources(root: Path) -> Path:
    ref = root / "ref.fa"
    ref.write_text(">chr1\nACGTACGTAA\n>chr2\nGGGG\n")
    fai = root / "ref.fa.fai"
    fai.write_text("chr1\t10\t6\t10\t11\nchr2\t4\t23\t4\t5\n")
    data = {
        "reference": {
            "path": "ref.fa",
            "sha256": sha(ref),
            "build": "toy",
            "version": "1",
            "index": {"path": "ref.fa.fai", "sha256": sha(fai)},
        }
    }
    path = root / "resources.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.verifies("SRS-012")
def test_resources_resolve_relative_paths_and_verify(tmp_path: Path) -> None:
    """It resolves resource paths against the resources file and accepts matching checksums."""
    path = write_resources(tmp_path)
    resources = load_resources(path)
    assert resources.reference.path == (tmp_path / "ref.fa").resolve()
    verify_resources(resources)
    lock = resources.lock()
    assert lock["reference"]["build"] == "toy" and len(lock["reference"]["files"]) == 2


@pytest.mark.verifies("SRS-012")
def test_changed_resource_is_refused(tmp_path: Path) -> None:
    """It refuses a resource whose bytes no longer match the recorded sha256, naming the file."""
    resources = load_resources(write_resources(tmp_path))
    (tmp_path / "ref.fa").write_text(">chr1\nACGTACGTAT\n>chr2\nGGGG\n")
    with pytest.raises(InputError) as info:
        verify_resources(resources)
    assert "sha256 mismatch" in info.value.title and info.value.item_id == "reference"
    assert info.value.path == str((tmp_path / "ref.fa").resolve())


@pytest.mark.verifies("SRS-012")
def test_missing_resource_and_unknown_field_are_refused(tmp_path: Path) -> None:
    """It refuses a missing resource file and an unknown field, naming them."""
    path = write_resources(tmp_path)
    (tmp_path / "ref.fa.fai").unlink()
    with pytest.raises(InputError, match="not found"):
        verify_resources(load_resources(path))
    data = yaml.safe_load(path.read_text())
    data["reference"]["colour"] = "blue"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError) as info:
        load_resources(path)
    assert info.value.field == "reference.colour"


@pytest.mark.verifies("SRS-013")
def test_bare_reference_gets_an_index_in_the_work_directory(tmp_path: Path) -> None:
    """It indexes a bare reference under the run's work directory and records both files."""
    ref = tmp_path / "in" / "ref.fa"
    ref.parent.mkdir()
    ref.write_text(">chr1\nACGTACGTAA\n")
    resources = reference_only(ref, tmp_path / "work")
    assert resources.reference.index is not None
    assert resources.reference.index.path == (tmp_path / "work" / "ref.fa.fai").resolve()
    assert resources.reference.index.path.read_text().startswith("chr1\t10\t")
    assert sorted(p.name for p in ref.parent.iterdir()) == ["ref.fa"]  # nothing written beside it
    verify_resources(resources)


@pytest.mark.verifies("SRS-013")
def test_bare_reference_uses_an_index_beside_it(tmp_path: Path) -> None:
    """It uses and records the .fai found beside a bare reference."""
    ref = tmp_path / "ref.fa"
    ref.write_text(">chr1\nACGT\n")
    (tmp_path / "ref.fa.fai").write_text("chr1\t4\t6\t4\t5\n")
    resources = reference_only(ref, tmp_path / "work")
    assert resources.reference.index is not None
    assert resources.reference.index.path == (tmp_path / "ref.fa.fai").resolve()
    assert not (tmp_path / "work").exists()
