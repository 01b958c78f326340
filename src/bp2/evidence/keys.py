"""Signing keys: passphrase-protected Ed25519 private keys and their public keys and fingerprints.

A private key is stored as PKCS#8 PEM encrypted with the passphrase (``cryptography``'s
``BestAvailableEncryption``), readable by its owner only (mode 0600).  Its public key is stored
beside it as ``<name>.pub.pem``.  A key is identified by its fingerprint: ``sha256:`` followed by
the hex sha256 of the 32 raw bytes of the Ed25519 public key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from bp2.errors import InputError
from bp2.fileio import atomic_path, sha256_bytes, write_text_atomic

IMPLEMENTS = ("SRS-352", "SRS-354")

MIN_PASSPHRASE_LENGTH = 8
FINGERPRINT_PATTERN = r"^sha256:[0-9a-f]{64}$"


def fingerprint(public_key: Ed25519PublicKey) -> str:
    """``sha256:<hex>`` of the raw public key bytes."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "sha256:" + sha256_bytes(raw)


def public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def load_public_pem(text: str) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM text; ``ValueError`` saying why when it is not one."""
    try:
        key = serialization.load_pem_public_key(text.encode("ascii"))
    except (ValueError, UnicodeEncodeError, UnsupportedAlgorithm) as exc:
        raise ValueError(f"not a PEM public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"not an Ed25519 public key ({type(key).__name__})")
    return key


def public_key_path(private_key: Path) -> Path:
    """``alice.pem`` → ``alice.pub.pem`` (the public key written beside a private key)."""
    stem = private_key.name.removesuffix(".pem")
    return private_key.with_name(f"{stem}.pub.pem")


@dataclass(frozen=True)
class KeyPair:
    private: Path
    public: Path
    fingerprint: str


def _check_new_passphrase(passphrase: bytes) -> None:
    if not passphrase:
        raise InputError(
            "an empty passphrase is refused",
            hint="a signing key must be protected by a passphrase known only to its owner",
        )
    if len(passphrase.decode("utf-8", "replace")) < MIN_PASSPHRASE_LENGTH:
        raise InputError(
            f"the passphrase is shorter than {MIN_PASSPHRASE_LENGTH} characters",
            hint=f"choose a passphrase of at least {MIN_PASSPHRASE_LENGTH} characters",
        )


def generate_key(out: Path, passphrase: bytes) -> KeyPair:
    """Write a new passphrase-protected Ed25519 private key to ``out`` (mode 0600) and its public
    key beside it; refuse an empty or short passphrase and never overwrite a key file."""
    _check_new_passphrase(passphrase)
    public = public_key_path(out)
    for path in (out, public):
        if path.exists() or path.is_symlink():
            raise InputError(
                "key file already exists; bp2 never overwrites a key",
                path=path,
                hint="choose another --out, or move the old key away if it is retired",
            )
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )
    with atomic_path(out) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
    write_text_atomic(public, public_pem(key.public_key()))
    return KeyPair(private=out, public=public, fingerprint=fingerprint(key.public_key()))


def load_private_key(path: Path, passphrase: bytes) -> Ed25519PrivateKey:
    """The Ed25519 private key in ``path``, decrypted with ``passphrase``.

    Refuses (exit 3) a missing or unreadable file, a key that is not passphrase-protected, a wrong
    passphrase and a key that is not Ed25519.
    """
    if not path.is_file():
        raise InputError.missing_file(path, "private key")
    data = path.read_bytes()
    try:
        serialization.load_pem_private_key(data, password=None)
    except TypeError:
        pass  # encrypted, as it must be
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise InputError(
            f"not a PEM private key ({exc})", path=path,
            hint="give the private key written by 'bp2 evidence keygen'",
        ) from None
    else:
        raise InputError(
            "the private key is not passphrase-protected; bp2 refuses to sign with it",
            path=path,
            hint="create a protected key with 'bp2 evidence keygen' and enrol its public key; "
            "treat this unprotected key as disclosed",
        )
    if not passphrase:
        raise InputError("an empty passphrase is refused", path=path,
                         hint="give the key's passphrase")
    try:
        key = serialization.load_pem_private_key(data, password=passphrase)
    except (ValueError, TypeError):
        raise InputError(
            "wrong passphrase for the private key (or the key file is damaged)", path=path,
            hint="give the passphrase set at 'bp2 evidence keygen'",
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(
            f"the private key is {type(key).__name__}, not Ed25519", path=path,
            hint="create an Ed25519 key with 'bp2 evidence keygen'",
        )
    return key
