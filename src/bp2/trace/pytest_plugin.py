"""pytest plugin: the ``verifies`` marker, Gherkin ``@SRS-…`` tags, and the bp2 results file.

Installed with bp2 (entry point ``pytest11``), so every pytest run in a bp2 repository records
its evidence:

* ``@pytest.mark.verifies("SRS-012", …)`` links a test to the requirements it verifies;
* pytest-bdd scenarios tagged ``@SRS-012`` (on the scenario, its rule or its feature) get the
  same marker;
* at the end of the session every test's outcome, duration, node ID and linked IDs are written,
  with the tree identity (git commit, dirty flag, sha256 of every test file), to
  ``.bp2-results/results.json`` at the repository root — or to ``--bp2-results PATH``;
  ``--no-bp2-results`` turns this off.

``bp2 trace check`` then reads the file and refuses it if the tree has changed since.
"""

from __future__ import annotations

import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bp2 import __version__
from bp2.errors import Bp2Error
from bp2.fileio import write_json_atomic
from bp2.trace.ids import ID_LIKE, id_sort_key
from bp2.trace.results import (
    DEFAULT_RESULTS,
    Outcome,
    TestResult,
    build_results_file,
    tree_identity,
)

IMPLEMENTS = ("SRS-037",)

_MAX_MESSAGE = 500


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("bp2", "bp2 design-control evidence")
    group.addoption("--bp2-results", metavar="PATH", default=None,
                    help="where to write the bp2 results file "
                    "(default: .bp2-results/results.json at the repository root)")
    group.addoption("--no-bp2-results", action="store_true", default=False,
                    help="do not write a bp2 results file")


def _find_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").is_file():
            return folder
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers",
                            "verifies(*ids): the requirement IDs (SRS-...) this test verifies")
    if (config.getoption("--no-bp2-results") or hasattr(config, "workerinput")
            or config.getoption("collectonly")):
        return  # nothing to record (or an xdist worker: the controller records)
    root = _find_root(config.rootpath.resolve())
    if root is None:
        return
    option = config.getoption("--bp2-results")
    path = Path(option).resolve() if option else root / DEFAULT_RESULTS
    config.pluginmanager.register(ResultsRecorder(config, root, path), "bp2-results-recorder")


@pytest.hookimpl(optionalhook=True)
def pytest_bdd_apply_tag(tag: str, function: Any) -> bool | None:
    """Turn a Gherkin tag that is an item ID into a ``verifies`` marker."""
    if ID_LIKE.match(tag):
        pytest.mark.verifies(tag)(function)
        return True
    return None


def _message(report: pytest.TestReport) -> str | None:
    longrepr = report.longrepr
    if longrepr is None:
        return None
    if isinstance(longrepr, tuple):  # a skip: (file, line, reason)
        text = str(longrepr[2])
    else:
        crash = getattr(longrepr, "reprcrash", None)
        text = str(crash.message) if crash is not None else str(longrepr).strip().splitlines()[-1]
    text = " ".join(text.split())
    return text[:_MAX_MESSAGE] or None


class ResultsRecorder:
    """Collects each test's linked IDs and outcome; writes the results file at the end."""

    def __init__(self, config: pytest.Config, root: Path, path: Path) -> None:
        self.config = config
        self.root = root
        self.path = path
        self.ids: dict[str, tuple[str, ...]] = {}
        self.outcomes: dict[str, Outcome] = {}
        self.durations: dict[str, float] = {}
        self.messages: dict[str, str | None] = {}
        self.written = 0

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            claimed = {str(arg) for mark in item.iter_markers("verifies") for arg in mark.args}
            self.ids[item.nodeid] = tuple(sorted(claimed, key=id_sort_key))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        nodeid = report.nodeid
        self.durations[nodeid] = self.durations.get(nodeid, 0.0) + report.duration
        xfail = hasattr(report, "wasxfail")
        outcome: Outcome | None = None
        if report.when == "call":
            if xfail:
                outcome = Outcome.XFAILED if report.skipped else Outcome.XPASSED
            elif report.passed:
                outcome = Outcome.PASSED
            elif report.failed:
                outcome = Outcome.FAILED
            else:
                outcome = Outcome.SKIPPED
        elif report.failed:  # setup or teardown
            outcome = Outcome.ERROR
        elif report.skipped:  # skipped in setup (skip marker, missing data)
            outcome = Outcome.XFAILED if xfail else Outcome.SKIPPED
        if outcome is None:
            return
        previous = self.outcomes.get(nodeid)
        if previous is None or previous is Outcome.PASSED or outcome is Outcome.ERROR:
            self.outcomes[nodeid] = outcome
            if outcome is not Outcome.PASSED:
                self.messages[nodeid] = _message(report)

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        tests = [
            TestResult(nodeid=nodeid, outcome=outcome,
                       duration=round(self.durations.get(nodeid, 0.0), 6),
                       ids=self.ids.get(nodeid, ()), message=self.messages.get(nodeid))
            for nodeid, outcome in self.outcomes.items()
        ]
        folders: tuple[str, ...] = ("tests",)
        try:
            from bp2.trace.model import load_model

            folders = load_model(self.root).tests
        except Bp2Error:
            pass  # no trace model here: digest the conventional tests folder
        doc = build_results_file(
            tests, tree_identity(self.root, folders), created=datetime.now(UTC),
            runner={"pytest": pytest.__version__, "python": platform.python_version(),
                    "bp2": __version__},
            args=[str(a) for a in self.config.invocation_params.args],
            exitstatus=int(exitstatus),
        )
        write_json_atomic(self.path, doc)
        self.written = len(tests)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.written:
            terminalreporter.write_line(f"bp2: {self.written} test results written to "
                                        f"{self.path}")
