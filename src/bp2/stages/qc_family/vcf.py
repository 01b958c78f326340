"""The one place the stage reads a VCF (pysam): header facts and records as plain values.

The file is streamed from start to end, so no index is needed; it is handed to htslib as an
open file descriptor (a file object named by its descriptor number), because given a path htslib
would look for a ``.tbi``/``.csi`` beside it — a file the stage's inputs do not name.  Genotype
fields are read only for records whose site can be used
(:func:`bp2.stages.qc_family.genotypes.site_skip`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pysam

from bp2.errors import InputError
from bp2.stages.qc_family.genotypes import X_NAMES, RawCall, RawRecord, site_skip


@dataclass(frozen=True)
class VcfHeader:
    samples: tuple[str, ...]
    contig_lengths: dict[str, int | None]


def _int(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, int):
        return value
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _ints(value: Any) -> tuple[int | None, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = value.split(",")
    if isinstance(value, tuple | list):
        return tuple(_int(v) for v in value)
    return None


def _call(sample: Any, with_ad: bool) -> RawCall:
    alleles = sample.get("GT") if "GT" in sample else None
    return RawCall(
        alleles=tuple(alleles) if alleles is not None else (),
        gq=_int(sample.get("GQ")) if "GQ" in sample else None,
        dp=_int(sample.get("DP")) if "DP" in sample else None,
        ad=_ints(sample.get("AD")) if with_ad and "AD" in sample else None,
    )


def _unreadable(path: Path, exc: Exception, where: str = "") -> InputError:
    reason = str(exc)
    if "invalid file" in reason:  # pysam names the descriptor object, not the file
        reason = "it is not in VCF or BCF format"
    return InputError(
        f"cannot read the VCF{where}: {reason}", path=path, field="vcf",
        hint="give a valid VCF (plain or bgzip-compressed), complete and uncorrupted; "
        "'bcftools view' should read it to the end",
    )


@contextlib.contextmanager
def open_vcf(
    path: Path, *, accept_unfiltered: bool
) -> Iterator[tuple[VcfHeader, Iterator[RawRecord]]]:
    """Open a VCF: its header facts and an iterator over its records."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError as exc:
        raise _unreadable(path, exc) from None
    with open(descriptor, "rb") as stream:  # noqa: PTH123 - a descriptor (module docstring)
        try:
            handle = pysam.VariantFile(stream)
        except (OSError, ValueError) as exc:
            raise _unreadable(path, exc) from None
        try:
            header = VcfHeader(
                samples=tuple(str(s) for s in handle.header.samples),
                contig_lengths={
                    str(name): c.length for name, c in handle.header.contigs.items()
                },
            )
            yield header, _records(handle, path, accept_unfiltered=accept_unfiltered)
        finally:
            # after a read error pysam's close re-raises it, naming the stream object in a way
            # it cannot format (TypeError); the read error itself has already been reported
            with contextlib.suppress(OSError, TypeError):
                handle.close()


def _records(handle: Any, path: Path, *, accept_unfiltered: bool) -> Iterator[RawRecord]:
    last = ""
    iterator = iter(handle)
    while True:
        try:
            record = next(iterator)
        except StopIteration:
            return
        except (OSError, ValueError) as exc:
            raise _unreadable(path, exc, f" after {last}" if last else "") from None
        last = f"{record.chrom}:{record.pos}"
        alts = tuple(record.alts or ())
        filters = tuple(record.filter.keys())
        wanted = site_skip(record.ref, alts, filters, record.chrom, accept_unfiltered) is None
        with_ad = record.chrom in X_NAMES  # allele depths serve only the chrX sex check
        calls = tuple(_call(s, with_ad) for s in record.samples.values()) if wanted else None
        yield RawRecord(record.chrom, record.pos, record.ref, alts, filters, calls)
