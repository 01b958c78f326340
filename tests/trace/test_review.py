"""Tests of re-stamping links after a review."""

from __future__ import annotations

import pytest
import yaml

from bp2.errors import InputError, UsageError
from bp2.trace.fingerprint import fingerprint
from bp2.trace.loader import load_design_history
from bp2.trace.review import review
from tests.trace.factory import WHEN, Project

pytestmark = pytest.mark.verifies("SRS-036")

SRS_TEXT = """\
# Owned by the align team.
id: SRS-002
title: Derived requirement   # short title
statement: >-
  When asked twice, the widget shall
  answer twice.
rationale: Because.
type: functional
safety_class: B
parents: [UN-001, SRS-001]   # both reviewed at the design review
"""


def test_stamps_fingerprint_reviewer_and_time(project: Project) -> None:
    """It rewrites each link with the target's fingerprint, the reviewer and the UTC time."""
    project.write("requirements/SRS-002.yaml", SRS_TEXT)
    done = review(project.root, ["SRS-002"], "  Ada   Lovelace ", now=WHEN)
    assert [(d.target, d.before) for d in done] == [("UN-001", "unreviewed"),
                                                   ("SRS-001", "unreviewed")]
    history = load_design_history(project.root)
    links = history.items["SRS-002"].parents  # type: ignore[index, union-attr]
    assert [link.fingerprint for link in links] == [
        fingerprint(history.items["UN-001"]), fingerprint(history.items["SRS-001"])]  # type: ignore[index]
    assert {link.reviewed_by for link in links} == {"Ada Lovelace"}
    assert {link.reviewed_at for link in links} == {WHEN}


def test_leaves_comments_and_other_fields_untouched(project: Project) -> None:
    """It changes only the link values: comments, folded text and key order stay."""
    path = project.write("requirements/SRS-002.yaml", SRS_TEXT)
    review(project.root, ["SRS-002"], "Ada", now=WHEN)
    after = path.read_text()
    untouched = SRS_TEXT.split("parents:")[0]
    assert after.startswith(untouched)
    assert after.rstrip().endswith("]   # both reviewed at the design review")


def test_restamps_block_style_long_links(project: Project) -> None:
    """It re-stamps links written as block mappings and hazard control links."""
    data = project.load("SRS-001")
    data["parents"] = [{"id": "UN-001", "fingerprint": "0" * 64, "reviewed_by": "Old",
                        "reviewed_at": "2020-01-01T00:00:00Z"}]
    project.write("requirements/SRS-001.yaml", yaml.safe_dump(data, sort_keys=False))
    done = review(project.root, ["SRS-001", "HAZ-001"], "Ada", now=WHEN)
    assert [(d.item_id, d.target, d.before) for d in done] == [
        ("SRS-001", "UN-001", "suspect"), ("HAZ-001", "SRS-001", "reviewed")]
    assert project.load("SRS-001")["parents"][0]["reviewed_by"] == "Ada"


def test_parent_option_restamps_one_link(project: Project) -> None:
    """It re-stamps only the link to the parent named with --parent."""
    project.write("requirements/SRS-002.yaml", SRS_TEXT)
    review(project.root, ["SRS-002"], "Ada", parent="SRS-001", now=WHEN)
    parents = project.load("SRS-002")["parents"]
    assert parents[0] == "UN-001" and parents[1]["id"] == "SRS-001"


def test_refuses_unknown_items_targets_and_names(project: Project) -> None:
    """It refuses an unknown item, a link to a missing target and an empty reviewer name."""
    project.write("requirements/SRS-002.yaml", SRS_TEXT.replace("SRS-001]", "SRS-404]"))
    with pytest.raises(UsageError, match="unknown item"):
        review(project.root, ["SRS-999"], "Ada")
    with pytest.raises(InputError, match="SRS-404, which does not exist"):
        review(project.root, ["SRS-002"], "Ada")
    with pytest.raises(UsageError, match="--by"):
        review(project.root, ["SRS-001"], "   ")
    with pytest.raises(UsageError, match="no links to review"):
        review(project.root, ["UN-001"], "Ada")
