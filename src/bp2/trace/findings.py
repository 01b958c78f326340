"""Findings are data: what a check found, how bad it is, about which item, and how to fix it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from bp2.trace.ids import id_sort_key

IMPLEMENTS = ("SRS-045",)


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"

    @property
    def rank(self) -> int:
        return 0 if self is Severity.ERROR else 1


@dataclass(frozen=True)
class Finding:
    severity: Severity
    check_id: str
    item_id: str | None
    message: str
    hint: str
    where: str | None = None  # file[:line] when the finding is about a place rather than an item

    @property
    def sort_key(self) -> tuple[int, str, tuple[int, int, str], str, str]:
        return (self.severity.rank, self.check_id, id_sort_key(self.item_id or ""),
                self.where or "", self.message)

    def as_dict(self) -> dict[str, str | None]:
        return {
            "severity": str(self.severity),
            "check": self.check_id,
            "item": self.item_id,
            "message": self.message,
            "hint": self.hint,
            "where": self.where,
        }


@dataclass(frozen=True)
class CheckInfo:
    """What a check is called, how severe its findings are, and a one-line summary."""

    id: str
    severity: Severity
    title: str

    def finding(self, item_id: str | None, message: str, hint: str,
                where: str | None = None) -> Finding:
        return Finding(self.severity, self.id, item_id, message, hint, where)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Errors first, then by check, item (in ID order), place and message; duplicates dropped."""
    return sorted(set(findings), key=lambda f: f.sort_key)
