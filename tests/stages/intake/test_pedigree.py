"""The case cross-checks intake relies on (bp2.case): pedigree structure and all-at-once parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bp2.case import check_case, parse_pedigree, parse_samplesheet
from bp2.errors import InputError, InputProblems

SHEET = Path("/case/samplesheet.csv")
PED = Path("/case/family.ped")


def titles(sheet_text: str, ped_text: str) -> list[str]:
    return [p.title for p in check_case(parse_samplesheet(sheet_text, SHEET),
                                        parse_pedigree(ped_text, PED))]


@pytest.mark.verifies("SRS-100")
def test_a_consistent_trio_passes() -> None:
    """It finds nothing wrong with a trio whose child is affected."""
    sheet = "sample,sex,fastq_1,fastq_2\nkid,female,a,b\ndad,male,c,d\nmum,female,e,f\n"
    ped = "F kid dad mum 2 2\nF dad 0 0 1 1\nF mum 0 0 2 1\n"
    assert titles(sheet, ped) == []


@pytest.mark.verifies("SRS-100")
def test_several_families_self_parents_and_loops_are_refused() -> None:
    """It refuses two families in one case, an own parent and an ancestry loop."""
    sheet = "sample,sex,fastq_1,fastq_2\na,male,1,2\nb,male,3,4\nc,male,5,6\n"
    found = titles(sheet, "F1 a b 0 1 2\nF2 b c 0 1 1\nF1 c a 0 1 1\n")
    assert any("holds 2 families (F1, F2)" in t for t in found)
    assert sum("their own ancestor" in t for t in found) == 3  # a → b → c → a
    assert any("own parent" in t for t in titles("sample,sex,fastq_1,fastq_2\na,male,1,2\n",
                                                "F a a 0 1 2\n"))


@pytest.mark.verifies("SRS-100", "SRS-111")
def test_every_bad_row_and_line_is_reported_at_once() -> None:
    """It reports every malformed samplesheet row and PED line together, each with its line."""
    with pytest.raises(InputProblems) as info:
        parse_samplesheet("sample,sex,fastq_1,fastq_2,md5_1\nA,boy,a,b,\nB,male,c,d,xyz\n", SHEET)
    assert [(p.line, p.field) for p in info.value.problems] == [(2, "sex"), (3, "md5_1")]
    assert "2 problems" in info.value.title and "md5_1" in info.value.title
    with pytest.raises(InputProblems) as ped_info:
        parse_pedigree("F a 0 0 3 2\nF b 0 0 1 7\n", PED)
    assert [p.field for p in ped_info.value.problems] == ["sex", "phenotype"]


@pytest.mark.verifies("SRS-100")
def test_one_problem_stays_a_plain_located_error() -> None:
    """It raises a single problem as itself, keeping its line and field."""
    with pytest.raises(InputError) as info:
        parse_samplesheet("sample,sex,fastq_1,fastq_2\nA,boy,a,b\n", SHEET)
    assert not isinstance(info.value, InputProblems)
    assert (info.value.line, info.value.field) == (2, "sex")


@pytest.mark.verifies("SRS-106")
def test_samplesheet_md5_is_normalised_to_lower_case() -> None:
    """It accepts an upper-case md5 and stores it in lower case for comparison."""
    sheet = parse_samplesheet("sample,sex,fastq_1,fastq_2,md5_1\nA,male,a,b,"
                              "BB4C3C0BE5CC7FBAD4F140BF4C1CC74D\n", SHEET)
    assert sheet.row("A").md5_1 == "bb4c3c0be5cc7fbad4f140bf4c1cc74d"
