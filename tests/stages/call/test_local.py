"""Tests of local haplotype re-genotyping on real reads (dataset 1's NA12878 BAM)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pysam
import pytest

from bp2.stages.call.local import LocalSettings, LocalSummary, rephase_file
from bp2.stages.call.params import CallParams
from bp2.stages.call.regenotype import Settings
from tests.stages.call.datasets import DS1_BAM, HG19, reference
from tests.testdata import data_file

# GIAB v3.3.2 HG001 at chr20:10,040,812-10,040,821: AT>A 1|1 at the end of a T9 run followed by an
# A6 run, and T>A 0|1 on the run's last T.  bcftools calls the deletion alone.
REGIONS = "chr20\t10040700\t10040900\nchr20\t10068000\t10068300\n"


def settings() -> LocalSettings:
    p = CallParams()
    return LocalSettings(
        reads=Settings(min_mapq=p.min_mapq, error=p.regenotype_error, min_lr=p.regenotype_min_lr,
                       max_reads=p.max_depth, count_orphans=p.count_orphans),
        anchor=p.local_anchor, max_window=p.local_max_window, min_support=p.local_min_support,
        min_fraction=p.local_min_fraction, max_candidates=p.local_max_candidates,
        error=p.local_error, cap=p.local_cap, min_lr=p.local_min_lr)


Row = tuple[int, str, str, tuple[int | None, ...], bool]


def rows(path: Path) -> list[Row]:
    quiet = pysam.set_verbosity(0)
    try:
        with pysam.VariantFile(str(path)) as vcf:
            return [(r.pos, r.ref or "", ",".join(r.alts or ()),
                     tuple(r.samples["NA12878"]["GT"]), "LHR" in r.info) for r in vcf]
    finally:
        pysam.set_verbosity(quiet)


@pytest.fixture(scope="module")
def rephased(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, LocalSummary]:
    tmp = tmp_path_factory.mktemp("local")
    ref = reference(HG19)["reference"]
    (tmp / "regions.txt").write_text(REGIONS)
    called = tmp / "called.bcf"
    subprocess.run(["bash", "-c", f"set -euo pipefail; bcftools mpileup -f {ref} -R "
                    f"{tmp / 'regions.txt'} -a FORMAT/AD,FORMAT/DP -Ou {data_file(DS1_BAM)} "
                    f"2>/dev/null | bcftools call -m -v -a FORMAT/GQ -Ob -o {called} 2>/dev/null"],
                   check=True)
    out = tmp / "rephased.bcf"
    refs = reference(HG19)
    summary = rephase_file(called, out, [("NA12878", data_file(DS1_BAM),
                                          data_file(DS1_BAM + ".bai"))],
                           refs["reference"], refs["reference_index"], refs["reference_gzi"],
                           settings())
    return called, out, summary


@pytest.mark.verifies("SRS-154", "SRS-157")
def test_it_finds_the_snv_at_the_homopolymer_junction(
        rephased: tuple[Path, Path, LocalSummary]) -> None:
    """It adds GIAB's T>A 0/1 beside the AT>A 1/1 that bcftools called alone, marked LHR."""
    called, out, summary = rephased
    before = [r for r in rows(called) if 10_040_800 <= r[0] <= 10_040_830]
    after = [r for r in rows(out) if 10_040_800 <= r[0] <= 10_040_830]
    assert [r[:4] for r in before] == [(10_040_812, "ATTTTTTTTT", "ATTTTTTTT", (1, 1))]
    assert after == [(10_040_812, "AT", "A", (1, 1), True), (10_040_821, "T", "A", (0, 1), True)]
    assert summary.rewritten >= 1 and summary.clusters >= summary.rewritten


@pytest.mark.verifies("SRS-154", "SRS-158")
def test_a_lone_indel_with_no_missed_haplotype_is_copied_as_called(
        rephased: tuple[Path, Path, LocalSummary]) -> None:
    """It copies the homopolymer insertion at 10,040,772 untouched, bcftools' INFO and all."""
    called, out, _ = rephased
    with pysam.VariantFile(str(called)) as a, pysam.VariantFile(str(out)) as b:
        first = next(r for r in a if r.pos == 10_040_772)
        second = next(r for r in b if r.pos == 10_040_772)
        assert str(first).split("\t")[:8] == str(second).split("\t")[:8]
        assert "LHR" not in second.info and second.info["DP"] == first.info["DP"]


@pytest.mark.verifies("SRS-157")
def test_rewritten_records_phase_into_two_haplotypes(
        rephased: tuple[Path, Path, LocalSummary]) -> None:
    """It leaves no two rewritten records that need the same copy for overlapping alleles."""
    _, out, _ = rephased
    rewritten = [r for r in rows(out) if r[4]]
    assert rewritten
    for a in rewritten:
        for b in rewritten:
            if a is b or a[0] > b[0]:
                continue
            a_end = a[0] + len(a[1]) - 1
            clash = b[0] < a_end or (b[0] == a[0] and len(a[1]) == len(b[1]))
            if clash:  # overlapping alleles must sit on different copies
                assert sum(x or 0 for x in a[3]) + sum(x or 0 for x in b[3]) <= 2
    with pysam.VariantFile(str(out)) as vcf:
        assert "LHR" in vcf.header.info
        positions = [r.pos for r in vcf]
    assert positions == sorted(positions)


@pytest.mark.verifies("SRS-158")
def test_clusters_longer_than_the_window_stay_as_called(
        rephased: tuple[Path, Path, LocalSummary], tmp_path: Path) -> None:
    """It re-genotypes nothing when every cluster is longer than local_max_window."""
    called, _, _ = rephased
    refs = reference(HG19)
    out = tmp_path / "narrow.bcf"
    narrow = settings().__class__(**{**settings().__dict__, "max_window": 10})
    summary = rephase_file(called, out, [("NA12878", data_file(DS1_BAM),
                                          data_file(DS1_BAM + ".bai"))],
                           refs["reference"], refs["reference_index"], refs["reference_gzi"],
                           narrow)
    assert summary.rewritten == 0
    assert [r[:4] for r in rows(out)] == [r[:4] for r in rows(called)]
