"""The case's family for tiering: PED affection status and sex, checked against inferred sex.

Pure over a parsed :class:`~bp2.case.Pedigree` and the inferred sexes.  The PED's sex is used
when the inferred sex (from ``qc_alignment``: ``{"sample": …, "inferred_sex": …}``) agrees with
it or is not given.  A disagreement, or a sex unknown in the PED, is flagged and turns X-linked
segregation off for the case (no variant outside the X PARs is segregated or tiered).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bp2.case import Pedigree, Phenotype, Sex
from bp2.errors import InputError
from bp2.stages.tier.model import Family, Person

IMPLEMENTS = ("SRS-238", "SRS-239")

_SEX_WORDS = {"male": Sex.MALE, "female": Sex.FEMALE, "unknown": Sex.UNKNOWN}


@dataclass(frozen=True)
class SexCheck:
    sample: str
    ped: Sex
    inferred: Sex | None  # None: no inference given
    flag: str | None  # SEX_DISCORDANT, SEX_UNKNOWN or None


def parse_inferred_sex(data: Any, path: Path) -> tuple[str, Sex]:
    """(sample, sex) from ``{"sample", "inferred_sex"}`` or a qc_alignment ``qc.json``.

    qc_alignment writes the inference under ``metrics.sex.inferred_sex``.
    """
    if not isinstance(data, dict):
        raise InputError("the inferred-sex file must hold a JSON object", path=path,
                         hint='write e.g. {"sample": "HG002", "inferred_sex": "male"}')
    sample, sex = data.get("sample"), data.get("inferred_sex")
    if sex is None:  # a qc_alignment qc.json
        metrics = data.get("metrics")
        block = metrics.get("sex") if isinstance(metrics, dict) else None
        sex = block.get("inferred_sex") if isinstance(block, dict) else None
    if not isinstance(sample, str) or not sample:
        raise InputError("the inferred-sex file has no 'sample'", path=path, field="sample",
                         hint="name the sample the inference is for")
    if not isinstance(sex, str) or sex.strip().lower() not in _SEX_WORDS:
        raise InputError(f"invalid 'inferred_sex' {sex!r} for sample '{sample}'", path=path,
                         field="inferred_sex", hint="use male, female or unknown")
    return sample, _SEX_WORDS[sex.strip().lower()]


def read_inferred_sex(paths: Sequence[Path], pedigree: Pedigree) -> dict[str, Sex]:
    found: dict[str, Sex] = {}
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"the inferred-sex file is not valid JSON: {exc}", path=path,
                             field="inferred_sex", hint="give the qc_alignment sex JSON") from None
        sample, sex = parse_inferred_sex(data, path)
        if pedigree.get(sample) is None:
            raise InputError(f"inferred sex given for '{sample}', who is not in the PED",
                             path=path, field="sample", hint="give one file per PED individual")
        if sample in found:
            raise InputError(f"inferred sex given twice for '{sample}'", path=path,
                             field="sample", hint="give one file per sample")
        found[sample] = sex
    return found


def build_family(pedigree: Pedigree, inferred: Mapping[str, Sex]
                 ) -> tuple[Family, tuple[SexCheck, ...]]:
    """The family (one PED family), with X-linked segregation on only if every sex is sure."""
    families = sorted({r.family for r in pedigree.records})
    if len(families) != 1:
        raise InputError(f"the PED holds {len(families)} families ({', '.join(families)})",
                         path=pedigree.path, field="family",
                         hint="tier one family (case) at a time: give a PED with one family ID")
    people: dict[str, Person] = {}
    checks: list[SexCheck] = []
    for record in pedigree.records:
        for role, parent in (("father", record.father), ("mother", record.mother)):
            if parent is not None and pedigree.get(parent) is None:
                raise InputError(f"{role} '{parent}' of '{record.individual}' is not in the PED",
                                 path=pedigree.path, line=record.line, field=role,
                                 hint=f"add '{parent}' or set the {role} column to 0")
        guess = inferred.get(record.individual)
        flag = None
        if record.sex is Sex.UNKNOWN:
            flag = "SEX_UNKNOWN"
        elif guess is not None and guess is not Sex.UNKNOWN and guess is not record.sex:
            flag = "SEX_DISCORDANT"
        checks.append(SexCheck(record.individual, record.sex, guess, flag))
        affected = {Phenotype.AFFECTED: True, Phenotype.UNAFFECTED: False}.get(record.phenotype)
        people[record.individual] = Person(record.individual, record.sex, affected,
                                           record.father, record.mother)
    if not any(p.affected for p in people.values()):
        raise InputError("no individual in the PED is affected", path=pedigree.path,
                         field="phenotype", hint="mark the proband's phenotype column as 2")
    x_linked = all(c.flag is None for c in checks)
    return Family(people, x_linked=x_linked), tuple(sorted(checks, key=lambda c: c.sample))
