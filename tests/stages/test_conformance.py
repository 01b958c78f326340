"""The conformance test: walks the stage registry and checks every stage against the contract.

For each registered stage: the contract is present (ID = package folder, semantic version,
frozen Inputs/Outputs/Params that refuse unknown fields, requirement links, tool versions
reported), its answer key from an independent source passes, and ``pipeline/stage-lock.json``
holds the digests of its code and answer-key output for its version.  A changed digest without a
version bump fails; record a new version with ``pytest tests/stages --update-stage-lock``.
"""

from __future__ import annotations

import hashlib
import importlib
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from bp2.engine.execute import execute_unit
from bp2.stages.base import SEMVER, Scope, StageInputs, StageOutputs, StageParams, iter_paths
from bp2.stages.lock import LockEntry, StageLock, code_digest, read_lock, version_tuple, write_lock
from bp2.stages.registry import REGISTRY, STAGES
from bp2.tools import TOOLS, tool_versions
from tests.stages.conformance import AnswerKey

REPO = Path(__file__).resolve().parents[2]
LOCK_PATH = REPO / "pipeline" / "stage-lock.json"
REQ_ID = re.compile(r"^SRS-\d{3,4}$")
STAGE_IDS = sorted(REGISTRY)


def answer_key(stage_id: str) -> AnswerKey:
    module = importlib.import_module(f"tests.stages.{stage_id}.answer_key")
    key: AnswerKey = module.ANSWER_KEY
    return key


def frozen_forbidding(model: type[BaseModel]) -> bool:
    config = model.model_config
    return bool(config.get("frozen")) and config.get("extra") == "forbid"


@pytest.mark.verifies("SRS-002")
def test_registry_is_the_single_list_of_stages() -> None:
    """It lists each stage once, keyed by its ID, with at least one stage registered."""
    assert STAGES, "no stage is registered"
    assert len({s.ID for s in STAGES}) == len(STAGES)
    assert all(REGISTRY[s.ID] is s for s in STAGES)


@pytest.mark.verifies("SRS-001", "SRS-002")
@pytest.mark.parametrize("stage_id", STAGE_IDS)
def test_contract(stage_id: str) -> None:
    """It finds the full stage contract: ID = folder, semver, typed frozen models, links, tools."""
    stage = REGISTRY[stage_id]
    module = type(stage).__module__
    assert module.split(".")[:3] == ["bp2", "stages", stage_id], module
    assert SEMVER.match(stage.VERSION), stage.VERSION
    assert isinstance(stage.SCOPE, Scope)
    assert stage.DESCRIPTION.strip()
    assert stage.IMPLEMENTS and all(REQ_ID.match(i) for i in stage.IMPLEMENTS)
    assert issubclass(stage.Inputs, StageInputs) and frozen_forbidding(stage.Inputs)
    assert issubclass(stage.Outputs, StageOutputs) and frozen_forbidding(stage.Outputs)
    assert issubclass(stage.Params, StageParams) and frozen_forbidding(stage.Params)
    stage.Params()  # every parameter has a default
    assert set(stage.TOOLS) <= set(TOOLS)
    versions = tool_versions(stage.TOOLS)
    assert all(v and v[0].isdigit() for v in versions.values()), versions
    for requirement in stage.IMPLEMENTS:
        assert (REPO / "requirements" / f"{requirement}.yaml").is_file(), requirement


def _run_answer_key(stage_id: str, tmp_path: Path) -> tuple[AnswerKey, StageOutputs]:
    stage = REGISTRY[stage_id]
    key = answer_key(stage_id)
    assert key.stage_id == stage_id
    assert key.source.strip(), "an answer key must name its independent source"
    inputs, params = key.build(tmp_path / "inputs")
    outputs, _ = execute_unit(
        stage, inputs, params, tmp_path / "out", unit="answer-key", threads=2, seed=13485
    )
    for _field, path in iter_paths(outputs):
        assert path.is_file()
    key.check(outputs)
    return key, outputs


@pytest.mark.verifies("SRS-002", "SRS-003")
@pytest.mark.parametrize("stage_id", STAGE_IDS)
def test_answer_key_and_version_lock(
    stage_id: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """It passes the stage's independent answer key and matches the lock for its version."""
    stage = REGISTRY[stage_id]
    key, outputs = _run_answer_key(stage_id, tmp_path)
    answer_digest = hashlib.sha256(key.normalise(outputs)).hexdigest()
    code, modules = code_digest(stage)
    current = LockEntry(code=code, answer_key=answer_digest, modules=modules)
    lock = read_lock(LOCK_PATH)
    problem = lock_problem(lock, stage_id, stage.VERSION, current)
    if problem is None:
        return
    if request.config.getoption("--update-stage-lock") and problem.startswith("new version"):
        stages: dict[str, Any] = {k: dict(v) for k, v in lock.stages.items()}
        stages.setdefault(stage_id, {})[stage.VERSION] = current
        write_lock(LOCK_PATH, StageLock(stages=stages))
        return
    pytest.fail(problem)


def lock_problem(lock: StageLock, stage_id: str, version: str, current: LockEntry) -> str | None:
    """Why the lock disagrees with the current code and output, or None when it agrees."""
    recorded = lock.entry(stage_id, version)
    if recorded is not None:
        if recorded.answer_key != current.answer_key:
            return (
                f"{stage_id} {version}: the answer-key output changed without a version bump "
                "— bump the minor or major version"
            )
        if recorded.code != current.code:
            return (
                f"{stage_id} {version}: the code changed without a version bump — bump the "
                "patch version (output identical) or minor/major (behaviour changed)"
            )
        return None
    earlier = sorted((v for v in lock.stages.get(stage_id, {})), key=version_tuple)
    older = [v for v in earlier if version_tuple(v) < version_tuple(version)]
    if older:
        previous = lock.stages[stage_id][older[-1]]
        bump_is_patch = version_tuple(version)[:2] == version_tuple(older[-1])[:2]
        if bump_is_patch and previous.answer_key != current.answer_key:
            return (
                f"{stage_id} {version}: the answer-key output differs from {older[-1]}, so a "
                "patch bump is not enough — bump the minor or major version"
            )
    return (
        f"new version {stage_id} {version} is not in {LOCK_PATH.name}: record it with "
        "'pytest tests/stages/test_conformance.py --update-stage-lock'"
    )


@pytest.mark.verifies("SRS-003")
def test_lock_rules() -> None:
    """It refuses changed code or output under one version, and a patch bump that changes output."""
    entry = LockEntry(code="c1", answer_key="a1")
    lock = StageLock(stages={"s": {"1.0.0": entry}})
    assert lock_problem(lock, "s", "1.0.0", entry) is None
    assert "patch" in (
        lock_problem(lock, "s", "1.0.0", LockEntry(code="c2", answer_key="a1")) or ""
    )
    assert "minor or major" in (
        lock_problem(lock, "s", "1.0.0", LockEntry(code="c1", answer_key="a2")) or ""
    )
    assert "patch bump is not enough" in (
        lock_problem(lock, "s", "1.0.1", LockEntry(code="c2", answer_key="a2")) or ""
    )
    assert (
        lock_problem(lock, "s", "1.1.0", LockEntry(code="c2", answer_key="a2")) or ""
    ).startswith("new version")
    assert (
        lock_problem(lock, "s", "1.0.1", LockEntry(code="c2", answer_key="a1")) or ""
    ).startswith("new version")
