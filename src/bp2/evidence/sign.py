"""``bp2 evidence sign``: an electronic signature over the bundle's manifest (21 CFR Part 11).

The signed record (:class:`~bp2.evidence.verify.SignaturePayload`) names the signer, the role, the
meaning of the signature (§11.50: e.g. "reviewed", "approved for release"), the UTC time from the
signer's clock, the key's fingerprint and the sha256 of ``MANIFEST.json``; the Ed25519 signature is
over its canonical JSON, so none of them can be changed, and the signature cannot be moved to
another bundle (§11.70), without the signature failing.  Records are written to
``signatures/<role>-<signer>-<time>-<hash of the record>.json``; being added after the manifest,
they are outside it and volatile by nature.
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from pathlib import Path

from bp2.errors import CheckFailed, InputError
from bp2.evidence.keys import fingerprint, load_private_key, public_pem
from bp2.evidence.manifest import MANIFEST_NAME, SIGNATURES_DIR
from bp2.evidence.signers import default_signers_path, load_signers
from bp2.evidence.verify import (
    SIGNATURE_FORMAT,
    SignaturePayload,
    SignatureRecord,
    check_integrity,
    signed_message,
)
from bp2.fileio import sha256_bytes, write_json_atomic

IMPLEMENTS = ("SRS-353", "SRS-354", "SRS-355")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def sign_bundle(
    bundle: Path,
    key: Path,
    *,
    signer: str,
    role: str,
    meaning: str,
    passphrase: bytes,
    signers: Path | None = None,
    now: datetime | None = None,
) -> Path:
    """Sign ``bundle``'s current manifest and return the signature file written.

    Refuses (exit 3, nothing written) an empty signer or meaning, a missing, unprotected or
    non-Ed25519 key, a wrong passphrase, a key not enrolled in the signers list, a signer name
    that is not the key's owner and a role the key may not sign in; refuses (exit 1) a bundle
    whose files do not match its manifest.
    """
    signer, role, meaning = signer.strip(), role.strip(), meaning.strip()
    for field, value in (("--signer", signer), ("--role", role), ("--meaning", meaning)):
        if not value:
            raise InputError(f"{field} is empty", field=field,
                             hint="a signature must name the signer, the role and its meaning")
    signers_path = signers if signers is not None else default_signers_path()
    listing = load_signers(signers_path)
    private = load_private_key(key, passphrase)
    public = private.public_key()
    key_fp = fingerprint(public)
    enrolled = listing.by_fingerprint().get(key_fp)
    if enrolled is None:
        raise InputError(
            f"this key ({key_fp}) is not enrolled in the signers list; bp2 refuses to sign with it",
            path=signers_path,
            hint="ask the quality manager to enrol the key (see quality/README.md), or use your "
            "enrolled key",
        )
    if enrolled.name != signer:
        raise InputError(
            f"this key is enrolled for '{enrolled.name}', not for '{signer}'",
            path=signers_path, field="--signer",
            hint="sign with your own enrolled key, under the name it is enrolled with",
        )
    if role not in enrolled.roles:
        raise InputError(
            f"'{signer}' may not sign as '{role}' (allowed: {', '.join(enrolled.roles)})",
            path=signers_path, field="--role",
            hint="sign in a role the signers list allows for this key, or have the list changed",
        )
    manifest, digest, problems = check_integrity(bundle)
    if problems or manifest is None or digest is None:
        listed = "\n".join(f"  {p.message}" for p in problems)
        raise CheckFailed(
            f"the bundle does not verify; refusing to sign it:\n{listed}",
            path=bundle / MANIFEST_NAME,
            hint="sign only a bundle whose files match its manifest ('bp2 evidence verify "
            "--integrity-only' lists what differs)",
        )
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    payload = SignaturePayload(
        signer=signer, role=role, meaning=meaning,
        signed_at=moment.strftime("%Y-%m-%dT%H:%M:%SZ"), key_fingerprint=key_fp,
        manifest="MANIFEST.json", manifest_sha256=digest,
    )
    record = SignatureRecord(
        format=SIGNATURE_FORMAT, payload=payload, public_key=public_pem(public),
        signature=base64.b64encode(private.sign(signed_message(payload))).decode("ascii"),
    )
    stamp = moment.strftime("%Y%m%dT%H%M%SZ")
    name = f"{_slug(role)}-{_slug(signer)}-{stamp}-{sha256_bytes(signed_message(payload))[:8]}.json"
    folder = bundle / SIGNATURES_DIR
    if folder.is_symlink():
        raise InputError("signatures/ is a symbolic link; bp2 writes signatures into the bundle "
                         "only", path=folder, hint="replace the link by a folder")
    target = folder / name
    if target.exists():
        raise InputError("this signature already exists (same signer, role, meaning, key and "
                         "second)", path=target, hint="the bundle is already signed so")
    write_json_atomic(target, record.model_dump())
    return target
