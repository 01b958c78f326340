"""Static harvest of trace markers from code, tests and feature files — nothing is imported.

* ``IMPLEMENTS``: a module-level ``IMPLEMENTS = ("SRS-001", …)`` or the same assignment in a
  class body (every stage class declares one) under the trace model's ``code`` folders.
* ``verifies``: every call ``verifies("SRS-001", …)`` / ``pytest.mark.verifies(…)`` under the
  ``tests`` folders (marker arguments must be string literals).
* Gherkin tags: every ``@SRS-001`` tag in ``.feature`` files under the ``features`` folders,
  with the scenario (or feature) it applies to.

Only files that contain the marker's name are parsed, so harvesting a large tree stays fast.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bp2.trace.cache import ContentCache, code_namespace
from bp2.trace.ids import ID_LIKE

IMPLEMENTS = ("SRS-040",)

_NAMESPACE = code_namespace("harvest", __file__)
_SKIP_DIRS = {"__pycache__", ".git", ".venv", "node_modules", ".mypy_cache", ".ruff_cache"}


@dataclass(frozen=True)
class CodeRef:
    """A declaration that code implements requirement IDs (strings as written)."""

    path: str
    line: int
    owner: str  # class name, or "<module>"
    ids: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.path}:{self.line} {self.owner}"


@dataclass(frozen=True)
class Marker:
    """A test-side claim: a ``verifies`` call or a Gherkin tag (string as written)."""

    path: str
    line: int
    owner: str  # test function / class name, or scenario name
    id: str
    source: str  # "verifies" | "tag"


@dataclass(frozen=True)
class HarvestProblem:
    path: str
    line: int
    message: str


@dataclass
class Harvest:
    code: list[CodeRef]
    markers: list[Marker]
    problems: list[HarvestProblem]


def iter_relative(root: Path, folders: tuple[str, ...],
                  suffixes: tuple[str, ...]) -> Iterator[str]:
    """Relative POSIX paths of the files with one of ``suffixes`` under the given folders,
    sorted, skipping caches and hidden folders (plain strings: this walks large trees)."""
    seen: set[str] = set()
    for folder in folders:
        base = root / folder
        if not base.is_dir():
            continue
        found: list[str] = []
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if d not in _SKIP_DIRS and not d.startswith(".")]
            rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
            found.extend(f"{rel_dir}/{name}" for name in filenames if name.endswith(suffixes))
        for rel in sorted(found):
            if rel not in seen:
                seen.add(rel)
                yield rel


def iter_files(root: Path, folders: tuple[str, ...], suffixes: tuple[str, ...]) -> Iterator[Path]:
    """Like :func:`iter_relative`, as absolute paths."""
    for rel in iter_relative(root, folders, suffixes):
        yield root / rel


def _literal_strings(node: ast.expr) -> tuple[str, ...] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value,)
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        values = []
        for element in node.elts:
            if not (isinstance(element, ast.Constant) and isinstance(element.value, str)):
                return None
            values.append(element.value)
        return tuple(values)
    return None


def _implements_in(body: list[ast.stmt], owner: str, rel: str, out: Harvest) -> None:
    for stmt in body:
        if isinstance(stmt, ast.ClassDef):
            _implements_in(stmt.body, stmt.name, rel, out)
            continue
        target: ast.expr | None = None
        value: ast.expr | None = None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign):
            target, value = stmt.target, stmt.value
        if not (isinstance(target, ast.Name) and target.id == "IMPLEMENTS") or value is None:
            continue
        ids = _literal_strings(value)
        if ids is None:
            out.problems.append(HarvestProblem(
                rel, stmt.lineno, "IMPLEMENTS must be a literal tuple of ID strings "
                "(it is read without importing the module)"))
        else:
            out.code.append(CodeRef(rel, stmt.lineno, owner, ids))


def _parse(data: bytes, rel: str, out: Harvest) -> ast.Module | None:
    try:
        return ast.parse(data, filename=rel or "<source>")
    except (SyntaxError, ValueError) as exc:
        out.problems.append(HarvestProblem(rel, getattr(exc, "lineno", 0) or 0,
                                           f"cannot be parsed: {exc}"))
        return None


def _code_facts(data: bytes) -> dict[str, Any]:
    """IMPLEMENTS declarations and problems of one source file, as plain data."""
    out = Harvest([], [], [])
    if b"IMPLEMENTS" in data:
        tree = _parse(data, "", out)
        if tree is not None:
            _implements_in(tree.body, "<module>", "", out)
    return {"code": [[r.line, r.owner, list(r.ids)] for r in out.code],
            "problems": [[p.line, p.message] for p in out.problems]}


def _test_facts(data: bytes) -> dict[str, Any]:
    """verifies markers and problems of one test file, as plain data."""
    out = Harvest([], [], [])
    if b"verifies" in data:
        tree = _parse(data, "", out)
        if tree is not None:
            _VerifiesVisitor("", out).visit(tree)
    return {"markers": [[m.line, m.owner, m.id] for m in out.markers],
            "problems": [[p.line, p.message] for p in out.problems]}


def _files(root: Path, folders: tuple[str, ...],
           suffixes: tuple[str, ...]) -> Iterator[tuple[str, bytes]]:
    base = str(root)
    for rel in iter_relative(root, folders, suffixes):
        with open(os.path.join(base, rel), "rb") as handle:  # noqa: PTH118, PTH123 - fast path
            yield rel, handle.read()


def harvest_code(root: Path, folders: tuple[str, ...], out: Harvest,
                 cache: ContentCache | None = None) -> None:
    cache = cache or ContentCache.disabled()
    for rel, data in _files(root, folders, (".py",)):
        if b"IMPLEMENTS" not in data:
            continue
        facts = cache.get(_NAMESPACE, data, _code_facts)
        out.code.extend(CodeRef(rel, line, owner, tuple(ids)) for line, owner, ids in facts["code"])
        out.problems.extend(HarvestProblem(rel, line, msg) for line, msg in facts["problems"])


class _VerifiesVisitor(ast.NodeVisitor):
    def __init__(self, rel: str, out: Harvest) -> None:
        self.rel = rel
        self.out = out
        self.owner = ["<module>"]

    def _scoped(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.owner.append(node.name)  # a decorator's marker belongs to what it decorates
        for decorator in node.decorator_list:
            self.visit(decorator)
        for stmt in node.body:
            self.visit(stmt)
        self.owner.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._scoped(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._scoped(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._scoped(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name == "verifies":
            owner = ".".join(self.owner[1:]) or "<module>"
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    self.out.markers.append(Marker(self.rel, node.lineno, owner, arg.value,
                                                   "verifies"))
                else:
                    self.out.problems.append(HarvestProblem(
                        self.rel, node.lineno, "verifies() arguments must be string literals"))
        self.generic_visit(node)


def harvest_tests(root: Path, folders: tuple[str, ...], out: Harvest,
                  cache: ContentCache | None = None) -> None:
    cache = cache or ContentCache.disabled()
    for rel, data in _files(root, folders, (".py",)):
        if b"verifies" not in data:
            continue
        facts = cache.get(_NAMESPACE, data, _test_facts)
        out.markers.extend(Marker(rel, line, owner, item, "verifies")
                           for line, owner, item in facts["markers"])
        out.problems.extend(HarvestProblem(rel, line, msg) for line, msg in facts["problems"])


_KEYWORDS = ("Feature:", "Rule:", "Scenario:", "Scenario Outline:", "Scenario Template:",
             "Example:", "Examples:", "Background:")


def harvest_features(root: Path, folders: tuple[str, ...], out: Harvest) -> None:
    for path in iter_files(root, folders, (".feature",)):
        rel = path.relative_to(root).as_posix()
        pending: list[tuple[int, str]] = []
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            line = raw.strip()
            if line.startswith("@"):
                for token in line.split():
                    if token.startswith("#"):
                        break
                    tag = token.lstrip("@")
                    if ID_LIKE.match(tag):
                        pending.append((number, tag))
                continue
            keyword = next((k for k in _KEYWORDS if line.startswith(k)), None)
            if keyword is not None and pending:
                owner = line[len(keyword):].strip() or keyword.rstrip(":")
                for tag_line, tag in pending:
                    out.markers.append(Marker(rel, tag_line, owner, tag, "tag"))
                pending = []


def harvest(root: Path, code: tuple[str, ...], tests: tuple[str, ...],
            features: tuple[str, ...], cache: ContentCache | None = None) -> Harvest:
    """Harvest code, test and feature markers (file facts are cached by content)."""
    out = Harvest([], [], [])
    harvest_code(root, code, out, cache)
    harvest_tests(root, tests, out, cache)
    harvest_features(root, features, out)
    return out
