"""Tests of YAML reading and problem reporting."""

from __future__ import annotations

from pathlib import Path

import pytest

from bp2.trace.yamlload import read_yaml


@pytest.mark.verifies("SRS-031")
def test_syntax_error_names_the_line(tmp_path: Path) -> None:
    """It turns a YAML syntax error into a problem with the file and line."""
    path = tmp_path / "x.yaml"
    path.write_text("a: 1\nb: [2\n")
    _, problem = read_yaml(path, "x.yaml")
    assert problem is not None and problem.path == "x.yaml" and problem.line is not None
