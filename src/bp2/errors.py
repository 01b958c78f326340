"""One exception tree for bp2, and the exit-code table every command uses.

::

    Bp2Error                      (root; the CLI catches only this)
    ├── CheckFailed       exit 1  a gate or check ran and said no (trace, QC or release gate)
    ├── UsageError        exit 2  the command line itself is wrong
    ├── InputError        exit 3  a file, field or value the user supplied is wrong
    │   ├── InputProblems             several input problems reported at once
    │   └── PipelineDefinitionError   the pipeline definition disagrees with the code
    └── EnvironmentProblem exit 4  a tool, resource or package is missing or unusable

Anything else that escapes is a bug in bp2: the CLI shows the traceback and exits 70.

Errors carry a ``title`` (what went wrong), a ``hint`` (what to do about it) and where it
happened (``path``, ``line``, ``field``, ``item_id``).  They are built by named constructors
so the same mistake always reads the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from pathlib import Path

IMPLEMENTS = ("SRS-014", "SRS-015")


class ExitCode(IntEnum):
    """The exit codes of every bp2 command, present and future."""

    OK = 0
    CHECK_FAILED = 1
    USAGE = 2
    BAD_INPUT = 3
    ENVIRONMENT = 4
    INTERNAL = 70


EXIT_CODE_TABLE: tuple[tuple[int, str], ...] = (
    (ExitCode.OK, "success"),
    (ExitCode.CHECK_FAILED, "a gate or check ran and failed (trace check, QC gate, release gate)"),
    (ExitCode.USAGE, "the command line is wrong (unknown option, missing argument)"),
    (ExitCode.BAD_INPUT, "an input file, field or value is wrong"),
    (ExitCode.ENVIRONMENT, "a required tool, resource or package is missing or unusable"),
    (ExitCode.INTERNAL, "internal error: a bug in bp2 (please report it with the traceback)"),
)


class Bp2Error(Exception):
    """Root of bp2's errors: a user-facing problem with a title, a fix and a location."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(
        self,
        title: str,
        *,
        hint: str = "",
        path: Path | str | None = None,
        line: int | None = None,
        field: str | None = None,
        item_id: str | None = None,
    ) -> None:
        super().__init__(title)
        self.title = title
        self.hint = hint
        self.path = None if path is None else str(path)
        self.line = line
        self.field = field
        self.item_id = item_id

    @property
    def where(self) -> str:
        """``file:line (field …)`` or an empty string when the error has no location."""
        parts: list[str] = []
        if self.path:
            parts.append(self.path if self.line is None else f"{self.path}:{self.line}")
        elif self.line is not None:
            parts.append(f"line {self.line}")
        if self.field:
            parts.append(f"field '{self.field}'")
        if self.item_id:
            parts.append(f"item {self.item_id}")
        return ", ".join(parts)

    def __str__(self) -> str:
        text = self.title
        if self.where:
            text += f" [{self.where}]"
        if self.hint:
            text += f" — {self.hint}"
        return text


class CheckFailed(Bp2Error):
    """A gate or check ran to completion and its verdict is 'no'."""

    exit_code = ExitCode.CHECK_FAILED


class UsageError(Bp2Error):
    """The command line is wrong."""

    exit_code = ExitCode.USAGE

    @classmethod
    def conflicting_options(cls, first: str, second: str) -> UsageError:
        return cls(
            f"{first} and {second} cannot be used together",
            hint=f"choose one of {first} or {second}",
        )

    @classmethod
    def missing_option(cls, what: str, options: str) -> UsageError:
        return cls(f"{what} is required", hint=f"give {options}")


class InputError(Bp2Error):
    """A file, field or value supplied by the user is wrong."""

    exit_code = ExitCode.BAD_INPUT

    @classmethod
    def missing_file(cls, path: Path | str, role: str) -> InputError:
        return cls(
            f"{role} not found",
            path=path,
            hint="check the path; relative paths are resolved against the file that names them",
        )

    @classmethod
    def checksum_mismatch(
        cls, path: Path | str, expected: str, actual: str, *, item_id: str | None = None
    ) -> InputError:
        return cls(
            f"sha256 mismatch: expected {expected[:12]}…, file has {actual[:12]}…",
            path=path,
            item_id=item_id,
            hint="the file changed since its checksum was recorded; restore the original "
            f"or, if the new file is intended, record sha256 {actual}",
        )

    @classmethod
    def invalid_field(
        cls, path: Path | str, field: str, message: str, *, line: int | None = None
    ) -> InputError:
        return cls(
            f"invalid value: {message}",
            path=path,
            field=field,
            line=line,
            hint="correct the field as described",
        )

    @classmethod
    def outdir_not_empty(cls, outdir: Path) -> InputError:
        return cls(
            "output directory is not empty",
            path=outdir,
            hint="use --resume to continue that run, --force to move it aside and start again, "
            "or choose another --outdir",
        )


class InputProblems(InputError):
    """Several input problems found in one pass, reported together (each with its own location
    and fix) so the user can correct them all before running again."""

    def __init__(self, problems: Sequence[InputError]) -> None:
        self.problems = tuple(problems)
        listed = "\n".join(f"  {n}. {p}" for n, p in enumerate(self.problems, start=1))
        super().__init__(
            f"{len(self.problems)} problems in the inputs:\n{listed}",
            hint="correct each problem listed (each names its file, line or field), then run "
            "again",
        )

    @classmethod
    def combine(cls, problems: Sequence[InputError]) -> InputError:
        """The one problem itself, or all of them as one InputProblems."""
        if not problems:
            raise ValueError("no problems to combine")
        return problems[0] if len(problems) == 1 else cls(problems)


class PipelineDefinitionError(InputError):
    """The pipeline definition cannot be loaded or disagrees with the installed stages."""


class EnvironmentProblem(Bp2Error):
    """A required tool, resource or package is missing or unusable."""

    exit_code = ExitCode.ENVIRONMENT

    @classmethod
    def tool_missing(cls, tool: str, install: str) -> EnvironmentProblem:
        return cls(f"required tool '{tool}' was not found on PATH", hint=f"install it: {install}")

    @classmethod
    def tool_failed(cls, tool: str, returncode: int, stderr: str) -> EnvironmentProblem:
        tail = stderr.strip().splitlines()[-3:] if stderr.strip() else []
        detail = (": " + " | ".join(tail)) if tail else ""
        return cls(
            f"'{tool}' exited with status {returncode}{detail}",
            hint="see the stage log for the full tool output",
        )
