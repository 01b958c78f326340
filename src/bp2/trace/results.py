"""Test results: the bp2 results file written by the pytest plugin, JUnit XML and Cucumber JSON.

The bp2 results file (``.bp2-results/results.json`` by default) records, besides each test's
outcome, duration, node ID and linked IDs, *which tree* produced it: the git commit, whether the
working tree was dirty, and the sha256 of every test file.  ``bp2 trace check`` refuses a results
file whose commit or test files differ from the tree being checked — evidence from another tree
is not evidence for this one.

JUnit XML (``<testcase>`` with ``<property name="verifies" value="SRS-001 SRS-002"/>``) and
Cucumber JSON (scenario tags ``@SRS-001``) are read too, so other runners' results count; they
carry no tree identity, which the ``results-provenance`` check reports as a warning.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, NotRequired

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from bp2.errors import InputError
from bp2.trace.harvest import iter_files
from bp2.trace.ids import ID_LIKE
from bp2.trace.yamlload import raise_problems, validation_problems

IMPLEMENTS = ("SRS-037", "SRS-038", "SRS-039")

RESULTS_FORMAT = "bp2-test-results/1"
DEFAULT_RESULTS = Path(".bp2-results") / "results.json"
TEST_FILE_SUFFIXES = (".py", ".feature")


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"
    XFAILED = "xfailed"
    XPASSED = "xpassed"

    @property
    def passing(self) -> bool:
        return self in _PASSING

    @property
    def failing(self) -> bool:
        return self in _FAILING

    @property
    def not_run(self) -> bool:
        return self in _NOT_RUN


_PASSING = frozenset({Outcome.PASSED, Outcome.XPASSED})
_FAILING = frozenset({Outcome.FAILED, Outcome.ERROR})
_NOT_RUN = frozenset({Outcome.SKIPPED, Outcome.XFAILED})


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TestResult(_Frozen):
    """One test's outcome and the IDs it claims (as written: malformed ones are reported)."""

    __test__ = False  # not a pytest test class

    nodeid: str
    outcome: Outcome
    duration: float = Field(ge=0)
    ids: tuple[str, ...] = ()
    message: str | None = None


class TreeIdentity(_Frozen):
    commit: str | None
    dirty: bool | None
    test_files: dict[str, str]
    tests_digest: str


class ResultsFile(_Frozen):
    format: Literal["bp2-test-results/1"]
    created: datetime
    tree: TreeIdentity
    runner: dict[str, str] = Field(default_factory=dict)
    args: list[str] = Field(default_factory=list)
    exitstatus: int | None = None
    tests: list[TestResult]


@dataclass(frozen=True)
class ResultsSource:
    """Where a set of results came from and whether it is tied to this tree."""

    path: str
    format: Literal["bp2", "junit", "cucumber"]
    count: int
    commit: str | None = None
    dirty: bool | None = None
    created: str | None = None

    @property
    def tied_to_tree(self) -> bool:
        return self.format == "bp2"


@dataclass(frozen=True, slots=True)
class LoadedResult:
    """One test's result as read, with the results file it came from."""

    nodeid: str
    outcome: Outcome
    duration: float
    ids: tuple[str, ...]
    message: str | None
    source: str

    @classmethod
    def of(cls, test: TestResult, source: str) -> LoadedResult:
        return cls(test.nodeid, test.outcome, test.duration, test.ids, test.message, source)


class _TestRow(TypedDict):
    """A test in a bp2 results file, validated without building a model per test."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]
    nodeid: str
    outcome: Outcome
    duration: Annotated[float, Field(ge=0)]
    ids: tuple[str, ...]
    message: str | None


class _ResultsRows(TypedDict):
    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]
    format: Literal["bp2-test-results/1"]
    created: datetime
    tree: TreeIdentity
    runner: NotRequired[dict[str, str]]
    args: NotRequired[list[str]]
    exitstatus: NotRequired[int | None]
    tests: list[_TestRow]


# --- tree identity ------------------------------------------------------------------------------


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, check=False,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def git_state(root: Path) -> tuple[str | None, bool | None]:
    """(HEAD commit, dirty?) of the git work tree at ``root``, or (None, None) outside git."""
    top = _git(root, "rev-parse", "--show-toplevel")
    if top is None or Path(top.strip()).resolve() != root.resolve():
        return None, None
    head = _git(root, "rev-parse", "HEAD")
    status = _git(root, "status", "--porcelain", "--untracked-files=normal")
    commit = head.strip() if head else None
    return commit, (None if status is None else bool(status.strip()))


def hash_test_files(root: Path, folders: Iterable[str]) -> dict[str, str]:
    """sha256 of every test file (``.py``, ``.feature``) under the trace model's test folders."""
    digests = {}
    for path in iter_files(root, tuple(folders), TEST_FILE_SUFFIXES):
        digests[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return dict(sorted(digests.items()))


def digest_of(files: dict[str, str]) -> str:
    text = "".join(f"{path}\0{sha}\n" for path, sha in sorted(files.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def tree_identity(root: Path, test_folders: Iterable[str]) -> TreeIdentity:
    commit, dirty = git_state(root)
    files = hash_test_files(root, test_folders)
    return TreeIdentity(commit=commit, dirty=dirty, test_files=files, tests_digest=digest_of(files))


def verify_same_tree(recorded: TreeIdentity, current: TreeIdentity, shown: str) -> None:
    """Raise InputError unless the results were produced by the tree being checked."""
    rerun = "rerun the tests on this tree (pytest writes .bp2-results/results.json)"
    if recorded.commit != current.commit:
        raise InputError(
            f"results come from another tree: commit {recorded.commit or '(none)'} "
            f"but this tree is at {current.commit or '(none)'}",
            path=shown, hint=rerun)
    if recorded.tests_digest != current.tests_digest:
        changed = sorted(
            path for path in set(recorded.test_files) | set(current.test_files)
            if recorded.test_files.get(path) != current.test_files.get(path)
        )
        listed = ", ".join(changed[:5]) + (" …" if len(changed) > 5 else "")
        raise InputError(
            f"results come from another tree: {len(changed)} test file(s) differ ({listed})",
            path=shown, hint=rerun)


# --- readers ------------------------------------------------------------------------------------

_ROWS_ADAPTER = TypeAdapter(_ResultsRows)
_ID_SPLIT = re.compile(r"[\s,;]+")


def read_bp2(path: Path, shown: str) -> tuple[_ResultsRows, list[LoadedResult]]:
    """Read a bp2 results file (validated as plain rows: 100,000 tests read in a blink)."""
    try:
        doc = _ROWS_ADAPTER.validate_json(path.read_bytes())
    except ValidationError as exc:
        raise_problems(validation_problems(shown, exc, ResultsFile), "results")
    tests = [LoadedResult(t["nodeid"], t["outcome"], t["duration"], t["ids"], t["message"], shown)
             for t in doc["tests"]]
    return doc, tests


def read_junit(path: Path, shown: str) -> list[TestResult]:
    """Read JUnit XML: each ``<testcase>``; IDs from ``verifies``/``requirements`` properties."""
    import defusedxml.ElementTree as SafeET

    try:
        tree = SafeET.parse(path)
    except Exception as exc:  # defusedxml raises several types for hostile or broken XML
        raise InputError(f"JUnit XML cannot be read: {exc}", path=shown,
                         hint="give JUnit XML, Cucumber JSON or bp2 results") from None
    out = []
    for case in tree.iter("testcase"):
        classname = case.get("classname", "")
        name = case.get("name", "")
        nodeid = f"{classname}::{name}" if classname else name
        outcome, message = Outcome.PASSED, None
        for child in case:
            tag = child.tag
            if tag in ("failure", "error"):
                outcome = Outcome.FAILED if tag == "failure" else Outcome.ERROR
                message = child.get("message")
            elif tag == "skipped":
                outcome, message = Outcome.SKIPPED, child.get("message")
        ids: list[str] = []
        for prop in case.iter("property"):
            if prop.get("name", "").lower() in ("verifies", "requirement", "requirements"):
                ids.extend(v for v in _ID_SPLIT.split(prop.get("value", "")) if v)
        try:
            duration = max(0.0, float(case.get("time", "0") or 0))
        except ValueError:
            duration = 0.0
        out.append(TestResult(nodeid=nodeid, outcome=outcome, duration=duration,
                              ids=tuple(ids), message=message))
    return out


_CUCUMBER_STATUS = {"passed": Outcome.PASSED, "failed": Outcome.FAILED}


def read_cucumber(data: list[Any], shown: str) -> list[TestResult]:
    """Read Cucumber JSON: one result per scenario; IDs from scenario and feature tags."""
    out = []
    try:
        for feature in data:
            feature_tags = [t["name"] for t in feature.get("tags", [])]
            for element in feature.get("elements", []):
                if element.get("type", "scenario") == "background":
                    continue
                tags = feature_tags + [t["name"] for t in element.get("tags", [])]
                statuses = [s.get("result", {}).get("status", "skipped")
                            for s in element.get("steps", [])]
                if any(s == "failed" for s in statuses):
                    outcome = Outcome.FAILED
                elif statuses and all(s == "passed" for s in statuses):
                    outcome = Outcome.PASSED
                else:
                    outcome = Outcome.SKIPPED
                duration = sum(s.get("result", {}).get("duration", 0) or 0
                               for s in element.get("steps", [])) / 1e9
                nodeid = f"{feature.get('uri', '')}::{element.get('name', '')}" \
                         f":{element.get('line', '')}"
                ids = tuple(t.lstrip("@") for t in tags if ID_LIKE.match(t.lstrip("@")))
                out.append(TestResult(nodeid=nodeid, outcome=outcome, duration=duration,
                                      ids=ids))
    except (AttributeError, KeyError, TypeError) as exc:
        raise InputError(f"Cucumber JSON has an unexpected shape: {exc}", path=shown,
                         hint="give Cucumber JSON as written by cucumber or pytest-bdd") from None
    return out


def read_results(
    paths: Iterable[Path], root: Path, test_folders: Iterable[str]
) -> tuple[list[LoadedResult], list[ResultsSource]]:
    """Read every results file, refusing bp2 results from another tree."""
    results: list[LoadedResult] = []
    sources: list[ResultsSource] = []
    current: TreeIdentity | None = None
    folders = tuple(test_folders)
    for path in paths:
        shown = _shown(path, root)
        if not path.is_file():
            raise InputError.missing_file(shown, "results file")
        head = path.read_bytes()[:512].lstrip()
        if head.startswith(b"<"):
            tests = read_junit(path, shown)
            sources.append(ResultsSource(shown, "junit", len(tests)))
        else:
            try:
                data = json.loads(path.read_bytes())
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise InputError(f"results file is neither JSON nor XML: {exc}", path=shown,
                                 hint="give bp2 results, JUnit XML or Cucumber JSON") from None
            if isinstance(data, list):
                tests = read_cucumber(data, shown)
                sources.append(ResultsSource(shown, "cucumber", len(tests)))
            else:
                doc, loaded = read_bp2(path, shown)
                if current is None:
                    current = tree_identity(root, folders)
                tree = doc["tree"]
                verify_same_tree(tree, current, shown)
                sources.append(ResultsSource(shown, "bp2", len(loaded), tree.commit, tree.dirty,
                                             doc["created"].isoformat()))
                results.extend(loaded)
                continue
        results.extend(LoadedResult.of(test, shown) for test in tests)
    return results, sources


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def build_results_file(
    tests: list[TestResult], identity: TreeIdentity, *, created: datetime,
    runner: dict[str, str] | None = None, args: list[str] | None = None,
    exitstatus: int | None = None,
) -> dict[str, Any]:
    """The JSON document of a bp2 results file (used by the pytest plugin and by tools)."""
    doc = ResultsFile(format="bp2-test-results/1", created=created, tree=identity,
                      runner=runner or {}, args=args or [], exitstatus=exitstatus,
                      tests=sorted(tests, key=lambda t: t.nodeid))
    return doc.model_dump(mode="json")
