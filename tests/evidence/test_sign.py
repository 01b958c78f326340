"""Tests of signing a bundle: the signed record and every refusal."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from bp2.errors import CheckFailed, InputError
from bp2.evidence.keys import load_public_pem
from bp2.evidence.manifest import MANIFEST_NAME
from bp2.evidence.sign import sign_bundle
from bp2.evidence.verify import SignatureRecord, signed_message
from bp2.fileio import sha256_file
from tests.evidence.factory import MANAGER, PASSPHRASE, REVIEWER, WHEN, Site, make_key


@pytest.mark.verifies("SRS-353")
def test_signature_records_signer_role_meaning_time_key_and_manifest(site: Site) -> None:
    """It writes a record naming signer, role, meaning, UTC time, key and manifest sha256, with
    an Ed25519 signature over it."""
    path = site.approve()
    assert path.parent == site.bundle / "signatures"
    record = SignatureRecord.model_validate(json.loads(path.read_text(encoding="utf-8")))
    p = record.payload
    assert (p.signer, p.role, p.meaning) == (MANAGER, "quality-manager", "approved for release")
    assert p.signed_at == "2025-03-04T05:06:07Z"
    assert p.key_fingerprint == site.manager.fingerprint
    assert p.manifest_sha256 == sha256_file(site.bundle / MANIFEST_NAME)
    public = load_public_pem(record.public_key)
    public.verify(base64.b64decode(record.signature), signed_message(p))  # raises if invalid


@pytest.mark.verifies("SRS-353")
def test_signing_leaves_the_manifest_unchanged(site: Site) -> None:
    """It adds signatures outside the manifest, which stays byte for byte the same."""
    before = (site.bundle / MANIFEST_NAME).read_bytes()
    site.review()
    site.approve()
    assert (site.bundle / MANIFEST_NAME).read_bytes() == before
    assert len(list((site.bundle / "signatures").iterdir())) == 2


def _nothing_signed(site: Site) -> bool:
    return not (site.bundle / "signatures").exists()


@pytest.mark.verifies("SRS-354")
def test_unenrolled_key_cannot_sign(site: Site, tmp_path: Path) -> None:
    """It refuses a key that the signers list does not enrol (exit 3, nothing written)."""
    stranger = make_key(tmp_path / "other", "mallory")
    with pytest.raises(InputError, match="is not enrolled in the signers list") as err:
        site.sign(stranger, "Mallory", "reviewer", "reviewed")
    assert err.value.exit_code == 3 and _nothing_signed(site)


@pytest.mark.verifies("SRS-354")
def test_key_may_sign_only_its_roles_and_owner(site: Site) -> None:
    """It refuses a role the key may not sign in, and a name that is not the key's owner."""
    with pytest.raises(InputError, match="may not sign as 'quality-manager'"):
        site.sign(site.reviewer, REVIEWER, "quality-manager", "approved for release")
    with pytest.raises(InputError, match=f"enrolled for '{REVIEWER}', not for '{MANAGER}'"):
        site.sign(site.reviewer, MANAGER, "reviewer", "reviewed")
    assert _nothing_signed(site)


@pytest.mark.verifies("SRS-354")
def test_wrong_passphrase_signs_nothing(site: Site) -> None:
    """It refuses a wrong passphrase and writes no signature."""
    with pytest.raises(InputError, match="wrong passphrase"):
        sign_bundle(site.bundle, site.reviewer.private, signer=REVIEWER, role="reviewer",
                    meaning="reviewed", passphrase=PASSPHRASE + b"x", signers=site.signers,
                    now=WHEN)
    assert _nothing_signed(site)


@pytest.mark.verifies("SRS-354")
def test_empty_meaning_is_refused(site: Site) -> None:
    """It refuses a signature without a meaning."""
    with pytest.raises(InputError, match="--meaning is empty"):
        site.sign(site.reviewer, REVIEWER, "reviewer", "  ")
    assert _nothing_signed(site)


@pytest.mark.verifies("SRS-355")
def test_a_bundle_that_does_not_verify_is_not_signed(site: Site) -> None:
    """It refuses (exit 1) to sign a bundle whose files differ from its manifest, listing why."""
    (site.bundle / "index.html").write_text("<html>FAIL</html>\n")
    with pytest.raises(CheckFailed, match=r"changed: index\.html") as err:
        site.review()
    assert err.value.exit_code == 1 and _nothing_signed(site)
