"""The stage on the demo trio's truth genotypes (synthetic, the only trio here with chrX calls
made haploid for males, as the call stage makes them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bp2.demo import generate_demo_case
from tests.stages.qc_family.helpers import bcftools, need, pair, run_stage, sex_of


@pytest.mark.verifies("SRS-181", "SRS-184", "SRS-185")
def test_demo_truth_trio(tmp_path: Path) -> None:
    """It confirms the demo pedigree and the mother's sex, and counts its de novo SNVs."""
    need("bcftools")
    case = generate_demo_case(tmp_path / "demo", depth=1.0)
    # the demo's autosomes (350 kb) hold ~300 informative sites per pair: below the default
    # minimum of 1,000, so the minimums are lowered for this synthetic check
    _, report = run_stage(tmp_path / "out", case.truth_vcf, case.pedigree,
                          min_kinship_sites=200, min_mendelian_sites=200)
    for parent in ("father", "mother"):
        entry = pair(report, "proband", parent)
        assert (entry["inferred"], entry["status"]) == ("parent_offspring", "pass"), entry
    assert pair(report, "father", "mother")["inferred"] == "unrelated"
    # Mendelian errors on the autosomes = the de novo SNVs planted in the proband, as
    # bcftools +mendelian counts them on the same (PASS, bi-allelic SNV) records
    snvs = bcftools("view", "--no-version", "-f", "PASS,.", "-m2", "-M2", "-v", "snps", "-t",
                    "chr1,chr2", str(case.truth_vcf))
    listed = bcftools("+mendelian", "-", "-t", "mother,father,proband", "-m", "x", stdin=snvs)
    expected = sum(1 for line in listed.decode().splitlines() if not line.startswith("#"))
    (trio,) = report["mendelian"]
    autosomal = sum(trio["by_contig"][c]["n_inconsistent"] for c in ("chr1", "chr2"))
    assert autosomal == expected > 0
    assert trio["by_contig"]["chrX"]["n_inconsistent"] == 0
    mother = sex_of(report, "mother")
    assert (mother["vcf"]["inferred"], mother["status"]) == ("female", "pass")
    # the truth VCF has haploid male chrX genotypes and no allele depths: no independent
    # evidence, so the males' sex checks cannot pass
    for male in ("proband", "father"):
        entry = sex_of(report, male)
        assert (entry["vcf"]["basis"], entry["status"]) == ("none", "insufficient_data"), entry
