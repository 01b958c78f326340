"""Tests of signing keys: generation, protection and loading."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bp2.errors import InputError
from bp2.evidence.keys import fingerprint, generate_key, load_private_key, load_public_pem
from tests.evidence.factory import PASSPHRASE


@pytest.mark.verifies("SRS-352")
def test_keygen_writes_a_protected_key_and_its_public_key(tmp_path: Path) -> None:
    """It writes an encrypted Ed25519 private key (mode 0600) and the matching public key."""
    pair = generate_key(tmp_path / "alice.pem", PASSPHRASE)
    assert pair.public == tmp_path / "alice.pub.pem"
    data = pair.private.read_bytes()
    assert data.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    with pytest.raises(TypeError):  # cannot be read without the passphrase
        serialization.load_pem_private_key(data, password=None)
    assert stat.S_IMODE(pair.private.stat().st_mode) == 0o600
    key = load_private_key(pair.private, PASSPHRASE)
    public = load_public_pem(pair.public.read_text(encoding="ascii"))
    assert fingerprint(key.public_key()) == fingerprint(public) == pair.fingerprint
    assert pair.fingerprint.startswith("sha256:") and len(pair.fingerprint) == 71


@pytest.mark.verifies("SRS-352")
@pytest.mark.parametrize(("passphrase", "message"), [
    (b"", "an empty passphrase is refused"),
    (b"short", "shorter than 8 characters"),
])
def test_keygen_refuses_a_weak_passphrase(tmp_path: Path, passphrase: bytes, message: str) -> None:
    """It refuses an empty or short passphrase and writes no key."""
    with pytest.raises(InputError, match=message):
        generate_key(tmp_path / "k.pem", passphrase)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.verifies("SRS-352")
def test_keygen_never_overwrites_a_key(tmp_path: Path) -> None:
    """It refuses to overwrite an existing key file."""
    first = generate_key(tmp_path / "k.pem", PASSPHRASE)
    before = first.private.read_bytes()
    with pytest.raises(InputError, match="never overwrites a key"):
        generate_key(tmp_path / "k.pem", PASSPHRASE)
    assert first.private.read_bytes() == before


@pytest.mark.verifies("SRS-354")
def test_unprotected_private_key_is_refused(tmp_path: Path) -> None:
    """It refuses to load a private key that is not passphrase-protected."""
    plain = tmp_path / "plain.pem"
    plain.write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    with pytest.raises(InputError, match="not passphrase-protected") as err:
        load_private_key(plain, PASSPHRASE)
    assert err.value.exit_code == 3


@pytest.mark.verifies("SRS-354")
def test_wrong_passphrase_is_refused(tmp_path: Path) -> None:
    """It refuses a wrong passphrase with exit code 3."""
    pair = generate_key(tmp_path / "k.pem", PASSPHRASE)
    with pytest.raises(InputError, match="wrong passphrase") as err:
        load_private_key(pair.private, b"not the passphrase")
    assert err.value.exit_code == 3


@pytest.mark.verifies("SRS-354")
def test_non_ed25519_or_non_key_file_is_refused(tmp_path: Path) -> None:
    """It refuses an encrypted key of another algorithm and a file that is not a key."""
    other = tmp_path / "ec.pem"
    other.write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSPHRASE)))
    with pytest.raises(InputError, match="not Ed25519"):
        load_private_key(other, PASSPHRASE)
    junk = tmp_path / "junk.pem"
    junk.write_text("hello")
    with pytest.raises(InputError, match="not a PEM private key"):
        load_private_key(junk, PASSPHRASE)
