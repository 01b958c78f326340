"""Tests of reading test results: bp2 results, JUnit XML, Cucumber JSON, and tree identity."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bp2.errors import InputError
from bp2.trace.results import Outcome, git_state, read_results
from tests.trace.factory import Project, passing

JUNIT = """<?xml version="1.0"?>
<testsuites><testsuite name="s">
  <testcase classname="wf.test" name="ok" time="0.5">
    <properties><property name="verifies" value="SRS-001, SRS-002"/></properties>
  </testcase>
  <testcase classname="wf.test" name="bad" time="0.1">
    <properties><property name="requirements" value="SRS-001"/></properties>
    <failure message="expected 3"/>
  </testcase>
  <testcase classname="wf.test" name="later"><skipped message="no data"/></testcase>
</testsuite></testsuites>
"""

CUCUMBER = [{"uri": "features/a.feature", "name": "A", "tags": [{"name": "@SRS-001"}],
             "elements": [
                 {"name": "works", "line": 4, "type": "scenario", "tags": [{"name": "SRS-002"},
                                                                           {"name": "@slow"}],
                  "steps": [{"result": {"status": "passed", "duration": 2_000_000_000}}]},
                 {"name": "breaks", "line": 9, "type": "scenario", "tags": [],
                  "steps": [{"result": {"status": "passed"}}, {"result": {"status": "failed"}}]},
             ]}]


@pytest.mark.verifies("SRS-039")
def test_reads_junit_properties_and_outcomes(project: Project) -> None:
    """It reads each JUnit test case with the IDs of its verifies/requirements properties."""
    path = project.write("junit.xml", JUNIT)
    loaded, sources = read_results([path], project.root, ("tests",))
    got = {(r.nodeid, r.outcome, r.ids) for r in loaded}
    assert got == {("wf.test::ok", Outcome.PASSED, ("SRS-001", "SRS-002")),
                   ("wf.test::bad", Outcome.FAILED, ("SRS-001",)),
                   ("wf.test::later", Outcome.SKIPPED, ())}
    assert sources[0].format == "junit" and not sources[0].tied_to_tree


@pytest.mark.verifies("SRS-039")
def test_reads_cucumber_scenarios_with_feature_tags(project: Project) -> None:
    """It reads each Cucumber scenario with its own and its feature's ID tags."""
    path = project.write("cucumber.json", json.dumps(CUCUMBER))
    loaded, _ = read_results([path], project.root, ("tests",))
    got = {(r.nodeid, r.outcome, r.ids, r.duration)
           for r in loaded}
    assert got == {("features/a.feature::works:4", Outcome.PASSED, ("SRS-001", "SRS-002"), 2.0),
                   ("features/a.feature::breaks:9", Outcome.FAILED, ("SRS-001",), 0.0)}


@pytest.mark.verifies("SRS-039")
def test_refuses_xml_with_entity_declarations(project: Project) -> None:
    """It refuses JUnit XML that declares entities (an entity-expansion bomb)."""
    bomb = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><testsuite><testcase name="&b;"/>'
            "</testsuite>")
    path = project.write("bomb.xml", bomb)
    with pytest.raises(InputError, match="JUnit XML cannot be read"):
        read_results([path], project.root, ("tests",))


@pytest.mark.verifies("SRS-038")
def test_refuses_results_after_a_test_file_changed(project: Project) -> None:
    """It refuses bp2 results when a test file changed since they were written, naming it."""
    project.test_file("test_core.py", ("SRS-001",), name="test_changed")
    with pytest.raises(InputError) as err:
        read_results([project.root / ".bp2-results/results.json"], project.root, ("tests",))
    assert "another tree" in err.value.title and "tests/test_core.py" in err.value.title


@pytest.mark.verifies("SRS-038")
def test_refuses_results_after_a_test_file_was_added(project: Project) -> None:
    """It refuses bp2 results when a test file was added since they were written."""
    project.test_file("test_new.py", ("SRS-001",))
    with pytest.raises(InputError, match=r"tests/test_new\.py"):
        read_results([project.root / ".bp2-results/results.json"], project.root, ("tests",))


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=T", "-c", "user.email=t@example.org",
                    *args], check=True, capture_output=True)


@pytest.mark.verifies("SRS-038", "SRS-037")
def test_refuses_results_from_another_commit(project: Project) -> None:
    """It records the commit and dirty state, and refuses results once HEAD has moved."""
    _git(project.root, "init", "-q")
    _git(project.root, "add", "-A")
    _git(project.root, "commit", "-q", "-m", "one")
    project.results([passing("tests/test_core.py::test_it", "SRS-001")])
    commit, dirty = git_state(project.root)
    assert commit is not None and dirty is True  # the results file itself is not ignored here
    results = project.root / ".bp2-results/results.json"
    read_results([results], project.root, ("tests",))
    project.write("README", "more\n")
    _git(project.root, "add", "README")
    _git(project.root, "commit", "-q", "-m", "two")
    with pytest.raises(InputError, match="commit"):
        read_results([results], project.root, ("tests",))
