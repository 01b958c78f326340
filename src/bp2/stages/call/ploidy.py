"""Sex-aware ploidy for ``bcftools call``: the table, its text form and the samples' sex labels.

Pure functions over contig lists and text.  The generated table follows the reference's own
contig names (``chrX`` or ``X``, read from its ``.fai``) and the pseudo-autosomal region (PAR)
coordinates of its build, from the shared table in :mod:`bp2.genome`.

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
from pathlib import Path

from bp2.case import Sex
from bp2.errors import InputError
from bp2.genome import (
    MITO_NAMES,
    PARS,
    X_NAMES,
    Y_NAMES,
    Build,
    PloidyLine,
    SexChromosomes,
    Span,
    build_from_label,
    outside,
    parse_ploidy,
)

__all__ = [
    "PARS",
    "Build",
    "PloidyLine",
    "SexChromosomes",
    "Span",
    "build_from_label",
    "check_ploidy_covers",
    "generate_ploidy",
    "parse_ploidy",
    "ploidy_at",
    "render_ploidy",
    "resolve_build",
    "samples_sex_text",
]


SEX_LABEL: Mapping[Sex, str] = {Sex.MALE: "M", Sex.FEMALE: "F", Sex.UNKNOWN: "U"}


def _find(contigs: Mapping[str, int], names: Sequence[str]) -> tuple[str, int] | None:
    for name in names:
        if name in contigs:
            return name, contigs[name]
    return None


def resolve_build(
    label: str | None, contigs: Mapping[str, int], source: Path | str
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
                path=source,
                field="build",
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
                path=source,
                field="build",
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
        for start, end in outside(PARS[build].x_pars, x[1]):
            lines.append(PloidyLine(x[0], start, end, SEX_LABEL[Sex.MALE], 1))
    if y is not None and build is not None:
        for start, end in outside(PARS[build].y_pars, y[1]):
            lines.append(PloidyLine(y[0], start, end, SEX_LABEL[Sex.MALE], 1))
            lines.append(PloidyLine(y[0], start, end, SEX_LABEL[Sex.UNKNOWN], 1))
        lines.append(PloidyLine(y[0], 1, y[1], SEX_LABEL[Sex.FEMALE], 0))
    if mito is not None:
        lines.extend(PloidyLine(mito[0], 1, mito[1], label, 1) for label in SEX_LABEL.values())
    return tuple(lines)


HEADER = "# bcftools ploidy file: CHROM FROM TO SEX PLOIDY (1-based, inclusive); '*' = default\n"


def render_ploidy(lines: Sequence[PloidyLine]) -> str:
    return HEADER + "".join(line.render() + "\n" for line in lines)


def check_ploidy_covers(
    lines: Sequence[PloidyLine],
    sexes: Sequence[str],
    contigs: Mapping[str, int],
    source: Path | str,
) -> None:
    """Refuse a ploidy file that names an unknown contig or omits a sex the samples use."""
    known = {line.sex for line in lines}
    for sex in sorted(set(sexes) - known):
        raise InputError(
            f"ploidy file gives no ploidy for sex label '{sex}'",
            path=source,
            hint="add a default line such as '* * * " + sex + " 2' (labels: M male, F female, "
            "U unknown)",
        )
    for line in lines:
        if line.chrom != "*" and line.chrom not in contigs:
            raise InputError(
                f"ploidy file names contig '{line.chrom}', which the reference does not have",
                path=source,
                hint="use the reference's contig names (see its .fai)",
            )


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
