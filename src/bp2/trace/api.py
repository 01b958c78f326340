"""The trace engine's Python API: every ``bp2 trace`` command is one call here.

::

    graph = build_graph(root, results=[path])      # load, harvest, join results
    report = check(root, results=[path])           # findings; report.failed says the verdict
    write_matrix(root, "html", out)                # UN → SRS → code → tests; HAZ → controls
    show(root, "SRS-120")                          # the chain up and down, as text lines
    review(root, ["SRS-120"], by="A. Reviewer")    # re-stamp links with fingerprints
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bp2.errors import UsageError
from bp2.trace.cache import ContentCache
from bp2.trace.checks import run_checks
from bp2.trace.findings import Finding, Severity
from bp2.trace.graph import TraceGraph
from bp2.trace.harvest import harvest
from bp2.trace.ids import KINDS
from bp2.trace.loader import load_design_history
from bp2.trace.results import DEFAULT_RESULTS, read_results
from bp2.trace.show import show_lines

IMPLEMENTS = ("SRS-045",)


@contextlib.contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building large acyclic structures.

    Loading tens of thousands of items and results allocates millions of small containers, and
    the collector's repeated scans of them doubled the run time; nothing here creates reference
    cycles that need it.  The previous state is restored on exit.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build_graph(root: Path, results: list[Path] | None = None) -> TraceGraph:
    """Load the design history under ``root`` and join code, test markers and results.

    Without ``results``, the default results file (``.bp2-results/results.json``) is used when
    it exists.
    """
    cache = ContentCache.for_root(root)
    history = load_design_history(root, cache)
    model = history.model
    harvested = harvest(root, model.code, model.tests, model.features, cache)
    cache.save()
    if results is None:
        default = root / DEFAULT_RESULTS
        results = [default] if default.is_file() else []
    loaded, sources = read_results(results, root, model.tests)
    return TraceGraph(history, harvested, loaded, sources)


@dataclass(frozen=True)
class CheckReport:
    graph: TraceGraph
    findings: list[Finding]
    strict: bool = False

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.WARNING)

    @property
    def failed(self) -> bool:
        """Errors fail the check; with ``strict``, warnings do too."""
        return self.errors > 0 or (self.strict and self.warnings > 0)

    def summary(self) -> str:
        counts: dict[str, int] = {}
        for item_id in self.graph.items:
            counts[item_id.kind] = counts.get(item_id.kind, 0) + 1
        kinds = ", ".join(f"{counts[k]} {k}" for k in sorted(counts, key=_kind_rank))
        sources = "; ".join(f"{s.count} from {s.path}" for s in self.graph.sources) or "none"
        mode = " (strict: warnings count as errors)" if self.strict else ""
        return (f"{self.errors} error(s), {self.warnings} warning(s){mode} — "
                f"{len(self.graph.items)} items ({kinds or 'none'}); test results: {sources}")


def _kind_rank(kind: str) -> int:
    return KINDS.index(kind)


def check(root: Path, results: list[Path] | None = None, *, strict: bool = False,
          validation_results: Path | None = None) -> CheckReport:
    """Run every check; ``validation_results`` is a ``bp2 validate`` output folder whose records
    join the protocols (a failed record is a ``validation-failed`` finding)."""
    with no_cyclic_gc():
        graph = build_graph(root, results)
        if validation_results is not None:
            attach_validation_records(graph, validation_results)
        return CheckReport(graph, run_checks(graph), strict)


def attach_validation_records(graph: TraceGraph, folder: Path) -> None:
    """Join the executed validation records in ``folder`` to the graph's VAL items."""
    from bp2.errors import InputError
    from bp2.validation.record import load_records

    for record in load_records(folder):
        if record.protocol_id not in graph.items:
            raise InputError(f"validation record for {record.protocol_id}, which is not a "
                             "protocol of this project", path=folder,
                             item_id=record.protocol_id,
                             hint="give the results folder 'bp2 validate' wrote for this project")
        graph.validation_records[record.protocol_id] = record


def write_matrix(
    root: Path, fmt: str, out: Path, results: list[Path] | None = None
) -> CheckReport:
    """Write the trace matrix in ``fmt`` (html, csv, xlsx, json) to ``out``; return the check
    report it shows."""
    from bp2.trace.matrix import build_matrix  # imported here: only matrices need jinja2
    from bp2.trace.render import FORMATS, write_matrix_file

    if fmt not in FORMATS:
        raise UsageError(f"unknown matrix format '{fmt}'", hint=f"use one of {', '.join(FORMATS)}")
    report = check(root, results)
    with no_cyclic_gc():
        write_matrix_file(build_matrix(report.graph, report.findings), fmt, out)
    return report


def show(root: Path, item_id: str, results: list[Path] | None = None) -> list[str]:
    """The lines ``bp2 trace show`` prints for one item."""
    report = check(root, results)
    return show_lines(report.graph, item_id, report.findings)
