"""Tests of the pytest plugin: markers, Gherkin tags and the results file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bp2.trace.results import read_results
from tests.trace.factory import Project, make_project

TESTS = '''\
import pytest

@pytest.mark.verifies("SRS-001")
def test_pass():
    pass

@pytest.mark.verifies("SRS-001", "SRS-002")
def test_fail():
    assert 1 == 2

@pytest.mark.verifies("SRS-002")
@pytest.mark.skip(reason="no data here")
def test_skip():
    pass

@pytest.mark.verifies("SRS-002")
@pytest.mark.xfail(reason="known")
def test_xfail():
    assert False

@pytest.fixture
def broken():
    raise RuntimeError("setup broke")

@pytest.mark.verifies("SRS-003")
def test_error(broken):
    pass

def test_unlinked():
    pass
'''

FEATURE = """\
@SRS-004
Feature: Widget
  @SRS-005 @slow
  Scenario: It answers
    Given a widget
    Then it answers
"""

STEPS = '''\
from pytest_bdd import given, scenarios, then

scenarios("features/widget.feature")

@given("a widget")
def widget():
    return 1

@then("it answers")
def answers():
    pass
'''


def _pytest(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                          cwd=root, capture_output=True, text=True, check=False, timeout=300)


@pytest.fixture(scope="module")
def suite_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A project whose test suite was run once with the plugin."""
    empty_project = make_project(tmp_path_factory.mktemp("suite") / "repo", complete=False)
    root = empty_project.root
    empty_project.write("pyproject.toml", '[project]\nname = "x"\nversion = "0"\n'
                        '[tool.pytest.ini_options]\nmarkers = ["slow: slow"]\n'
                        'addopts = "--strict-markers"\n')
    empty_project.write("tests/test_units.py", TESTS)
    empty_project.write("verification/features/widget.feature", FEATURE)
    empty_project.write("verification/test_steps.py", STEPS)
    done = _pytest(root, "tests", "verification")
    assert done.returncode == 1, done.stdout + done.stderr  # test_fail and test_error fail
    return empty_project


@pytest.fixture
def run_suite(suite_project: Project) -> dict[str, dict[str, object]]:
    doc = json.loads((suite_project.root / ".bp2-results" / "results.json").read_text())
    return {t["nodeid"].split("::")[-1]: t for t in doc["tests"]} | {"__doc__": doc}


@pytest.mark.verifies("SRS-037")
def test_records_outcome_and_ids_of_each_test(run_suite: dict[str, dict[str, object]]) -> None:
    """It records each test's outcome and the IDs of its verifies marker."""
    got = {name: (t["outcome"], t["ids"]) for name, t in run_suite.items() if name != "__doc__"}
    assert got == {
        "test_pass": ("passed", ["SRS-001"]),
        "test_fail": ("failed", ["SRS-001", "SRS-002"]),
        "test_skip": ("skipped", ["SRS-002"]),
        "test_xfail": ("xfailed", ["SRS-002"]),
        "test_error": ("error", ["SRS-003"]),
        "test_unlinked": ("passed", []),
        "test_it_answers": ("passed", ["SRS-004", "SRS-005"]),
    }


@pytest.mark.verifies("SRS-037")
def test_records_messages_durations_and_tree(run_suite: dict[str, dict[str, object]]) -> None:
    """It records failure and skip messages, durations and the test files' digests."""
    assert run_suite["test_fail"]["message"] == "assert 1 == 2"
    assert run_suite["test_skip"]["message"] == "Skipped: no data here"
    assert all(float(t["duration"]) >= 0 for n, t in run_suite.items()  # type: ignore[arg-type]
               if n != "__doc__")
    tree = run_suite["__doc__"]["tree"]
    assert set(tree["test_files"]) == {  # type: ignore[index]
        "tests/test_units.py", "verification/features/widget.feature",
        "verification/test_steps.py"}


@pytest.mark.verifies("SRS-037", "SRS-038")
def test_results_are_accepted_for_the_same_tree(suite_project: Project) -> None:
    """It writes a results file that trace check accepts for the unchanged tree."""
    loaded, sources = read_results([suite_project.root / ".bp2-results" / "results.json"],
                                   suite_project.root, ("tests", "verification"))
    assert sources[0].format == "bp2" and len(loaded) == 7


@pytest.mark.verifies("SRS-037")
def test_results_path_option_and_opt_out(empty_project: Project) -> None:
    """It writes to --bp2-results PATH, and nothing with --no-bp2-results."""
    root = empty_project.root
    empty_project.write("tests/test_one.py", "def test_one():\n    pass\n")
    assert _pytest(root, "--bp2-results", "out/r.json", "tests").returncode == 0
    assert (root / "out" / "r.json").is_file()
    assert _pytest(root, "--no-bp2-results", "tests").returncode == 0
    assert not (root / ".bp2-results" / "results.json").exists()
