"""Genome-build facts shared by the stages: sex-chromosome PARs, contig names, ploidy files.

One table of the Genome Reference Consortium's public pseudo-autosomal region (PAR)
coordinates serves every stage that needs to know where X and Y are diploid (calling, alignment
QC, family QC, tiering), and one reader of bcftools ploidy files (``CHROM FROM TO SEX PLOIDY``)
serves every stage that takes one.

============  ======================  ========================  ============
build         chrX PAR1               chrX PAR2                 chrX length
============  ======================  ========================  ============
GRCh37        60,001-2,699,520        154,931,044-155,260,560   155,270,560
GRCh38        10,001-2,781,479        155,701,383-156,030,895   156,040,895
============  ======================  ========================  ============

chrY PAR1/PAR2: GRCh37 10,001-2,649,520 and 59,034,050-59,363,566 (length 59,373,566);
GRCh38 10,001-2,781,479 and 56,887,903-57,217,415 (length 57,227,415).  Coordinates are
1-based and inclusive.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from bp2.errors import InputError

Span = tuple[int, int]  # 1-based inclusive

X_NAMES = ("chrX", "X")
Y_NAMES = ("chrY", "Y")
MITO_NAMES = ("chrM", "MT", "chrMT", "M")


class Build(StrEnum):
    GRCH37 = "GRCh37"
    GRCH38 = "GRCh38"


@dataclass(frozen=True)
class SexChromosomes:
    """PAR coordinates and lengths of one build's X and Y."""

    x_length: int
    y_length: int
    x_pars: tuple[Span, Span]
    y_pars: tuple[Span, Span]


PARS: Mapping[Build, SexChromosomes] = {
    Build.GRCH37: SexChromosomes(
        x_length=155_270_560, y_length=59_373_566,
        x_pars=((60_001, 2_699_520), (154_931_044, 155_260_560)),
        y_pars=((10_001, 2_649_520), (59_034_050, 59_363_566)),
    ),
    Build.GRCH38: SexChromosomes(
        x_length=156_040_895, y_length=57_227_415,
        x_pars=((10_001, 2_781_479), (155_701_383, 156_030_895)),
        y_pars=((10_001, 2_781_479), (56_887_903, 57_217_415)),
    ),
}

_BUILD_LABELS: Mapping[str, Build] = {
    "grch37": Build.GRCH37, "hg19": Build.GRCH37, "b37": Build.GRCH37, "hs37d5": Build.GRCH37,
    "grch38": Build.GRCH38, "hg38": Build.GRCH38,
}


def build_from_label(label: str | None) -> Build | None:
    """The build a resource label names (``GRCh37-hg19``, ``hg38``, ``b37`` ...), if any."""
    if not label:
        return None
    head = label.strip().lower()
    return next((build for prefix, build in _BUILD_LABELS.items() if head.startswith(prefix)),
                None)


def build_of_x_length(x_length: int) -> Build | None:
    """The build whose chrX has this length, if any."""
    return next((build for build, sex in PARS.items() if sex.x_length == x_length), None)


def outside(pars: Sequence[Span], length: int) -> tuple[Span, ...]:
    """The 1-based inclusive spans of [1, length] outside the given PARs."""
    spans: list[Span] = []
    cursor = 1
    for start, end in sorted(pars):
        if start > cursor:
            spans.append((cursor, min(start - 1, length)))
        cursor = max(cursor, end + 1)
    if cursor <= length:
        spans.append((cursor, length))
    return tuple(s for s in spans if s[0] <= s[1])


@dataclass(frozen=True)
class PloidyLine:
    """One line of a bcftools ploidy file; ``chrom == "*"`` is a sex's default ploidy."""

    chrom: str
    start: int  # 1-based inclusive; 0 for a starred line
    end: int
    sex: str
    ploidy: int
    line: int = field(default=0, compare=False)  # line number in the file it was read from

    def render(self) -> str:
        if self.chrom == "*":
            return f"*\t*\t*\t{self.sex}\t{self.ploidy}"
        return f"{self.chrom}\t{self.start}\t{self.end}\t{self.sex}\t{self.ploidy}"


def parse_ploidy(text: str, source: Path | str) -> tuple[PloidyLine, ...]:
    """Parse a bcftools ploidy file, refusing malformed lines with their line number."""
    lines: list[PloidyLine] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cols = raw.split()
        if len(cols) != 5:
            raise InputError(f"ploidy line has {len(cols)} columns, 5 are needed", path=source,
                             line=number, hint="columns: CHROM FROM TO SEX PLOIDY")
        chrom, start, end, sex, ploidy = cols
        try:
            value = int(ploidy)
            if chrom == "*":
                if start != "*" or end != "*":
                    raise ValueError
                first, last = 0, 0
            else:
                first, last = int(start), int(end)
        except ValueError:
            raise InputError("ploidy line has a non-numeric position or ploidy", path=source,
                             line=number,
                             hint="FROM, TO and PLOIDY are integers ('* * *' for a default)"
                             ) from None
        if value < 0 or (chrom != "*" and not 1 <= first <= last):
            raise InputError("ploidy line has an invalid span or a negative ploidy", path=source,
                             line=number, hint="use 1 <= FROM <= TO and PLOIDY >= 0")
        lines.append(PloidyLine(chrom, first, last, sex, value, number))
    if not lines:
        raise InputError("ploidy file has no lines", path=source,
                         hint="give at least the default lines such as '* * * M 2'")
    return tuple(lines)


def male_haploid_spans(lines: Sequence[PloidyLine], chrom: str) -> tuple[Span, ...]:
    """The spans of ``chrom`` where a male (``M``) is haploid: X or Y outside the PARs."""
    return tuple(sorted((line.start, line.end) for line in lines
                        if line.chrom == chrom and line.sex == "M" and line.ploidy == 1))
