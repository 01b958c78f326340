"""The samtools steps after alignment: fixmate → sort → markdup streamed, then index ∥ flagstat.

The I/O edge of the stage.  SAM text goes into ``samtools fixmate -m`` (mate fields, MC and ms
tags), whose uncompressed BAM streams into ``samtools sort`` (memory bounded by ``-m`` per
thread, spilling to temporary files under the stage's work folder) and then into
``samtools markdup``, which writes the final BAM or CRAM.  Every step runs with ``--no-PG`` so
no command line (with its paths) enters the output.  A failing step is reported with the tail
of its own error output.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from bp2.errors import EnvironmentProblem
from bp2.tools import require_executable


@dataclass(frozen=True)
class ChainSettings:
    threads: int
    sort_memory_mb: int
    output_format: str  # "bam" or "cram"
    reference: Path | None  # the reference (with its .fai/.gzi beside it) for CRAM


def _stderr_tail(path: Path) -> str:
    return path.read_text(errors="replace") if path.is_file() else ""


@contextmanager
def markdup_chain(
    output: Path, stats: Path, work: Path, settings: ChainSettings
) -> Iterator[IO[bytes]]:
    """Yield a binary stream taking SAM text; on exit the marked, sorted file is at ``output``.

    markdup writes to its standard output, redirected to ``output``: CRAM stores the name it
    was given in its file definition, so a temporary file name would make the bytes differ
    from run to run.  For CRAM the chain runs in the folder holding the reference links, where
    the header's ``UR`` (the reference's file name) resolves, and htslib's reference download
    (``REF_PATH``) is pointed at a folder that does not exist; passing ``--reference`` instead
    would make htslib write the link's full path into ``UR``.
    """
    samtools = require_executable("samtools")
    threads = str(max(1, settings.threads))
    cram = settings.output_format == "cram"
    steps = {
        "samtools fixmate": [samtools, "fixmate", "--no-PG", "-m", "-u", "-", "-"],
        "samtools sort": [samtools, "sort", "--no-PG", "-u", "-@", threads,
                          "-m", f"{settings.sort_memory_mb}M", "-T", str(work / "sort"), "-"],
        "samtools markdup": [samtools, "markdup", "--no-PG", "-@", threads, "-f", str(stats),
                             "-O", "cram" if cram else "bam", "-", "-"],
    }
    cwd = settings.reference.parent if cram and settings.reference is not None else work
    env = {**os.environ, "REF_PATH": str(work / "no-reference-download"), "REF_CACHE": ""}
    logs = {name: work / f"{name.replace(' ', '-')}.log" for name in steps}
    procs: dict[str, subprocess.Popen[bytes]] = {}
    upstream: IO[bytes] | None = None
    try:
        with output.open("wb") as out:
            for name, argv in steps.items():
                last = name == "samtools markdup"
                with logs[name].open("wb") as log:
                    proc = subprocess.Popen(
                        argv, stdin=subprocess.PIPE if upstream is None else upstream,
                        stdout=out if last else subprocess.PIPE, stderr=log, cwd=cwd, env=env,
                    )
                if upstream is not None:
                    upstream.close()  # the child holds it now
                upstream = proc.stdout
                procs[name] = proc
        sink = procs["samtools fixmate"].stdin
        assert sink is not None
        try:
            yield sink
        except BrokenPipeError:
            pass  # a step died; its exit status and log say why (below)
        finally:
            with suppress(BrokenPipeError):
                sink.close()
        for name, proc in procs.items():
            if proc.wait() != 0:
                raise EnvironmentProblem.tool_failed(name, proc.returncode,
                                                     _stderr_tail(logs[name]))
        if cram and "Failed to load reference" in _stderr_tail(logs["samtools markdup"]):
            raise EnvironmentProblem(
                "samtools could not load the reference to write CRAM",
                hint="check that the reference and its .fai/.gzi are readable",
            )
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def run_tool(argv: list[str], name: str, *, capture: bool = False) -> str:
    """Run one samtools command to completion; EnvironmentProblem with its stderr if it fails."""
    proc = subprocess.run(argv, capture_output=True, check=False)
    if proc.returncode != 0:
        raise EnvironmentProblem.tool_failed(name, proc.returncode,
                                             proc.stderr.decode(errors="replace"))
    return proc.stdout.decode() if capture else ""


def _index_argv(alignments: Path, index_path: Path, threads: int) -> list[str]:
    return [require_executable("samtools"), "index", "-@", str(max(1, threads)), str(alignments),
            str(index_path)]


def _flagstat_argv(alignments: Path, threads: int, reference: Path | None) -> list[str]:
    ref = ["--input-fmt-option", f"reference={reference}"] if reference is not None else []
    return [require_executable("samtools"), "flagstat", "-@", str(max(1, threads)), "-O", "json",
            *ref, str(alignments)]


def flagstat(alignments: Path, threads: int, reference: Path | None = None) -> str:
    """``samtools flagstat -O json`` of a BAM/CRAM (the reference is needed to decode CRAM)."""
    return run_tool(_flagstat_argv(alignments, threads, reference), "samtools flagstat",
                    capture=True)


def index_and_flagstat(
    alignments: Path, index_path: Path, threads: int, reference: Path | None = None
) -> str:
    """Write the .bai/.crai of a coordinate-sorted BAM/CRAM to ``index_path`` while
    :func:`flagstat` reads the same file (both only read it); returns the flagstat JSON.

    A failing step is reported as in :func:`run_tool`.
    """
    indexing = subprocess.Popen(_index_argv(alignments, index_path, threads),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        counts = flagstat(alignments, threads, reference)
    finally:
        _, stderr = indexing.communicate()
    if indexing.returncode != 0:
        raise EnvironmentProblem.tool_failed("samtools index", indexing.returncode,
                                             stderr.decode(errors="replace"))
    return counts

