"""Tests of the content-addressed cache of parsed item files and harvested markers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bp2.trace.api import build_graph
from bp2.trace.cache import CACHE_PATH, ContentCache, code_namespace
from bp2.trace.loader import load_design_history
from tests.trace.factory import Project

pytestmark = pytest.mark.verifies("SRS-049")


def test_never_serves_content_that_changed(project: Project) -> None:
    """It parses an edited file again: a cached value is keyed by the file's bytes."""
    build_graph(project.root)
    assert (project.root / CACHE_PATH).is_file()
    project.edit("UN-001", title="Renamed need")
    project.code("app/core.py", ("SRS-001", "SRS-002"))
    graph = build_graph(project.root)
    assert graph.items["UN-001"].title == "Renamed need"  # type: ignore[index]
    assert graph.code_for["SRS-002"]


def test_damaged_cache_is_ignored_and_rebuilt(project: Project) -> None:
    """It ignores a damaged cache file and writes a good one."""
    (project.root / CACHE_PATH).parent.mkdir(exist_ok=True)
    (project.root / CACHE_PATH).write_text("{not json")
    assert "UN-001" in build_graph(project.root).items
    assert json.loads((project.root / CACHE_PATH).read_text())["entries"]


def test_can_be_turned_off(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """It neither reads nor writes the cache when BP2_TRACE_CACHE=0."""
    monkeypatch.setenv("BP2_TRACE_CACHE", "0")
    (project.root / CACHE_PATH).unlink(missing_ok=True)
    load_design_history(project.root)
    assert not (project.root / CACHE_PATH).exists()


def test_keeps_only_plain_values(tmp_path: Path) -> None:
    """It stores values of plain JSON types only, and computes the others every time."""
    cache = ContentCache(tmp_path / "cache.json")
    calls: list[bytes] = []

    def compute(data: bytes) -> object:
        calls.append(data)
        return {"when": object()} if data == b"odd" else {"a": [1, 2.5, True, None, "x"]}

    cache.get("ns", b"odd", compute)
    cache.get("ns", b"odd", compute)
    cache.get("ns", b"ok", compute)
    cache.get("ns", b"ok", compute)
    assert calls == [b"odd", b"odd", b"ok"] and cache.added == 1


def test_namespace_follows_the_code(tmp_path: Path) -> None:
    """It ties a namespace to the computing code, so editing that code invalidates its entries."""
    module = tmp_path / "harvest.py"
    module.write_text("VERSION = 1\n")
    before = code_namespace("harvest", str(module))
    module.write_text("VERSION = 2\n")
    assert code_namespace("harvest", str(module)) != before
