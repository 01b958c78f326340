"""Tests of the controlled signers list and release plan, including the project's own."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bp2.errors import InputError
from bp2.evidence.signers import default_signers_path, load_plan, load_signers
from bp2.evidence.verify import verify_bundle
from tests.evidence.factory import Site, enrol, make_bundle, make_key, write_lists

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.verifies("SRS-361")
def test_project_lists_are_valid_and_enrol_nobody(tmp_path: Path) -> None:
    """It loads the shipped quality lists: two roles, a plan needing both, nobody enrolled."""
    listing = load_signers(REPO / "quality" / "signers.yaml")
    plan = load_plan(REPO / "quality" / "release-plan.yaml", listing)
    assert set(listing.roles) == {"reviewer", "quality-manager"}
    assert listing.signers == []
    assert [(r.role, r.meaning) for r in plan.required_signatures] == [
        ("reviewer", "reviewed"), ("quality-manager", "approved for release")]
    assert plan.distinct_signers


@pytest.mark.verifies("SRS-361", "SRS-363")
def test_empty_signers_list_reports_no_enrolled_signers(tmp_path: Path) -> None:
    """It reports an intact bundle checked against the shipped list as 'no enrolled signers'."""
    bundle = make_bundle(tmp_path / "b")
    report = verify_bundle(bundle, REPO / "quality" / "signers.yaml")
    assert report.integrity_ok and not report.approved
    assert report.not_approved_because[0].startswith("no enrolled signers in ")


@pytest.mark.verifies("SRS-361")
def test_signers_list_errors_name_their_field(site: Site) -> None:
    """It refuses an undefined role, a key enrolled twice and a public key that is not the
    fingerprint's, naming each field."""
    doc = yaml.safe_load(site.signers.read_text(encoding="utf-8"))
    doc["signers"][0]["roles"] = ["approver"]
    doc["signers"].append({**doc["signers"][1], "name": "Someone Else"})
    doc["signers"][1]["public_key"] = site.reviewer.public.read_text(encoding="ascii")
    site.signers.write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_signers(site.signers)
    text = str(err.value)
    assert "3 problems" in text
    assert "signers.0.roles" in text and "'approver'" in text
    assert "already enrolled as signers.1" in text
    assert "signers.1.fingerprint" in text and "not the one listed" in text


@pytest.mark.verifies("SRS-361")
def test_signers_list_schema_is_enforced(tmp_path: Path) -> None:
    """It refuses an unknown field and a malformed fingerprint with the file and field."""
    key = make_key(tmp_path / "k", "a")
    entry = {**enrol("A", key, ["reviewer"]), "fingerprint": "abc", "team": "x"}
    path = write_lists(tmp_path / "q", [entry])
    with pytest.raises(InputError, match="signers list is invalid") as err:
        load_signers(path)
    assert "signers.0.fingerprint" in str(err.value) and "signers.0.team" in str(err.value)
    assert err.value.exit_code == 3


@pytest.mark.verifies("SRS-361")
def test_plan_role_must_be_defined(tmp_path: Path) -> None:
    """It refuses a release plan requiring a role the signers list does not define."""
    path = write_lists(tmp_path / "q", [], plan={
        "format": "bp2-release-plan/1",
        "required_signatures": [{"role": "director", "meaning": "approved for release"}]})
    with pytest.raises(InputError, match="role 'director' is not defined"):
        load_plan(path.with_name("release-plan.yaml"), load_signers(path))


@pytest.mark.verifies("SRS-361")
def test_default_signers_list_is_found_above(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             ) -> None:
    """It finds quality/signers.yaml in the current folder or above, and says so when none."""
    path = write_lists(tmp_path / "proj" / "quality", [])
    deep = tmp_path / "proj" / "a" / "b"
    deep.mkdir(parents=True)
    assert default_signers_path(deep) == path.resolve()
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="no signers list found"):
        default_signers_path()
