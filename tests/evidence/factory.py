"""Evidence bundles, signing keys and controlled lists made in temporary folders for the tests.

Nothing here reads the project's own ``quality/`` lists: each test enrols its own signers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from bp2.evidence.keys import KeyPair, generate_key
from bp2.evidence.manifest import MANIFEST_NAME, write_manifest
from bp2.evidence.sign import sign_bundle

PASSPHRASE = b"correct horse battery"
WHEN = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
FILES = {
    "index.html": "<html><body>PASS</body></html>\n",
    "trace/matrix.csv": "SRS,test\nSRS-350,tests/evidence/test_manifest.py\n",
    "validation/VAL-001/result.json": '{"status": "passed"}\n',
    "steps.json": '{"duration_s": 1.5}\n',
}
REVIEWER = "Rita Reviewer"
MANAGER = "Quentin Manager"


def make_bundle(folder: Path, files: dict[str, str] | None = None) -> Path:
    """A bundle with a few files and its manifest (``steps.json`` volatile)."""
    for rel, text in (FILES if files is None else files).items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    write_manifest(folder, volatile=["steps.json"] if files is None else ())
    return folder


def make_key(folder: Path, name: str) -> KeyPair:
    folder.mkdir(parents=True, exist_ok=True)
    return generate_key(folder / f"{name}.pem", PASSPHRASE)


def enrol(name: str, key: KeyPair, roles: list[str]) -> dict[str, Any]:
    return {"name": name, "roles": roles, "fingerprint": key.fingerprint,
            "enrolled_on": "2025-01-02", "enrolled_by": "Quentin Manager"}


PLAN: dict[str, Any] = {
    "format": "bp2-release-plan/1",
    "required_signatures": [{"role": "reviewer", "meaning": "reviewed"},
                            {"role": "quality-manager", "meaning": "approved for release"}],
    "distinct_signers": True,
}


def write_lists(folder: Path, entries: list[dict[str, Any]],
                plan: dict[str, Any] | None = None) -> Path:
    """``signers.yaml`` and ``release-plan.yaml`` in ``folder``; returns the signers list."""
    folder.mkdir(parents=True, exist_ok=True)
    signers = folder / "signers.yaml"
    signers.write_text(yaml.safe_dump({
        "format": "bp2-signers/1",
        "roles": {"reviewer": "reviews the bundle", "quality-manager": "approves the release"},
        "signers": entries,
    }, sort_keys=False), encoding="utf-8")
    (folder / "release-plan.yaml").write_text(yaml.safe_dump(plan or PLAN), encoding="utf-8")
    return signers


@dataclass
class Site:
    """A bundle, two enrolled signers (a reviewer and a quality manager) and the lists."""

    root: Path
    bundle: Path
    signers: Path
    reviewer: KeyPair
    manager: KeyPair

    def sign(self, key: KeyPair, signer: str, role: str, meaning: str,
             when: datetime = WHEN) -> Path:
        return sign_bundle(self.bundle, key.private, signer=signer, role=role, meaning=meaning,
                           passphrase=PASSPHRASE, signers=self.signers, now=when)

    def review(self) -> Path:
        return self.sign(self.reviewer, REVIEWER, "reviewer", "reviewed")

    def approve(self) -> Path:
        return self.sign(self.manager, MANAGER, "quality-manager", "approved for release")


def make_site(root: Path) -> Site:
    keys = root / "keys"
    reviewer, manager = make_key(keys, "rita"), make_key(keys, "quentin")
    signers = write_lists(root / "quality", [
        enrol(REVIEWER, reviewer, ["reviewer"]),
        enrol(MANAGER, manager, ["quality-manager", "reviewer"]),
    ])
    return Site(root=root, bundle=make_bundle(root / "bundle"), signers=signers,
                reviewer=reviewer, manager=manager)


# ------------------------------------------------------------- tamperings of a signed site

def _byte(site: Site) -> None:
    (site.bundle / "index.html").write_text("<html><body>FAIL</body></html>\n")


def _added(site: Site) -> None:
    (site.bundle / "new.txt").write_text("new\n")


def _removed(site: Site) -> None:
    (site.bundle / "steps.json").unlink()


def _renamed(site: Site) -> None:
    (site.bundle / "steps.json").rename(site.bundle / "steps-1.json")


def _symlinked(site: Site) -> None:
    target = site.root / "copy.html"
    target.write_bytes((site.bundle / "index.html").read_bytes())
    (site.bundle / "index.html").unlink()
    (site.bundle / "index.html").symlink_to(target)


def _unlisted(site: Site) -> None:
    text = site.signers.read_text(encoding="utf-8")
    site.signers.write_text(text.replace(site.reviewer.fingerprint, "sha256:" + "0" * 64))


def _wrong_role(site: Site) -> None:
    text = site.signers.read_text(encoding="utf-8")
    site.signers.write_text(text.replace("- quality-manager\n", ""))


def _older_manifest(site: Site) -> None:
    _added(site)
    write_manifest(site.bundle)


def _edited_manifest(site: Site) -> None:
    path = site.bundle / MANIFEST_NAME
    path.write_text(path.read_text(encoding="utf-8").replace('"size":', '"size": '))



TAMPERS: dict[str, Callable[[Site], None]] = {
    "byte": _byte, "added": _added, "removed": _removed, "renamed": _renamed,
    "symlinked": _symlinked, "unlisted": _unlisted, "wrong role": _wrong_role,
    "older manifest": _older_manifest, "edited manifest": _edited_manifest,
}
