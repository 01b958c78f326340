"""Tests of the pipeline definition: packaged copy, pinned versions, parameters."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from bp2.errors import PipelineDefinitionError
from bp2.pipeline import load_pipeline, packaged_definition
from bp2.stages.registry import REGISTRY

REPO = Path(__file__).resolve().parent.parent
DEFINITION = REPO / "pipeline" / "bp2.yaml"


def edited_definition(tmp_path: Path, edit: object) -> Path:
    data = yaml.safe_load(DEFINITION.read_text())
    assert callable(edit)
    edit(data)
    path = tmp_path / "bp2.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.mark.verifies("SRS-010")
def test_packaged_definition_is_identical_to_the_repository_copy() -> None:
    """It ships byte for byte the same pipeline definition as pipeline/bp2.yaml."""
    assert packaged_definition().read_bytes() == DEFINITION.read_bytes()


@pytest.mark.verifies("SRS-010")
def test_definition_pins_every_registered_stage_in_order() -> None:
    """It loads the definition with every registered stage pinned at the installed version."""
    pipeline = load_pipeline(DEFINITION)
    assert [e.id for e in pipeline.stages] == [
        e["id"] for e in yaml.safe_load(DEFINITION.read_text())["stages"]
    ]
    assert set(pipeline.stage_versions()) == set(REGISTRY)
    for entry in pipeline.stages:
        assert entry.stage.VERSION == REGISTRY[entry.id].VERSION


@pytest.mark.verifies("SRS-011")
def test_version_pin_mismatch_is_refused(tmp_path: Path) -> None:
    """It refuses a definition pinning a stage version other than the installed one."""
    path = edited_definition(tmp_path, lambda d: d["stages"][0].update(version="99.0.0"))
    with pytest.raises(PipelineDefinitionError) as info:
        load_pipeline(path)
    assert info.value.field == "stages[0].version"
    assert "99.0.0" in info.value.title and "installed" in info.value.title


@pytest.mark.verifies("SRS-011")
def test_unknown_parameter_is_refused(tmp_path: Path) -> None:
    """It refuses a parameter the stage does not accept, naming the field."""
    path = edited_definition(
        tmp_path, lambda d: d["stages"][0].setdefault("params", {}).update(no_such_parameter=1)
    )
    with pytest.raises(PipelineDefinitionError) as info:
        load_pipeline(path)
    assert info.value.field == "stages[0].params.no_such_parameter"


@pytest.mark.verifies("SRS-011", "SRS-015")
def test_version_pin_mismatch_exit_code(tmp_path: Path, bp2_exe: str) -> None:
    """It exits 3 from 'bp2 demo --pipeline' with a pinned version that disagrees with the code."""
    path = edited_definition(tmp_path, lambda d: d["stages"][-1].update(version="0.0.1"))
    proc = subprocess.run(
        [bp2_exe, "demo", "--outdir", str(tmp_path / "out"), "--pipeline", str(path), "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 3, proc.stderr
    assert "0.0.1" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.verifies("SRS-022")
def test_clinical_definition_requires_signed_off_panels() -> None:
    """It requires GMS signed-off panels in the shipped clinical pipeline definition."""
    assert load_pipeline(DEFINITION).get("panels").params.model_dump()["require_signed_off"] is True
