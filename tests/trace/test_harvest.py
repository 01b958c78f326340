"""Tests of the static harvest of IMPLEMENTS, verifies markers and Gherkin tags."""

from __future__ import annotations

import pytest

from bp2.trace.harvest import Harvest, harvest_code, harvest_features, harvest_tests
from tests.trace.factory import Project

pytestmark = pytest.mark.verifies("SRS-040")


def test_reads_module_and_class_declarations_without_importing(empty_project: Project) -> None:
    """It reads IMPLEMENTS at module level and in class bodies of code that cannot be imported."""
    empty_project.write("src/pkg/stage.py", (
        "raise RuntimeError('importing this module is an error')\n"
        "IMPLEMENTS = ('SRS-001',)\n"
        "class AlignStage:\n"
        "    IMPLEMENTS: ClassVar[tuple[str, ...]] = ('SRS-002', 'SRS-003')\n"))
    out = Harvest([], [], [])
    harvest_code(empty_project.root, ("src",), out)
    found = {(ref.owner, ref.ids) for ref in out.code}
    assert found == {("<module>", ("SRS-001",)), ("AlignStage", ("SRS-002", "SRS-003"))}


def test_reports_a_computed_declaration(empty_project: Project) -> None:
    """It reports an IMPLEMENTS that is computed rather than a literal."""
    empty_project.write("src/pkg/x.py", "IMPLEMENTS = tuple(f'SRS-{n}' for n in range(3))\n")
    out = Harvest([], [], [])
    harvest_code(empty_project.root, ("src",), out)
    assert out.code == [] and "literal" in out.problems[0].message
    assert out.problems[0].line == 1


def test_reads_verifies_markers_with_their_test(empty_project: Project) -> None:
    """It reads verifies() markers on functions, classes and pytestmark."""
    empty_project.write("tests/test_x.py", (
        "import pytest\n"
        "pytestmark = pytest.mark.verifies('SRS-009')\n"
        "@pytest.mark.verifies('SRS-001', 'SRS-002')\n"
        "def test_a():\n    pass\n"
        "class TestB:\n"
        "    @pytest.mark.verifies('SRS-003')\n"
        "    def test_c(self):\n        pass\n"))
    out = Harvest([], [], [])
    harvest_tests(empty_project.root, ("tests",), out)
    assert {(m.owner, m.id) for m in out.markers} == {
        ("<module>", "SRS-009"), ("test_a", "SRS-001"), ("test_a", "SRS-002"),
        ("TestB.test_c", "SRS-003")}


def test_reads_feature_tags_for_their_scenario(empty_project: Project) -> None:
    """It reads @ID tags of features and scenarios and ignores other tags."""
    empty_project.write("verification/features/a.feature", (
        "@SRS-001\nFeature: Widget\n\n  @SRS-002 @slow\n  Scenario: It answers\n"
        "    Given a widget\n"))
    out = Harvest([], [], [])
    harvest_features(empty_project.root, ("verification/features",), out)
    assert {(m.owner, m.id, m.line) for m in out.markers} == {
        ("Widget", "SRS-001", 1), ("It answers", "SRS-002", 4)}
