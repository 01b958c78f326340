"""Small design histories on disk for the trace tests (a baseline with no findings, to mutate).

The baseline, built by :func:`make_project`, is a complete chain with no findings at all:
UN-001 ← SRS-001 (implemented in ``src/app/core.py``, verified by a passing test), VAL-001
validating UN-001, and HAZ-001 controlled by SRS-001, every link reviewed.  Tests change one
thing and look for the one finding it must cause.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from bp2.trace.api import CheckReport, check
from bp2.trace.results import TestResult, build_results_file, tree_identity
from bp2.trace.review import review

REPO = Path(__file__).resolve().parents[2]
WHEN = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
FOLDERS = {"UN": "requirements", "SRS": "requirements", "HAZ": "risk", "VAL": "validation",
           "ANOM": "verification/anomalies"}


def un(item_id: str = "UN-001", statement: str = "A user needs the widget to work.",
       **extra: Any) -> dict[str, Any]:
    return {"id": item_id, "title": f"Need {item_id}", "statement": statement, **extra}


def srs(item_id: str = "SRS-001", parents: list[Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {"id": item_id, "title": f"Requirement {item_id}",
            "statement": "When asked, the widget shall answer within one second.",
            "rationale": "Users wait otherwise.", "type": "functional", "safety_class": "B",
            "parents": ["UN-001"] if parents is None else parents, **extra}


def val(item_id: str = "VAL-001", validates: list[Any] | None = None,
        **extra: Any) -> dict[str, Any]:
    return {"id": item_id, "title": f"Protocol {item_id}",
            "validates": ["UN-001"] if validates is None else validates,
            "datasets": [{"name": "truth", "path": "data/truth.vcf", "sha256": "a" * 64}],
            "method": "Run and compare with the truth set.",
            "acceptance_criteria": [{"metric": "recall", "comparator": ">=", "threshold": 0.99}],
            **extra}


def control(srs_id: str = "SRS-001", reduces: list[str] | None = None) -> dict[str, Any]:
    return {"measure": f"Check the answer ({srs_id}).", "srs": srs_id,
            "reduces": reduces or ["probability"], "new_risks": "None identified."}


def haz(item_id: str = "HAZ-001", controls: list[Any] | None = None,
        **extra: Any) -> dict[str, Any]:
    data = {"id": item_id, "title": f"Hazard {item_id}", "hazard": "A wrong answer.",
            "sequence_of_events": ["The widget fails.", "Nobody notices."],
            "hazardous_situation": "A wrong answer is used.", "harm": "Wrong decision.",
            "severity": "serious", "probability": "probable",
            "controls": [control()] if controls is None else controls,
            "residual": {"severity": "serious", "probability": "remote"}}
    data.update(extra)
    return data


@dataclass
class Project:
    root: Path

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def item(self, data: dict[str, Any], rel: str | None = None) -> Path:
        kind = str(data["id"]).split("-")[0]
        rel = rel or f"{FOLDERS[kind]}/{data['id']}.yaml"
        return self.write(rel, yaml.safe_dump(data, sort_keys=False, allow_unicode=True))

    def load(self, item_id: str) -> dict[str, Any]:
        kind = item_id.split("-")[0]
        data: dict[str, Any] = yaml.safe_load(
            (self.root / FOLDERS[kind] / f"{item_id}.yaml").read_text(encoding="utf-8"))
        return data

    def edit(self, item_id: str, **changes: Any) -> Path:
        data = self.load(item_id)
        data.update(changes)
        return self.item(data)

    def remove(self, item_id: str) -> None:
        (self.root / FOLDERS[item_id.split("-")[0]] / f"{item_id}.yaml").unlink()

    def code(self, rel: str, ids: tuple[str, ...]) -> Path:
        return self.write(f"src/{rel}", f'"""Code."""\n\nIMPLEMENTS = {ids!r}\n')

    def test_file(self, rel: str, ids: tuple[str, ...], name: str = "test_it") -> Path:
        args = ", ".join(f'"{i}"' for i in ids)
        return self.write(f"tests/{rel}", "import pytest\n\n\n"
                          f"@pytest.mark.verifies({args})\ndef {name}() -> None:\n"
                          "    assert True\n")

    def results(self, tests: list[TestResult], rel: str = ".bp2-results/results.json") -> Path:
        doc = build_results_file(tests, tree_identity(self.root, ("tests", "verification")),
                                 created=WHEN)
        return self.write(rel, json.dumps(doc))

    def review_all(self) -> None:
        ids = [p.stem for folder in ("requirements", "risk", "validation")
               for p in sorted((self.root / folder).glob("*-*.yaml"))
               if p.stem.split("-")[0] in ("SRS", "HAZ", "VAL")]
        if ids:
            review(self.root, ids, "Test Reviewer", now=WHEN)

    def check(self, results: list[Path] | None = None, *, strict: bool = False) -> CheckReport:
        return check(self.root, results, strict=strict)

    def found(self, check_id: str, results: list[Path] | None = None) -> set[str | None]:
        """Item IDs of the findings of one check."""
        return {f.item_id for f in self.check(results).findings if f.check_id == check_id}


def passing(nodeid: str, *ids: str, outcome: str = "passed") -> TestResult:
    return TestResult(nodeid=nodeid, outcome=outcome, duration=0.01, ids=ids)  # type: ignore[arg-type]


def make_project(root: Path, *, complete: bool = True) -> Project:
    """A design history under ``root``: empty, or the complete baseline with no findings."""
    project = Project(root)
    project.write("pyproject.toml", '[project]\nname = "example"\nversion = "0"\n')
    for rel in ("traceability/model.yaml", "risk/policy.yaml", "requirements/intended-use.yaml"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / rel, root / rel)
    if complete:
        project.item(un())
        project.item(srs())
        project.item(val())
        project.item(haz())
        project.code("app/core.py", ("SRS-001",))
        project.test_file("test_core.py", ("SRS-001",))
        project.review_all()
        project.results([passing("tests/test_core.py::test_it", "SRS-001")])
    return project
