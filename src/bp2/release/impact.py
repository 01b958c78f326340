"""Change impact against the previous release (IEC 62304 §6.2, §7.4).

The previous release is a bundle directory (its ``records/stage-lock.json`` and
``records/stage-versions.json``) or a git tag (its ``pipeline/stage-lock.json`` and pipeline
definition).  Each stage is compared by its pinned version and the code and answer-key digests
the stage lock records for it:

* same version, different digest → the stage changed without a version bump: the release fails;
* a different version → the stage changed: the requirements its modules implement, and the
  hazards those requirements control, are listed, and each must have a passing test in *this*
  run, or the release fails.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bp2.errors import InputError
from bp2.release.project import file_at, is_ref
from bp2.trace.graph import TraceGraph

IMPLEMENTS = ("SRS-380",)

LOCK_RECORD = "records/stage-lock.json"
VERSIONS_RECORD = "records/stage-versions.json"
RELEASE_RECORD = "records/release.json"

Lock = dict[str, dict[str, dict[str, Any]]]


@dataclass(frozen=True)
class Baseline:
    """What a release pinned: stage versions and the stage lock."""

    label: str
    versions: dict[str, str]
    lock: Lock


def _lock_from_text(text: str, shown: str) -> Lock:
    try:
        data = json.loads(text)
        stages = data["stages"]
        if not isinstance(stages, dict):
            raise TypeError("'stages' is not a mapping")
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise InputError(f"stage lock cannot be read: {exc}", path=shown,
                         hint="give a stage lock as written by the stage conformance "
                         "test") from None
    return stages


def versions_from_pipeline(text: str | None, lock: Lock) -> dict[str, str]:
    """Stage → pinned version from a pipeline definition; without one, the lock's newest."""
    if text is not None:
        data = yaml.safe_load(text)
        stages = data.get("stages", []) if isinstance(data, dict) else []
        pinned = {str(s["id"]): str(s["version"]) for s in stages
                  if isinstance(s, dict) and "id" in s and "version" in s}
        if pinned:
            return pinned
    return {stage: max(entries, key=_version_key) for stage, entries in lock.items() if entries}


def _version_key(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in version.split("."))
    except ValueError:
        return (-1,)


def current_baseline(root: Path, lock_rel: str, pipeline_rel: str) -> Baseline:
    lock_path = root / lock_rel
    lock = (_lock_from_text(lock_path.read_text(encoding="utf-8"), lock_rel)
            if lock_path.is_file() else {})
    pipeline = root / pipeline_rel
    text = pipeline.read_text(encoding="utf-8") if pipeline.is_file() else None
    return Baseline("this release", versions_from_pipeline(text, lock), lock)


def previous_baseline(root: Path, previous: str, lock_rel: str, pipeline_rel: str) -> Baseline:
    """Read the previous release from a bundle directory or a git tag/commit."""
    folder = Path(previous)
    if folder.is_dir():
        lock_file = folder / LOCK_RECORD
        if not lock_file.is_file():
            raise InputError(f"--previous {previous} is not a release bundle: "
                             f"{LOCK_RECORD} is missing", path=lock_file,
                             hint="give the directory of an earlier 'bp2 release' or a git tag")
        lock = _lock_from_text(lock_file.read_text(encoding="utf-8"), str(lock_file))
        versions_file = folder / VERSIONS_RECORD
        versions = (json.loads(versions_file.read_text(encoding="utf-8"))
                    if versions_file.is_file() else versions_from_pipeline(None, lock))
        label = previous
        release_file = folder / RELEASE_RECORD
        if release_file.is_file():
            label = f"{json.loads(release_file.read_text(encoding='utf-8'))['version']} " \
                    f"({previous})"
        return Baseline(label, {str(k): str(v) for k, v in versions.items()}, lock)
    if is_ref(root, previous):
        text = file_at(root, previous, lock_rel)
        lock = {} if text is None else _lock_from_text(text, f"{previous}:{lock_rel}")
        return Baseline(f"git {previous}", versions_from_pipeline(
            file_at(root, previous, pipeline_rel), lock), lock)
    raise InputError(f"--previous {previous} is neither a bundle directory nor a git tag",
                     hint="give the directory of an earlier release bundle or a git tag")


@dataclass
class StageImpact:
    stage: str
    before: str | None
    after: str | None
    code_changed: bool
    answer_key_changed: bool
    problem: str | None = None  # changed without a bump, or no lock entry
    requirements: list[str] = field(default_factory=list)
    hazards: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)

    @property
    def bumped(self) -> bool:
        return self.before != self.after


@dataclass
class ChangeImpact:
    previous: str
    stages: list[StageImpact] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _module_files(modules: list[str], stage: str, code_folders: tuple[str, ...],
                  root: Path) -> set[str]:
    own = [m for m in modules if stage in m.split(".")] or list(modules)
    files = set()
    for module in own:
        parts = module.split(".")
        for folder in code_folders:
            for candidate in (Path(folder, *parts).with_suffix(".py"),
                              Path(folder, *parts, "__init__.py")):
                if (root / candidate).is_file():
                    files.add(candidate.as_posix())
    return files


def change_impact(current: Baseline, previous: Baseline, graph: TraceGraph) -> ChangeImpact:
    """Compare the stage versions and digests of two releases; trace what changed."""
    out = ChangeImpact(previous.label)
    root = graph.history.root
    for stage in sorted(set(current.versions) | set(previous.versions)):
        before, after = previous.versions.get(stage), current.versions.get(stage)
        old = previous.lock.get(stage, {}).get(before or "", None)
        new = current.lock.get(stage, {}).get(after or "", None)
        code_changed = old is not None and new is not None and old.get("code") != new.get("code")
        key_changed = (old is not None and new is not None
                       and old.get("answer_key") != new.get("answer_key"))
        impact = StageImpact(stage, before, after, code_changed, key_changed)
        if after is not None and new is None:
            impact.problem = f"stage {stage} {after} has no entry in the stage lock"
        elif before == after and (code_changed or key_changed):
            what = " and ".join(w for w, c in (("code", code_changed),
                                               ("answer-key output", key_changed)) if c)
            impact.problem = (f"stage {stage} {after}: its {what} changed since "
                              f"{previous.label} without a version bump")
        elif before == after:
            out.unchanged.append(stage)
            continue
        modules = sorted(set((old or {}).get("modules", [])) | set((new or {}).get("modules", [])))
        files = _module_files(modules, stage, graph.model.code, root)
        srs = sorted({i for ref in graph.harvest.code if ref.path in files for i in ref.ids
                      if i.startswith("SRS-")})
        impact.requirements = srs
        impact.hazards = sorted({str(h) for h, hazard in graph.hazards()
                                 if any(c.srs.id in srs for c in hazard.controls)})
        impact.unverified = [s for s in srs if not graph.has_passing_test(s)
                             or (graph.tally.get(s) is not None and graph.tally[s].failed)]
        out.stages.append(impact)
    return out
