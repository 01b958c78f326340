"""The records a release keeps: each step as it ran, each gate reason, and the decision."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict

IMPLEMENTS = ("SRS-370", "SRS-383")

StepStatus = Literal["ok", "failed", "not-run"]


class StepRecord(BaseModel):
    """One step of the release as it ran: what, when, how long, and how it ended."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    title: str
    command: list[str]
    started: str | None
    finished: str | None
    duration_s: float | None
    exit_status: int | None
    status: StepStatus
    summary: str
    log: str | None = None


class ReasonKind(StrEnum):
    """Why a release can fail; each kind has its own line on the FAIL page."""

    DIRTY_TREE = "dirty-tree"
    STEP_FAILED = "step-failed"
    TRACE_ERROR = "trace-error"
    TEST_FAILED = "test-failed"
    MISSING_RESULT = "missing-result"
    VALIDATION_FAILED = "validation-failed"
    RESIDUAL_RISK = "residual-risk"
    STAGE_NOT_BUMPED = "stage-not-bumped"
    NOT_REVERIFIED = "not-reverified"
    SOUP_MISMATCH = "soup-mismatch"


REASON_TITLES: dict[ReasonKind, str] = {
    ReasonKind.DIRTY_TREE: "the git work tree is not clean",
    ReasonKind.STEP_FAILED: "a release step failed",
    ReasonKind.TRACE_ERROR: "the trace check found an error",
    ReasonKind.TEST_FAILED: "a test failed",
    ReasonKind.MISSING_RESULT: "a result is missing",
    ReasonKind.VALIDATION_FAILED: "a validation acceptance criterion was not met",
    ReasonKind.RESIDUAL_RISK: "a residual risk is not acceptable",
    ReasonKind.STAGE_NOT_BUMPED: "a stage changed without a version bump",
    ReasonKind.NOT_REVERIFIED: "a changed stage's requirement was not re-verified",
    ReasonKind.SOUP_MISMATCH: "the installed software differs from the lock or SOUP list",
}


@dataclass(frozen=True, order=True)
class Reason:
    """One reason the release fails, with the bundle page that shows the evidence."""

    kind: ReasonKind
    message: str
    item: str | None = None
    link: str | None = None

    @property
    def title(self) -> str:
        return REASON_TITLES[self.kind]


@dataclass(frozen=True)
class Note:
    """Something a reviewer must see that does not fail the release (e.g. a site protocol)."""

    message: str
    item: str | None = None
    link: str | None = None


@dataclass
class Decision:
    reasons: list[Reason] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.reasons

    @property
    def word(self) -> str:
        return "PASS" if self.passed else "FAIL"
