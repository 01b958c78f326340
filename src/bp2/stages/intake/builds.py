"""Genome builds: recognise a set of contigs, and decide whether two sets of contigs agree.

Pure functions over ``Contig`` records.  The declared table (``builds.yaml``) holds the names,
lengths and M5 checksums of the main chromosomes of the known builds, and an alias table that
pairs the two naming conventions (``chr20``/``20``).  Aliases are used only to *explain* a
refusal ("'20' is 'chr20' in the reference's naming"); nothing is ever renamed.

Recognition tries, in order: names with lengths, M5 checksums, lengths alone.  A set of contigs
that matches no known build is "unrecognised (custom)"; the agreement rules between a file and the
reference apply to custom builds just the same.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources as importlib_resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

MD5 = r"^[0-9a-f]{32}$"
CUSTOM = "unrecognised (custom)"


class ContigSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    length: int = Field(gt=0)
    md5: str | None = Field(default=None, pattern=MD5)


class KnownBuild(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    assembly: str
    label: str
    contigs: dict[str, ContigSpec]


class BuildTable(BaseModel):
    """The declared table of known builds (``builds.yaml``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str
    builds: dict[str, KnownBuild]
    aliases: tuple[tuple[str, str], ...]

    def alias(self, name: str) -> str | None:
        """The same chromosome's name in the other naming convention, if the table pairs it."""
        for first, second in self.aliases:
            if name == first:
                return second
            if name == second:
                return first
        return None


TABLE_FILE = "builds.yaml"


def table_text() -> str:
    """The packaged build table's text (its digest is recorded in the intake summary)."""
    return (importlib_resources.files(__package__) / TABLE_FILE).read_text(encoding="utf-8")


@functools.cache
def load_table() -> BuildTable:
    return BuildTable.model_validate(yaml.safe_load(table_text()))


def table_digest() -> str:
    return hashlib.sha256(table_text().encode()).hexdigest()


@dataclass(frozen=True)
class Contig:
    """A contig as a file declares it: name, and length and M5 when the file gives them."""

    name: str
    length: int | None = None
    md5: str | None = None


Method = Literal["names+lengths", "names", "M5", "lengths", "none"]


class Recognition(BaseModel):
    """Which known build(s) a set of contigs is, and on what evidence."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    builds: tuple[str, ...]  # candidate build IDs; empty = unrecognised (custom)
    label: str
    assembly: str | None  # GRCh37 / GRCh38 when every candidate agrees, else None
    method: Method
    evidence: tuple[str, ...]  # the contigs that matched

    @property
    def recognised(self) -> bool:
        return bool(self.builds)


def _result(table: BuildTable, ids: Sequence[str], method: Method,
            evidence: Iterable[str]) -> Recognition:
    ids = tuple(sorted(ids))
    if not ids:
        return Recognition(builds=(), label=CUSTOM, assembly=None, method="none", evidence=())
    assemblies = {table.builds[i].assembly for i in ids}
    return Recognition(
        builds=ids,
        label=" or ".join(table.builds[i].label for i in ids),
        assembly=assemblies.pop() if len(assemblies) == 1 else None,
        method=method,
        evidence=tuple(sorted(set(evidence), key=_natural)),
    )


def _natural(name: str) -> tuple[str, int, str]:
    stem = name.removeprefix("chr")
    return (name[: len(name) - len(stem)], int(stem) if stem.isdigit() else 10**6, stem)


def recognise(
    contigs: Sequence[Contig],
    table: BuildTable,
    md5_of: Callable[[str], str] | None = None,
) -> Recognition:
    """Recognise the build of ``contigs`` by names+lengths, then M5, then lengths alone.

    ``md5_of(name)`` may compute a contig's M5 when the file does not declare one (the reference
    FASTA); it is called only for contigs whose length is a known chromosome length and only
    when the names are not recognised.
    """
    # 1. names (with lengths when known); a named contig whose length differs rules a build out
    scored: dict[str, list[str]] = {}
    named_only = True
    for build_id, build in table.builds.items():
        matched: list[str] = []
        conflict = False
        for contig in contigs:
            spec = build.contigs.get(contig.name)
            if spec is None:
                continue
            if contig.length is None:
                matched.append(contig.name)
            elif contig.length == spec.length:
                matched.append(contig.name)
                named_only = False
            else:
                conflict = True
                break
        if matched and not conflict:
            scored[build_id] = matched
    if scored:
        best = max(len(m) for m in scored.values())
        ids = [b for b, m in scored.items() if len(m) == best]
        return _result(table, ids, "names" if named_only else "names+lengths",
                       (c for b in ids for c in scored[b]))

    # 2. M5 (declared, or computed for contigs of a known chromosome length)
    known_lengths = {spec.length for b in table.builds.values() for spec in b.contigs.values()}
    by_md5: dict[str, list[str]] = {}
    for contig in contigs:
        md5 = contig.md5
        if md5 is None and md5_of is not None and contig.length in known_lengths:
            md5 = md5_of(contig.name)
        if md5 is None:
            continue
        for build_id, build in table.builds.items():
            if any(spec.md5 == md5 for spec in build.contigs.values()):
                by_md5.setdefault(build_id, []).append(contig.name)
    if by_md5:
        best = max(len(m) for m in by_md5.values())
        ids = [b for b, m in by_md5.items() if len(m) == best]
        return _result(table, ids, "M5", (c for b in ids for c in by_md5[b]))

    # 3. lengths alone, for names in no naming convention the table knows (a known name with
    #    another length has already ruled its builds out)
    known_names = {name for b in table.builds.values() for name in b.contigs}
    by_length: dict[str, list[str]] = {}
    for contig in contigs:
        if contig.name in known_names:
            continue
        for build_id, build in table.builds.items():
            if any(spec.length == contig.length for spec in build.contigs.values()):
                by_length.setdefault(build_id, []).append(contig.name)
    if by_length:
        best = max(len(m) for m in by_length.values())
        ids = [b for b, m in by_length.items() if len(m) == best]
        return _result(table, ids, "lengths", (c for b in ids for c in by_length[b]))
    return _result(table, (), "none", ())


@dataclass(frozen=True)
class Disagreement:
    """Why a file's contigs cannot be used with the reference, and what to do about it."""

    title: str
    hint: str


def _few(names: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(f"'{n}'" for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def agreement(
    what: str,
    contigs: Sequence[Contig],
    recognition: Recognition,
    reference: Mapping[str, int],
    reference_recognition: Recognition,
    table: BuildTable,
    *,
    used: Sequence[str],
    require_all_used: bool,
    reference_md5: Callable[[str], str] | None = None,
) -> list[Disagreement]:
    """Every reason ``what`` (a BAM, a VCF, a resource) disagrees with the reference.

    ``used`` are the contigs on which the file has data (mapped reads, records).  With
    ``require_all_used`` every one must be a reference contig (reads must be analysable);
    otherwise at least one must be (a genome-wide resource may cover more than the reference,
    but must never overlap it by zero contigs).  Contigs present in both must have the same length
    and, when the file declares M5 and ``reference_md5`` is given, the same sequence.
    """
    problems: list[Disagreement] = []
    both = f"the file is {recognition.label}; the reference is {reference_recognition.label}"
    if (recognition.recognised and reference_recognition.recognised
            and not set(recognition.builds) & set(reference_recognition.builds)):
        renamed = [(c, a) for c in used if c not in reference
                   and (a := table.alias(c)) is not None and a in reference]
        naming = (f"; the same chromosome is named differently ('{renamed[0][0]}' here, "
                  f"'{renamed[0][1]}' in the reference)") if renamed else ""
        problems.append(Disagreement(
            f"{what} is from another genome build than the reference: it is "
            f"{recognition.label}; the reference is {reference_recognition.label}{naming}",
            "use files made against the same build and contig naming as the reference: "
            "re-align the reads (or take the resource release) for this reference, or run with "
            "the reference the file was made against; contigs are never renamed silently"))
        return problems

    length_mismatch = [c for c in contigs
                       if c.name in reference and c.length is not None
                       and c.length != reference[c.name]]
    if length_mismatch:
        first = length_mismatch[0]
        problems.append(Disagreement(
            f"{what} and the reference give different lengths for {len(length_mismatch)} "
            f"contig(s), e.g. '{first.name}' is {first.length:,} bp in the file but "
            f"{reference[first.name]:,} bp in the reference ({both})",
            "the file was made against another build of the same contig names: use files "
            "made against this reference"))

    missing = [c for c in used if c not in reference]
    if missing and (require_all_used or len(missing) == len(used)):
        renamed = [(c, a) for c in missing if (a := table.alias(c)) is not None and a in reference]
        naming = (f"; '{renamed[0][0]}' is named '{renamed[0][1]}' in the reference (another "
                  "naming convention)") if renamed else ""
        scope = ("none of the contigs it has data on is" if len(missing) == len(used)
                 else f"{len(missing)} contig(s) it has data on are not")
        problems.append(Disagreement(
            f"{what} does not match the reference: {scope} in the reference "
            f"({_few(missing)}){naming} ({both})",
            "use a reference that holds these contigs under the same names (the one the file "
            "was made against), or files made against this reference"))

    used_set = set(used)
    if reference_md5 is not None and not length_mismatch:
        different = [c for c in contigs
                     if c.md5 is not None and c.name in reference and c.name in used_set
                     and c.md5 != reference_md5(c.name)]
        if different:
            first = different[0]
            problems.append(Disagreement(
                f"{what} declares another sequence (M5) for {len(different)} contig(s), e.g. "
                f"'{first.name}' has M5 {first.md5} in the file but "
                f"{reference_md5(first.name)} in the reference",
                "the file was made against a reference with the same names and lengths but "
                "other bases (e.g. masked or patched): use the reference it was made against"))
    return problems
