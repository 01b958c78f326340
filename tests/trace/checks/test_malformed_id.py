"""Tests of the malformed-id check."""

from __future__ import annotations

import pytest

from tests.trace.factory import Project, passing, un

pytestmark = pytest.mark.verifies("SRS-030")


def test_baseline_has_none(project: Project) -> None:
    """It finds nothing in a well-formed design history."""
    assert project.found("malformed-id") == set()


def test_reports_a_file_whose_name_is_not_an_id(project: Project) -> None:
    """It reports a YAML file in an item folder whose name is not an item ID."""
    project.write("requirements/SRS-1.yaml", "id: SRS-1\n")
    findings = [f for f in project.check().findings if f.check_id == "malformed-id"]
    assert [f.where for f in findings] == ["requirements/SRS-1.yaml"]


def test_reports_an_id_field_that_disagrees_with_the_file_name(project: Project) -> None:
    """It reports an item whose id field is not its file name."""
    project.item(un("UN-001"), rel="requirements/UN-002.yaml")
    assert project.found("malformed-id") == {"UN-002"}


def test_reports_an_item_in_another_kinds_folder(project: Project) -> None:
    """It reports a hazard file placed among the requirements."""
    project.item(un("HAZ-009"), rel="requirements/HAZ-009.yaml")
    assert project.found("malformed-id") == {"HAZ-009"}


def test_reports_malformed_ids_in_code_tests_and_tags(project: Project) -> None:
    """It reports malformed IDs in IMPLEMENTS, verifies markers, feature tags and results."""
    project.code("app/more.py", ("SRS-01",))
    project.write("verification/features/a.feature", "@SRS-1x\nFeature: A\n")
    project.test_file("test_more.py", ("SRS-001x",), name="test_more")
    results = project.results([passing("t::x", "SRS-001", "UN-1")])
    assert project.found("malformed-id", [results]) == {"SRS-01", "SRS-1x", "SRS-001x", "UN-1"}
