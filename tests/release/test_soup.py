"""Tests of the SOUP inventory: the lock file, the runtime closure and the comparisons."""

from __future__ import annotations

import importlib.metadata as md
from pathlib import Path

import pytest
import yaml

from bp2.errors import InputError
from bp2.release.soup import inventory, read_lock, runtime_closure


def _project(tmp_path: Path, lock: str, items: list[dict[str, object]]) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "0"\ndependencies = ["pyyaml"]\n')
    (tmp_path / "requirements.lock").write_text(lock)
    (tmp_path / "soup.yaml").write_text(yaml.safe_dump({"items": items}))
    return tmp_path


def _entry(name: str, version: str, kind: str = "python", **extra: object) -> dict[str, object]:
    return {"name": name, "kind": kind, "version": version, "supplier": "S", "purpose": "P",
            "relied_on_for": "R", "known_anomalies": {"source": "https://example.org",
                                                      "conclusion": "none"}, **extra}


@pytest.mark.verifies("SRS-377")
def test_lock_file_lines_are_read_and_bad_ones_named(tmp_path: Path) -> None:
    """It reads name==version pins and names the line of one that is not a pin."""
    lock = tmp_path / "requirements.lock"
    lock.write_text("# header\nPyYAML==6.0.2\n    # via x\n"
                    "foo_bar[extra]==1.0 ; python_version>'3'\n")
    assert read_lock(lock) == {"pyyaml": "6.0.2", "foo-bar": "1.0"}
    lock.write_text("pyyaml>=6\n")
    with pytest.raises(InputError) as err:
        read_lock(lock)
    assert err.value.line == 1 and "name==version" in err.value.title


@pytest.mark.verifies("SRS-377")
def test_inventory_reports_every_difference(tmp_path: Path) -> None:
    """It reports a lock pin, a SOUP version and a native tool that differ from what is
    installed, and a SOUP entry that is not a runtime dependency."""
    installed = md.version("pyyaml")
    root = _project(tmp_path, "pyyaml==0.0.1\n", [
        _entry("pyyaml", "0.0.2"), _entry("numpy-old", "1.0"),
        _entry("samtools", "0.1", kind="native", probe="samtools")])
    found = inventory(root, root / "soup.yaml", root / "requirements.lock")
    text = "\n".join(found.problems)
    assert f"pins 0.0.1, installed is {installed}" in text
    assert f"pyyaml: SOUP list says 0.0.2, installed is {installed}" in text
    assert "numpy-old, which is not a runtime dependency" in text
    assert "samtools: SOUP list says 0.1" in text
    assert found.unreviewed == ["numpy-old", "pyyaml", "samtools"]


@pytest.mark.verifies("SRS-377")
def test_matching_environment_has_no_problem(tmp_path: Path) -> None:
    """It finds nothing to report when lock, SOUP list and environment agree."""
    installed = md.version("pyyaml")
    root = _project(tmp_path, f"pyyaml=={installed}\n", [_entry("PyYAML", installed)])
    assert runtime_closure(root / "pyproject.toml") == {"pyyaml": installed}
    found = inventory(root, root / "soup.yaml", root / "requirements.lock")
    assert found.problems == [] and [c.name for c in found.components] == ["pyyaml"]
