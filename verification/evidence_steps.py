"""Step definitions of ``features/evidence.feature`` (imported into ``conftest.py``).

The Given steps build, in the scenario's folder, an evidence bundle (``bundle/``), two keys
(``keys/rita.pem``, ``keys/quentin.pem``, passphrase in ``passphrase.txt``) and the controlled
lists ``quality/signers.yaml`` and ``quality/release-plan.yaml`` enrolling Rita Reviewer
(reviewer) and Quentin Manager (quality-manager, reviewer).  The shared When/Then steps of
``conftest.py`` run ``bp2`` there and check its exit code and output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pytest_bdd import given, parsers
from tests.evidence.factory import PASSPHRASE, TAMPERS, Site, make_site


class _World(Protocol):
    cwd: Path


def _site(world: _World) -> Site:
    site = getattr(world, "evidence_site", None)
    assert isinstance(site, Site), "no evidence bundle was built"
    return site


@given("an evidence bundle with its manifest, a reviewer and a quality manager enrolled")
def evidence_site(world: _World) -> None:
    site = make_site(world.cwd)
    (world.cwd / "passphrase.txt").write_bytes(PASSPHRASE + b"\n")
    world.evidence_site = site  # type: ignore[attr-defined]


@given("the bundle is reviewed and approved for release")
def reviewed_and_approved(world: _World) -> None:
    _site(world).review()
    _site(world).approve()


@given(parsers.parse("the bundle is tampered with: {how}"))
def tampered(world: _World, how: str) -> None:
    TAMPERS[how](_site(world))


@given(parsers.parse('an unprotected private key "{name}"'))
def unprotected_key(world: _World, name: str) -> None:
    (world.cwd / name).write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))


# what ``from verification.evidence_steps import *`` hands conftest.py: the step fixtures only
__all__ = [name for name in dir() if name.startswith("pytestbdd_")]
