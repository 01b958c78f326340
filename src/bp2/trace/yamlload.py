"""Fast YAML reading for design-history files, with problems that name file, field and fix.

Item files are parsed with libyaml (``CSafeLoader``) when available.  Problems are collected as
:class:`FileProblem` values so that a command can report *every* bad file at once
(:func:`raise_problems`), as the house style asks.

Parsing YAML dominates the time of a trace command, so parsed documents can be kept in the
content-addressed :class:`~bp2.trace.cache.ContentCache`, keyed by the file's bytes and the
parser's version.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bp2.errors import InputError
from bp2.trace.cache import ContentCache
from bp2.trace.items import COMPUTED, NOT_BLANK, SHALL

IMPLEMENTS = ("SRS-031",)

M = TypeVar("M", bound=BaseModel)

SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_MAX_LISTED = 50


@dataclass(frozen=True, order=True)
class FileProblem:
    """One thing wrong with one file: where, which field, what is wrong and what is allowed."""

    path: str
    field: str | None
    message: str
    line: int | None = None

    def render(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        if self.field:
            where += f" field '{self.field}'"
        return f"{where}: {self.message}"


YAML_NAMESPACE = (f"yaml-{yaml.__version__}-"
                  f"{'libyaml' if SafeLoader is not yaml.SafeLoader else 'py'}")


def _parse(data: bytes) -> Any:
    return yaml.load(data, Loader=SafeLoader)  # noqa: S506 - SafeLoader (libyaml) only


def read_yaml(path: Path, shown: str, cache: ContentCache | None = None) -> tuple[
        Any, FileProblem | None]:
    """Parse one YAML file; a syntax error becomes a problem instead of an exception."""
    try:
        text = path.read_bytes()
    except OSError as exc:
        return None, FileProblem(shown, None, f"cannot be read: {exc.strerror}")
    try:
        if cache is not None:
            return cache.get(YAML_NAMESPACE, text, _parse), None
        return _parse(text), None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line = None if mark is None else mark.line + 1
        return None, FileProblem(shown, None, f"is not valid YAML: {problem}", line)


def _describe(err: Any, model: type[BaseModel]) -> str:
    kind = err["type"]
    loc = err["loc"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        if str(loc[-1]) in COMPUTED:
            return ("risk levels and acceptability are computed from risk/policy.yaml and must "
                    "not be typed; remove the field")
        if len(loc) == 1:
            allowed = ", ".join(model.model_fields)
            return f"unknown field; allowed fields are: {allowed}"
        return "unknown field (not allowed here)"
    pattern = err.get("ctx", {}).get("pattern") if kind == "string_pattern_mismatch" else None
    if pattern == NOT_BLANK:
        return "must not be blank"
    if pattern == SHALL:
        return ("must be in EARS form, stating what the system 'shall' do "
                "(e.g. 'When <trigger>, the <system> shall <response>.')")
    message = str(err["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return message


def validation_problems(
    shown: str, exc: ValidationError, model: type[BaseModel]
) -> list[FileProblem]:
    """Turn a pydantic error into one problem per bad field."""
    problems = []
    for err in exc.errors():
        field = ".".join(str(part) for part in err["loc"]) or None
        problems.append(FileProblem(shown, field, _describe(err, model)))
    return problems


def raise_problems(problems: list[FileProblem], role: str) -> NoReturn:
    """Raise one InputError listing every problem (sorted), located at the first."""
    problems = sorted(problems)
    files = sorted({p.path for p in problems})
    lines = [f"  {p.render()}" for p in problems[:_MAX_LISTED]]
    if len(problems) > _MAX_LISTED:
        lines.append(f"  … and {len(problems) - _MAX_LISTED} more")
    first = problems[0]
    noun = "file is" if len(files) == 1 else "files are"
    raise InputError(
        f"{len(files)} {role} {noun} invalid:\n" + "\n".join(lines),
        path=first.path,
        line=first.line,
        field=first.field,
        hint="correct each field named above; unknown fields are not allowed",
    )


def load_mapping(path: Path, role: str, *, shown: str) -> dict[str, Any]:
    """Read a YAML file that must hold a mapping, raising InputError otherwise."""
    if not path.is_file():
        raise InputError.missing_file(shown, role)
    data, problem = read_yaml(path, shown)
    if problem is not None:
        raise_problems([problem], role)
    if not isinstance(data, dict):
        raise_problems([FileProblem(shown, None, "must be a YAML mapping of field: value")], role)
    return data


def parse(model: type[M], data: Any, shown: str, role: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise_problems(validation_problems(shown, exc, model), role)
