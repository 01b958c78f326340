"""Reference reading for the align stage: contig MD5s through the named index files, and links.

htslib looks for a FASTA's ``.fai``/``.gzi`` beside it.  To read only the files named in the
inputs, :func:`linked_reference` makes a private set of links (FASTA, ``.fai``, ``.gzi``) under
the stage's work folder, and :func:`contig_md5s` opens the FASTA with explicit index paths;
:class:`BackgroundMd5s` computes them in a forked process while this one builds the minimap2
index.
"""

from __future__ import annotations

import hashlib
import multiprocessing
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType

import pysam

from bp2.errors import InputError
from bp2.stages.align.header import Contig

_CHUNK = 8 << 20


def _open_fasta(reference: Path, fai: Path, gzi: Path | None) -> pysam.FastaFile:
    if reference.name.endswith(".gz") and gzi is None:
        raise InputError(
            "a compressed reference needs its .gzi index", path=reference,
            field="reference_gzi", hint="give the .gzi written by 'samtools faidx' (bgzip -i)",
        )
    try:
        return pysam.FastaFile(str(reference), filepath_index=str(fai),
                               filepath_index_compressed=None if gzi is None else str(gzi))
    except (OSError, ValueError) as exc:
        raise InputError(
            f"cannot open the reference with its index: {exc}", path=reference,
            hint="the reference must be plain or bgzip-compressed FASTA with its own .fai "
            "(and .gzi when compressed)",
        ) from None


def contig_md5s(
    reference: Path, fai: Path, gzi: Path | None, contigs: Sequence[Contig]
) -> list[str]:
    """MD5 of each contig's upper-case sequence (the SAM ``M5``), read in bounded chunks.

    Reading every contig to its indexed length also proves the index belongs to the FASTA: a
    contig shorter than the index says is refused.
    """
    md5s: list[str] = []
    with _open_fasta(reference, fai, gzi) as fasta:
        for contig in contigs:
            digest = hashlib.md5(usedforsecurity=False)
            read = 0
            stopped = ""
            try:
                for start in range(0, contig.length, _CHUNK):
                    chunk = fasta.fetch(contig.name, start, min(start + _CHUNK, contig.length))
                    digest.update(chunk.upper().encode("ascii"))
                    read += len(chunk)
            except (ValueError, KeyError, OSError) as exc:
                # htslib cannot read past the sequence's real end (reported below); pysam
                # raises OSError or ValueError for it depending on a stale errno
                stopped = f" (reading stopped: {exc})"
            if read != contig.length:
                raise InputError(
                    f"contig '{contig.name}' has {read} bases but the index says "
                    f"{contig.length}{stopped}",
                    path=fai, hint="the .fai does not belong to this FASTA; re-create it with "
                    "'samtools faidx'",
                )
            md5s.append(digest.hexdigest())
    return md5s


def linked_reference(reference: Path, fai: Path, gzi: Path | None, work: Path) -> Path:
    """Links to the reference and its named index files side by side under ``work``."""
    work.mkdir(parents=True, exist_ok=True)
    target = work / reference.name
    pairs = [(reference, target), (fai, work / (reference.name + ".fai"))]
    if gzi is not None:
        pairs.append((gzi, work / (reference.name + ".gzi")))
    for source, link in pairs:
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(source.resolve())
    return target


class BackgroundMd5s:
    """:func:`contig_md5s` in a forked process, started at once; :meth:`result` waits for it.

    A plain forked process with a pipe, not a process pool: a pool hands the job to its worker
    from a helper thread, which needs the GIL, and mappy holds the GIL while it builds the
    minimap2 index, so the job would only start once the index was built (measured: MD5s ready
    0.2 s after the index instead of before it, on hg19 chr20).  The fork happens here, in the
    calling thread, before the index build starts.  An error in the child (an InputError about
    the reference) is raised again by :meth:`result`.
    """

    def __init__(self, reference: Path, fai: Path, gzi: Path | None,
                 contigs: Sequence[Contig]) -> None:
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_md5s_child,
                                        args=(send, reference, fai, gzi, tuple(contigs)),
                                        daemon=True)
        self._process.start()
        send.close()  # the child holds the sending end now

    def result(self) -> list[str]:
        try:
            outcome, value = self._receive.recv()
        except EOFError:
            self._process.join()
            raise RuntimeError(f"the reference MD5 process ended without a result (exit code "
                               f"{self._process.exitcode})") from None
        self._process.join()
        if outcome == "error":
            assert isinstance(value, Exception)
            raise value
        return list(value)

    def __enter__(self) -> BackgroundMd5s:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receive.close()


def _md5s_child(send: Connection, reference: Path, fai: Path, gzi: Path | None,
                contigs: tuple[Contig, ...]) -> None:
    try:
        outcome: tuple[str, object] = ("ok", contig_md5s(reference, fai, gzi, contigs))
    except Exception as exc:  # handed to the parent, which raises it again
        outcome = ("error", exc)
    send.send(outcome)
    send.close()
