"""Sex-aware ploidy for ``bcftools call``: the table, its text form and the samples' sex labels.

Pure functions over contig lists and text.  The generated table follows the reference's own
contig names (``chrX`` or ``X``, read from its ``.fai``) and the pseudo-autosomal region (PAR)
coordinates of its build, declared here as public constants (Genome Reference Consortium):

============  ======================  ========================  ============
build         chrX PAR1               chrX PAR2                 chrX length
============  ======================  ========================  ============
GRCh37        60,001-2,699,520        154,931,044-155,260,560   155,270,560
GRCh38        10,001-2,781,479        155,701,383-156,030,895   156,040,895
============  ======================  ========================  ============

chrY PAR1/PAR2: GRCh37 10,001-2,649,520 and 59,034,050-59,363,566 (length 59,373,566);
GRCh38 10,001-2,781,479 and 56,887,903-57,217,415 (length 57,227,415).

Ploidy by sex (``M`` = XY, ``F`` = XX, ``U`` = unknown):

* autosomes and PARs: 2 for every sex (the starred default lines);
* chrX outside the PARs: 1 for ``M``; 2 for ``F`` and ``U`` (an unknown sex is not forced
  haploid: a forced haploid call would hide a heterozygous genotype, while a diploid call on a
  male shows as an anomaly);
* chrY outside the PARs: 1 for ``M`` and ``U``; 0 (no genotype) for ``F``; chrY PARs: 2 for
  ``M`` and ``U`` (the locus has an X and a Y copy), 0 for ``F``;
* the mitochondrial contig (``chrM``/``MT``): 1 for every sex (heteroplasmy needs a dedicated
  caller; a haploid call reports the major allele).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from bp2.case import Sex
from bp2.errors import InputError


class Build(StrEnum):
    GRCH37 = "GRCh37"
    GRCH38 = "GRCh38"


Span = tuple[int, int]  # 1-based inclusive


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

SEX_LABEL: Mapping[Sex, str] = {Sex.MALE: "M", Sex.FEMALE: "F", Sex.UNKNOWN: "U"}
X_NAMES = ("chrX", "X")
Y_NAMES = ("chrY", "Y")
MITO_NAMES = ("chrM", "MT", "chrMT", "M")

_BUILD_LABELS: Mapping[str, Build] = {
    "grch37": Build.GRCH37, "hg19": Build.GRCH37, "b37": Build.GRCH37, "hs37d5": Build.GRCH37,
    "grch38": Build.GRCH38, "hg38": Build.GRCH38,
}


@dataclass(frozen=True)
class PloidyLine:
    """One line of a bcftools ploidy file; ``chrom == "*"`` is a sex's default ploidy."""

    chrom: str
    start: int  # 1-based inclusive; 0 for a starred line
    end: int
    sex: str
    ploidy: int

    def render(self) -> str:
        if self.chrom == "*":
            return f"*\t*\t*\t{self.sex}\t{self.ploidy}"
        return f"{self.chrom}\t{self.start}\t{self.end}\t{self.sex}\t{self.ploidy}"


def build_from_label(label: str | None) -> Build | None:
    """The build a resource label names (``GRCh37-hg19``, ``hg38``, ``b37`` ...), if any."""
    if not label:
        return None
    head = label.strip().lower()
    for prefix, build in _BUILD_LABELS.items():
        if head.startswith(prefix):
            return build
    return None


def _find(contigs: Mapping[str, int], names: Sequence[str]) -> tuple[str, int] | None:
    for name in names:
        if name in contigs:
            return name, contigs[name]
    return None


def resolve_build(label: str | None, contigs: Mapping[str, int], source: Path | str
                  ) -> Build | None:
    """The build whose PARs apply: the declared one, checked against chrX/chrY lengths.

    With no declared build it is recognised from the chrX length.  A reference without X and Y
    needs no build (None).  A chrX or chrY whose length does not fit the build is refused: the
    PAR coordinates would fall in the wrong place.
    """
    x, y = _find(contigs, X_NAMES), _find(contigs, Y_NAMES)
    if x is None and y is None:
        return None
    declared = build_from_label(label)
    if declared is None:
        matches = [b for b, s in PARS.items() if x is not None and x[1] == s.x_length]
        if len(matches) != 1:
            raise InputError(
                f"cannot tell the genome build of this reference (build '{label or 'unset'}', "
                f"{x[0] if x else 'no X'} length {x[1] if x else '-'})",
                path=source, field="build",
                hint="declare the build (GRCh37 or GRCh38) in resources.yaml, or give an explicit "
                "ploidy file",
            )
        declared = matches[0]
    expected = PARS[declared]
    for found, want, what in ((x, expected.x_length, "X"), (y, expected.y_length, "Y")):
        if found is not None and found[1] != want:
            raise InputError(
                f"chromosome {found[0]} is {found[1]:,} bp but {declared} chr{what} is "
                f"{want:,} bp: the reference is not {declared}",
                path=source, field="build",
                hint="declare the reference's true build, or give an explicit ploidy file",
            )
    return declared


def generate_ploidy(contigs: Mapping[str, int], build: Build | None) -> tuple[PloidyLine, ...]:
    """The ploidy table for a reference's contigs (see the module docstring for the rules)."""
    lines = [PloidyLine("*", 0, 0, label, 2) for label in SEX_LABEL.values()]
    x, y, mito = _find(contigs, X_NAMES), _find(contigs, Y_NAMES), _find(contigs, MITO_NAMES)
    if (x or y) and build is None:
        raise ValueError("a reference with X or Y needs a build for its PARs")
    if x is not None and build is not None:
        for start, end in _outside(PARS[build].x_pars, x[1]):
            lines.append(PloidyLine(x[0], start, end, SEX_LABEL[Sex.MALE], 1))
    if y is not None and build is not None:
        for start, end in _outside(PARS[build].y_pars, y[1]):
            lines.append(PloidyLine(y[0], start, end, SEX_LABEL[Sex.MALE], 1))
            lines.append(PloidyLine(y[0], start, end, SEX_LABEL[Sex.UNKNOWN], 1))
        lines.append(PloidyLine(y[0], 1, y[1], SEX_LABEL[Sex.FEMALE], 0))
    if mito is not None:
        lines.extend(PloidyLine(mito[0], 1, mito[1], label, 1) for label in SEX_LABEL.values())
    return tuple(lines)


def _outside(pars: tuple[Span, Span], length: int) -> list[Span]:
    """The 1-based inclusive spans of [1, length] outside the two PARs."""
    spans: list[Span] = []
    cursor = 1
    for start, end in sorted(pars):
        if start > cursor:
            spans.append((cursor, min(start - 1, length)))
        cursor = max(cursor, end + 1)
    if cursor <= length:
        spans.append((cursor, length))
    return [s for s in spans if s[0] <= s[1]]


HEADER = "# bcftools ploidy file: CHROM FROM TO SEX PLOIDY (1-based, inclusive); '*' = default\n"


def render_ploidy(lines: Sequence[PloidyLine]) -> str:
    return HEADER + "".join(line.render() + "\n" for line in lines)


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
        lines.append(PloidyLine(chrom, first, last, sex, value))
    if not lines:
        raise InputError("ploidy file has no lines", path=source,
                         hint="give at least the default lines such as '* * * M 2'")
    return tuple(lines)


def check_ploidy_covers(lines: Sequence[PloidyLine], sexes: Sequence[str],
                        contigs: Mapping[str, int], source: Path | str) -> None:
    """Refuse a ploidy file that names an unknown contig or omits a sex the samples use."""
    known = {line.sex for line in lines}
    for sex in sorted(set(sexes) - known):
        raise InputError(
            f"ploidy file gives no ploidy for sex label '{sex}'", path=source,
            hint="add a default line such as '* * * " + sex + " 2' (labels: M male, F female, "
            "U unknown)")
    for line in lines:
        if line.chrom != "*" and line.chrom not in contigs:
            raise InputError(
                f"ploidy file names contig '{line.chrom}', which the reference does not have",
                path=source, hint="use the reference's contig names (see its .fai)")


def ploidy_at(lines: Sequence[PloidyLine], chrom: str, pos: int, sex: str) -> int:
    """The ploidy bcftools applies at ``chrom:pos`` for ``sex`` (specific lines over defaults)."""
    for line in lines:
        if line.sex == sex and line.chrom == chrom and line.start <= pos <= line.end:
            return line.ploidy
    for line in lines:
        if line.sex == sex and line.chrom == "*":
            return line.ploidy
    return 2


def samples_sex_text(samples: Sequence[tuple[str, Sex]]) -> str:
    """``bcftools call -S`` text: one ``sample<TAB>label`` line per sample."""
    return "".join(f"{name}\t{SEX_LABEL[sex]}\n" for name, sex in samples)
