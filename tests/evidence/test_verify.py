"""Tests of verification: every tamper case, every signature problem, and approval."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from bp2.evidence.manifest import MANIFEST_NAME, write_manifest
from bp2.evidence.verify import VerifyReport, verify_bundle
from bp2.fileio import sha256_file
from tests.evidence.factory import MANAGER, REVIEWER, Site, make_key


def verify(site: Site) -> VerifyReport:
    return verify_bundle(site.bundle, site.signers)


def kinds(report: VerifyReport) -> list[str]:
    return [p.kind for p in report.problems]


def only(report: VerifyReport, kind: str) -> str:
    """The message of the one problem of the report, which must be of ``kind``."""
    assert kinds(report) == [kind], [p.message for p in report.problems]
    assert not report.approved
    return report.problems[0].message


@pytest.mark.verifies("SRS-363")
def test_intact_and_approved_bundle(approved: Site) -> None:
    """It approves an intact bundle signed with each required role and meaning."""
    report = verify(approved)
    assert report.problems == [] and report.approved
    assert [s.signer for s in report.approved_by] == [REVIEWER, MANAGER]
    assert report.verdict() == (
        f"verified; approved for release by {REVIEWER} (reviewer, 'reviewed', "
        f"2025-03-04T05:06:07Z), {MANAGER} (quality-manager, 'approved for release', "
        "2025-03-04T05:06:07Z)")


@pytest.mark.verifies("SRS-356")
def test_changed_byte_is_reported(approved: Site) -> None:
    """It reports a file with one byte changed, naming it."""
    path = approved.bundle / "validation" / "VAL-001" / "result.json"
    data = bytearray(path.read_bytes())
    data[13] ^= 0x01
    path.write_bytes(bytes(data))
    message = only(verify(approved), "changed")
    assert message.startswith("changed: validation/VAL-001/result.json — sha256 on disk")


@pytest.mark.verifies("SRS-356")
def test_changed_volatile_record_is_reported(approved: Site) -> None:
    """It hashes volatile records too: a changed one is reported."""
    (approved.bundle / "steps.json").write_text('{"duration_s": 2.5}\n')
    assert only(verify(approved), "changed").startswith("changed: steps.json")


@pytest.mark.verifies("SRS-356")
def test_added_file_is_reported(approved: Site) -> None:
    """It reports a file added to the bundle."""
    (approved.bundle / "trace" / "extra.csv").write_text("x\n")
    assert only(verify(approved), "added").startswith("added: trace/extra.csv is on disk but not")


@pytest.mark.verifies("SRS-356")
def test_removed_file_is_reported(approved: Site) -> None:
    """It reports a file removed from the bundle."""
    (approved.bundle / "trace" / "matrix.csv").unlink()
    assert only(verify(approved), "missing") == (
        "missing: trace/matrix.csv is listed in the manifest but not on disk")


@pytest.mark.verifies("SRS-357")
def test_renamed_file_is_reported_as_a_rename(approved: Site) -> None:
    """It reports a missing file whose content is on disk under another name as renamed."""
    (approved.bundle / "trace" / "matrix.csv").rename(approved.bundle / "matrix-old.csv")
    assert only(verify(approved), "renamed").startswith(
        "renamed: trace/matrix.csv → matrix-old.csv (same content")


@pytest.mark.verifies("SRS-357")
def test_rename_pairs_one_to_one(site: Site) -> None:
    """It pairs each missing file with at most one added file of the same content."""
    (site.bundle / "index.html").rename(site.bundle / "a.html")
    (site.bundle / "b.html").write_bytes((site.bundle / "a.html").read_bytes())
    report = verify(site)
    assert sorted(kinds(report)) == ["added", "renamed"]
    assert {p.path for p in report.problems} == {"index.html", "b.html"}


@pytest.mark.verifies("SRS-358")
def test_symlink_with_matching_content_is_refused(approved: Site) -> None:
    """It refuses a file replaced by a symbolic link even though the content matches."""
    original = approved.bundle / "index.html"
    outside = approved.root / "index.html"
    outside.write_bytes(original.read_bytes())
    original.unlink()
    original.symlink_to(outside)
    message = only(verify(approved), "symlink")
    assert message.startswith("symlink: index.html → ")
    assert "refused even though its target's content matches the manifest" in message


@pytest.mark.verifies("SRS-358")
def test_symlinked_folder_and_special_file_are_refused(site: Site) -> None:
    """It refuses a symbolic link to a folder and a FIFO."""
    (site.bundle / "more").symlink_to(site.root / "keys", target_is_directory=True)
    os.mkfifo(site.bundle / "pipe")
    report = verify(site)
    assert sorted(kinds(report)) == ["not-regular", "symlink"]
    assert any("pipe is not a regular file" in p.message for p in report.problems)


@pytest.mark.verifies("SRS-359")
def test_missing_manifest_is_reported(approved: Site) -> None:
    """It reports a bundle without MANIFEST.json; nothing can be verified."""
    (approved.bundle / MANIFEST_NAME).unlink()
    report = verify(approved)
    assert kinds(report)[0] == "manifest-missing" and not report.approved


@pytest.mark.verifies("SRS-359", "SRS-362")
def test_edited_manifest_entry_is_reported(approved: Site) -> None:
    """It reports a manifest whose entry was edited to match a changed file, and that the
    signatures no longer cover it."""
    path = approved.bundle / "index.html"
    path.write_text("<html>PASS!</html>\n")
    manifest = approved.bundle / MANIFEST_NAME
    doc = json.loads(manifest.read_text(encoding="utf-8"))
    entry = next(e for e in doc["files"] if e["path"] == "index.html")
    entry.update(sha256=sha256_file(path), size=path.stat().st_size)
    manifest.write_text(json.dumps(doc, sort_keys=True, separators=(",", ":")) + "\n")
    report = verify(approved)
    assert sorted(set(kinds(report))) == ["manifest-edited", "signature-stale"]
    edited = next(p for p in report.problems if p.kind == "manifest-edited")
    assert "no longer match its seal" in edited.message
    assert all("signature over an edited manifest" in p.message
               for p in report.problems if p.kind == "signature-stale")


@pytest.mark.verifies("SRS-359")
def test_reformatted_or_broken_manifest_is_reported(site: Site) -> None:
    """It reports a manifest whose JSON text was altered, and one that is not JSON."""
    manifest = site.bundle / MANIFEST_NAME
    manifest.write_text(json.dumps(json.loads(manifest.read_text()), indent=1))
    assert "not in the canonical form" in only(verify(site), "manifest-edited")
    manifest.write_text("{not json")
    assert "not valid JSON" in only(verify(site), "manifest-edited")


@pytest.mark.verifies("SRS-362")
def test_signature_over_older_manifest_is_reported(approved: Site) -> None:
    """It reports signatures made over an older manifest after the bundle was re-manifested."""
    (approved.bundle / "late.txt").write_text("added after approval\n")
    write_manifest(approved.bundle, volatile=["steps.json"])
    report = verify(approved)
    assert kinds(report) == ["signature-stale", "signature-stale"]
    assert all(p.message.startswith("signature over an older manifest: ")
               for p in report.problems)
    assert not any(s.valid for s in report.signatures)


def _edit_list(site: Site, index: int, **changes: object) -> None:
    doc = yaml.safe_load(site.signers.read_text(encoding="utf-8"))
    doc["signers"][index].update(changes)
    site.signers.write_text(yaml.safe_dump(doc), encoding="utf-8")


@pytest.mark.verifies("SRS-360")
def test_signature_by_unlisted_key_is_reported(approved: Site) -> None:
    """It reports a signature whose key is not (or no longer) enrolled."""
    doc = yaml.safe_load(approved.signers.read_text(encoding="utf-8"))
    doc["signers"] = doc["signers"][1:]  # the reviewer's key is revoked
    approved.signers.write_text(yaml.safe_dump(doc), encoding="utf-8")
    message = only(verify(approved), "signature-unlisted")
    assert message.startswith(f"unlisted signer: signature by '{REVIEWER}' as reviewer")


@pytest.mark.verifies("SRS-360")
def test_signature_in_a_role_the_key_may_not_sign_is_reported(approved: Site) -> None:
    """It reports a signature in a role the signers list does not allow for its key."""
    _edit_list(approved, 1, roles=["reviewer"])
    message = only(verify(approved), "signature-role")
    assert f"role not allowed: signature by '{MANAGER}' as quality-manager" in message


@pytest.mark.verifies("SRS-360")
def test_signature_under_another_name_is_reported(approved: Site) -> None:
    """It reports a signature whose signer name is not the name its key is enrolled for."""
    _edit_list(approved, 0, name="Renamed Person")
    assert "made with the key enrolled for 'Renamed Person'" in only(
        verify(approved), "signature-signer")


@pytest.mark.verifies("SRS-360")
def test_altered_signature_record_is_a_bad_signature(approved: Site) -> None:
    """It reports a signature record whose meaning was altered after signing."""
    path = next((approved.bundle / "signatures").glob("reviewer-*.json"))
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["payload"]["meaning"] = "approved for release"
    path.write_text(json.dumps(doc))
    assert "the Ed25519 signature does not match" in only(verify(approved), "signature-bad")


@pytest.mark.verifies("SRS-360")
def test_swapped_public_key_and_junk_are_bad_signatures(approved: Site, tmp_path: Path) -> None:
    """It reports a record carrying another public key, and a file that is no signature."""
    path = next((approved.bundle / "signatures").glob("reviewer-*.json"))
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["public_key"] = make_key(tmp_path / "x", "x").public.read_text(encoding="ascii")
    path.write_text(json.dumps(doc))
    (approved.bundle / "signatures" / "notes.txt").write_text("hello")
    report = verify(approved)
    assert kinds(report) == ["signature-bad", "signature-bad"]
    assert "not the key whose fingerprint it records" in report.problems[1].message
    assert "not a signature record" in report.problems[0].message


@pytest.mark.verifies("SRS-363")
def test_intact_but_unapproved_bundle_says_what_is_missing(site: Site) -> None:
    """It verifies an intact bundle with only the review, but does not approve it."""
    site.review()
    report = verify(site)
    assert report.integrity_ok and not report.approved
    assert report.verdict() == ("integrity verified; NOT approved: missing role quality-manager "
                                "('approved for release')")


@pytest.mark.verifies("SRS-363")
def test_approval_needs_the_exact_meaning_and_distinct_people(site: Site) -> None:
    """It does not count a different meaning, nor one person signing both required roles."""
    site.sign(site.manager, MANAGER, "quality-manager", "approved")
    assert "missing role quality-manager" in verify(site).verdict()
    site.sign(site.manager, MANAGER, "reviewer", "reviewed")
    site.approve()
    report = verify(site)
    assert report.integrity_ok and not report.approved
    assert "not by distinct people" in report.verdict()


@pytest.mark.verifies("SRS-363")
def test_problems_prevent_approval(approved: Site) -> None:
    """It never approves a bundle with a problem, whatever signatures it has."""
    (approved.bundle / "extra.txt").write_text("x")
    report = verify(approved)
    assert not report.approved and report.approved_by == []
    assert report.verdict() == "verification FAILED: 1 problem(s)"


@pytest.mark.verifies("SRS-363")
def test_integrity_only_checks_files_alone(site: Site, tmp_path: Path) -> None:
    """It checks only the files with integrity_only, reading no signers list."""
    report = verify_bundle(site.bundle, tmp_path / "absent.yaml", integrity_only=True)
    assert report.integrity_ok and report.files == 4
    assert report.verdict() == "integrity verified (4 files); approval not checked"
