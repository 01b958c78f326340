"""The project being released: its git state, commit date and release settings.

Settings live in the project's ``pyproject.toml`` under ``[tool.bp2.release]`` (quality-gate
settings belong there, not in a side file); every key is optional::

    [tool.bp2.release]
    tests = ["{python}", "-m", "pytest", "--bp2-results", "{results}"]   # the test-suite command
    validate = ["{python}", "-m", "bp2", "validate", "--all", "--outdir", "{outdir}",
                "--project", "{root}"]                                    # the validation command
    soup = "quality/soup.yaml"
    lock = "requirements.lock"
    resources = "pipeline/resources.yaml"

Placeholders: ``{python}`` (this interpreter), ``{root}`` (the project), ``{results}`` (the
results file the suite must write), ``{outdir}`` (where validation records go).
"""

from __future__ import annotations

import subprocess
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bp2.errors import InputError

IMPLEMENTS = ("SRS-370", "SRS-371")

DEFAULT_TESTS = (
    "{python}", "-m", "pytest", "-q", "-p", "no:cacheprovider",
    "-p", "bp2.release.hypothesis_profile", "--bp2-results", "{results}",
)
DEFAULT_VALIDATE = (
    "{python}", "-m", "bp2", "validate", "--all", "--outdir", "{outdir}", "--project", "{root}",
)


class ReleaseSettings(BaseModel):
    """``[tool.bp2.release]`` of the project's pyproject.toml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tests: tuple[str, ...] = Field(default=DEFAULT_TESTS, min_length=1)
    validate_: tuple[str, ...] = Field(default=DEFAULT_VALIDATE, min_length=1, alias="validate")
    soup: str = "quality/soup.yaml"
    lock: str = "requirements.lock"
    resources: str = "pipeline/resources.yaml"
    stage_lock: str = "pipeline/stage-lock.json"
    pipeline: str = "pipeline/bp2.yaml"


def load_settings(root: Path) -> ReleaseSettings:
    path = root / "pyproject.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError.missing_file(path, "project pyproject.toml") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"pyproject.toml cannot be read: {exc}", path=path,
                         hint="fix the TOML syntax") from None
    section = data.get("tool", {}).get("bp2", {}).get("release", {})
    try:
        return ReleaseSettings.model_validate(section)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError.invalid_field(path, f"tool.bp2.release.{where}", first["msg"]) from None


def project_name(root: Path) -> str:
    """``[project].name`` of the project's pyproject.toml (the folder name without one)."""
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return root.name
    name = data.get("project", {}).get("name")
    return name if isinstance(name, str) and name else root.name


def git(root: Path, *args: str) -> str | None:
    """stdout of a read-only git command in ``root``, or None when it fails."""
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


@dataclass(frozen=True)
class GitState:
    commit: str
    commit_date: datetime  # UTC; every date in the bundle is this one
    dirty_files: tuple[str, ...]

    @property
    def dirty(self) -> bool:
        return bool(self.dirty_files)

    @property
    def date_text(self) -> str:
        return self.commit_date.strftime("%Y-%m-%dT%H:%M:%SZ")


def git_state(root: Path) -> GitState:
    """HEAD, its commit date and the files that make the tree dirty (tracked or untracked)."""
    top = git(root, "rev-parse", "--show-toplevel")
    if top is None or Path(top.strip()).resolve() != root.resolve():
        raise InputError("the project is not the top of a git work tree", path=root,
                         hint="release from a git clone: the release is tied to one commit")
    head = git(root, "rev-parse", "HEAD")
    when = git(root, "log", "-1", "--format=%ct", "HEAD")
    status = git(root, "status", "--porcelain", "--untracked-files=all")
    if head is None or when is None or status is None:
        raise InputError("the project's git repository has no commit yet", path=root,
                         hint="commit the project before releasing it")
    dirty = tuple(sorted(line[3:] for line in status.splitlines() if line.strip()))
    return GitState(head.strip(), datetime.fromtimestamp(int(when.strip()), tz=UTC), dirty)


def is_ignored(root: Path, path: Path) -> bool:
    """True when git ignores ``path`` (inside ``root``)."""
    try:
        done = subprocess.run(["git", "-C", str(root), "check-ignore", "-q", str(path)],
                              capture_output=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def file_at(root: Path, ref: str, rel: str) -> str | None:
    """The text of ``rel`` at git ``ref`` (a tag or commit), or None when it is not there."""
    return git(root, "show", f"{ref}:{rel}")


def is_ref(root: Path, ref: str) -> bool:
    return git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}") is not None
