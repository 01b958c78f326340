"""Gherkin feature files read for the verification report: each scenario as Given/When/Then,
with its tags (the requirement IDs it verifies) and the test result pytest-bdd recorded for it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from bp2.trace.harvest import iter_files
from bp2.trace.ids import ID_LIKE

IMPLEMENTS = ("SRS-374",)

_STEP = re.compile(r"^(Given|When|Then|And|But|\*)\s+(.*)$")
_SCENARIO = ("Scenario:", "Scenario Outline:", "Scenario Template:", "Example:")


@dataclass
class Scenario:
    name: str
    line: int
    tags: list[str]
    steps: list[tuple[str, str]] = field(default_factory=list)

    @property
    def python_name(self) -> str:
        """The test function name pytest-bdd's ``scenarios()`` gives this scenario."""
        text = re.sub(r"^[^a-zA-Z_]+", "", re.sub(r"\W", "", self.name.replace(" ", "_")))
        return "test_" + text.lower()


@dataclass
class Feature:
    path: str
    name: str
    tags: list[str]
    description: list[str] = field(default_factory=list)
    background: list[tuple[str, str]] = field(default_factory=list)
    scenarios: list[Scenario] = field(default_factory=list)


def _tags(line: str) -> list[str]:
    out = []
    for token in line.split():
        if token.startswith("#"):
            break
        out.append(token.lstrip("@"))
    return out


def parse_feature(text: str, rel: str) -> Feature:
    feature = Feature(rel, rel, [])
    pending: list[str] = []
    target: list[tuple[str, str]] | None = None
    in_description = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            pending.extend(_tags(line))
            in_description = False
            continue
        if line.startswith("Feature:"):
            feature.name, feature.tags, pending = line[8:].strip(), pending, []
            in_description = True
            continue
        if line.startswith("Background:"):
            target, in_description = feature.background, False
            continue
        keyword = next((k for k in _SCENARIO if line.startswith(k)), None)
        if keyword is not None:
            scenario = Scenario(line[len(keyword):].strip(), number, pending)
            feature.scenarios.append(scenario)
            target, pending, in_description = scenario.steps, [], False
            continue
        step = _STEP.match(line)
        if step is not None and target is not None:
            target.append((step.group(1), step.group(2)))
        elif in_description:
            feature.description.append(line)
    return feature


def read_features(root: Path, folders: tuple[str, ...]) -> list[Feature]:
    return [parse_feature(path.read_text(encoding="utf-8"), path.relative_to(root).as_posix())
            for path in iter_files(root, folders, (".feature",))]


def requirement_tags(feature: Feature, scenario: Scenario) -> list[str]:
    return [t for t in [*feature.tags, *scenario.tags] if ID_LIKE.match(t)]
