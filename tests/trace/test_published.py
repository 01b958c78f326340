"""Tests that the published check table and documentation come from the code."""

from __future__ import annotations

import pytest

from bp2.trace.checks import ALL_CHECKS, check_documentation, checks_markdown
from tests.trace.factory import REPO

pytestmark = pytest.mark.verifies("SRS-050")


def test_checks_md_is_generated_from_the_code() -> None:
    """It fails when traceability/checks.md differs from what the check modules say."""
    published = (REPO / "traceability" / "checks.md").read_text(encoding="utf-8")
    assert published == checks_markdown(), (
        "regenerate: python -m bp2.trace checks --format md > traceability/checks.md")


def test_every_check_is_documented_and_named_after_its_module() -> None:
    """It requires each check module to have a docstring and a unique ID matching its name."""
    ids = [check.CHECK.id for check in ALL_CHECKS]
    assert len(ids) == len(set(ids))
    for check in ALL_CHECKS:
        assert check.__name__.rsplit(".", 1)[1].replace("_", "-") == check.CHECK.id
        doc = check_documentation(check)
        assert "Fix:" in doc and len(doc.splitlines()) >= 3, check.CHECK.id
