"""Reference reading for the align stage: contig MD5s through the named index files, and links.

htslib looks for a FASTA's ``.fai``/``.gzi`` beside it.  To read only the files named in the
inputs, :func:`linked_reference` makes a private set of links (FASTA, ``.fai``, ``.gzi``) under
the stage's work folder, and :func:`contig_md5s` opens the FASTA with explicit index paths.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

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
            try:
                for start in range(0, contig.length, _CHUNK):
                    chunk = fasta.fetch(contig.name, start, min(start + _CHUNK, contig.length))
                    digest.update(chunk.upper().encode("ascii"))
                    read += len(chunk)
            except (ValueError, KeyError):
                pass  # htslib cannot read past the sequence's real end: reported below
            if read != contig.length:
                raise InputError(
                    f"contig '{contig.name}' has {read} bases but the index says {contig.length}",
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
