"""Which VCF sites and genotypes the family checks use, as small integer codes.

Pure functions over records (the pysam adapter is :mod:`bp2.stages.qc_family.vcf`).

**Sites.**  A record is used when it is a bi-allelic SNV (one-base REF, one ALT in ``ACGT``),
its FILTER is ``PASS`` (or missing, ``.``, when ``accept_unfiltered``), it lies on an autosome
(``1``-``22`` or ``chr1``-``chr22``) or on chrX (``X``/``chrX``), and no other SNV record shares
its position (split multi-allelic sites are left out: their genotypes are not bi-allelic).
chrY, the mitochondrion and unplaced contigs are not used.  chrX is split into its
pseudo-autosomal regions (PARs, treated like autosomes by the Mendelian check) and the rest
(non-PAR, used by the sex check and the X rule of the Mendelian check).

**Genotypes.**  A sample's call is used when its GT is fully called and, where the record
carries them, ``FORMAT/GQ`` ≥ ``min_genotype_quality`` and ``FORMAT/DP`` ≥ ``min_depth``; a
missing GQ or DP value does not exclude the call (not every caller writes them).  Calls are coded
``HOM_REF``/``HET``/``HOM_ALT`` (diploid) or ``HAP_REF``/``HAP_ALT`` (haploid; only on chrX
non-PAR — a haploid call elsewhere is treated as missing), ``MISSING`` otherwise.

**Allele balance.**  On chrX non-PAR, ``FORMAT/AD`` (when present, with REF+ALT reads ≥
``min_depth`` and at least one ALT read) also gives a ploidy-independent view: ``AD_BALANCED``
when the minor allele has at least ``allele_balance_het_min`` of the reads, ``AD_ALT`` when
ALT reads dominate.  It lets the sex check see a heterozygous-looking X in a sample whose X was
called haploid (ploidy taken from the PED), where the GT alone would only repeat the PED.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

import numpy as np
import numpy.typing as npt

from bp2.errors import InputError
from bp2.genome import PARS

Span = tuple[int, int]  # 1-based, inclusive

_AUTOSOME = re.compile(r"^(?:chr)?([1-9]|1\d|2[0-2])$")
X_NAMES = frozenset({"X", "chrX"})
_BASES = frozenset("ACGT")

# chrX PARs by chrX length (public GRC coordinates; the demo build's are in bp2.demo.genome).
KNOWN_X_PARS: dict[int, tuple[str, tuple[Span, ...]]] = {
    **{sex.x_length: (str(build), sex.x_pars) for build, sex in PARS.items()},
    156_000: ("bp2-demo-1", ((1, 12_000), (150_001, 156_000))),
}


class Code(IntEnum):
    """A sample's genotype at a bi-allelic site."""

    MISSING = -1
    HOM_REF = 0
    HET = 1
    HOM_ALT = 2
    HAP_REF = 3
    HAP_ALT = 4


class Balance(IntEnum):
    """What a sample's allele depths at a chrX non-PAR site look like."""

    NO_DATA = -1  # no AD, too few reads, or no ALT read
    AD_BALANCED = 1  # both alleles well represented: heterozygous-looking
    AD_ALT = 2  # ALT reads dominate: homozygous/hemizygous-looking


class Region(StrEnum):
    AUTOSOME = "autosome"
    X_PAR = "x_par"
    X_NONPAR = "x_nonpar"


class Skip(StrEnum):
    """Why a record was not used."""

    FILTERED = "filtered"
    NOT_BIALLELIC_SNV = "not_biallelic_snv"
    OTHER_CONTIG = "other_contig"  # chrY, mitochondrion, unplaced/alt contigs
    SHARED_POSITION = "shared_position"  # another SNV record at the same position


@dataclass(frozen=True)
class RawCall:
    """One sample's FORMAT values as read from the VCF (``None`` = absent or missing)."""

    alleles: tuple[int | None, ...]
    gq: int | None = None
    dp: int | None = None
    ad: tuple[int | None, ...] | None = None


@dataclass(frozen=True)
class RawRecord:
    """One VCF record; ``calls`` is ``None`` when the site cannot be used (not read)."""

    chrom: str
    pos: int
    ref: str
    alts: tuple[str, ...]
    filters: tuple[str, ...]
    calls: tuple[RawCall, ...] | None


@dataclass(frozen=True)
class GenotypeFilter:
    min_genotype_quality: int
    min_depth: int
    accept_unfiltered: bool
    allele_balance_het_min: float


def is_autosome(chrom: str) -> bool:
    return _AUTOSOME.match(chrom) is not None


def resolve_x_pars(
    contig_lengths: dict[str, int | None], override: Sequence[Span] | None
) -> tuple[Span, ...] | None:
    """The chrX PARs: the override if given, else by chrX length; None when unknown."""
    if override is not None:
        return tuple(override)
    for name in X_NAMES:
        length = contig_lengths.get(name)
        if length is not None and length in KNOWN_X_PARS:
            return KNOWN_X_PARS[length][1]
    return None


def site_skip(ref: str, alts: Sequence[str], filters: Sequence[str], chrom: str,
              accept_unfiltered: bool) -> Skip | None:
    """Why a record's site cannot be used, or None when its genotypes are wanted."""
    if not (is_autosome(chrom) or chrom in X_NAMES):
        return Skip.OTHER_CONTIG
    if len(alts) != 1 or len(ref) != 1 or len(alts[0]) != 1:
        return Skip.NOT_BIALLELIC_SNV
    if ref.upper() not in _BASES or alts[0].upper() not in _BASES:
        return Skip.NOT_BIALLELIC_SNV
    passing = list(filters) == ["PASS"] or (accept_unfiltered and not filters)
    return None if passing else Skip.FILTERED


def region_of(chrom: str, pos: int, x_pars: Sequence[Span]) -> Region:
    if chrom in X_NAMES:
        return Region.X_PAR if any(lo <= pos <= hi for lo, hi in x_pars) else Region.X_NONPAR
    return Region.AUTOSOME


def genotype_code(call: RawCall, region: Region, gfilter: GenotypeFilter) -> Code:
    """The code of one call after the quality gates (see the module docstring)."""
    alleles = call.alleles
    if not alleles or any(a is None for a in alleles) or len(alleles) > 2:
        return Code.MISSING
    if call.gq is not None and call.gq < gfilter.min_genotype_quality:
        return Code.MISSING
    if call.dp is not None and call.dp < gfilter.min_depth:
        return Code.MISSING
    if any(a not in (0, 1) for a in alleles):
        return Code.MISSING
    if len(alleles) == 1:
        if region is not Region.X_NONPAR:
            return Code.MISSING
        return Code.HAP_ALT if alleles[0] == 1 else Code.HAP_REF
    return Code(sum(a for a in alleles if a is not None))


def balance_of(call: RawCall, gfilter: GenotypeFilter) -> Balance:
    """The allele-depth view of one call (see the module docstring)."""
    ad = call.ad
    if ad is None or len(ad) != 2 or ad[0] is None or ad[1] is None:
        return Balance.NO_DATA
    ref_reads, alt_reads = ad[0], ad[1]
    total = ref_reads + alt_reads
    if alt_reads == 0 or total < max(gfilter.min_depth, 1):
        return Balance.NO_DATA
    minor = min(ref_reads, alt_reads) / total
    return Balance.AD_BALANCED if minor >= gfilter.allele_balance_het_min else Balance.AD_ALT


@dataclass
class GenotypeTable:
    """Codes of the used sites, one column per sample (in the order given to :func:`collect`).

    ``autosomal`` (haploid codes never occur there), ``x_par`` and ``x_nonpar`` (with its
    allele-balance view); each ``*_contigs`` array holds a row's index into ``contig_names``.
    """

    samples: tuple[str, ...]
    contig_names: tuple[str, ...]
    autosomal: npt.NDArray[np.int8]
    autosomal_contigs: npt.NDArray[np.int16]
    x_par: npt.NDArray[np.int8]
    x_par_contigs: npt.NDArray[np.int16]
    x_nonpar: npt.NDArray[np.int8]
    x_nonpar_contigs: npt.NDArray[np.int16]
    x_nonpar_balance: npt.NDArray[np.int8]
    records: int
    skipped: dict[str, int] = field(default_factory=dict)


@dataclass
class _Rows:
    width: int
    codes: array[int] = field(default_factory=lambda: array("b"))
    extra: array[int] = field(default_factory=lambda: array("b"))
    contigs: array[int] = field(default_factory=lambda: array("h"))

    def add(self, codes: Iterable[int], contig: int, extra: Iterable[int] = ()) -> None:
        self.codes.extend(codes)
        self.extra.extend(extra)
        self.contigs.append(contig)

    def matrix(self, data: array[int]) -> npt.NDArray[np.int8]:
        return np.frombuffer(data.tobytes(), dtype=np.int8).reshape(-1, self.width).copy()

    def contig_index(self) -> npt.NDArray[np.int16]:
        return np.frombuffer(self.contigs.tobytes(), dtype=np.int16).copy()


def _grouped(records: Iterable[RawRecord]) -> Iterator[list[RawRecord]]:
    """Consecutive records sharing (chrom, pos)."""
    group: list[RawRecord] = []
    for record in records:
        if group and (record.chrom, record.pos) != (group[0].chrom, group[0].pos):
            yield group
            group = []
        group.append(record)
    if group:
        yield group


def collect(
    records: Iterable[RawRecord],
    samples: Sequence[str],
    gfilter: GenotypeFilter,
    x_pars: Sequence[Span] | None,
    *,
    source: str = "VCF",
) -> GenotypeTable:
    """Code the genotypes of every usable site (see the module docstring).

    ``x_pars`` None means the PARs are unknown: a usable chrX record is then an InputError.
    """
    width = len(samples)
    autosomal, x_par, x_nonpar = _Rows(width), _Rows(width), _Rows(width)
    skipped = {reason.value: 0 for reason in Skip}
    contig_index: dict[str, int] = {}
    total = 0
    for group in _grouped(records):
        total += len(group)
        wanted: list[RawRecord] = []
        for record in group:
            reason = site_skip(record.ref, record.alts, record.filters, record.chrom,
                               gfilter.accept_unfiltered)
            if reason is None and record.calls is not None:
                wanted.append(record)
            else:
                skipped[(reason or Skip.NOT_BIALLELIC_SNV).value] += 1
        if len(wanted) > 1:
            skipped[Skip.SHARED_POSITION.value] += len(wanted)
            continue
        if not wanted:
            continue
        record = wanted[0]
        calls = record.calls
        assert calls is not None
        if len(calls) != width:
            raise InputError(
                f"record {record.chrom}:{record.pos} has {len(calls)} genotype columns but the "
                f"header names {width} samples", path=source,
                hint="the VCF is malformed; re-create it with the variant caller",
            )
        if record.chrom in X_NAMES and x_pars is None:
            raise InputError(
                f"cannot tell where the pseudo-autosomal regions of {record.chrom} are: the VCF "
                "header gives no chrX length of a known build", path=source,
                field="x_par_regions",
                hint="set the qc_family parameter x_par_regions to the build's chrX PARs "
                "(1-based inclusive [start, end] pairs)",
            )
        region = region_of(record.chrom, record.pos, x_pars or ())
        codes = [genotype_code(call, region, gfilter) for call in calls]
        contig = contig_index.setdefault(record.chrom, len(contig_index))
        if region is Region.AUTOSOME:
            autosomal.add(codes, contig)
        elif region is Region.X_PAR:
            x_par.add(codes, contig)
        else:
            x_nonpar.add(codes, contig, (balance_of(call, gfilter) for call in calls))
    return GenotypeTable(
        samples=tuple(samples),
        contig_names=tuple(contig_index),
        autosomal=autosomal.matrix(autosomal.codes),
        autosomal_contigs=autosomal.contig_index(),
        x_par=x_par.matrix(x_par.codes),
        x_par_contigs=x_par.contig_index(),
        x_nonpar=x_nonpar.matrix(x_nonpar.codes),
        x_nonpar_contigs=x_nonpar.contig_index(),
        x_nonpar_balance=x_nonpar.matrix(x_nonpar.extra),
        records=total,
        skipped=skipped,
    )
