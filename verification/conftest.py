"""Step definitions of the Gherkin scenarios in ``verification/features``.

When steps run the *installed* ``bp2`` command in a subprocess, in the folder of a design history
built by the Given steps; Then steps assert on the exit code, the output and the files written.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pytest_bdd import given, parsers, then, when
from tests.trace.factory import Project, make_project, passing

from verification.benchmark_steps import *  # noqa: F403 - steps of benchmark.feature
from verification.evidence_steps import *  # noqa: F403 - step fixtures of evidence.feature


@dataclass
class World:
    """What the steps share: the design history and the last command's outcome."""

    cwd: Path
    project: Project | None = None
    done: subprocess.CompletedProcess[str] | None = field(default=None)

    @property
    def last(self) -> subprocess.CompletedProcess[str]:
        assert self.done is not None, "no command has run yet"
        return self.done


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(cwd=tmp_path)


@pytest.fixture(scope="session")
def bp2_command() -> str:
    """The installed bp2 command of the test interpreter's environment."""
    candidate = Path(sys.executable).parent / "bp2"
    found = str(candidate) if candidate.is_file() else shutil.which("bp2")
    if found is None:
        pytest.fail("the bp2 command is not installed (pip install -e .)")
    return found


@given("a design history where UN-001 is met by SRS-001, validated by VAL-001 and HAZ-001 is "
       "controlled by SRS-001")
def design_history(world: World) -> None:
    world.project = make_project(world.cwd / "repo")
    world.cwd = world.project.root


def _project(world: World) -> Project:
    assert world.project is not None, "no design history was built"
    return world.project


@given(parsers.parse("the test of SRS-001 {outcome}"))
def test_outcome(world: World, outcome: str) -> None:
    _project(world).results([passing("tests/test_core.py::test_it", "SRS-001", outcome=outcome)])


@given("the statement of UN-001 is changed")
def changed_need(world: World) -> None:
    _project(world).edit("UN-001", statement="A user needs the widget to answer in half the time.")


@given(parsers.parse('SRS-001 has the type "{value}"'))
def bad_type(world: World, value: str) -> None:
    _project(world).edit("SRS-001", type=value)


@when(parsers.parse('I run "{command}"'))
def run(world: World, command: str, bp2_command: str) -> None:
    argv = shlex.split(command)
    assert argv[0] == "bp2"
    world.done = subprocess.run([bp2_command, *argv[1:]], cwd=world.cwd, capture_output=True,
                                text=True, check=False, timeout=300)


@then(parsers.parse("the exit code is {code:d}"))
def exit_code(world: World, code: int) -> None:
    assert world.last.returncode == code, world.last.stdout + world.last.stderr


@then(parsers.parse('the output says "{text}"'))
def output_says(world: World, text: str) -> None:
    assert text in world.last.stdout, world.last.stdout


@then(parsers.parse('the errors say "{text}"'))
def errors_say(world: World, text: str) -> None:
    assert text in world.last.stderr, world.last.stderr


@then(parsers.parse('the output reports "{check}" for "{item}"'))
def output_reports(world: World, check: str, item: str) -> None:
    rows = [line.split() for line in world.last.stdout.splitlines()
            if line.startswith(("error", "warning"))]
    assert any(row[1:3] == [check, item] for row in rows), world.last.stdout


@then(parsers.parse('the file "{name}" contains "{text}"'))
def file_contains(world: World, name: str, text: str) -> None:
    assert text in (world.cwd / name).read_text(encoding="utf-8")


@then("the output is a JSON list whose entries name their id, version and implements")
def stage_list_json(world: World) -> None:
    stages = json.loads(world.last.stdout)
    assert isinstance(stages, list) and stages, "no stage is registered"
    for stage in stages:
        assert {"id", "version", "implements"} <= set(stage)
