"""``MANIFEST.json``: the sha256 and size of every file of an evidence bundle.

Format (``bp2-evidence-manifest/1``), written as canonical JSON (keys sorted, no insignificant
whitespace, UTF-8, one final newline) so that the same tree always gives the same bytes::

    {"files":[{"path":"index.html","sha256":"…","size":1234},…],
     "format":"bp2-evidence-manifest/1","seal":"…","volatile":["steps.json"]}

* ``files``: every regular file under the bundle except ``MANIFEST.json`` and ``signatures/`` at
  its top, by relative POSIX path, sorted by path (Unicode code points).  Empty folders are not
  recorded.  Symbolic links and other non-regular files are refused.
* ``volatile``: the files whose content legitimately differs between two releases of the same
  commit (step times, durations).  They are listed in ``files`` and hashed like every other file;
  the list only tells a reader which differences between two releases are expected.
* ``seal``: the sha256 of the canonical JSON of the three other keys.  It catches a manifest edited
  by hand or by another tool; protection against a deliberate edit comes from the signatures,
  which cover the sha256 of the whole file.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bp2.errors import InputError, InputProblems
from bp2.fileio import canonical_json, sha256_bytes, sha256_file, write_bytes_atomic

IMPLEMENTS = ("SRS-350", "SRS-351")

MANIFEST_NAME = "MANIFEST.json"
SIGNATURES_DIR = "signatures"
FORMAT: Literal["bp2-evidence-manifest/1"] = "bp2-evidence-manifest/1"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
_EXCLUDED_TOP = frozenset({MANIFEST_NAME, SIGNATURES_DIR})


class FileEntry(BaseModel):
    """One file of the bundle: relative POSIX path, sha256 of its bytes, size in bytes."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    path: str = Field(min_length=1)
    sha256: str = Field(pattern=SHA256_PATTERN)
    size: int = Field(ge=0)

    @field_validator("path")
    @classmethod
    def _relative(cls, value: str) -> str:
        parts = value.split("/")
        if value.startswith("/") or any(p in ("", ".", "..") for p in parts):
            raise ValueError(f"'{value}' is not a normalised relative POSIX path")
        if parts[0] in _EXCLUDED_TOP:
            raise ValueError(f"'{value}' is outside what the manifest covers")
        return value


class Manifest(BaseModel):
    """The parsed ``MANIFEST.json``."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    format: Literal["bp2-evidence-manifest/1"]
    files: tuple[FileEntry, ...]
    volatile: tuple[str, ...]
    seal: str = Field(pattern=SHA256_PATTERN)

    @model_validator(mode="after")
    def _ordered(self) -> Manifest:
        paths = [entry.path for entry in self.files]
        if paths != sorted(set(paths)):
            raise ValueError("files are not sorted by path, or a path is listed twice")
        if list(self.volatile) != sorted(set(self.volatile)):
            raise ValueError("volatile is not sorted, or a path is listed twice")
        unknown = sorted(set(self.volatile) - set(paths))
        if unknown:
            raise ValueError(f"volatile names files the manifest does not list: {unknown}")
        return self

    def by_path(self) -> dict[str, FileEntry]:
        return {entry.path: entry for entry in self.files}


def _content(files: Sequence[FileEntry], volatile: Sequence[str]) -> dict[str, object]:
    return {
        "files": [entry.model_dump() for entry in files],
        "format": FORMAT,
        "volatile": list(volatile),
    }


def compute_seal(files: Sequence[FileEntry], volatile: Sequence[str]) -> str:
    """The sha256 of the canonical JSON of the manifest without its seal."""
    return sha256_bytes(canonical_json(_content(files, volatile)).encode("utf-8"))


def render(manifest: Manifest) -> bytes:
    """The canonical bytes of a manifest (what ``MANIFEST.json`` must contain, exactly)."""
    doc = {**_content(manifest.files, manifest.volatile), "seal": manifest.seal}
    return (canonical_json(doc) + "\n").encode("utf-8")


@dataclass(frozen=True)
class DiskEntry:
    """A path found under the bundle (outside MANIFEST.json and signatures/)."""

    path: str
    kind: Literal["file", "symlink", "other"]
    detail: str = ""  # symlink target, or why the entry is not a regular file


def _entry(full: Path, rel: str) -> DiskEntry:
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return DiskEntry(rel, "other", "its name is not valid UTF-8")
    mode = full.lstat().st_mode
    if stat.S_ISLNK(mode):
        return DiskEntry(rel, "symlink", str(full.readlink()))
    if stat.S_ISREG(mode):
        return DiskEntry(rel, "file")
    if stat.S_ISDIR(mode):  # only reached for the top-level names handled by the caller
        return DiskEntry(rel, "other", "a folder")
    return DiskEntry(rel, "other", "not a regular file (device, FIFO or socket)")


def scan_bundle(bundle: Path) -> list[DiskEntry]:
    """Every file, symlink and special file under ``bundle`` (symlinks are not followed), sorted
    by path; ``MANIFEST.json`` and ``signatures/`` at the top are left out."""
    found: list[DiskEntry] = []
    for folder, dirnames, filenames in os.walk(bundle, followlinks=False):
        here = Path(folder)
        rel_folder = here.relative_to(bundle).as_posix()
        prefix = "" if rel_folder == "." else rel_folder + "/"
        for name in [*dirnames, *filenames]:
            rel = prefix + name
            if not prefix and name in _EXCLUDED_TOP:
                continue
            full = here / name
            if name in dirnames and not full.is_symlink():
                continue  # os.walk descends into it
            found.append(_entry(full, rel))
        dirnames[:] = [d for d in dirnames if prefix or d not in _EXCLUDED_TOP]
    return sorted(found, key=lambda entry: entry.path)


def hash_entry(bundle: Path, path: str) -> FileEntry:
    full = bundle / path
    return FileEntry(path=path, sha256=sha256_file(full), size=full.stat().st_size)


def build_manifest(bundle: Path, volatile: Iterable[str] = ()) -> Manifest:
    """Hash the bundle into a manifest; refuse symlinks, special files and unknown volatile
    paths, naming each one."""
    if not bundle.is_dir():
        raise InputError.missing_file(bundle, "evidence bundle folder")
    entries = scan_bundle(bundle)
    problems = [
        InputError(
            f"the evidence bundle holds a symbolic link ({e.path} → {e.detail})"
            if e.kind == "symlink"
            else f"the evidence bundle holds {e.path}, which is {e.detail}",
            path=bundle / e.path,
            hint="a bundle must hold plain files only: copy the file's content in place of the "
            "link, or remove it",
        )
        for e in entries
        if e.kind != "file"
    ]
    paths = {e.path for e in entries if e.kind == "file"}
    wanted = sorted(set(volatile))
    problems += [
        InputError.invalid_field(
            bundle, "volatile",
            f"'{v}' is not a file of the bundle (give its relative POSIX path, e.g. 'steps.json')",
        )
        for v in wanted
        if v not in paths
    ]
    if problems:
        raise InputProblems.combine(problems)
    files = tuple(hash_entry(bundle, p) for p in sorted(paths))
    return Manifest(format=FORMAT, files=files, volatile=tuple(wanted),
                    seal=compute_seal(files, wanted))


def write_manifest(bundle: Path, *, volatile: Sequence[str] = ()) -> Path:
    """Write ``bundle/MANIFEST.json`` (atomically) and return its path.

    ``volatile``: relative paths of files whose content legitimately changes between two releases
    of the same commit; they are hashed too.  Rewriting the manifest of a signed bundle leaves its
    signatures over the older manifest, which ``verify`` then reports.
    """
    manifest = build_manifest(bundle, volatile)
    target = bundle / MANIFEST_NAME
    if target.is_symlink():
        target.unlink()
    write_bytes_atomic(target, render(manifest))
    return target


def parse_manifest(raw: bytes) -> tuple[Manifest | None, list[str]]:
    """The manifest in ``raw`` and what is wrong with it (empty when bp2 wrote it untouched).

    ``None`` when it cannot be read as a manifest at all.
    """
    try:
        json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, [f"MANIFEST.json is not valid JSON ({exc})"]
    try:
        manifest = Manifest.model_validate_json(raw)  # strict: JSON types exactly
    except ValidationError as exc:
        fields = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}"
            for err in exc.errors()
        )
        return None, [f"MANIFEST.json is not a valid bp2 manifest ({fields})"]
    defects: list[str] = []
    if compute_seal(manifest.files, manifest.volatile) != manifest.seal:
        defects.append("MANIFEST.json's entries no longer match its seal: the manifest was edited "
                       "after bp2 wrote it")
    elif render(manifest) != raw:
        defects.append("MANIFEST.json is not in the canonical form bp2 writes (its JSON text was "
                       "altered)")
    return manifest, defects

