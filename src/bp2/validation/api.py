"""``bp2 validate``: execute validation protocols and write their records.

::

    records = validate(root, ["VAL-003"], outdir)   # one protocol
    records = validate(root, None, outdir)          # every validation/VAL-*.yaml

Each protocol writes ``outdir/<VAL-ID>/result.json``; ``outdir/index.json`` lists every record
written.  A single protocol with bad data (a missing file, a sha256 mismatch) raises InputError
(exit 3) and leaves no record; under ``--all`` the protocol is recorded as failed with the error
as its reason, the others still run, and the error is raised once the index is written.  A
failed criterion raises CheckFailed (exit 1) after the records are written.
"""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from bp2 import __version__
from bp2.errors import Bp2Error, CheckFailed, InputError
from bp2.validation.execute import execute
from bp2.validation.protocol import list_protocols, load_protocol
from bp2.validation.record import (
    ValidationRecord,
    load_records,
    record_path,
    write_index,
    write_record,
)

IMPLEMENTS = ("SRS-333", "SRS-338")


def find_root(start: Path | None = None) -> Path:
    """The nearest folder (from ``start``, default the working directory) holding validation/."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "validation").is_dir():
            return folder
    raise InputError("no validation/ folder found here or in any parent folder", path=here,
                     hint="run inside the project or give --project ROOT")


def validate(root: Path, protocol_ids: list[str] | None, outdir: Path, *,
             test_data: Path | None = None, threads: int | None = None,
             keep_work: bool = False) -> list[ValidationRecord]:
    """Execute the protocols (all when ``protocol_ids`` is None); see the module docstring."""
    run_all = protocol_ids is None
    ids = list_protocols(root) if protocol_ids is None else protocol_ids
    outdir.mkdir(parents=True, exist_ok=True)
    # every protocol file is checked before anything runs
    protocols = [load_protocol(root, pid) for pid in ids]
    records: list[ValidationRecord] = []
    errors: list[tuple[str, Bp2Error]] = []
    for protocol in protocols:
        started = datetime.now(UTC)
        t0 = time.perf_counter()
        try:
            record = execute(protocol, root, outdir, test_data=test_data, threads=threads,
                             keep_work=keep_work)
        except Bp2Error as err:
            shutil.rmtree(outdir / protocol.id, ignore_errors=True)
            if not run_all:
                raise
            errors.append((protocol.id, err))
            record = ValidationRecord(
                protocol_id=protocol.id, title=protocol.item.title,
                validates=[link.id for link in protocol.item.validates], status="failed",
                reason=f"not executed to completion: {err}", pipeline_version="not run",
                bp2_version=__version__, protocol_sha256=protocol.sha256,
                started=started.isoformat(timespec="seconds"),
                finished=datetime.now(UTC).isoformat(timespec="seconds"),
                duration_s=round(time.perf_counter() - t0, 3))
        write_record(outdir, record)
        records.append(record)
    # the index lists every record in outdir (earlier single-protocol runs included)
    existing = {r.protocol_id: r for r in _existing(outdir)}
    existing.update({r.protocol_id: r for r in records})
    write_index(outdir, list(existing.values()))
    if errors:
        first_id, first = errors[0]
        raise type(first)(
            f"{len(errors)} protocol(s) could not be executed: "
            + "; ".join(f"{pid}: {err.title}" for pid, err in errors),
            path=first.path, item_id=first_id, hint=first.hint)
    failed = [r for r in records if r.status == "failed"]
    if failed:
        raise CheckFailed(
            f"{len(failed)} validation protocol(s) failed: "
            + "; ".join(f"{r.protocol_id} ({r.reason})" for r in failed),
            path=record_path(outdir, failed[0].protocol_id),
            hint="read the record's criteria; record an anomaly, fix and re-execute")
    return records


def _existing(outdir: Path) -> list[ValidationRecord]:
    try:
        paths = sorted(outdir.glob("*/result.json"))
        return load_records(outdir) if paths else []
    except InputError:
        return []
