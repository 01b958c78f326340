"""Tests of loading a design history."""

from __future__ import annotations

from pathlib import Path

import pytest

from bp2.errors import ExitCode, InputError
from bp2.trace.loader import find_root, load_design_history
from tests.trace.factory import REPO, Project, srs


@pytest.mark.verifies("SRS-054")
def test_find_root_walks_up_to_pyproject(project: Project) -> None:
    """It finds the repository root from a folder below it."""
    below = project.root / "requirements"
    assert find_root(below) == project.root.resolve()


@pytest.mark.verifies("SRS-054")
def test_find_root_without_pyproject_is_an_input_error(tmp_path: Path) -> None:
    """It exits 3 with a hint to use --root when no pyproject.toml is above the folder."""
    with pytest.raises(InputError) as err:
        find_root(tmp_path)
    assert err.value.exit_code == ExitCode.BAD_INPUT and "--root" in err.value.hint


@pytest.mark.verifies("SRS-030")
def test_loads_items_by_kind_from_their_folders(project: Project) -> None:
    """It loads each item from its kind's folder under the ID of its file name."""
    history = load_design_history(project.root)
    assert sorted(history.items) == ["HAZ-001", "SRS-001", "UN-001", "VAL-001"]
    assert history.paths["HAZ-001"] == "risk/HAZ-001.yaml"  # type: ignore[index]
    assert history.intended_use is not None and history.policy is not None


@pytest.mark.verifies("SRS-031")
def test_reports_every_invalid_file_and_field_at_once(project: Project) -> None:
    """It raises one input error that names every invalid file and field with what is allowed."""
    project.item(srs("SRS-002", type="wish"))
    project.item(srs("SRS-003", safety_class="D", extra_field=1))
    project.write("requirements/SRS-004.yaml", "id: SRS-004\ntitle: [unclosed\n")
    with pytest.raises(InputError) as err:
        load_design_history(project.root)
    text = err.value.title
    assert err.value.exit_code == ExitCode.BAD_INPUT
    assert "3 design-history files are invalid" in text
    assert "requirements/SRS-002.yaml field 'type'" in text and "'functional'" in text
    assert "requirements/SRS-003.yaml field 'safety_class'" in text and "'A', 'B' or 'C'" in text
    assert "field 'extra_field': unknown field; allowed fields are: id, title" in text
    assert "requirements/SRS-004.yaml:3: is not valid YAML" in text


@pytest.mark.verifies("SRS-034")
def test_refuses_a_severity_the_policy_does_not_define(project: Project) -> None:
    """It refuses a hazard whose severity is not on the policy's scale, listing the scale."""
    project.edit("HAZ-001", severity="dire")
    with pytest.raises(InputError) as err:
        load_design_history(project.root)
    assert "field 'severity'" in err.value.title and "negligible, minor" in err.value.title


@pytest.mark.verifies("SRS-030")
def test_records_misfiled_items_instead_of_loading_them(project: Project) -> None:
    """It sets aside a file with a non-ID name or in another kind's folder, for the checks."""
    project.write("requirements/notes.yaml", "a: 1\n")
    project.item({"id": "HAZ-002"}, rel="requirements/HAZ-002.yaml")
    history = load_design_history(project.root)
    assert sorted(m.path for m in history.misfiled) == ["requirements/HAZ-002.yaml",
                                                        "requirements/notes.yaml"]


@pytest.mark.verifies("SRS-030", "SRS-031")
def test_repository_design_history_loads() -> None:
    """It loads this repository's own design history without an input error."""
    history = load_design_history(REPO)
    assert history.intended_use is not None and history.intended_use.safety_class == "C"
    assert any(i.kind == "HAZ" for i in history.items)
