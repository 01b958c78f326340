"""Case inputs: the nf-core-style samplesheet and the PED pedigree, parsed with line-level errors.

Parsing is pure over text; ``read_*`` functions add the file name to every error.  Relative file
paths in a samplesheet are resolved against the samplesheet's own directory.
"""

from __future__ import annotations

import csv
import io
import re
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bp2.errors import InputError, InputProblems, PipelineDefinitionError
from bp2.resources import Resources

IMPLEMENTS = ("SRS-017",)

SAMPLE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"


class Phenotype(StrEnum):
    AFFECTED = "affected"
    UNAFFECTED = "unaffected"
    UNKNOWN = "unknown"


_SHEET_SEX = {
    "male": Sex.MALE,
    "m": Sex.MALE,
    "xy": Sex.MALE,
    "1": Sex.MALE,
    "female": Sex.FEMALE,
    "f": Sex.FEMALE,
    "xx": Sex.FEMALE,
    "2": Sex.FEMALE,
    "unknown": Sex.UNKNOWN,
    "0": Sex.UNKNOWN,
    "": Sex.UNKNOWN,
}
_PED_SEX = {"1": Sex.MALE, "2": Sex.FEMALE, "0": Sex.UNKNOWN, "other": Sex.UNKNOWN}
_PED_PHENO = {
    "2": Phenotype.AFFECTED,
    "1": Phenotype.UNAFFECTED,
    "0": Phenotype.UNKNOWN,
    "-9": Phenotype.UNKNOWN,
}


class SampleRow(BaseModel):
    """One row of the samplesheet: a sample's reads as paired FASTQ or as an aligned BAM."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sample: str
    sex: Sex
    fastq_1: Path | None = None
    fastq_2: Path | None = None
    md5_1: str | None = None
    md5_2: str | None = None
    bam: Path | None = None
    bam_index: Path | None = None
    line: int

    @property
    def files(self) -> tuple[Path, ...]:
        return tuple(p for p in (self.fastq_1, self.fastq_2, self.bam, self.bam_index) if p)


class Samplesheet(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    path: Path
    rows: tuple[SampleRow, ...]

    @property
    def sample_ids(self) -> tuple[str, ...]:
        return tuple(row.sample for row in self.rows)

    def row(self, sample: str) -> SampleRow:
        for row in self.rows:
            if row.sample == sample:
                return row
        raise KeyError(sample)


class PedRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    family: str
    individual: str
    father: str | None
    mother: str | None
    sex: Sex
    phenotype: Phenotype
    line: int


class Pedigree(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    path: Path
    records: tuple[PedRecord, ...]

    def get(self, individual: str) -> PedRecord | None:
        return next((r for r in self.records if r.individual == individual), None)

    @property
    def affected(self) -> tuple[str, ...]:
        return tuple(r.individual for r in self.records if r.phenotype is Phenotype.AFFECTED)


SHEET_COLUMNS = {"sample", "sex", "fastq_1", "fastq_2", "md5_1", "md5_2", "bam", "bam_index"}


def parse_samplesheet(text: str, path: Path) -> Samplesheet:
    """Parse an nf-core-style samplesheet (``sample,sex,fastq_1,fastq_2`` or ``sample,sex,bam``)."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise InputError(
            "samplesheet is empty",
            path=path,
            line=1,
            hint="the first line must be a header such as sample,sex,fastq_1,fastq_2",
        )
    unknown = [h for h in header if h not in SHEET_COLUMNS]
    if unknown:
        raise InputError(
            f"unknown samplesheet column(s): {', '.join(unknown)}",
            path=path,
            line=1,
            hint=f"allowed columns: {', '.join(sorted(SHEET_COLUMNS))}",
        )
    for required in ("sample", "sex"):
        if required not in header:
            raise InputError(
                f"samplesheet has no '{required}' column",
                path=path,
                line=1,
                hint="add the column; see README 'Running a real case'",
            )
    base = path.parent
    rows: list[SampleRow] = []
    problems: list[InputError] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(reader, start=2):
        try:
            row = _sheet_row(raw, number, path, base, seen)
        except InputError as problem:  # every row is checked; all problems are reported at once
            problems.append(problem)
            continue
        if row is not None:
            rows.append(row)
    if problems:
        raise InputProblems.combine(problems)
    if not rows:
        raise InputError(
            "samplesheet lists no samples",
            path=path,
            hint="add one row per sample under the header",
        )
    return Samplesheet(path=path, rows=tuple(rows))


MD5 = re.compile(r"^[0-9a-fA-F]{32}$")


def _sheet_row(
    raw: dict[str | None, str | None], number: int, path: Path, base: Path, seen: dict[str, int]
) -> SampleRow | None:
    """One samplesheet row (None for a blank row); raises the row's first problem."""
    values = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
    if not any(values.values()):
        return None
    sample = values.get("sample", "")
    if not SAMPLE_ID.match(sample):
        raise InputError(
            f"invalid sample ID '{sample}'",
            path=path,
            line=number,
            field="sample",
            hint="use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
        )
    if sample in seen:
        raise InputError(
            f"sample '{sample}' appears twice (first on line {seen[sample]})",
            path=path,
            line=number,
            field="sample",
            hint="give each sample one row",
        )
    seen[sample] = number
    sex_text = values.get("sex", "").lower()
    if sex_text not in _SHEET_SEX:
        raise InputError(
            f"invalid sex '{values.get('sex')}'",
            path=path,
            line=number,
            field="sex",
            hint="use male, female or unknown",
        )

    def file(column: str, *, _values: dict[str, str] = values) -> Path | None:
        text_value = _values.get(column, "")
        return (base / text_value) if text_value else None

    fastq_1, fastq_2, bam = file("fastq_1"), file("fastq_2"), file("bam")
    if bam is None and (fastq_1 is None or fastq_2 is None):
        raise InputError(
            f"sample '{sample}' has no reads",
            path=path,
            line=number,
            field="fastq_1",
            hint="give both fastq_1 and fastq_2 (paired reads) or a bam with bam_index",
        )
    if bam is not None and (fastq_1 is not None or fastq_2 is not None):
        raise InputError(
            f"sample '{sample}' gives both FASTQ and BAM",
            path=path,
            line=number,
            field="bam",
            hint="give either FASTQ or BAM, not both",
        )
    bam_index = file("bam_index")
    if bam is not None and bam_index is None:
        raise InputError(
            f"sample '{sample}' has a bam but no bam_index",
            path=path,
            line=number,
            field="bam_index",
            hint="add the .bai or .csi path in a bam_index column",
        )
    for column in ("md5_1", "md5_2"):
        if values.get(column) and not MD5.match(values[column]):
            raise InputError(
                f"invalid {column} '{values[column]}'",
                path=path,
                line=number,
                field=column,
                hint="give the 32 hexadecimal digits md5sum prints for the file, or leave it empty",
            )
    return SampleRow(
        sample=sample,
        sex=_SHEET_SEX[sex_text],
        fastq_1=fastq_1,
        fastq_2=fastq_2,
        md5_1=(values.get("md5_1") or "").lower() or None,
        md5_2=(values.get("md5_2") or "").lower() or None,
        bam=bam,
        bam_index=bam_index,
        line=number,
    )


def parse_pedigree(text: str, path: Path) -> Pedigree:
    """Parse a 6-column PED file (family, individual, father, mother, sex, phenotype)."""
    records: list[PedRecord] = []
    problems: list[InputError] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            records.append(_ped_record(line, number, path, seen))
        except InputError as problem:  # every line is checked; all problems are reported at once
            problems.append(problem)
    if problems:
        raise InputProblems.combine(problems)
    if not records:
        raise InputError(
            "pedigree lists no individuals", path=path, hint="add one 6-column line per individual"
        )
    return Pedigree(path=path, records=tuple(records))


def _ped_record(line: str, number: int, path: Path, seen: set[str]) -> PedRecord:
    """One PED line; raises its first problem."""
    cols = line.split("\t") if "\t" in line else line.split()
    if len(cols) < 6:
        raise InputError(
            f"PED line has {len(cols)} columns, 6 are needed",
            path=path,
            line=number,
            hint="columns: family, individual, father, mother, sex (1/2/0), phenotype (2/1/0)",
        )
    family, individual, father, mother, sex, pheno = (c.strip() for c in cols[:6])
    if individual in seen:
        raise InputError(
            f"individual '{individual}' appears twice",
            path=path,
            line=number,
            field="individual",
            hint="give each individual one line",
        )
    seen.add(individual)
    if sex not in _PED_SEX:
        raise InputError(
            f"invalid PED sex '{sex}'",
            path=path,
            line=number,
            field="sex",
            hint="use 1 (male), 2 (female) or 0 (unknown)",
        )
    if pheno not in _PED_PHENO:
        raise InputError(
            f"invalid PED phenotype '{pheno}'",
            path=path,
            line=number,
            field="phenotype",
            hint="use 2 (affected), 1 (unaffected) or 0 (unknown)",
        )
    return PedRecord(
        family=family,
        individual=individual,
        father=None if father in ("0", "") else father,
        mother=None if mother in ("0", "") else mother,
        sex=_PED_SEX[sex],
        phenotype=_PED_PHENO[pheno],
        line=number,
    )


def read_samplesheet(path: Path) -> Samplesheet:
    return parse_samplesheet(_read_text(path, "samplesheet"), path)


def read_pedigree(path: Path) -> Pedigree:
    return parse_pedigree(_read_text(path, "pedigree (PED)"), path)


def _read_text(path: Path, role: str) -> str:
    if not path.is_file():
        raise InputError.missing_file(path, role)
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{role} is not UTF-8 text (byte {exc.start})",
            path=path,
            hint="save the file as plain UTF-8 text",
        ) from None


def check_case(sheet: Samplesheet, ped: Pedigree) -> list[InputError]:
    """Cross-check samplesheet and pedigree; return every problem found (empty when consistent)."""
    problems: list[InputError] = []
    samples = set(sheet.sample_ids)
    for record in ped.records:
        if record.individual not in samples:
            problems.append(
                InputError(
                    f"PED individual '{record.individual}' has no row in the samplesheet",
                    path=ped.path,
                    line=record.line,
                    field="individual",
                    hint=f"add '{record.individual}' to {sheet.path.name} or remove it from the "
                    "PED",
                )
            )
    for row in sheet.rows:
        ped_record = ped.get(row.sample)
        if ped_record is None:
            problems.append(
                InputError(
                    f"sample '{row.sample}' is not in the PED",
                    path=sheet.path,
                    line=row.line,
                    field="sample",
                    hint=f"add '{row.sample}' to {ped.path.name} or remove the row",
                )
            )
        elif Sex.UNKNOWN not in (row.sex, ped_record.sex) and row.sex != ped_record.sex:
            problems.append(
                InputError(
                    f"sample '{row.sample}' is {row.sex} in the samplesheet but {ped_record.sex} "
                    "in the PED",
                    path=sheet.path,
                    line=row.line,
                    field="sex",
                    hint="correct whichever record is wrong; a sex mismatch may mean a sample swap",
                )
            )
    problems.extend(check_pedigree(ped))
    return problems


def check_pedigree(ped: Pedigree) -> list[InputError]:
    """The PED's own consistency: parents present with a fitting sex, one family, no loops, an
    affected individual.  Every problem found is returned (empty when consistent)."""
    problems: list[InputError] = []
    for record in ped.records:
        for role, parent in (("father", record.father), ("mother", record.mother)):
            if parent is not None and ped.get(parent) is None:
                problems.append(
                    InputError(
                        f"{role} '{parent}' of '{record.individual}' is not in the PED",
                        path=ped.path,
                        line=record.line,
                        field=role,
                        hint=f"add a line for '{parent}' or set the {role} column to 0",
                    )
                )
        expected = {"father": Sex.MALE, "mother": Sex.FEMALE}
        for role, parent in (("father", record.father), ("mother", record.mother)):
            parent_record = ped.get(parent) if parent else None
            if parent_record and parent_record.sex not in (expected[role], Sex.UNKNOWN):
                problems.append(
                    InputError(
                        f"'{parent}' is the {role} of '{record.individual}' but has PED sex "
                        f"{parent_record.sex}",
                        path=ped.path,
                        line=parent_record.line,
                        field="sex",
                        hint="correct the sex column or the parent columns",
                    )
                )
    problems.extend(_pedigree_structure(ped))
    if not ped.affected:
        problems.append(
            InputError(
                "no individual in the PED is affected",
                path=ped.path,
                field="phenotype",
                hint="mark the proband's phenotype column as 2 (affected)",
            )
        )
    return problems


def _pedigree_structure(ped: Pedigree) -> list[InputError]:
    """One family per case; nobody is their own parent or ancestor."""
    problems: list[InputError] = []
    families = sorted({r.family for r in ped.records})
    if len(families) > 1:
        problems.append(
            InputError(
                f"the PED holds {len(families)} families ({', '.join(families)}); a case is one "
                "family",
                path=ped.path,
                field="family",
                hint="give one family per case (run related families as separate cases), or "
                "correct the family column",
            )
        )
    for record in ped.records:
        if record.individual in (record.father, record.mother):
            problems.append(
                InputError(
                    f"'{record.individual}' is given as their own parent",
                    path=ped.path,
                    line=record.line,
                    field="father" if record.father == record.individual else "mother",
                    hint="correct the father/mother columns (0 = not in the PED)",
                )
            )
            continue
        ancestors: set[str] = set()
        frontier = [p for p in (record.father, record.mother) if p]
        while frontier:
            parent = frontier.pop()
            if parent in ancestors:
                continue
            ancestors.add(parent)
            parent_record = ped.get(parent)
            if parent_record is not None:
                frontier.extend(p for p in (parent_record.father, parent_record.mother) if p)
        if record.individual in ancestors:
            problems.append(
                InputError(
                    f"'{record.individual}' is their own ancestor (the parent columns form a loop)",
                    path=ped.path,
                    line=record.line,
                    field="father",
                    hint="correct the father/mother columns so that no one descends from "
                    "themselves",
                )
            )
    return problems


class CaseVcf(BaseModel):
    """A VCF called elsewhere that a case starts from instead of reads (``bp2 interpret``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: Path


class CaseInputs(BaseModel):
    """Everything a run of one case starts from.

    A case starts from reads (a samplesheet, and resources with the reference to align them to)
    or, for ``bp2 interpret``, from a VCF called elsewhere (``vcf``; resources optional).  The
    properties ``samplesheet`` and ``resources`` return the fields ``reads`` and
    ``resource_set`` and raise PipelineDefinitionError when the case has none, so a stage that
    needs reads cannot run on a VCF-only case unnoticed; a stage that can do without them reads
    the optional fields.  Constructors keep the names ``samplesheet=`` and ``resources=``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    reads: Samplesheet | None = Field(default=None, alias="samplesheet")
    pedigree: Pedigree
    resource_set: Resources | None = Field(default=None, alias="resources")
    panels: tuple[Path, ...] = ()
    vcf: CaseVcf | None = None

    @model_validator(mode="after")
    def _one_starting_point(self) -> CaseInputs:
        if (self.reads is None) == (self.vcf is None):
            raise ValueError("a case starts from a samplesheet (reads) or from a VCF: give one")
        if self.reads is not None and self.resource_set is None:
            raise ValueError("a case that starts from reads needs resources (a reference)")
        return self

    @property
    def samplesheet(self) -> Samplesheet:
        if self.reads is None:
            raise PipelineDefinitionError(
                "this case starts from a VCF and has no samplesheet (reads)",
                hint="a stage that reads the samples' reads cannot run in 'bp2 interpret'",
            )
        return self.reads

    @property
    def resources(self) -> Resources:
        if self.resource_set is None:
            raise PipelineDefinitionError(
                "this case has no resources (no reference)",
                hint="give --resources R.yaml to run a stage that needs the reference",
            )
        return self.resource_set

    @property
    def sample_ids(self) -> tuple[str, ...]:
        """The samples: the samplesheet's, or for a VCF case the PED's individuals."""
        if self.reads is not None:
            return self.reads.sample_ids
        return tuple(r.individual for r in self.pedigree.records)
