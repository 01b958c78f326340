"""Sex inference from chrX and its comparison with the PED (bp2.stages.qc_family.sex, .checks)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bp2.case import Sex
from bp2.errors import InputError
from bp2.stages.qc_family.checks import Flag, Status, check_sex
from bp2.stages.qc_family.genotypes import Balance, Code
from bp2.stages.qc_family.sex import (
    AlignmentSex,
    Basis,
    InferredSex,
    SexThresholds,
    infer_sex,
    parse_alignment_sex,
    x_evidence,
)

LIMITS = SexThresholds(min_sites=4, male_max=0.2, female_min=0.4)
R, H, A, HR, HA = Code.HOM_REF, Code.HET, Code.HOM_ALT, Code.HAP_REF, Code.HAP_ALT
NO, BAL, ALT = Balance.NO_DATA, Balance.AD_BALANCED, Balance.AD_ALT


def infer(codes: Sequence[int], balance: Sequence[int] | None = None,
          ) -> tuple[InferredSex, Basis]:
    balance = balance if balance is not None else [NO] * len(codes)
    result = infer_sex(x_evidence(np.array(codes, dtype=np.int8),
                                  np.array(balance, dtype=np.int8)), LIMITS)
    return result.inferred, result.basis


@pytest.mark.verifies("SRS-185")
def test_genotype_basis() -> None:
    """It calls male below 0.2 and female above 0.4 heterozygous fraction of ALT genotypes."""
    assert infer([A, A, A, A, A, R, R]) == (InferredSex.MALE, Basis.GENOTYPE)  # 0/5
    assert infer([H, H, H, A, A, R]) == (InferredSex.FEMALE, Basis.GENOTYPE)  # 3/5 = 0.6
    assert infer([H, A, A, A]) == (InferredSex.AMBIGUOUS, Basis.GENOTYPE)  # 1/4 = 0.25
    assert infer([H, H, A, R, R, R]) == (InferredSex.UNKNOWN, Basis.GENOTYPE)  # 3 sites < 4


@pytest.mark.verifies("SRS-185")
def test_haploid_calls_use_allele_depths() -> None:
    """It judges a sample whose chrX was called haploid by its allele depths, not its GT."""
    haploid = [HA, HA, HR, HA, HA, HR]
    # a true female called haploid: balanced AD at 3 of 5 ALT-read sites → female
    assert infer(haploid, [BAL, BAL, NO, BAL, ALT, ALT]) == (InferredSex.FEMALE,
                                                             Basis.ALLELE_DEPTH)
    assert infer(haploid, [ALT, ALT, NO, ALT, ALT, NO]) == (InferredSex.MALE,
                                                            Basis.ALLELE_DEPTH)
    # without allele depths the haploid GT only repeats the PED: no evidence
    assert infer(haploid) == (InferredSex.UNKNOWN, Basis.NONE)


@pytest.mark.verifies("SRS-185")
def test_check_against_ped() -> None:
    """It fails a definite sex that differs from the PED, whichever source says so."""
    male = infer_sex(x_evidence(np.array([A] * 6, dtype=np.int8),
                                np.full(6, NO, dtype=np.int8)), LIMITS)
    none = infer_sex(x_evidence(np.array([], dtype=np.int8), np.array([], dtype=np.int8)),
                     LIMITS)
    ambiguous = infer_sex(x_evidence(np.array([H, A, A, A], dtype=np.int8),
                                     np.full(4, NO, dtype=np.int8)), LIMITS)
    ok = check_sex("S1", Sex.MALE, male, None, 4)
    assert (ok.status, ok.flag) == (Status.PASS, None)
    bad = check_sex("S1", Sex.FEMALE, male, None, 4)
    assert (bad.status, bad.flag) == (Status.FAIL, Flag.SEX_DISCORDANCE)
    assert "0 of 6 ALT-carrying sites" in bad.message and "PED sex female" in bad.message
    by_alignment = check_sex("S1", Sex.MALE, none, AlignmentSex("S1", Sex.FEMALE, "XX"), 4)
    assert (by_alignment.status, by_alignment.flag) == (Status.FAIL, Flag.SEX_DISCORDANCE)
    assert "qc_alignment inferred female (karyotype XX)" in by_alignment.message
    confirmed = check_sex("S1", Sex.FEMALE, none, AlignmentSex("S1", Sex.FEMALE, "XX"), 4)
    assert confirmed.status is Status.PASS
    unsure = check_sex("S1", Sex.MALE, ambiguous, None, 4)
    assert (unsure.status, unsure.flag) == (Status.FAIL, Flag.SEX_AMBIGUOUS)
    missing = check_sex("S1", Sex.MALE, none, None, 4)
    assert (missing.status, missing.flag) == (Status.INSUFFICIENT_DATA, Flag.INSUFFICIENT_SITES)
    assert "at least 4 sites needed" in missing.message
    unknown = check_sex("S1", Sex.UNKNOWN, male, None, 4)
    assert unknown.status is Status.NOT_APPLICABLE and "PED sex unknown" in unknown.message


def qc_json(sample: object, sex: object, karyotype: object = "XY") -> dict[str, object]:
    """The parts of qc_alignment's qc.json that qc_family reads, among others it ignores."""
    return {"sample": sample, "status": "pass",
            "metrics": {"sex": {"inferred_sex": sex, "karyotype": karyotype,
                                "x_copy_number": 1.01}, "reads": {"primary": 10}}}


@pytest.mark.verifies("SRS-187")
@pytest.mark.parametrize(
    ("data", "match"),
    [
        ([], "must hold a JSON object"),
        ({"metrics": {"sex": {"inferred_sex": "male"}}}, "has no 'sample'"),
        (qc_json("HG002", "XY?"), "invalid or missing metrics.sex.inferred_sex"),
        ({"sample": "HG002", "metrics": {}}, "invalid or missing metrics.sex.inferred_sex"),
    ],
)
def test_alignment_json_refused(data: object, match: str) -> None:
    """It refuses an alignment QC file without a sample or with an invalid sex."""
    with pytest.raises(InputError, match=match) as info:
        parse_alignment_sex(data, Path("s.json"))
    assert info.value.path == "s.json"


@pytest.mark.verifies("SRS-185")
def test_alignment_json_read() -> None:
    """It reads the sample, inferred sex and karyotype of qc_alignment's qc.json."""
    assert parse_alignment_sex(qc_json("HG002", "male"), Path("s.json")) == AlignmentSex(
        "HG002", Sex.MALE, "XY")
    unusual = parse_alignment_sex(qc_json("P1", "male", "XXY"), Path("s.json"))
    assert unusual.describe() == "qc_alignment inferred male (karyotype XXY)"
    assert parse_alignment_sex(qc_json("P2", "unknown", None), Path("s.json")).karyotype is None
