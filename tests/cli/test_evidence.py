"""Tests of ``bp2 evidence`` run as a user runs it: exit codes and messages."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.evidence.factory import MANAGER, PASSPHRASE, REVIEWER, TAMPERS, Site, make_site

REPO = Path(__file__).resolve().parents[2]


def bp2(exe: str, *args: str, cwd: Path | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "BP2_SIGNING_PASSPHRASE"}
    full_env.update(env or {})
    return subprocess.run([exe, *args], capture_output=True, text=True, check=False, cwd=cwd,
                          env=full_env, stdin=subprocess.DEVNULL, timeout=60)


@pytest.fixture
def approved(tmp_path: Path) -> Site:
    site = make_site(tmp_path)
    site.review()
    site.approve()
    return site


def _passfile(folder: Path, text: bytes = PASSPHRASE) -> Path:
    path = folder / "passphrase.txt"
    path.write_bytes(text + b"\n")
    return path


@pytest.mark.verifies("SRS-352")
def test_keygen_writes_keys_and_prints_the_fingerprint(bp2_exe: str, tmp_path: Path) -> None:
    """It writes the key pair, prints the fingerprint and refuses an empty passphrase (exit 3)."""
    done = bp2(bp2_exe, "evidence", "keygen", "--out", str(tmp_path / "a.pem"),
               "--passphrase-file", str(_passfile(tmp_path)))
    assert done.returncode == 0, done.stderr
    assert "fingerprint: sha256:" in done.stdout and (tmp_path / "a.pub.pem").is_file()
    empty = bp2(bp2_exe, "evidence", "keygen", "--out", str(tmp_path / "b.pem"),
                "--passphrase-file", str(_passfile(tmp_path, b"")))
    assert empty.returncode == 3 and "an empty passphrase is refused" in empty.stderr
    assert not (tmp_path / "b.pem").exists()


@pytest.mark.verifies("SRS-352")
def test_passphrase_is_never_guessed(bp2_exe: str, tmp_path: Path) -> None:
    """It exits 2 when no passphrase is given and there is no terminal to prompt on."""
    done = bp2(bp2_exe, "evidence", "keygen", "--out", str(tmp_path / "a.pem"))
    assert done.returncode == 2 and "--passphrase-file" in done.stderr


@pytest.mark.verifies("SRS-353", "SRS-363")
def test_sign_then_verify_approves(bp2_exe: str, tmp_path: Path) -> None:
    """It signs with the passphrase from the environment and approves once both roles signed."""
    site = make_site(tmp_path)
    env = {"BP2_SIGNING_PASSPHRASE": PASSPHRASE.decode()}
    common = ["--signers", str(site.signers)]
    done = bp2(bp2_exe, "evidence", "sign", str(site.bundle), "--key", str(site.reviewer.private),
               "--signer", REVIEWER, "--role", "reviewer", "--meaning", "reviewed", *common,
               env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"signed as {REVIEWER} (reviewer, 'reviewed')")
    half = bp2(bp2_exe, "evidence", "verify", str(site.bundle), *common)
    assert half.returncode == 1
    assert ("integrity verified; NOT approved: missing role quality-manager "
            "('approved for release')") in half.stdout
    done = bp2(bp2_exe, "evidence", "sign", str(site.bundle), "--key", str(site.manager.private),
               "--signer", MANAGER, "--role", "quality-manager", "--meaning",
               "approved for release", *common, env=env)
    assert done.returncode == 0, done.stderr
    full = bp2(bp2_exe, "evidence", "verify", str(site.bundle), *common)
    assert full.returncode == 0, full.stdout + full.stderr
    assert f"verified; approved for release by {REVIEWER} (reviewer, 'reviewed'" in full.stdout


@pytest.mark.verifies("SRS-354")
def test_sign_refuses_unprotected_key_and_wrong_passphrase(bp2_exe: str, tmp_path: Path) -> None:
    """It exits 3 with a clear message for an unprotected key and for a wrong passphrase."""
    site = make_site(tmp_path)
    plain = tmp_path / "plain.pem"
    plain.write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    args = ["--signer", REVIEWER, "--role", "reviewer", "--meaning", "reviewed",
            "--signers", str(site.signers)]
    unprotected = bp2(bp2_exe, "evidence", "sign", str(site.bundle), "--key", str(plain), *args,
                      "--passphrase-file", str(_passfile(tmp_path)))
    assert unprotected.returncode == 3
    assert "not passphrase-protected" in unprotected.stderr
    wrong = bp2(bp2_exe, "evidence", "sign", str(site.bundle), "--key",
                str(site.reviewer.private), *args,
                "--passphrase-file", str(_passfile(tmp_path, b"wrong passphrase")))
    assert wrong.returncode == 3 and "wrong passphrase" in wrong.stderr
    assert "Traceback" not in wrong.stderr + unprotected.stderr
    assert not (site.bundle / "signatures").exists()


@pytest.mark.verifies("SRS-356", "SRS-357", "SRS-358")
@pytest.mark.parametrize(("how", "says"), [
    ("byte", "changed: index.html — sha256 on disk"),
    ("added", "added: new.txt is on disk but not in the manifest"),
    ("removed", "missing: steps.json is listed in the manifest but not on disk"),
    ("renamed", "renamed: steps.json → steps-1.json (same content"),
    ("symlinked", "refused even though its target's content matches the manifest"),
])
def test_verify_reports_each_file_tampering(bp2_exe: str, approved: Site,
                                            how: str, says: str) -> None:
    """It exits 1 with the tampering's own message and 'verification FAILED'."""
    TAMPERS[how](approved)
    done = bp2(bp2_exe, "evidence", "verify", str(approved.bundle), "--signers",
               str(approved.signers))
    assert done.returncode == 1
    assert says in done.stdout, done.stdout
    assert "check failed: verification FAILED: 1 problem(s)" in done.stderr


@pytest.mark.verifies("SRS-359", "SRS-360", "SRS-362")
@pytest.mark.parametrize(("how", "says"), [
    ("unlisted", f"unlisted signer: signature by '{REVIEWER}' as reviewer"),
    ("wrong role", f"role not allowed: signature by '{MANAGER}' as quality-manager"),
    ("older manifest", "signature over an older manifest"),
    ("edited manifest", "MANIFEST.json is not in the canonical form bp2 writes"),
])
def test_verify_reports_each_signature_or_manifest_problem(
        bp2_exe: str, approved: Site, how: str, says: str) -> None:
    """It exits 1 with the problem's own message and never says approved."""
    TAMPERS[how](approved)
    done = bp2(bp2_exe, "evidence", "verify", str(approved.bundle), "--signers",
               str(approved.signers))
    assert done.returncode == 1
    assert says in done.stdout, done.stdout
    assert "approved for release by" not in done.stdout
    assert "verification FAILED" in done.stderr


@pytest.mark.verifies("SRS-361", "SRS-363")
def test_project_signers_list_has_no_enrolled_signers(bp2_exe: str, approved: Site) -> None:
    """It uses the project's quality/signers.yaml by default and reports no enrolled signers."""
    done = bp2(bp2_exe, "evidence", "verify", str(approved.bundle), cwd=REPO / "src")
    assert done.returncode == 1
    assert f"no enrolled signers in {REPO / 'quality' / 'signers.yaml'}" in done.stdout
    assert "unlisted signer" in done.stdout  # the test's own signatures are not enrolled here


@pytest.mark.verifies("SRS-363")
def test_integrity_only_and_json(bp2_exe: str, approved: Site) -> None:
    """It checks integrity alone with --integrity-only and prints the report as JSON."""
    done = bp2(bp2_exe, "evidence", "verify", str(approved.bundle), "--integrity-only")
    assert done.returncode == 0 and "approval not checked" in done.stdout
    doc = json.loads(bp2(bp2_exe, "evidence", "verify", str(approved.bundle), "--signers",
                         str(approved.signers), "--format", "json").stdout)
    assert doc["approved"] is True and doc["problems"] == []
    assert [s["role"] for s in doc["approved_by"]] == ["reviewer", "quality-manager"]


@pytest.mark.verifies("SRS-361")
def test_invalid_signers_list_is_bad_input(bp2_exe: str, approved: Site) -> None:
    """It exits 3 naming the signers list's bad field."""
    approved.signers.write_text(approved.signers.read_text().replace("bp2-signers/1", "v2"))
    done = bp2(bp2_exe, "evidence", "verify", str(approved.bundle), "--signers",
               str(approved.signers))
    assert done.returncode == 3 and "field 'format'" in done.stderr
