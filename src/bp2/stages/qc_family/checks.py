"""The family checks' verdicts: pass, fail or insufficient data, each with a readable reason.

Pure functions from counts and PED facts to check records.  A check that cannot decide — too few
informative sites, or a kinship that cannot be estimated — is *insufficient data*, never a pass,
unless the data *contradict* the PED on those few sites: a declared parent–offspring pair with
significantly more opposite homozygotes than genotype error explains, or a trio with significantly
more Mendelian inconsistencies than the allowed rate, fails (:mod:`.significance`).
Every relatedness message names the kinship, IBS0 and the number of sites used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bp2.case import Sex
from bp2.stages.qc_family.kinship import PairCounts, infer_relationship, relationships_agree
from bp2.stages.qc_family.mendel import MendelCounts
from bp2.stages.qc_family.pedigree import LABEL, DegreeCutoffs, FamilyUnit, Relationship
from bp2.stages.qc_family.sex import AlignmentSex, Basis, InferredSex, SexInference
from bp2.stages.qc_family.significance import binomial_tail, format_p

IMPLEMENTS = ("SRS-189",)


class Status(StrEnum):
    PASS = "pass"  # noqa: S105 - a verdict, not a password
    FAIL = "fail"
    INSUFFICIENT_DATA = "insufficient_data"
    NOT_APPLICABLE = "not_applicable"  # nothing to compare against (PED sex unknown)


class Flag(StrEnum):
    RELATEDNESS_DISCORDANCE = "RELATEDNESS_DISCORDANCE"
    MENDELIAN_ERROR_RATE = "MENDELIAN_ERROR_RATE"
    SEX_DISCORDANCE = "SEX_DISCORDANCE"
    SEX_AMBIGUOUS = "SEX_AMBIGUOUS"
    INSUFFICIENT_SITES = "INSUFFICIENT_SITES"


@dataclass(frozen=True)
class RelatednessSettings:
    cutoffs: DegreeCutoffs
    parent_offspring_max_ibs0: float
    min_sites: int
    third_degree_as_unrelated: bool
    genotype_error_rate: float  # per-site IBS0 rate a true parent-offspring pair may show
    alpha: float  # a contradiction on too few sites needs a binomial tail below this


@dataclass(frozen=True)
class PairCheck:
    sample_1: str
    sample_2: str
    expected: Relationship
    pedigree_kinship: float
    counts: PairCounts
    inferred: Relationship | None
    status: Status
    flag: Flag | None
    message: str
    p_value: float | None = None  # IBS0 tail of a declared parent-offspring pair on few sites


@dataclass(frozen=True)
class MendelCheck:
    unit: FamilyUnit
    counts: MendelCounts
    max_rate: float
    status: Status
    flag: Flag | None
    message: str
    p_value: float | None = None  # binomial tail against max_rate on few sites


@dataclass(frozen=True)
class SexCheck:
    sample: str
    ped_sex: Sex
    vcf: SexInference
    alignment: AlignmentSex | None
    status: Status
    flag: Flag | None
    message: str


def _n(value: int) -> str:
    return f"{value:,}"


def _figures(counts: PairCounts) -> str:
    kinship = counts.kinship
    kin_text = "undefined" if kinship is None else f"{kinship:.4f}"
    ibs0 = counts.ibs0_fraction
    ibs0_text = "undefined" if ibs0 is None else f"{ibs0:.4f}"
    return (f"kinship {kin_text}, IBS0 {ibs0_text} = {_n(counts.ibs0)} of "
            f"{_n(counts.n_sites)} informative sites")


def check_pair(
    sample_1: str, sample_2: str, expected: Relationship, pedigree_kinship: float,
    counts: PairCounts, settings: RelatednessSettings,
) -> PairCheck:
    """Compare a pair's genotype relatedness with the PED's relationship."""
    pair = f"{sample_1} and {sample_2}"
    said = LABEL[expected]
    kinship, ibs0 = counts.kinship, counts.ibs0_fraction

    p_value: float | None = None
    if expected is Relationship.PARENT_OFFSPRING and counts.n_sites:
        p_value = binomial_tail(counts.ibs0, counts.n_sites, settings.genotype_error_rate)

    def result(inferred: Relationship | None, status: Status, flag: Flag | None,
               message: str) -> PairCheck:
        return PairCheck(sample_1, sample_2, expected, pedigree_kinship, counts, inferred,
                         status, flag, message, p_value)

    undecided = counts.n_sites < settings.min_sites or kinship is None or ibs0 is None
    if undecided and p_value is not None and p_value < settings.alpha:
        return result(None, Status.FAIL, Flag.RELATEDNESS_DISCORDANCE,
                      f"{pair}: the PED says {said} but {_n(counts.ibs0)} of "
                      f"{_n(counts.n_sites)} informative sites are opposite homozygotes, more "
                      f"than a genotype-error rate of {settings.genotype_error_rate:.2%} explains "
                      f"(binomial {format_p(p_value)} < {settings.alpha:g}) although fewer "
                      f"than {_n(settings.min_sites)} sites cannot confirm a relationship "
                      f"({_figures(counts)}); possible sample swap or pedigree error")
    ibs0_test = "" if p_value is None else (
        f"; {_n(counts.ibs0)} opposite homozygotes do not contradict parent-offspring at a "
        f"genotype-error rate of {settings.genotype_error_rate:.2%}, binomial {format_p(p_value)}")
    if counts.n_sites < settings.min_sites:
        return result(None, Status.INSUFFICIENT_DATA, Flag.INSUFFICIENT_SITES,
                      f"{pair}: too few informative sites to confirm that they are {said}: "
                      f"{_n(counts.n_sites)}, at least {_n(settings.min_sites)} needed "
                      f"({_figures(counts)}{ibs0_test})")
    if kinship is None or ibs0 is None:
        no_het = sample_1 if counts.het_1 == 0 else sample_2
        return result(None, Status.INSUFFICIENT_DATA, Flag.INSUFFICIENT_SITES,
                      f"{pair}: kinship cannot be estimated because {no_het} has no "
                      f"heterozygous informative site ({_figures(counts)}{ibs0_test})")
    inferred = infer_relationship(kinship, ibs0, settings.cutoffs,
                                  settings.parent_offspring_max_ibs0)
    if relationships_agree(expected, inferred, settings.third_degree_as_unrelated):
        seen = LABEL[inferred]
        note = "" if inferred == expected else f" (the PED says {said})"
        return result(inferred, Status.PASS, None,
                      f"{pair}: genotypes say {seen}, consistent with the PED{note} "
                      f"({_figures(counts)})")
    return result(inferred, Status.FAIL, Flag.RELATEDNESS_DISCORDANCE,
                  f"{pair}: the PED says {said} but the genotypes say {LABEL[inferred]} "
                  f"({_figures(counts)}); possible sample swap or pedigree error")


def check_mendel(unit: FamilyUnit, counts: MendelCounts, min_sites: int,
                 max_rate: float, alpha: float) -> MendelCheck:
    """Judge a trio's (or duo's) Mendelian-inconsistency rate.

    On fewer than ``min_sites`` sites the rate cannot pass, but a count significantly above
    ``max_rate`` (one-sided binomial tail below ``alpha``) fails.
    """
    who = unit.describe()
    rate = counts.rate
    figures = (f"{_n(counts.n_inconsistent)} Mendelian-inconsistent genotypes in "
               f"{_n(counts.n_sites)} informative sites"
               + ("" if rate is None else f" ({rate:.2%}; limit {max_rate:.2%})"))
    if counts.n_sites < min_sites or rate is None:
        p_value = (binomial_tail(counts.n_inconsistent, counts.n_sites, max_rate)
                   if counts.n_sites else None)
        if p_value is not None and p_value < alpha:
            return MendelCheck(unit, counts, max_rate, Status.FAIL, Flag.MENDELIAN_ERROR_RATE,
                               f"{who}: {figures} — significantly above the limit (binomial "
                               f"{format_p(p_value)} < {alpha:g}) although fewer than "
                               f"{_n(min_sites)} sites cannot confirm consistency; possible "
                               "sample swap, wrong parent or contamination", p_value)
        test = "" if p_value is None else (
            f"; not significantly above the limit, binomial {format_p(p_value)}")
        return MendelCheck(unit, counts, max_rate, Status.INSUFFICIENT_DATA,
                           Flag.INSUFFICIENT_SITES,
                           f"{who}: too few informative sites to judge Mendelian consistency: "
                           f"{figures}, at least {_n(min_sites)} sites needed{test}", p_value)
    if rate > max_rate:
        return MendelCheck(unit, counts, max_rate, Status.FAIL, Flag.MENDELIAN_ERROR_RATE,
                           f"{who}: {figures} — above the limit; possible sample swap, "
                           "wrong parent or contamination")
    return MendelCheck(unit, counts, max_rate, Status.PASS, None, f"{who}: {figures}")


def _describe_vcf(inference: SexInference) -> str:
    ev = inference.evidence
    if inference.basis is Basis.NONE:
        return (f"chrX called haploid at {_n(ev.haploid)} non-PAR sites without allele depths, "
                "so the VCF gives no independent evidence")
    what = "heterozygous genotypes" if inference.basis is Basis.GENOTYPE else (
        "heterozygous-looking allele depths (chrX called haploid)")
    het, n_sites = ev.counted
    fraction = "" if inference.het_fraction is None else f" = {inference.het_fraction:.3f}"
    return (f"VCF chrX non-PAR: {_n(het)} of {_n(n_sites)} ALT-carrying sites with "
            f"{what}{fraction} → {inference.inferred.value}")


def check_sex(sample: str, ped_sex: Sex, inference: SexInference,
              alignment: AlignmentSex | None, min_sites: int) -> SexCheck:
    """Compare the sex the data show with the PED sex."""
    evidence = [_describe_vcf(inference)]
    if alignment is not None:
        evidence.append(alignment.describe())
    text = "; ".join(evidence)

    def result(status: Status, flag: Flag | None, message: str) -> SexCheck:
        return SexCheck(sample, ped_sex, inference, alignment, status, flag, message)

    definite: list[Sex] = []
    if inference.inferred in (InferredSex.MALE, InferredSex.FEMALE):
        definite.append(Sex(inference.inferred.value))
    if alignment is not None and alignment.sex in (Sex.MALE, Sex.FEMALE):
        definite.append(alignment.sex)
    if ped_sex is Sex.UNKNOWN:
        return result(Status.NOT_APPLICABLE, None,
                      f"{sample}: PED sex unknown, nothing to compare ({text})")
    if any(sex != ped_sex for sex in definite):
        return result(Status.FAIL, Flag.SEX_DISCORDANCE,
                      f"{sample}: PED sex {ped_sex.value} but the data say otherwise ({text}); "
                      "possible sample swap or PED error")
    if definite:
        return result(Status.PASS, None, f"{sample}: {ped_sex.value} as in the PED ({text})")
    if inference.inferred is InferredSex.AMBIGUOUS:
        return result(Status.FAIL, Flag.SEX_AMBIGUOUS,
                      f"{sample}: PED sex {ped_sex.value} but the chrX evidence is ambiguous "
                      f"({text}); possible sex-chromosome aneuploidy, mosaicism or "
                      "contamination")
    return result(Status.INSUFFICIENT_DATA, Flag.INSUFFICIENT_SITES,
                  f"{sample}: too little chrX evidence to confirm PED sex {ped_sex.value} "
                  f"({text}; at least {_n(min_sites)} sites needed)")


def overall(statuses: Sequence[Status]) -> Status:
    """Fail if any check failed, else insufficient data if any could not decide, else pass."""
    if Status.FAIL in statuses:
        return Status.FAIL
    if Status.INSUFFICIENT_DATA in statuses:
        return Status.INSUFFICIENT_DATA
    return Status.PASS
