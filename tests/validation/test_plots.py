"""Plots of a protocol's accuracy figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from bp2.validation.criteria import Counts
from bp2.validation.plots import accuracy_plots


@pytest.mark.verifies("SRS-337")
def test_accuracy_plots_are_written_as_png(tmp_path: Path) -> None:
    """It writes the accuracy and error-count plots as PNG files and returns their names."""
    bp2 = {"SNP": Counts(840, 0, 841, 0), "INDEL": Counts(154, 0, 167, 0)}
    bare = {"SNP": Counts(838, 2, 839, 5), "INDEL": Counts(147, 7, 158, 6)}
    bp2["ALL"], bare["ALL"] = bp2["SNP"] + bp2["INDEL"], bare["SNP"] + bare["INDEL"]
    names = accuracy_plots(tmp_path, "VAL-003", bp2, bare)
    assert names == ["accuracy.png", "errors.png"]
    for name in names:
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(tmp_path.glob("*.bp2tmp*"))
