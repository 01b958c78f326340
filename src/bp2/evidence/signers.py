"""The controlled lists in ``quality/``: who may sign (``signers.yaml``) and which signatures a
release needs (``release-plan.yaml``).

They are the trust anchor of verification, so they are read from the project (under change
control), never from the bundle being verified.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bp2.errors import InputError, InputProblems
from bp2.evidence.keys import FINGERPRINT_PATTERN, fingerprint, load_public_pem
from bp2.yamlio import load_model

IMPLEMENTS = ("SRS-361",)

SIGNERS_ROLE = "signers list"
PLAN_ROLE = "release plan"
_Name = Field(min_length=1, pattern=r"\S")


class Signer(BaseModel):
    """One enrolled key: its owner, the roles it may sign in, and who enrolled it when."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = _Name
    roles: list[str] = Field(min_length=1)
    fingerprint: str = Field(pattern=FINGERPRINT_PATTERN)
    public_key: str | None = None
    enrolled_on: date
    enrolled_by: str = _Name


class SignersList(BaseModel):
    """``quality/signers.yaml``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["bp2-signers/1"]
    roles: dict[str, str] = Field(min_length=1, description="role -> what it is responsible for")
    signers: list[Signer] = Field(default_factory=list)

    def by_fingerprint(self) -> dict[str, Signer]:
        return {s.fingerprint: s for s in self.signers}


class RequiredSignature(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    role: str = _Name
    meaning: str = _Name


class ReleasePlan(BaseModel):
    """``quality/release-plan.yaml``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["bp2-release-plan/1"]
    required_signatures: list[RequiredSignature] = Field(min_length=1)
    distinct_signers: bool = True


def load_signers(path: Path) -> SignersList:
    """Read and check the signers list; every problem names its field."""
    listing = load_model(SignersList, path, SIGNERS_ROLE)
    problems: list[InputError] = []
    seen: dict[str, int] = {}
    for n, signer in enumerate(listing.signers):
        where = f"signers.{n}"
        for role in signer.roles:
            if role not in listing.roles:
                problems.append(InputError.invalid_field(
                    path, f"{where}.roles",
                    f"'{signer.name}' is given role '{role}', which 'roles' does not define "
                    f"(defined: {', '.join(sorted(listing.roles))})"))
        if signer.fingerprint in seen:
            problems.append(InputError.invalid_field(
                path, f"{where}.fingerprint",
                f"the key of '{signer.name}' is already enrolled as "
                f"signers.{seen[signer.fingerprint]} (one key, one person)"))
        seen.setdefault(signer.fingerprint, n)
        if signer.public_key is not None:
            try:
                actual = fingerprint(load_public_pem(signer.public_key))
            except ValueError as exc:
                problems.append(InputError.invalid_field(path, f"{where}.public_key", str(exc)))
            else:
                if actual != signer.fingerprint:
                    problems.append(InputError.invalid_field(
                        path, f"{where}.fingerprint",
                        f"the public key of '{signer.name}' has fingerprint {actual}, not the one "
                        "listed"))
    if problems:
        raise InputProblems.combine(problems)
    return listing


def load_plan(path: Path, signers: SignersList | None = None) -> ReleasePlan:
    """Read the release plan; with ``signers``, each required role must be one it defines."""
    plan = load_model(ReleasePlan, path, PLAN_ROLE)
    if signers is not None:
        problems = [
            InputError.invalid_field(
                path, f"required_signatures.{n}.role",
                f"role '{req.role}' is not defined in the signers list "
                f"(defined: {', '.join(sorted(signers.roles))})")
            for n, req in enumerate(plan.required_signatures)
            if req.role not in signers.roles
        ]
        if problems:
            raise InputProblems.combine(problems)
    return plan


def default_signers_path(start: Path | None = None) -> Path:
    """``quality/signers.yaml`` of the nearest folder at or above ``start`` (default: the current
    folder) that has one."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "quality" / "signers.yaml"
        if candidate.is_file():
            return candidate
    raise InputError(
        "no signers list found: no quality/signers.yaml in this folder or any folder above it",
        path=here,
        hint="run the command inside the project, or give --signers quality/signers.yaml",
    )


def plan_path_for(signers: Path) -> Path:
    """The release plan kept beside the signers list (``quality/release-plan.yaml``)."""
    return signers.with_name("release-plan.yaml")
