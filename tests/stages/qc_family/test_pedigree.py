"""Relationships the PED implies (pure module bp2.stages.qc_family.pedigree)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bp2.case import parse_pedigree
from bp2.errors import InputError
from bp2.stages.qc_family.pedigree import (
    DegreeCutoffs,
    FamilyUnit,
    Relationship,
    check_samples,
    expected_relationship,
    family_units,
    kinship_coefficients,
)

KING = DegreeCutoffs(0.354, 0.177, 0.0884, 0.0442)

# Three generations: grandparents GF+GM; their children A (married to S) and B (married to T);
# A+S have C1 and C2; B+T have D; A has a half-sibling child H with U; X is another family.
EXTENDED = """\
fam GF 0 0 1 1
fam GM 0 0 2 1
fam A GF GM 1 1
fam B GF GM 2 1
fam S 0 0 2 1
fam T 0 0 1 1
fam U 0 0 2 1
fam C1 A S 1 2
fam C2 A S 2 1
fam D T B 1 1
fam H A U 1 1
other X 0 0 1 1
"""


def relation(text: str, a: str, b: str) -> Relationship:
    ped = parse_pedigree(text, Path("case.ped"))
    phi = kinship_coefficients(ped)
    return expected_relationship(ped, a, b, phi[(a, b)], KING)


@pytest.mark.verifies("SRS-188")
def test_trio_relationships() -> None:
    """It reads parent-offspring from the father/mother columns and two founders as unrelated."""
    trio = "ash HG002 HG003 HG004 1 2\nash HG003 0 0 1 0\nash HG004 0 0 2 0\n"
    assert relation(trio, "HG002", "HG003") is Relationship.PARENT_OFFSPRING
    assert relation(trio, "HG004", "HG002") is Relationship.PARENT_OFFSPRING
    assert relation(trio, "HG003", "HG004") is Relationship.UNRELATED


@pytest.mark.verifies("SRS-188")
def test_extended_family_degrees() -> None:
    """It derives siblings, second and third degree from the pedigree kinship coefficient."""
    ped = parse_pedigree(EXTENDED, Path("case.ped"))
    phi = kinship_coefficients(ped)
    # φ by hand: parent-child ¼, full sibs ¼, grandparent ⅛, uncle/aunt ⅛, half sibs ⅛,
    # first cousins 1/16, founders 0.
    assert phi[("C1", "A")] == pytest.approx(0.25)
    assert phi[("C1", "C2")] == pytest.approx(0.25)
    assert phi[("C1", "GF")] == pytest.approx(0.125)
    assert phi[("C1", "B")] == pytest.approx(0.125)
    assert phi[("C1", "H")] == pytest.approx(0.125)
    assert phi[("C1", "D")] == pytest.approx(0.0625)
    assert phi[("S", "T")] == 0.0
    expected = {
        ("C1", "C2"): Relationship.FULL_SIBLINGS,
        ("A", "B"): Relationship.FULL_SIBLINGS,
        ("C1", "A"): Relationship.PARENT_OFFSPRING,
        ("C1", "S"): Relationship.PARENT_OFFSPRING,
        ("C1", "GF"): Relationship.SECOND_DEGREE,
        ("C1", "B"): Relationship.SECOND_DEGREE,
        ("C1", "H"): Relationship.SECOND_DEGREE,
        ("C1", "D"): Relationship.THIRD_DEGREE,
        ("S", "T"): Relationship.UNRELATED,
        ("C1", "T"): Relationship.UNRELATED,
        ("C1", "X"): Relationship.UNRELATED,
    }
    for (a, b), relationship in expected.items():
        assert expected_relationship(ped, a, b, phi[(a, b)], KING) is relationship, (a, b)


@pytest.mark.verifies("SRS-188")
def test_inbred_child_kinship() -> None:
    """It carries inbreeding through the recursion: a child of half-sibs has φ(self) = 17/32."""
    text = "f P 0 0 1 1\nf M1 0 0 2 1\nf M2 0 0 2 1\nf A P M1 1 1\nf B P M2 2 1\nf K A B 1 2\n"
    ped = parse_pedigree(text, Path("x.ped"))
    phi = kinship_coefficients(ped)
    # A and B are half sibs (φ = ⅛), so K's inbreeding F = ⅛ and φ(A, K) = ½(φ(A,A) + φ(A,B))
    # = ½(½ + ⅛) = 5/16.
    assert phi[("A", "B")] == pytest.approx(0.125)
    assert phi[("A", "K")] == pytest.approx(5 / 16)
    assert relation(text, "A", "K") is Relationship.PARENT_OFFSPRING


@pytest.mark.verifies("SRS-188")
def test_family_units() -> None:
    """It lists every child with a parent as a trio, or a duo when one parent is unknown."""
    text = "f K D M 1 2\nf D 0 0 1 1\nf M 0 0 2 1\nf J D 0 2 1\n"
    units = family_units(parse_pedigree(text, Path("x.ped")))
    assert units == (FamilyUnit("K", "D", "M"), FamilyUnit("J", "D", None))
    assert units[0].describe() == "trio K (father D, mother M)"
    assert units[1].describe() == "duo J (father D)"


@pytest.mark.verifies("SRS-187")
def test_refuses_pedigree_loop() -> None:
    """It refuses a PED in which someone is their own ancestor, naming the file and line."""
    ped = parse_pedigree("f A B 0 1 1\nf B A 0 1 1\n", Path("loop.ped"))
    with pytest.raises(InputError, match="own ancestor") as info:
        kinship_coefficients(ped)
    assert info.value.path == "loop.ped" and info.value.line in (1, 2)


@pytest.mark.verifies("SRS-187")
def test_refuses_unlisted_parent() -> None:
    """It refuses a parent who has no line in the PED, naming the child's line and the column."""
    ped = parse_pedigree("f A 0 0 1 1\nf K A Z 1 2\n", Path("x.ped"))
    with pytest.raises(InputError, match="mother 'Z' of 'K' is not in the PED") as info:
        kinship_coefficients(ped)
    assert info.value.line == 2 and info.value.field == "mother"


@pytest.mark.verifies("SRS-180")
def test_sample_lists_must_match() -> None:
    """It refuses a VCF whose samples differ from the PED's individuals, naming both lists."""
    ped = parse_pedigree("ash HG002 HG003 HG004 1 2\nash HG003 0 0 1 0\nash HG004 0 0 2 0\n",
                         Path("trio.ped"))
    check_samples(ped, ["HG004", "HG002", "HG003"], "x.vcf.gz")  # order does not matter
    with pytest.raises(InputError) as info:
        check_samples(ped, ["HG002", "HG003", "NA12878"], "x.vcf.gz")
    message = str(info.value)
    assert "VCF: HG002, HG003, NA12878" in message
    assert "PED trio.ped: HG002, HG003, HG004" in message
    assert "only in the VCF: NA12878" in message and "only in the PED: HG004" in message
