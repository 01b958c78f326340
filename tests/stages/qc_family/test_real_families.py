"""The stage on real family VCFs: true pedigrees confirmed, swaps and wrong parents flagged.

* GIAB Ashkenazi trio (slivar test data): exome joint calls, contigs 1-2 (no chrX).
* nf-core "justhusky" trio: GLnexus/DeepVariant calls on all chromosomes incl. 70 chrX non-PAR
  SNVs (its genotypes may be simulated, but they behave as a trio: see the pass test).
* CEPH 1463 reads (DeepTrio test data), 10 kb of chr20, called here with bcftools.

Swaps are made as they would arise: the PED (or the VCF's sample labels, as a FASTQ swap in the
samplesheet would label them) says one thing, the genotypes another.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bp2.engine.execute import execute_unit
from tests.stages.qc_family.answer_key import ANSWER_KEY
from tests.stages.qc_family.helpers import STAGE, bcftools, need, pair, run_stage, sex_of
from tests.testdata import data_file

ASHK_VCF = "family_trio_vcfs/slivar_ashkenazi_trio/ashk-trio.vcf.gz"
ASHK_PED = "family_trio_vcfs/slivar_ashkenazi_trio/ashk-trio.ped"
HUSKY_VCF = "family_trio_vcfs/nfcore_justhusky/justhusky_minimal.vcf.gz"
HUSKY_PED = "family_trio_vcfs/nfcore_justhusky/justhusky.ped"
CEPH = "grch37_chr20_trio_deeptrio"


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-181", "SRS-182", "SRS-184")
def test_answer_key(tmp_path: Path) -> None:
    """It passes its answer key: the Ashkenazi pedigree and bcftools' Mendelian count."""
    inputs, params = ANSWER_KEY.build(tmp_path / "in")
    outputs, _ = execute_unit(STAGE, inputs, params, tmp_path / "out", unit="answer-key")
    ANSWER_KEY.check(outputs)
    assert ANSWER_KEY.normalise(outputs)


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-182", "SRS-184")
def test_ashkenazi_child_mother_swap(tmp_path: Path) -> None:
    """It flags a child↔mother swap with kinship, IBS0 and site counts in the messages."""
    ped = tmp_path / "swapped.ped"
    # the PED now names HG004 as the son of HG003 and HG002: the labels of child and mother
    # are exchanged, as after a FASTQ swap in the samplesheet
    ped.write_text("ash\tHG004\tHG003\tHG002\t1\t2\nash\tHG003\t0\t0\t1\t0\n"
                   "ash\tHG002\t0\t0\t2\t0\n")
    _, report = run_stage(tmp_path / "out", data_file(ASHK_VCF), ped)
    father_child = pair(report, "HG003", "HG004")  # genotypes: the two real parents
    assert (father_child["expected"], father_child["inferred"]) == ("parent_offspring",
                                                                    "unrelated")
    assert father_child["flag"] == "RELATEDNESS_DISCORDANCE"
    assert "kinship -0.0173, IBS0 0.0798 = 632 of 7,923 informative sites" in (
        father_child["message"])
    founders = pair(report, "HG002", "HG003")  # genotypes: the real son and his father
    assert (founders["expected"], founders["inferred"]) == ("unrelated", "parent_offspring")
    assert founders["flag"] == "RELATEDNESS_DISCORDANCE"
    assert "kinship 0.2509, IBS0 0.0000 = 0 of 7,063 informative sites" in founders["message"]
    assert pair(report, "HG002", "HG004")["status"] == "pass"  # mother–son either way
    (trio,) = report["mendelian"]
    assert trio["flag"] == "MENDELIAN_ERROR_RATE" and trio["rate"] > 0.2
    assert report["overall"]["status"] == "fail"


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-182", "SRS-184")
def test_father_replaced_by_unrelated(tmp_path: Path) -> None:
    """It flags a named father who is unrelated to the child (duo of two real unrelated people)."""
    # HG003 and HG004 are the unrelated parents of HG002; keep their two columns and let the
    # PED claim that HG003 fathered HG004 (mother not sequenced).  bcftools view -s subsets the
    # real genotypes unchanged.
    vcf = tmp_path / "duo.vcf.gz"
    vcf.write_bytes(bcftools("view", "--no-version", "-s", "HG003,HG004", "-Oz",
                             str(data_file(ASHK_VCF))))
    ped = tmp_path / "duo.ped"
    ped.write_text("ash\tHG004\tHG003\t0\t2\t2\nash\tHG003\t0\t0\t1\t1\n")
    _, report = run_stage(tmp_path / "out", vcf, ped)
    (entry,) = report["relatedness"]
    assert (entry["expected"], entry["inferred"]) == ("parent_offspring", "unrelated")
    assert (entry["status"], entry["flag"]) == ("fail", "RELATEDNESS_DISCORDANCE")
    assert "the PED says parent-offspring but the genotypes say unrelated" in entry["message"]
    assert "kinship -0.0173, IBS0 0.0798 = 632 of 7,923 informative sites" in entry["message"]
    (duo,) = report["mendelian"]
    # a duo can only see opposite homozygotes: exactly the pair's IBS0 sites, over the same
    # informative sites (632 / 7,923 = 7.98 %)
    assert (duo["n_inconsistent"], duo["n_sites"]) == (632, 7923)
    assert (duo["status"], duo["flag"]) == ("fail", "MENDELIAN_ERROR_RATE")


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-185", "SRS-182")
def test_justhusky_trio_passes(tmp_path: Path) -> None:
    """It confirms the justhusky pedigree and the PED sexes from 70 chrX non-PAR SNVs."""
    _, report = run_stage(tmp_path / "out", data_file(HUSKY_VCF), data_file(HUSKY_PED))
    assert report["overall"]["status"] == "pass", report["overall"]
    proband = "hugelymodelbat"
    for parent in ("earlycasualcaiman", "slowlycivilbuck"):
        assert pair(report, proband, parent)["inferred"] == "parent_offspring"
    assert pair(report, "earlycasualcaiman", "slowlycivilbuck")["inferred"] == "unrelated"
    expected = {"earlycasualcaiman": "male", "hugelymodelbat": "male", "slowlycivilbuck": "female"}
    for sample, sex in expected.items():
        entry = sex_of(report, sample)
        assert entry["vcf"]["inferred"] == sex == entry["ped_sex"], entry


def _relabel(tmp_path: Path, source: Path, mapping: dict[str, str], name: str) -> Path:
    names = tmp_path / f"{name}.names"
    names.write_text("".join(f"{old}\t{new}\n" for old, new in mapping.items()))
    out = tmp_path / f"{name}.vcf.gz"
    subprocess.run(["bcftools", "reheader", "-s", str(names), "-o", str(out), str(source)],
                   check=True, capture_output=True)
    return out


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-185", "SRS-182")
def test_justhusky_child_mother_swap(tmp_path: Path) -> None:
    """It flags a child↔mother label swap by relatedness, Mendel and sex, naming the evidence."""
    swapped = _relabel(tmp_path, data_file(HUSKY_VCF), {
        "hugelymodelbat": "slowlycivilbuck", "slowlycivilbuck": "hugelymodelbat"}, "swap")
    _, report = run_stage(tmp_path / "out", swapped, data_file(HUSKY_PED))
    assert pair(report, "earlycasualcaiman", "hugelymodelbat")["flag"] == (
        "RELATEDNESS_DISCORDANCE")
    child = sex_of(report, "hugelymodelbat")  # PED male, genotypes of the mother
    assert (child["flag"], child["vcf"]["inferred"]) == ("SEX_DISCORDANCE", "female")
    assert "40 of 59 ALT-carrying sites with heterozygous genotypes = 0.678" in child["message"]
    mother = sex_of(report, "slowlycivilbuck")
    assert (mother["flag"], mother["vcf"]["inferred"]) == ("SEX_DISCORDANCE", "male")


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-185")
def test_haploid_called_swap_seen_in_allele_depths(tmp_path: Path) -> None:
    """It sees a female called haploid on chrX (ploidy from a wrong PED sex) by her AD."""
    need("bcftools")
    swapped = _relabel(tmp_path, data_file(HUSKY_VCF), {
        "hugelymodelbat": "slowlycivilbuck", "slowlycivilbuck": "hugelymodelbat"}, "swap")
    # as the call stage would: chrX non-PAR haploid for the samples the PED calls male
    sexes = tmp_path / "sex.txt"
    sexes.write_text("earlycasualcaiman M\nhugelymodelbat M\nslowlycivilbuck F\n")
    ploidy = tmp_path / "ploidy.txt"
    ploidy.write_text("X 2699521 154931043 M 1\n")
    haploid = tmp_path / "haploid.vcf.gz"
    haploid.write_bytes(bcftools("+fixploidy", "--no-version", str(swapped), "-Oz", "--",
                                 "-s", str(sexes), "-p", str(ploidy)))
    _, report = run_stage(tmp_path / "out", haploid, data_file(HUSKY_PED))
    child = sex_of(report, "hugelymodelbat")  # the mother's reads, called haploid
    assert child["vcf"]["basis"] == "allele_depth" and child["vcf"]["counts"]["het"] == 0
    assert (child["flag"], child["vcf"]["inferred"]) == ("SEX_DISCORDANCE", "female")
    father = sex_of(report, "earlycasualcaiman")
    assert (father["vcf"]["basis"], father["status"]) == ("allele_depth", "pass")


def _call_ceph(tmp_path: Path, father_bam: str) -> Path:
    """bcftools mpileup | call on the CEPH reads, the father's column named NA12891."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    bams = [f"{CEPH}/reads/HG001.chr20.10_10p1mb_sorted.bam", father_bam,
            f"{CEPH}/reads/NA12892.chr20.10_10p1mb_sorted.bam"]
    for bam in bams:
        data_file(bam + ".bai")
    reference = tmp_path / "ref.fa.gz"
    for suffix in ("", ".fai", ".gzi"):
        shutil.copyfile(data_file(f"{CEPH}/reference/hs37d5.chr20.fa.gz{suffix}"),
                        f"{reference}{suffix}")
    pileup = bcftools("mpileup", "--no-version", "-f", str(reference), "-r",
                      "20:10000000-10010000", "-a", "AD,DP", "-Ou",
                      *(str(data_file(b)) for b in bams))
    called = bcftools("call", "--no-version", "-mv", "-a", "GQ", "-Ou", stdin=pileup)
    names = tmp_path / "names.txt"
    names.write_text("HG001\nNA12891\nNA12892\n")
    vcf = tmp_path / f"ceph-{Path(father_bam).name}.vcf.gz"
    vcf.write_bytes(bcftools("reheader", "-s", str(names), stdin=called))
    return vcf


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-183", "SRS-189")
def test_ceph_10kb_true_trio_and_swaps(tmp_path: Path) -> None:
    """It never passes the 10 kb CEPH trio, fails the child↔mother swap, keeps HG002 undecided."""
    need("bcftools")
    ped = data_file(f"{CEPH}/derived/ceph1463_NA12878_trio.ped")
    true_vcf = _call_ceph(tmp_path / "true", f"{CEPH}/reads/NA12891.chr20.10_10p1mb_sorted.bam")
    # the true trio: about 60 sites, no IBS0 between child and parents, no Mendelian error →
    # nothing contradicts the PED, nothing confirms it
    _, report = run_stage(tmp_path / "out-true", true_vcf, ped)
    for entry in report["relatedness"]:
        assert entry["status"] == "insufficient_data", entry
        assert 0 < entry["n_sites"] < 100 and "at least 1,000 needed" in entry["message"]
    for parent in ("NA12891", "NA12892"):
        assert pair(report, "HG001", parent)["counts"]["ibs0"] == 0
    (trio,) = report["mendelian"]
    assert (trio["n_inconsistent"], trio["status"]) == (0, "insufficient_data")
    assert report["overall"]["status"] == "insufficient_data"

    # child↔mother FASTQ swap: the child's reads are labelled NA12892 and the mother's HG001
    swapped = _relabel(tmp_path, true_vcf, {"HG001": "NA12892", "NA12892": "HG001"}, "swap")
    _, report = run_stage(tmp_path / "out-swap", swapped, ped)
    father_child = pair(report, "HG001", "NA12891")  # genotypes: father and mother
    assert (father_child["status"], father_child["flag"]) == ("fail", "RELATEDNESS_DISCORDANCE")
    assert father_child["counts"]["ibs0"] >= 5 and father_child["p_value"] < 1e-4
    message = father_child["message"]
    assert "kinship " in message and f"= {father_child['counts']['ibs0']} of " in message
    assert f"of {father_child['n_sites']} informative sites" in message and "p = " in message
    (trio,) = report["mendelian"]
    assert (trio["status"], trio["flag"]) == ("fail", "MENDELIAN_ERROR_RATE")
    assert trio["n_inconsistent"] > trio["n_sites"] / 2 and trio["p_value"] < 1e-10
    assert report["overall"]["status"] == "fail"

    # father replaced by HG002: on this window HG002 and the child share no opposite homozygote
    # and 3 Mendelian inconsistencies in ~67 sites are not significantly above 2 %: the data
    # neither confirm nor contradict, so the case stops as insufficient data, never a pass
    hg002 = _call_ceph(tmp_path / "hg002",
                       f"{CEPH}/reads/HG002_NIST_150bp_downsampled_30x.chr20.10_10p1mb.bam")
    _, report = run_stage(tmp_path / "out-hg002", hg002, ped)
    assert pair(report, "HG001", "NA12891")["counts"]["ibs0"] == 0
    (trio,) = report["mendelian"]
    assert trio["n_inconsistent"] >= 1 and 0.001 < trio["p_value"] < 0.5
    assert "not significantly above the limit" in trio["message"]
    assert report["overall"]["status"] == "insufficient_data"
    assert report["overall"]["passed"] is False


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-181")
def test_kinship_matches_plink2(tmp_path: Path) -> None:
    """It gives plink2 --make-king-table's kinship and genotype-pair counts on the same sites."""
    plink2 = need("plink2")
    # the stage's sites: PASS bi-allelic SNVs at positions holding one such record
    snvs = bcftools("view", "--no-version", "-f", "PASS,.", "-m2", "-M2", "-v", "snps", "-Oz",
                    str(data_file(ASHK_VCF)))
    (tmp_path / "snvs.vcf.gz").write_bytes(snvs)
    positions = bcftools("query", "-f", "%CHROM\t%POS\n", stdin=snvs).decode().splitlines()
    shared = sorted({p for p in positions if positions.count(p) > 1})
    (tmp_path / "shared.tsv").write_text("".join(p + "\n" for p in shared))
    unique = tmp_path / "unique.vcf.gz"
    unique.write_bytes(bcftools("view", "--no-version", "-T", f"^{tmp_path / 'shared.tsv'}",
                                "-Oz", str(tmp_path / "snvs.vcf.gz")))
    subprocess.run([plink2, "--vcf", str(unique), "--make-king-table", "counts",
                    "cols=id,nsnp,hethet,ibs0,ibs1,kinship", "--vcf-min-gq", "20",
                    "--vcf-min-dp", "10", "--set-all-var-ids", "@:#",
                    "--out", str(tmp_path / "king")], check=True, capture_output=True)
    rows = (tmp_path / "king.kin0").read_text().splitlines()
    assert rows[0].split("\t") == ["#IID1", "IID2", "NSNP", "HETHET", "IBS0", "HET1_HOM2",
                                   "HET2_HOM1", "KINSHIP"]
    _, report = run_stage(tmp_path / "out", data_file(ASHK_VCF), data_file(ASHK_PED))
    for row in rows[1:]:
        iid1, iid2, _nsnp, hethet, ibs0, het1hom2, het2hom1, kinship = row.split("\t")
        entry = pair(report, iid1, iid2)
        counts = entry["counts"]
        assert counts["het_het"] == int(hethet) and counts["ibs0"] == int(ibs0)
        # each sample's heterozygotes = het-het + (het in it, hom in the other); which of
        # plink2's two ibs1 columns belongs to which sample is not relied on here
        assert sorted((counts["het_1"], counts["het_2"])) == sorted(
            (int(hethet) + int(het1hom2), int(hethet) + int(het2hom1)))
        assert entry["kinship"] == pytest.approx(float(kinship), abs=1e-5)
