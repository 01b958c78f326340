"""A content-addressed cache for the slow, pure steps of a trace command: parsing YAML item files
and harvesting markers from source files (``.bp2-results/trace-cache.json``).

A value is stored under ``<namespace>:<sha256 of the input bytes>``, and each namespace names the
exact code that computes it (the YAML parser's version; the sha256 of the harvester's own source),
so the cache can only return what the same code would compute from the same bytes — an edited
file, or an edited harvester, is simply computed again.  Only values made of plain JSON types are
stored.  A damaged cache file is ignored and rebuilt; one that cannot be written is skipped.
``BP2_TRACE_CACHE=0`` turns the cache off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from bp2.fileio import write_text_atomic

IMPLEMENTS = ("SRS-049",)

CACHE_PATH = Path(".bp2-results") / "trace-cache.json"
CACHE_FORMAT = "bp2-trace-cache/1"

T = TypeVar("T")


def plain(value: Any) -> bool:
    """True when ``value`` survives a JSON round trip unchanged (str keys, JSON scalars)."""
    if value is None or type(value) in (str, bool, int, float):
        return True
    if type(value) is list:
        return all(plain(v) for v in value)
    if type(value) is dict:
        return all(type(k) is str and plain(v) for k, v in value.items())
    return False


def code_namespace(name: str, source_file: str) -> str:
    """A namespace tied to the code in ``source_file`` (a module's ``__file__``)."""
    digest = hashlib.sha256(Path(source_file).read_bytes()).hexdigest()[:16]
    return f"{name}-{digest}"


class ContentCache:
    """Values computed from file contents, keyed by namespace and content hash."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[str, Any] = {}
        self.used: set[str] = set()
        self.namespaces: set[str] = set()
        self.added = 0
        if path is not None and path.is_file():
            try:
                doc = json.loads(path.read_bytes())
            except (OSError, ValueError):
                doc = None  # damaged: rebuilt on save
            if isinstance(doc, dict) and doc.get("format") == CACHE_FORMAT and isinstance(
                    doc.get("entries"), dict):
                self.entries = doc["entries"]

    @classmethod
    def for_root(cls, root: Path) -> ContentCache:
        enabled = os.environ.get("BP2_TRACE_CACHE", "1") != "0"
        return cls(root / CACHE_PATH if enabled else None)

    @classmethod
    def disabled(cls) -> ContentCache:
        return cls(None)

    def get(self, namespace: str, data: bytes, compute: Callable[[bytes], T]) -> T:
        """``compute(data)``, or the value stored for the same namespace and bytes.

        Treat the result as read-only: equal inputs share one cached value.  Exceptions from
        ``compute`` propagate and nothing is stored.
        """
        if self.path is None:
            return compute(data)
        key = f"{namespace}:{hashlib.sha256(data).hexdigest()}"
        self.used.add(key)
        self.namespaces.add(namespace)
        if key in self.entries:
            value: T = self.entries[key]
            return value
        value = compute(data)
        if plain(value):
            self.entries[key] = value
            self.added += 1
        return value

    def save(self) -> None:
        """Write the cache if anything was added, dropping unused entries of the namespaces used
        this time (so it does not grow without bound)."""
        if self.path is None or not self.added:
            return
        kept = {k: v for k, v in self.entries.items()
                if k in self.used or k.split(":", 1)[0] not in self.namespaces}
        doc = {"format": CACHE_FORMAT, "entries": dict(sorted(kept.items()))}
        with contextlib.suppress(OSError):  # a read-only checkout still works, only slower
            write_text_atomic(self.path, json.dumps(doc, separators=(",", ":")))
