"""The family QC report: one JSON document and one TSV row per check, built from check records.

Pure: values in, text out.  Numbers are rounded to 6 decimals and keys sorted so the same
inputs give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bp2.fileio import pretty_json
from bp2.stages.qc_family.checks import MendelCheck, PairCheck, SexCheck, Status, overall
from bp2.stages.qc_family.genotypes import GenotypeTable, Span

TSV_COLUMNS = (
    "check", "subject", "status", "flag", "expected", "observed", "n_sites", "kinship", "ibs0",
    "n_inconsistent", "inconsistent_rate", "x_het_fraction", "message",
)


@dataclass(frozen=True)
class FamilyReport:
    samples: tuple[str, ...]
    table: GenotypeTable
    x_pars: tuple[Span, ...] | None
    pairs: tuple[PairCheck, ...]
    mendel: tuple[MendelCheck, ...]
    sex: tuple[SexCheck, ...]
    params: dict[str, Any]

    @property
    def checks(self) -> list[PairCheck | MendelCheck | SexCheck]:
        return [*self.pairs, *self.mendel, *self.sex]

    @property
    def status(self) -> Status:
        return overall([c.status for c in self.checks])

    @property
    def reasons(self) -> list[str]:
        return [
            c.message for c in self.checks
            if c.status in (Status.FAIL, Status.INSUFFICIENT_DATA)
        ]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _p(value: float | None) -> float | None:
    return None if value is None else float(f"{value:.6g}")


def _pair(check: PairCheck) -> dict[str, Any]:
    c = check.counts
    return {
        "samples": [check.sample_1, check.sample_2],
        "expected": check.expected.value,
        "pedigree_kinship": _round(check.pedigree_kinship),
        "inferred": None if check.inferred is None else check.inferred.value,
        "kinship": _round(c.kinship),
        "ibs0": _round(c.ibs0_fraction),
        "n_sites": c.n_sites,
        "counts": {"het_het": c.het_het, "ibs0": c.ibs0, "het_1": c.het_1, "het_2": c.het_2},
        "p_value": _p(check.p_value),
        "status": check.status.value,
        "flag": None if check.flag is None else check.flag.value,
        "message": check.message,
    }


def _mendel(check: MendelCheck) -> dict[str, Any]:
    c, unit = check.counts, check.unit
    return {
        "child": unit.child,
        "father": unit.father,
        "mother": unit.mother,
        "n_sites": c.n_sites,
        "n_inconsistent": c.n_inconsistent,
        "rate": _round(c.rate),
        "max_rate": check.max_rate,
        "by_contig": {
            contig: {"n_sites": sites, "n_inconsistent": bad}
            for contig, (sites, bad) in c.by_contig.items()
        },
        "p_value": _p(check.p_value),
        "status": check.status.value,
        "flag": None if check.flag is None else check.flag.value,
        "message": check.message,
    }


def _sex(check: SexCheck) -> dict[str, Any]:
    inference, ev = check.vcf, check.vcf.evidence
    return {
        "sample": check.sample,
        "ped_sex": check.ped_sex.value,
        "vcf": {
            "inferred": inference.inferred.value,
            "basis": inference.basis.value,
            "n_sites": inference.n_sites,
            "het_fraction": _round(inference.het_fraction),
            "counts": {
                "het": ev.het, "hom_alt": ev.hom_alt, "haploid": ev.haploid,
                "diploid": ev.diploid, "ad_balanced": ev.ad_balanced, "ad_alt": ev.ad_alt,
            },
        },
        "alignment": None if check.alignment is None else {
            "inferred": check.alignment.sex.value, "karyotype": check.alignment.karyotype,
        },
        "status": check.status.value,
        "flag": None if check.flag is None else check.flag.value,
        "message": check.message,
    }


def report_json(report: FamilyReport) -> str:
    table = report.table
    status = report.status
    document = {
        "overall": {
            "status": status.value,
            "passed": status is Status.PASS,
            "reasons": report.reasons,
        },
        "samples": list(report.samples),
        "sites": {
            "records": table.records,
            "autosomal_snvs": int(table.autosomal.shape[0]),
            "x_par_snvs": int(table.x_par.shape[0]),
            "x_nonpar_snvs": int(table.x_nonpar.shape[0]),
            "skipped": dict(table.skipped),
            "x_pars": None if report.x_pars is None else [list(s) for s in report.x_pars],
        },
        "relatedness": [_pair(c) for c in report.pairs],
        "mendelian": [_mendel(c) for c in report.mendel],
        "sex": [_sex(c) for c in report.sex],
        "params": report.params,
    }
    return pretty_json(document)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6f}"
    return str(value)


def _row(values: Sequence[object]) -> str:
    return "\t".join(_cell(v) for v in values) + "\n"


def report_tsv(report: FamilyReport) -> str:
    lines = [_row(TSV_COLUMNS)]
    for p in report.pairs:
        c = p.counts
        lines.append(_row((
            "relatedness", f"{p.sample_1},{p.sample_2}", p.status.value,
            p.flag.value if p.flag else None, p.expected.value,
            p.inferred.value if p.inferred else None, c.n_sites, c.kinship, c.ibs0_fraction,
            None, None, None, p.message,
        )))
    for m in report.mendel:
        unit = m.unit
        lines.append(_row((
            "mendelian", ",".join(unit.members), m.status.value,
            m.flag.value if m.flag else None, None, None, m.counts.n_sites, None, None,
            m.counts.n_inconsistent, m.counts.rate, None, m.message,
        )))
    for s in report.sex:
        lines.append(_row((
            "sex", s.sample, s.status.value, s.flag.value if s.flag else None,
            s.ped_sex.value, s.vcf.inferred.value, s.vcf.n_sites, None, None, None, None,
            s.vcf.het_fraction, s.message,
        )))
    status = report.status
    lines.append(_row((
        "overall", ",".join(report.samples), status.value, None, None, None, None, None, None,
        None, None, None, "; ".join(report.reasons) or "all family checks passed",
    )))
    return "".join(lines)
