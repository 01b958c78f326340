"""Tests of the trace model (traceability/model.yaml)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from bp2.errors import InputError
from bp2.trace.model import TraceModel, load_model
from tests.trace.factory import REPO, Project

BASE: dict[str, Any] = yaml.safe_load((REPO / "traceability" / "model.yaml").read_text())


@pytest.mark.verifies("SRS-030")
def test_repository_model_is_valid() -> None:
    """It loads the repository's trace model with a folder for every kind."""
    model = load_model(REPO)
    assert model.folder_of("HAZ") == "risk"
    assert model.allowed("SRS.parents") == ("UN", "SRS")


@pytest.mark.verifies("SRS-041")
def test_refuses_a_link_to_a_kind_the_engine_cannot_follow() -> None:
    """It refuses a model that lets a link point at a kind the engine does not allow there."""
    data = copy.deepcopy(BASE)
    data["links"]["HAZ.controls"] = ["SRS", "UN"]
    with pytest.raises(ValidationError, match="may not point at"):
        TraceModel.model_validate(data)


@pytest.mark.verifies("SRS-030")
def test_refuses_an_unknown_kind() -> None:
    """It refuses a model that declares a kind the engine does not know."""
    data = copy.deepcopy(BASE)
    data["kinds"]["REQ"] = {"folder": "req", "name": "requirement"}
    with pytest.raises(ValidationError, match="unknown kind"):
        TraceModel.model_validate(data)


@pytest.mark.verifies("SRS-031")
def test_missing_model_is_an_input_error(empty_project: Project) -> None:
    """It stops with an input error naming the file when the trace model is missing."""
    (empty_project.root / "traceability" / "model.yaml").unlink()
    with pytest.raises(InputError) as err:
        load_model(empty_project.root)
    assert err.value.path == "traceability/model.yaml"
