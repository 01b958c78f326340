"""Tests of samplesheet and PED parsing and their cross-checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from bp2.case import Phenotype, Sex, check_case, parse_pedigree, parse_samplesheet
from bp2.errors import InputError

SHEET = Path("/cases/c1/samplesheet.csv")
PED = Path("/cases/c1/family.ped")


@pytest.mark.verifies("SRS-017")
def test_samplesheet_paths_resolve_against_its_directory() -> None:
    """It reads FASTQ and BAM rows and resolves relative paths against the samplesheet's folder."""
    sheet = parse_samplesheet(
        "sample,sex,fastq_1,fastq_2,bam,bam_index\n"
        "P1,male,r/p1_1.fq.gz,r/p1_2.fq.gz,,\n"
        "M1,F,,,m1.bam,m1.bam.bai\n",
        SHEET,
    )
    assert sheet.sample_ids == ("P1", "M1")
    assert sheet.row("P1").fastq_1 == Path("/cases/c1/r/p1_1.fq.gz")
    assert sheet.row("M1").sex is Sex.FEMALE and sheet.row("M1").line == 3


@pytest.mark.verifies("SRS-017")
@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        ("sample,sex,colour\nA,male,red\n", 1, None, "unknown samplesheet column"),
        ("sample,sex,fastq_1,fastq_2\nA,male,a1,a2\nA,male,b1,b2\n", 3, "sample", "twice"),
        ("sample,sex,fastq_1,fastq_2\nA B,male,a1,a2\n", 2, "sample", "invalid sample ID"),
        ("sample,sex,fastq_1,fastq_2\nA,boy,a1,a2\n", 2, "sex", "invalid sex"),
        ("sample,sex,fastq_1,fastq_2\nA,male,a1,\n", 2, "fastq_1", "no reads"),
        ("sample,sex,bam\nA,male,a.bam\n", 2, "bam_index", "no bam_index"),
    ],
)
def test_samplesheet_errors_name_line_and_field(
    text: str, line: int, field: str | None, words: str
) -> None:
    """It refuses a malformed samplesheet naming the line, the field and the problem."""
    with pytest.raises(InputError) as info:
        parse_samplesheet(text, SHEET)
    assert words in info.value.title
    assert info.value.line == line and info.value.field == field and info.value.hint


@pytest.mark.verifies("SRS-017")
def test_pedigree_parses_codes_and_refuses_bad_lines() -> None:
    """It maps PED sex and phenotype codes and refuses a short line naming its number."""
    ped = parse_pedigree("F\tkid\tdad\tmum\t1\t2\nF\tdad\t0\t0\t1\t1\nF\tmum\t0\t0\t2\t0\n", PED)
    kid = ped.get("kid")
    assert kid is not None and kid.father == "dad" and kid.phenotype is Phenotype.AFFECTED
    assert ped.affected == ("kid",)
    with pytest.raises(InputError) as info:
        parse_pedigree("F kid dad mum 1 2\nF dad 0 0 1\n", PED)
    assert info.value.line == 2 and "6 are needed" in info.value.title
    with pytest.raises(InputError) as info:
        parse_pedigree("F kid 0 0 3 2\n", PED)
    assert info.value.field == "sex"


@pytest.mark.verifies("SRS-017")
def test_cross_check_lists_every_problem() -> None:
    """It reports unknown individuals, missing parents, sex conflicts and no affected at once."""
    sheet = parse_samplesheet("sample,sex,fastq_1,fastq_2\nkid,female,a,b\nextra,male,c,d\n", SHEET)
    ped = parse_pedigree("F kid dad mum 1 1\nF mum 0 0 1 1\nF ghost 0 0 1 1\n", PED)
    titles = [p.title for p in check_case(sheet, ped)]
    assert any("'ghost' has no row in the samplesheet" in t for t in titles)
    assert any("father 'dad' of 'kid' is not in the PED" in t for t in titles)
    assert any("'mum' is the mother of 'kid' but has PED sex male" in t for t in titles)
    assert any("'extra' is not in the PED" in t for t in titles)
    assert any("'kid' is female in the samplesheet but male in the PED" in t for t in titles)
    assert any("no individual in the PED is affected" in t for t in titles)
