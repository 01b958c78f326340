"""The stage end to end on a tiny hand-made trio VCF whose every figure is worked out here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.stages.qc_family.helpers import pair, run_stage, sex_of, vcf_text, write_bgzip

SAMPLES = ("kid", "dad", "mum")
PED = "fam kid dad mum 1 2\nfam dad 0 0 1 1\nfam mum 0 0 2 1\n"

ROWS = (
    # autosomal sites 1-10:                        kid  dad  mum
    "chr1 1000 A G PASS GT                          0/1  0/1  0/0",  # 1
    "chr1 1010 C T PASS GT                          0/1  0/0  0/1",  # 2
    "chr1 1020 G A PASS GT                          1/1  0/1  0/1",  # 3
    "chr1 1030 T C PASS GT                          0/1  0/1  0/1",  # 4
    "chr1 1040 A C PASS GT                          0/0  0/1  0/1",  # 5
    "chr1 1050 C G PASS GT                          0/1  1/1  0/0",  # 6
    "chr1 1060 G T PASS GT                          1/1  1/1  0/1",  # 7
    "chr1 1070 T A PASS GT                          0/0  0/0  0/1",  # 8
    "chr1 1080 A T PASS GT                          1/1  0/0  0/1",  # 9: Mendelian error
    "chr1 1090 C A . GT                             0/1  0/1  1/1",  # 10: FILTER '.' is used
    # records that must not count:
    "chr1 1100 A G LowQual GT                       1/1  0/0  0/0",  # filtered
    "chr1 1200 A C,G PASS GT                        1/2  0/0  0/0",  # multi-allelic
    "chr1 1300 AT A PASS GT                         1/1  0/0  0/0",  # indel
    "chr1 1400 C G PASS GT                          1/1  0/0  0/0",  # two SNV records at
    "chr1 1400 C T PASS GT                          0/0  0/0  1/1",  # one position
    "chr1 1500 G A PASS GT:GQ:DP                    1/1:5:30 0/0:50:30 0/0:50:30",  # kid GQ<20
    "chr1 1600 T C PASS GT:GQ:DP                    0/0:50:30 0/1:50:3 0/0:50:30",  # dad DP<10
    "chr1 1700 A G PASS GT                          ./.  0/0  0/0",  # kid not called
    # chrX (GRCh38 header length: PAR1 = 10,001-2,781,479)
    "chrX 100000 A G PASS GT                        0/1  0/1  0/0",  # PAR: biparental rule
    "chrX 3000000 A G PASS GT:AD                    1:0,10 0:12,0 0/1:6,6",  # X1
    "chrX 3100000 C T PASS GT:AD                    0/1:1,9 0:11,0 0/1:5,7",  # X2
    "chrX 3200000 G A PASS GT:AD                    1/1:0,11 1:0,12 0/0:10,0",  # X3
    "chrX 3300000 T C PASS GT:AD                    0:8,0 1:1,15 0/1:7,6",  # X4
    "chrX 3400000 A C PASS GT:AD                    0:9,0 0:10,0 0/0:12,0",  # X5
    "chrY 5000000 A G PASS GT                       1    1    .",  # not used
    "chrM 100 A G PASS GT                           1    1    1",  # not used
)

PARAMS: dict[str, Any] = {"min_kinship_sites": 5, "min_mendelian_sites": 5, "min_x_sites": 3}


def handmade(tmp_path: Path) -> tuple[Path, Path]:
    vcf = write_bgzip(tmp_path / "trio.vcf.gz", vcf_text(SAMPLES, ROWS))
    ped = tmp_path / "trio.ped"
    ped.write_text(PED)
    return vcf, ped


@pytest.mark.verifies("SRS-181", "SRS-182")
def test_relatedness_arithmetic(tmp_path: Path) -> None:
    """It reproduces the hand-computed kinship, IBS0 and site counts of every pair."""
    vcf, ped = handmade(tmp_path)
    _, report = run_stage(tmp_path / "out", vcf, ped, **PARAMS)
    # kid–dad: informative sites 1-7, 9, 10 (8: both 0/0; 1500/1700: kid dropped; 1600: dad
    # dropped) = 9; het-het 1, 4, 10 = 3; opposite homozygotes 9 = 1; kid het 1, 2, 4, 6, 10
    # = 5; dad het 1, 3, 4, 5, 10 = 5.  φ = ½ − (5 + 5 − 2·3 + 4·1)/(4·5) = ½ − 8/20 = 0.1.
    kid_dad = pair(report, "kid", "dad")
    assert kid_dad["n_sites"] == 9
    assert kid_dad["counts"] == {"het_het": 3, "ibs0": 1, "het_1": 5, "het_2": 5}
    assert kid_dad["kinship"] == pytest.approx(0.1)
    assert kid_dad["ibs0"] == pytest.approx(1 / 9, abs=1e-6)
    # kid–mum: sites 1-10 = 10; het-het 2, 4 = 2; no opposite homozygotes; kid het 5; mum het
    # 2, 3, 4, 5, 7, 8, 9 = 7.  φ = ½ − (5 + 7 − 4 + 0)/(4·5) = ½ − 8/20 = 0.1.
    kid_mum = pair(report, "kid", "mum")
    assert (kid_mum["n_sites"], kid_mum["counts"]) == (
        10, {"het_het": 2, "ibs0": 0, "het_1": 5, "het_2": 7})
    assert kid_mum["kinship"] == pytest.approx(0.1) and kid_mum["ibs0"] == 0.0
    # dad–mum: sites 1-10 = 10; het-het 3, 4, 5 = 3; opposite homozygotes 6 = 1; dad het 5,
    # mum het 7.  φ = ½ − (5 + 7 − 6 + 4)/(4·5) = ½ − 10/20 = 0.0; IBS0 = 1/10.
    dad_mum = pair(report, "dad", "mum")
    assert (dad_mum["n_sites"], dad_mum["counts"]) == (
        10, {"het_het": 3, "ibs0": 1, "het_1": 5, "het_2": 7})
    assert dad_mum["kinship"] == pytest.approx(0.0) and dad_mum["ibs0"] == pytest.approx(0.1)
    # φ = 0.1 lies in KING's second-degree band (0.0884-0.177): the PED's parent-offspring
    # pairs are discordant; 0.0 is unrelated, as the PED says for the two founders.
    for entry in (kid_dad, kid_mum):
        assert (entry["expected"], entry["inferred"]) == ("parent_offspring", "second_degree")
        assert (entry["status"], entry["flag"]) == ("fail", "RELATEDNESS_DISCORDANCE")
    assert "kinship 0.1000, IBS0 0.1111 = 1 of 9 informative sites" in kid_dad["message"]
    assert (dad_mum["inferred"], dad_mum["status"]) == ("unrelated", "pass")


@pytest.mark.verifies("SRS-184")
def test_mendelian_arithmetic(tmp_path: Path) -> None:
    """It reproduces the hand-counted Mendelian errors on autosomes, chrX PAR and non-PAR."""
    vcf, ped = handmade(tmp_path)
    _, report = run_stage(tmp_path / "out", vcf, ped, **PARAMS)
    (trio,) = report["mendelian"]
    # chr1: sites 1-10 all called with an ALT somewhere = 10; site 9 (kid 1/1, dad 0/0) = 1.
    # chrX PAR 100,000: biparental, consistent = 1 site.  chrX non-PAR, male kid, mother only:
    # X1 (1 from 0/1) ok, X2 (a het male) bad, X3 (1 from 0/0) bad, X4 (0 from 0/1) ok,
    # X5 (all REF) not informative → 4 sites, 2 bad.  Total 15 sites, 3 bad, rate 0.2.
    assert trio["by_contig"] == {"chr1": {"n_sites": 10, "n_inconsistent": 1},
                                 "chrX": {"n_sites": 5, "n_inconsistent": 2}}
    assert (trio["n_sites"], trio["n_inconsistent"]) == (15, 3)
    assert trio["rate"] == pytest.approx(0.2)
    assert (trio["status"], trio["flag"]) == ("fail", "MENDELIAN_ERROR_RATE")
    assert "3 Mendelian-inconsistent genotypes in 15 informative sites (20.00%" in trio["message"]


@pytest.mark.verifies("SRS-185", "SRS-183")
def test_sex_arithmetic(tmp_path: Path) -> None:
    """It reproduces the hand-counted chrX evidence: genotype basis, allele-depth basis, too few."""
    vcf, ped = handmade(tmp_path)
    _, report = run_stage(tmp_path / "out", vcf, ped, **PARAMS)
    # mum (diploid calls): het at X1, X2, X4, no hom-alt → 3/3 = 1.0 → female, as the PED says.
    mum = sex_of(report, "mum")
    assert mum["vcf"]["basis"] == "genotype"
    assert (mum["vcf"]["n_sites"], mum["vcf"]["het_fraction"], mum["status"]) == (3, 1.0, "pass")
    # kid: 3 haploid vs 2 diploid calls → allele depths: X1 0,10 and X2 1,9 and X3 0,11 are
    # ALT-dominated (minor < 20 %), X4/X5 have no ALT read → 0/3 → male, as the PED says.
    kid = sex_of(report, "kid")
    assert kid["vcf"]["basis"] == "allele_depth"
    assert (kid["vcf"]["n_sites"], kid["vcf"]["het_fraction"], kid["status"]) == (3, 0.0, "pass")
    # dad: all haploid; only X3 (0,12) and X4 (1,15) carry ALT reads → 2 sites < 3 needed.
    dad = sex_of(report, "dad")
    assert (dad["vcf"]["n_sites"], dad["vcf"]["inferred"]) == (2, "unknown")
    assert (dad["status"], dad["flag"]) == ("insufficient_data", "INSUFFICIENT_SITES")


@pytest.mark.verifies("SRS-186")
def test_site_accounting_and_overall(tmp_path: Path) -> None:
    """It accounts for every record and fails the family, listing each non-passing check."""
    vcf, ped = handmade(tmp_path)
    outputs, report = run_stage(tmp_path / "out", vcf, ped, **PARAMS)
    assert report["sites"] == {
        "records": 26, "autosomal_snvs": 13, "x_par_snvs": 1, "x_nonpar_snvs": 5,
        "skipped": {"filtered": 1, "not_biallelic_snv": 2, "other_contig": 2,
                    "shared_position": 2},
        "x_pars": [[10_001, 2_781_479], [155_701_383, 156_030_895]],
    }
    assert report["overall"]["status"] == "fail" and report["overall"]["passed"] is False
    assert len(report["overall"]["reasons"]) == 4  # two pairs, the trio, dad's sex
    rows = [line.split("\t") for line in outputs.report_tsv.read_text().splitlines()]
    assert rows[0][:4] == ["check", "subject", "status", "flag"]
    assert [r[0] for r in rows[1:]] == ["relatedness"] * 3 + ["mendelian"] + ["sex"] * 3 + [
        "overall"]
    assert rows[-1][2] == "fail"


@pytest.mark.verifies("SRS-183")
def test_default_minimums_refuse_a_pass(tmp_path: Path) -> None:
    """It reports insufficient data, never a pass, when the default site minimums are not met."""
    vcf, ped = handmade(tmp_path)
    _, report = run_stage(tmp_path / "out", vcf, ped)
    assert {p["status"] for p in report["relatedness"]} == {"insufficient_data"}
    assert {p["flag"] for p in report["relatedness"]} == {"INSUFFICIENT_SITES"}
    assert "10, at least 1,000 needed" in pair(report, "dad", "mum")["message"]
    assert report["mendelian"][0]["status"] == "insufficient_data"
    assert report["overall"]["status"] == "insufficient_data"
