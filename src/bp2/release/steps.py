"""Running a release step for real and recording it: command, start, end, exit status, log.

Each step's output goes to ``logs/<step>.log`` in the bundle.  Nothing is reused from an earlier
run: every step writes into the fresh bundle being built.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from bp2.fileio import write_text_atomic
from bp2.release.model import StepRecord, StepStatus

IMPLEMENTS = ("SRS-370",)

STEP_TIMEOUT_S = 6 * 3600


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def expand(command: Sequence[str], values: dict[str, str]) -> list[str]:
    """The command with ``{python}``, ``{root}``, ``{results}``, ``{outdir}`` filled in."""
    out = []
    for token in command:
        for key, value in values.items():
            token = token.replace("{" + key + "}", value)
        out.append(token)
    return out


def step_env(commit_epoch: int) -> dict[str, str]:
    """The environment of a step: dates from the commit, hash seed fixed."""
    env = dict(os.environ)
    env.update({"SOURCE_DATE_EPOCH": str(commit_epoch), "PYTHONHASHSEED": "0",
                "BP2_RELEASE": "1"})
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # compiled modules are git-ignored; reuse them
    env.pop("PYTEST_ADDOPTS", None)  # the step's command line says everything
    return env


def run_command(name: str, title: str, command: list[str], cwd: Path, log: Path,
                log_rel: str, env: dict[str, str],
                judge: Callable[[int], tuple[StepStatus, str]]) -> StepRecord:
    """Run ``command`` in ``cwd``; its stdout and stderr go to ``log``; ``judge`` maps the exit
    status to the step's status and summary."""
    started, t0 = _now(), time.monotonic()
    try:
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                              errors="replace", check=False, timeout=STEP_TIMEOUT_S)
        status_code, output = done.returncode, done.stdout + done.stderr
    except FileNotFoundError as exc:
        status_code, output = 127, f"cannot run {command[0]}: {exc}\n"
    except subprocess.TimeoutExpired:
        status_code, output = 124, f"timed out after {STEP_TIMEOUT_S} s\n"
    duration = round(time.monotonic() - t0, 3)
    finished = _now()
    header = f"$ {' '.join(command)}\n# cwd: {cwd}\n# exit status: {status_code}\n\n"
    write_text_atomic(log, header + output)
    status, summary = judge(status_code)
    return StepRecord(name=name, title=title, command=command, started=started,
                      finished=finished, duration_s=duration, exit_status=status_code,
                      status=status, summary=summary, log=log_rel)


def run_inline(name: str, title: str, command: list[str],
               action: Callable[[], tuple[StepStatus, str]]) -> StepRecord:
    """Run a step inside this process (the trace check, the SOUP inventory)."""
    started, t0 = _now(), time.monotonic()
    status, summary = action()
    return StepRecord(name=name, title=title, command=command, started=started,
                      finished=_now(), duration_s=round(time.monotonic() - t0, 3),
                      exit_status=0 if status == "ok" else 1, status=status, summary=summary)


def not_run(name: str, title: str, command: list[str], why: str) -> StepRecord:
    return StepRecord(name=name, title=title, command=command, started=None, finished=None,
                      duration_s=None, exit_status=None, status="not-run", summary=why)


def python() -> str:
    return sys.executable
