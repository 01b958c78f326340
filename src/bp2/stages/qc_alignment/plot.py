"""The coverage plot (PNG): binned depth along the assessed regions and the cumulative coverage.

Drawn with matplotlib's object API on the Agg canvas (no pyplot global state), imported only
when a plot is drawn.  The PNG is
byte-identical for identical inputs: no ``Software``/date metadata, fixed size and DPI, and the
fonts matplotlib ships (DejaVu Sans).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bp2.errors import EnvironmentProblem
from bp2.stages.qc_alignment.coverage import DepthSummary

DPI = 100
SIZE = (10.0, 7.0)


def draw_coverage_plot(
    path: Path,
    title: str,
    binned: Mapping[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]],
    contig_order: Sequence[str],
    autosomal: DepthSummary,
    coverage_depth: int,
    min_fraction: float,
) -> None:
    """Write the two-panel PNG to ``path`` (which the caller writes atomically)."""
    try:  # imported here so that bp2 without matplotlib still runs every other stage
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise EnvironmentProblem.tool_missing("matplotlib", "pip install matplotlib") from None
    figure = Figure(figsize=SIZE, dpi=DPI)
    FigureCanvasAgg(figure)
    top, bottom = figure.subplots(2, 1)
    offset = 0
    ticks, labels = [], []
    for contig in contig_order:
        if contig not in binned:
            continue
        starts, means = binned[contig]
        if starts.size == 0:
            continue
        x = np.arange(starts.size) + offset
        top.plot(x, means, linewidth=0.8, color="#1f4e79")
        ticks.append(offset + starts.size / 2)
        labels.append(contig)
        offset += starts.size
        top.axvline(offset - 0.5, color="#bbbbbb", linewidth=0.5)
    top.axhline(coverage_depth, color="#c00000", linewidth=0.8, linestyle="--",
                label=f"{coverage_depth}×")
    top.set_xticks(ticks, labels)
    top.set_ylabel("mean depth per bin")
    top.set_title("Depth along the assessed regions (autosomal target, X and Y outside PARs)",
                  fontsize=10)
    top.set_ylim(bottom=0)
    top.legend(loc="upper right", fontsize=8)
    if autosomal.bases:
        cumulative = autosomal.histogram[::-1].cumsum()[::-1] / autosomal.bases
        mean = autosomal.mean or 0.0
        limit = int(min(len(cumulative) - 1, max(3 * mean, 2 * coverage_depth, 10)))
        depths = np.arange(limit + 1)
        bottom.plot(depths, 100 * cumulative[:limit + 1], color="#1f4e79", linewidth=1.2)
    bottom.axvline(coverage_depth, color="#c00000", linewidth=0.8, linestyle="--")
    bottom.axhline(100 * min_fraction, color="#c00000", linewidth=0.8, linestyle=":")
    bottom.set_xlabel("depth")
    bottom.set_ylabel("% autosomal target bases ≥ depth")
    bottom.set_ylim(0, 101)
    bottom.set_xlim(left=0)
    bottom.set_title("Cumulative coverage (dashed: the coverage check)", fontsize=10)
    figure.suptitle(title, fontsize=11)
    figure.tight_layout()
    figure.savefig(path, format="png", dpi=DPI, metadata={"Software": None})
