"""YAML loading with errors that name the file, line and field, and pydantic validation."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bp2.errors import InputError

M = TypeVar("M", bound=BaseModel)


def load_yaml(path: Path, role: str) -> Any:
    if not path.is_file():
        raise InputError.missing_file(path, role)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            f"{role} is not valid YAML: {getattr(exc, 'problem', exc)}",
            path=path,
            line=None if mark is None else mark.line + 1,
            hint="fix the YAML syntax at the line shown",
        ) from None


def validation_error(path: Path, exc: ValidationError, role: str) -> InputError:
    """Turn a pydantic error into an InputError naming every bad field."""
    problems = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        problems.append(f"{loc}: {err['msg']}")
    first = exc.errors()[0]
    return InputError(
        f"{role} is invalid: " + "; ".join(problems),
        path=path,
        field=".".join(str(p) for p in first["loc"]) or None,
        hint="correct the field(s) named; unknown fields are not allowed",
    )


def parse_model(model: type[M], data: Any, path: Path, role: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(path, exc, role) from None


def load_model(model: type[M], path: Path, role: str) -> M:
    return parse_model(model, load_yaml(path, role), path, role)
