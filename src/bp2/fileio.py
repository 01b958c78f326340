"""File I/O at the edges: checksums, canonical JSON and atomic (temporary-name-then-rename) writes.

Every file bp2 produces is written under a temporary name in the same directory and renamed into
place only when complete, so an interrupted run never leaves a file that looks finished.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

IMPLEMENTS = ("SRS-005", "SRS-009")

TMP_MARKER = ".bp2tmp"
_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes, streamed."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no insignificant whitespace: equal values give equal text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def pretty_json(value: Any) -> str:
    """Deterministic, human-readable JSON (sorted keys, 2-space indent, final newline)."""
    return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False, default=str) + "\n"


def temporary_sibling(path: Path) -> Path:
    """A unique temporary name beside ``path`` that keeps its suffixes readable for tools.

    The random part goes before the suffixes (``x.bp2tmp-ab12.bam``) so that tools which infer
    the format from the extension (htslib) still do so.
    """
    name = path.name
    stem, dot, rest = name.partition(".")
    token = secrets.token_hex(4)
    tmp_name = f"{stem}{TMP_MARKER}-{token}{dot}{rest}"
    return path.with_name(tmp_name)


def is_temporary(path: Path) -> bool:
    return TMP_MARKER in path.name


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path to write; rename it onto ``path`` only if the block succeeds.

    On error the temporary file is removed and ``path`` is left as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_sibling(path)
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"atomic write of {path} produced no file")
        _fsync_file(tmp)
        tmp.replace(path)
        _fsync_dir(path.parent)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_text_atomic(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes_atomic(path: Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_json_atomic(path: Path, value: Any) -> None:
    write_text_atomic(path, pretty_json(value))


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # some filesystems do not support fsync on directories
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
