"""``bp2 evidence verify``: recompute every hash of a bundle from disk, check every signature, and
decide whether the release is approved.

Two verdicts, kept apart:

* **integrity** — the files on disk are exactly those of ``MANIFEST.json``, the manifest is as bp2
  wrote it, and every signature is valid, by an enrolled key, in a role that key may sign, over
  the current manifest.  Each departure is a :class:`Problem` with its own kind and message.
* **approval** — integrity holds *and* every (role, meaning) that ``release-plan.yaml`` requires
  is signed over the current manifest (by distinct people when the plan says so).

Exit status of the command: 0 "verified; approved for release by …"; 1 with "verification FAILED"
and the problems; 1 with "integrity verified; NOT approved: …" when the bundle is intact but the
approval is incomplete (``--integrity-only`` checks integrity alone and exits 0 when it holds).
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import stat
from collections import defaultdict
from pathlib import Path
from typing import Literal

from cryptography.exceptions import InvalidSignature
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bp2.errors import InputError
from bp2.evidence.keys import fingerprint, load_public_pem
from bp2.evidence.manifest import (
    MANIFEST_NAME,
    SIGNATURES_DIR,
    FileEntry,
    Manifest,
    hash_entry,
    parse_manifest,
    scan_bundle,
)
from bp2.evidence.signers import (
    ReleasePlan,
    SignersList,
    default_signers_path,
    load_plan,
    load_signers,
    plan_path_for,
)
from bp2.fileio import canonical_json, sha256_bytes

IMPLEMENTS = ("SRS-356", "SRS-357", "SRS-358", "SRS-359", "SRS-360", "SRS-362", "SRS-363")

ProblemKind = Literal[
    "manifest-missing",  # no MANIFEST.json: nothing can be verified
    "manifest-edited",  # MANIFEST.json unreadable, not canonical, or its seal broken
    "changed",  # a file's bytes differ from the manifest
    "missing",  # a file of the manifest is not on disk
    "added",  # a file on disk is not in the manifest
    "renamed",  # a missing file's exact content is on disk under a new name
    "symlink",  # a symbolic link, refused even when its target's content matches
    "not-regular",  # a device, FIFO, socket or a name that is not UTF-8
    "signature-bad",  # unreadable signature record, or the Ed25519 signature does not verify
    "signature-unlisted",  # signed with a key not enrolled in signers.yaml
    "signature-signer",  # the signer named is not the person the key is enrolled for
    "signature-role",  # signed in a role the key is not allowed to sign in
    "signature-stale",  # signed over another (older or edited) manifest
]

SIGNATURE_FORMAT: Literal["bp2-evidence-signature/1"] = "bp2-evidence-signature/1"


class Problem(BaseModel):
    """One reason the bundle does not verify."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ProblemKind
    path: str | None
    message: str


class SignaturePayload(BaseModel):
    """What a signature covers (the Ed25519 signature is over its canonical JSON)."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    signer: str = Field(min_length=1)
    role: str = Field(min_length=1)
    meaning: str = Field(min_length=1)
    signed_at: str = Field(pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    key_fingerprint: str
    manifest: Literal["MANIFEST.json"]
    manifest_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class SignatureRecord(BaseModel):
    """A file ``signatures/*.json``."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    format: Literal["bp2-evidence-signature/1"]
    payload: SignaturePayload
    public_key: str
    signature: str  # base64 of the 64-byte Ed25519 signature


def signed_message(payload: SignaturePayload) -> bytes:
    """The exact bytes a signature signs."""
    return canonical_json(payload.model_dump()).encode("utf-8")


class SignatureInfo(BaseModel):
    """A signature as found, and whether it counts towards approval."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    file: str
    signer: str | None
    role: str | None
    meaning: str | None
    signed_at: str | None
    key_fingerprint: str | None
    manifest_sha256: str | None
    valid: bool  # valid, enrolled, allowed role, over the current manifest


class VerifyReport(BaseModel):
    """The outcome of :func:`verify_bundle`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    bundle: str
    manifest_sha256: str | None
    files: int
    problems: list[Problem]
    signatures: list[SignatureInfo]
    approved: bool
    approved_by: list[SignatureInfo]
    not_approved_because: list[str]
    integrity_only: bool = False

    @property
    def integrity_ok(self) -> bool:
        return not self.problems

    def verdict(self) -> str:
        """The one-line verdict the command prints last."""
        if self.problems:
            return f"verification FAILED: {len(self.problems)} problem(s)"
        if self.integrity_only:
            return f"integrity verified ({self.files} files); approval not checked"
        if self.approved:
            who = ", ".join(f"{s.signer} ({s.role}, '{s.meaning}', {s.signed_at})"
                            for s in self.approved_by)
            return f"verified; approved for release by {who}"
        return "integrity verified; NOT approved: " + "; ".join(self.not_approved_because)


# ----------------------------------------------------------------------------------- integrity


def _is_symlink(path: Path) -> bool:
    try:
        return stat.S_ISLNK(path.lstat().st_mode)
    except FileNotFoundError:
        return False


def _read_manifest(bundle: Path) -> tuple[Manifest | None, str | None, list[Problem]]:
    path = bundle / MANIFEST_NAME
    if _is_symlink(path):
        return None, None, [Problem(kind="symlink", path=MANIFEST_NAME, message=(
            "symlink: MANIFEST.json is a symbolic link; the manifest must be a plain file"))]
    if not path.is_file():
        return None, None, [Problem(kind="manifest-missing", path=MANIFEST_NAME, message=(
            "MANIFEST.json is missing: nothing in the bundle can be verified"))]
    raw = path.read_bytes()
    manifest, defects = parse_manifest(raw)
    problems = [Problem(kind="manifest-edited", path=MANIFEST_NAME, message=d) for d in defects]
    return manifest, sha256_bytes(raw), problems


def _compare(bundle: Path, manifest: Manifest) -> list[Problem]:
    listed = manifest.by_path()
    problems: list[Problem] = []
    on_disk: set[str] = set()
    for entry in scan_bundle(bundle):
        if entry.kind == "symlink":
            matches = (entry.path in listed and (bundle / entry.path).is_file()
                       and hash_entry(bundle, entry.path) == listed[entry.path])
            why = ("refused even though its target's content matches the manifest" if matches
                   else "refused: a bundle holds plain files only")
            problems.append(Problem(kind="symlink", path=entry.path, message=(
                f"symlink: {entry.path} → {entry.detail} is a symbolic link; {why}")))
            on_disk.add(entry.path)
        elif entry.kind == "other":
            problems.append(Problem(kind="not-regular", path=entry.path, message=(
                f"not a regular file: {entry.path} is {entry.detail}")))
            on_disk.add(entry.path)
        else:
            on_disk.add(entry.path)
    # regular files, compared with the manifest
    missing: list[FileEntry] = []
    for path, want in sorted(listed.items()):
        if path not in on_disk:
            missing.append(want)
            continue
        full = bundle / path
        if _is_symlink(full) or not full.is_file():
            continue  # reported above
        have = hash_entry(bundle, path)
        if have != want:
            problems.append(Problem(kind="changed", path=path, message=(
                f"changed: {path} — sha256 on disk {have.sha256[:16]}… ({have.size} bytes), "
                f"manifest records {want.sha256[:16]}… ({want.size} bytes)")))
    added = sorted(p for p in on_disk - set(listed)
                   if not _is_symlink(bundle / p) and (bundle / p).is_file())
    added_by_hash: dict[str, list[str]] = defaultdict(list)
    added_entries = {p: hash_entry(bundle, p) for p in added}
    for p in added:
        added_by_hash[added_entries[p].sha256].append(p)
    renamed_to: set[str] = set()
    for want in missing:
        candidates = [p for p in added_by_hash.get(want.sha256, []) if p not in renamed_to]
        if candidates:
            new = candidates[0]
            renamed_to.add(new)
            problems.append(Problem(kind="renamed", path=want.path, message=(
                f"renamed: {want.path} → {new} (same content, sha256 {want.sha256[:16]}…)")))
        else:
            problems.append(Problem(kind="missing", path=want.path, message=(
                f"missing: {want.path} is listed in the manifest but not on disk")))
    problems += [
        Problem(kind="added", path=p, message=(
            f"added: {p} is on disk but not in the manifest "
            f"(sha256 {added_entries[p].sha256[:16]}…)"))
        for p in added if p not in renamed_to
    ]
    return problems


def check_integrity(bundle: Path) -> tuple[Manifest | None, str | None, list[Problem]]:
    """The manifest, the sha256 of ``MANIFEST.json`` and every integrity problem of the files.

    Signatures are not looked at.  A bundle folder that does not exist is an input error.
    """
    if not bundle.is_dir():
        raise InputError.missing_file(bundle, "evidence bundle folder")
    manifest, digest, problems = _read_manifest(bundle)
    if manifest is not None:
        problems += _compare(bundle, manifest)
    return manifest, digest, sorted(problems, key=_problem_order)


def _problem_order(problem: Problem) -> tuple[str, str]:
    return (problem.path or "", problem.kind)


# ---------------------------------------------------------------------------------- signatures


def _info(name: str, record: SignatureRecord | None, *, valid: bool) -> SignatureInfo:
    p = record.payload if record is not None else None
    return SignatureInfo(
        file=name, signer=p.signer if p else None, role=p.role if p else None,
        meaning=p.meaning if p else None, signed_at=p.signed_at if p else None,
        key_fingerprint=p.key_fingerprint if p else None,
        manifest_sha256=p.manifest_sha256 if p else None, valid=valid,
    )


def _load_record(path: Path) -> SignatureRecord:
    """Parse a signature file; ``ValueError`` saying why when it is not one."""
    try:
        raw = path.read_bytes()
        json.loads(raw.decode("utf-8"))
        return SignatureRecord.model_validate_json(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not JSON ({exc})") from None
    except ValidationError as exc:
        fields = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                           for e in exc.errors())
        raise ValueError(f"not a bp2 signature record ({fields})") from None


def _check_signature(name: str, record: SignatureRecord, signers: SignersList,
                     manifest_sha256: str | None, *, manifest_edited: bool) -> list[Problem]:
    """The problems of one parsed signature record (empty when it is valid and counts)."""
    p = record.payload
    who = f"signature by '{p.signer}' as {p.role} ('{p.meaning}')"
    try:
        public = load_public_pem(record.public_key)
        raw_signature = base64.b64decode(record.signature, validate=True)
    except (ValueError, binascii.Error) as exc:
        return [Problem(kind="signature-bad", path=name, message=f"bad signature: {name}: {exc}")]
    if fingerprint(public) != p.key_fingerprint:
        return [Problem(kind="signature-bad", path=name, message=(
            f"bad signature: {name}: its public key is not the key whose fingerprint it records"))]
    try:
        public.verify(raw_signature, signed_message(p))
    except InvalidSignature:
        return [Problem(kind="signature-bad", path=name, message=(
            f"bad signature: {name}: the Ed25519 signature does not match the signed record "
            "(the record or the signature was altered)"))]
    enrolled = signers.by_fingerprint().get(p.key_fingerprint)
    if enrolled is None:
        return [Problem(kind="signature-unlisted", path=name, message=(
            f"unlisted signer: {who} in {name} is made with key {p.key_fingerprint[:23]}…, "
            "which is not enrolled in the signers list"))]
    problems: list[Problem] = []
    if enrolled.name != p.signer:
        problems.append(Problem(kind="signature-signer", path=name, message=(
            f"wrong signer name: {who} in {name} is made with the key enrolled for "
            f"'{enrolled.name}'")))
    if p.role not in enrolled.roles:
        problems.append(Problem(kind="signature-role", path=name, message=(
            f"role not allowed: {who} in {name}: the signers list allows this key only the "
            f"role(s) {', '.join(enrolled.roles)}")))
    if manifest_sha256 is not None and p.manifest_sha256 != manifest_sha256:
        which = ("an edited manifest: MANIFEST.json was changed after it was signed"
                 if manifest_edited else "an older manifest")
        problems.append(Problem(kind="signature-stale", path=name, message=(
            f"signature over {which}: {who} in {name} covers MANIFEST.json with sha256 "
            f"{p.manifest_sha256[:16]}…, but the current MANIFEST.json has "
            f"{manifest_sha256[:16]}… (review the current bundle and sign it again)")))
    return problems


def check_signatures(bundle: Path, signers: SignersList, manifest_sha256: str | None, *,
                     manifest_edited: bool = False) -> tuple[list[SignatureInfo], list[Problem]]:
    """Every signature file under ``bundle/signatures`` with its problems."""
    folder = bundle / SIGNATURES_DIR
    if _is_symlink(folder):
        return [], [Problem(kind="symlink", path=SIGNATURES_DIR, message=(
            "symlink: signatures/ is a symbolic link; signatures must be plain files in the "
            "bundle"))]
    if not folder.is_dir():
        return [], []
    infos: list[SignatureInfo] = []
    problems: list[Problem] = []
    for path in sorted(folder.iterdir()):
        name = f"{SIGNATURES_DIR}/{path.name}"
        if _is_symlink(path):
            problems.append(Problem(kind="symlink", path=name, message=(
                f"symlink: {name} is a symbolic link, refused")))
            continue
        if not path.is_file() or path.suffix != ".json":
            problems.append(Problem(kind="signature-bad", path=name, message=(
                f"bad signature: {name} is not a signature record (only *.json signature "
                "files belong in signatures/)")))
            continue
        try:
            record = _load_record(path)
        except ValueError as exc:
            problems.append(Problem(kind="signature-bad", path=name,
                                    message=f"bad signature: {name} is {exc}"))
            infos.append(_info(name, None, valid=False))
            continue
        found = _check_signature(name, record, signers, manifest_sha256,
                                 manifest_edited=manifest_edited)
        problems += found
        infos.append(_info(name, record, valid=not found and manifest_sha256 is not None))
    return infos, problems


# ------------------------------------------------------------------------------------ approval


def _approval(plan: ReleasePlan, signers: SignersList, valid: list[SignatureInfo],
              signers_path: Path) -> tuple[list[SignatureInfo], list[str]]:
    """The signatures that approve the release, or the reasons it is not approved."""
    reasons: list[str] = []
    if not signers.signers:
        reasons.append(f"no enrolled signers in {signers_path} (enrol signers as described in "
                       "quality/README.md)")
    options: list[list[SignatureInfo]] = []
    for req in plan.required_signatures:
        matching = [s for s in valid if s.role == req.role and s.meaning == req.meaning]
        if not matching:
            reasons.append(f"missing role {req.role} ('{req.meaning}')")
        options.append(matching)
    if reasons:
        return [], reasons
    for combo in itertools.product(*options):
        people = [s.signer for s in combo]
        if not plan.distinct_signers or len(set(people)) == len(people):
            return list(combo), []
    return [], ["the required roles are signed, but not by distinct people as the release plan "
                "requires (distinct_signers: true)"]


def verify_bundle(bundle: Path, signers: Path | None = None, *, plan: Path | None = None,
                  integrity_only: bool = False) -> VerifyReport:
    """Verify ``bundle`` against its manifest, its signatures against the signers list, and its
    approval against the release plan.

    ``signers`` defaults to the nearest ``quality/signers.yaml`` at or above the current folder;
    ``plan`` to ``release-plan.yaml`` beside the signers list.  With ``integrity_only`` neither
    is read and only the files are checked.
    """
    manifest, digest, problems = check_integrity(bundle)
    files = len(manifest.files) if manifest is not None else 0
    if integrity_only:
        return VerifyReport(bundle=str(bundle), manifest_sha256=digest, files=files,
                            problems=problems, signatures=[], approved=False, approved_by=[],
                            not_approved_because=["approval not checked"], integrity_only=True)
    signers_path = signers if signers is not None else default_signers_path()
    listing = load_signers(signers_path)
    release_plan = load_plan(plan if plan is not None else plan_path_for(signers_path), listing)
    current = digest if manifest is not None else None
    edited = any(p.kind == "manifest-edited" for p in problems)
    infos, signature_problems = check_signatures(bundle, listing, current, manifest_edited=edited)
    problems = sorted(problems + signature_problems, key=_problem_order)
    by, reasons = _approval(release_plan, listing, [s for s in infos if s.valid], signers_path)
    approved = not problems and not reasons
    if problems:
        reasons = [f"{len(problems)} verification problem(s)", *reasons]
    return VerifyReport(bundle=str(bundle), manifest_sha256=digest, files=files,
                        problems=problems, signatures=infos, approved=approved,
                        approved_by=by if approved else [], not_approved_because=reasons)
