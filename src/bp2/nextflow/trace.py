"""Read Nextflow's trace file (``-with-trace``): the scheduling record of every task.

The trace is a tab-separated file with a header naming its fields (Nextflow's documented trace
fields: ``task_id``, ``hash``, ``native_id``, ``process``, ``tag``, ``name``, ``status``,
``exit``, ``submit``, ``start``, ``complete``, ``duration``, ``realtime``, ``cpus``,
``memory``, ``peak_rss``, ``queue`` …).  bp2's config asks for raw values (times in epoch
milliseconds, durations in milliseconds, memory in bytes), but the human-readable form
(``2024-03-01 10:00:01.250``, ``1m 2s``, ``4 GB``) is read as well, so a trace written with
another configuration is still understood.  A missing value is ``-``.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from bp2.errors import InputError

IMPLEMENTS = ("SRS-407",)

REQUIRED = ("process", "tag", "status")

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|d|h|m|s)")
_DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_MEMORY = re.compile(r"^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|PB)?$", re.IGNORECASE)
_MEMORY_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4, "PB": 1024**5}


class TraceRecord(BaseModel):
    """One row of the trace: one attempt of one task."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    task_id: str | None
    hash: str | None
    native_id: str | None
    process: str
    tag: str | None
    name: str | None
    status: str
    exit: int | None
    attempt: int | None
    submit: str | None  # ISO 8601, UTC
    start: str | None
    complete: str | None
    duration_s: float | None
    realtime_s: float | None
    cpus: int | None
    memory_bytes: int | None
    peak_rss_bytes: int | None
    queue: str | None
    workdir: str | None

    @property
    def stage(self) -> str:
        """The bp2 stage of the task (process ALIGN, or BP2:ALIGN inside a named workflow)."""
        return self.process.rsplit(":", 1)[-1].lower()


def _value(row: dict[str, str], field: str) -> str | None:
    value = row.get(field)
    if value is None:
        return None
    value = value.strip()
    return None if value in ("", "-") else value


def parse_duration(text: str | None) -> float | None:
    """Seconds from raw milliseconds (``61250``) or Nextflow's form (``1m 1s``, ``250ms``)."""
    if text is None:
        return None
    if re.fullmatch(r"\d+", text):
        return int(text) / 1000.0
    parts = _DURATION.findall(text.replace(" ", ""))
    if not parts or "".join(n + u for n, u in parts) != text.replace(" ", ""):
        raise ValueError(f"not a duration: {text!r}")
    return round(sum(float(n) * _DURATION_UNITS[u] for n, u in parts), 3)


def parse_memory(text: str | None) -> int | None:
    """Bytes from raw bytes (``4294967296``) or Nextflow's form (``4 GB``, ``29.8 MB``)."""
    if text is None:
        return None
    match = _MEMORY.match(text)
    if match is None:
        raise ValueError(f"not a memory size: {text!r}")
    number, unit = match.groups()
    return int(float(number) * _MEMORY_UNITS[(unit or "B").upper()])


def parse_time(text: str | None) -> str | None:
    """ISO 8601 (UTC) from raw epoch milliseconds or ``YYYY-MM-DD HH:MM:SS.mmm``."""
    if text is None:
        return None
    if re.fullmatch(r"\d+", text):
        moment = datetime.fromtimestamp(int(text) / 1000.0, tz=UTC)
    else:
        try:
            moment = datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)
        except ValueError:
            raise ValueError(f"not a timestamp: {text!r}") from None
    return moment.isoformat(timespec="milliseconds")


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError(f"not an integer: {text!r}")
    return int(text)


def parse_trace(text: str, path: Path) -> list[TraceRecord]:
    """Every row of a trace file; a malformed row is an InputError naming its line and field."""
    reader = csv.DictReader(io.StringIO(text), delimiter="\t")
    header = reader.fieldnames or []
    missing = [f for f in REQUIRED if f not in header]
    if missing:
        raise InputError(
            f"the trace file has no {', '.join(missing)} column(s)",
            path=path, line=1,
            hint="run Nextflow with bp2's nextflow.config, whose trace.fields names them",
        )
    records = []
    for line, row in enumerate(reader, start=2):
        field = "?"
        try:
            field = "exit"
            exit_code = _int(_value(row, "exit"))
            field = "attempt"
            attempt = _int(_value(row, "attempt"))
            field = "cpus"
            cpus = _int(_value(row, "cpus"))
            field = "submit/start/complete"
            submit, start, complete = (parse_time(_value(row, f))
                                       for f in ("submit", "start", "complete"))
            field = "duration/realtime"
            duration, realtime = (parse_duration(_value(row, f)) for f in ("duration", "realtime"))
            field = "memory/peak_rss"
            memory, peak = (parse_memory(_value(row, f)) for f in ("memory", "peak_rss"))
        except ValueError as exc:
            raise InputError(f"unreadable trace value: {exc}", path=path, line=line, field=field,
                             hint="the trace must be Nextflow's tab-separated trace file",
                             ) from None
        process, status = _value(row, "process"), _value(row, "status")
        if process is None or status is None:
            raise InputError("trace row without process or status", path=path, line=line,
                             hint="the trace must be Nextflow's tab-separated trace file")
        records.append(TraceRecord(
            task_id=_value(row, "task_id"), hash=_value(row, "hash"),
            native_id=_value(row, "native_id"), process=process, tag=_value(row, "tag"),
            name=_value(row, "name"), status=status, exit=exit_code, attempt=attempt,
            submit=submit, start=start, complete=complete, duration_s=duration,
            realtime_s=realtime, cpus=cpus, memory_bytes=memory, peak_rss_bytes=peak,
            queue=_value(row, "queue"), workdir=_value(row, "workdir"),
        ))
    return records


def read_trace(path: Path) -> list[TraceRecord]:
    if not path.is_file():
        raise InputError.missing_file(path, "Nextflow trace file")
    return parse_trace(path.read_text(encoding="utf-8"), path)


def final_attempts(records: list[TraceRecord]) -> dict[tuple[str, str], TraceRecord]:
    """The last attempt of each (stage, unit) task: a retried task's final row wins."""
    latest: dict[tuple[str, str], TraceRecord] = {}
    for record in records:
        key = (record.stage, record.tag or "")
        previous = latest.get(key)
        if previous is None or (record.attempt or 0) >= (previous.attempt or 0):
            latest[key] = record
    return latest
