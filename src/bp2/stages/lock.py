"""The stage version lock (``pipeline/stage-lock.json``).

For each (stage, version) the lock records a digest of the stage's code — its package and every
in-repo module it imports, transitively — and a digest of its answer-key output.  The conformance
test fails when either changes without a version bump: a changed answer-key output needs a minor
or major bump; a refactor with identical output needs a patch bump.

The code digest is taken over each module's syntax tree with docstrings removed, so comments,
docstrings and formatting do not count as code changes; anything that can change behaviour does.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bp2.fileio import pretty_json, write_text_atomic
from bp2.stages.base import AnyStage

IMPLEMENTS = ("SRS-003",)

PACKAGE = "bp2"


class LockEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    answer_key: str
    modules: tuple[str, ...] = Field(default=())


class StageLock(BaseModel):
    """stage ID → version → entry."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stages: dict[str, dict[str, LockEntry]]

    def entry(self, stage_id: str, version: str) -> LockEntry | None:
        return self.stages.get(stage_id, {}).get(version)


def _module_file(name: str) -> Path | None:
    """Source file of a module, or None when ``name`` is not a module (e.g. a class imported
    with ``from bp2.errors import InputError``)."""
    try:
        spec = importlib.util.find_spec(name)
    except (ModuleNotFoundError, ValueError):
        return None
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


def _imports(tree: ast.Module, module: str, is_package: bool) -> set[str]:
    """Names of the bp2 modules a module imports (absolute and relative)."""
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == PACKAGE)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base = ".".join(base_parts[: len(base_parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            if target.split(".")[0] != PACKAGE:
                continue
            found.add(target)
            # "from bp2.x import y" may import the submodule bp2.x.y
            found.update(f"{target}.{a.name}" for a in node.names)
    return found


def _strip_docstrings(tree: ast.Module) -> ast.Module:
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                node.body = body[1:] or [ast.Pass()]
    return tree


def code_modules(stage: AnyStage) -> dict[str, Path]:
    """The stage's package modules and every bp2 module they import, transitively."""
    root_module = type(stage).__module__.rpartition(".")[0] or type(stage).__module__
    root_file = _module_file(root_module)
    if root_file is None:
        raise LookupError(f"cannot locate the source of {root_module}")
    pending = [root_module]
    if root_file.name == "__init__.py":
        prefix = root_module + "."
        for path in sorted(root_file.parent.rglob("*.py")):
            rel = path.relative_to(root_file.parent).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            pending.append(prefix + ".".join(parts) if parts else root_module)
    seen: dict[str, Path] = {}
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        module_path = _module_file(name)
        if module_path is None:
            continue
        seen[name] = module_path
        tree = ast.parse(module_path.read_text(encoding="utf-8"))
        pending.extend(_imports(tree, name, module_path.name == "__init__.py") - seen.keys())
    return dict(sorted(seen.items()))


DATA_SUFFIXES = (".yaml", ".yml", ".json", ".tsv", ".csv", ".txt", ".j2", ".html", ".css")


def code_digest(stage: AnyStage) -> tuple[str, tuple[str, ...]]:
    """sha256 over the stage's code and data, and the names of what it covers.

    Modules enter by their docstring-free syntax tree; data files shipped in the stage's package
    (tables such as a build list) enter by their bytes, since they change behaviour too.
    """
    digest = hashlib.sha256()
    modules = code_modules(stage)
    for name, path in modules.items():
        tree = _strip_docstrings(ast.parse(path.read_text(encoding="utf-8")))
        digest.update(name.encode() + b"\0" + ast.dump(tree).encode() + b"\0")
    covered = list(modules)
    package_dir = Path(str(sys.modules[type(stage).__module__].__file__)).parent
    for path in sorted(package_dir.rglob("*")):
        if path.suffix in DATA_SUFFIXES and path.is_file() and "__pycache__" not in path.parts:
            rel = path.relative_to(package_dir).as_posix()
            digest.update(b"data:" + rel.encode() + b"\0" + path.read_bytes() + b"\0")
            covered.append(f"data:{rel}")
    return digest.hexdigest(), tuple(covered)


def read_lock(path: Path) -> StageLock:
    if not path.is_file():
        return StageLock(stages={})
    return StageLock.model_validate(json.loads(path.read_text(encoding="utf-8")))


def write_lock(path: Path, lock: StageLock) -> None:
    data: dict[str, Any] = lock.model_dump(mode="json")
    write_text_atomic(path, pretty_json(data))


def version_tuple(version: str) -> tuple[int, int, int]:
    major, minor, patch = (int(x) for x in version.split("."))
    return major, minor, patch
