"""Common-SNP sites read from a VCF with AF (pure parsing)."""

from __future__ import annotations

import pytest

from bp2.errors import InputError
from bp2.stages.qc_alignment.sites import parse_sites

HEADER = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"


def row(contig: str, pos: int, ref: str, alt: str, info: str) -> str:
    return f"{contig}\t{pos}\t.\t{ref}\t{alt}\t.\tPASS\t{info}\n"


@pytest.mark.verifies("SRS-166")
def test_keeps_biallelic_snvs_with_common_af_inside_the_region() -> None:
    """It keeps biallelic SNVs with min_af ≤ AF ≤ 1−min_af inside the region, first record wins."""
    text = HEADER + "".join([
        row("chr1", 11, "A", "G", "AF=0.3"),
        row("chr1", 11, "A", "T", "AF=0.4"),  # same position: ignored
        row("chr1", 12, "A", "GT", "AF=0.3"),  # indel
        row("chr1", 13, "A", "G,T", "AF=0.3,0.1"),  # multiallelic
        row("chr1", 14, "c", "t", "DP=3;AF=0.995"),  # too common
        row("chr1", 15, "c", "t", "AF=0.5"),  # lower case is fine
        row("chr1", 60, "A", "G", "AF=0.3"),  # outside the region
        row("chr2", 11, "A", "G", "AF=0.3"),  # contig not assessed
        row("chr1", 16, "A", "G", "DP=4"),  # no AF
    ])
    sites = parse_sites(text.splitlines(keepends=True), "snps.vcf", {"chr1": ((0, 50),)}, 0.01)
    table = sites.tables["chr1"]
    assert table.positions == (10, 14) and table.ref == ("A", "C") and table.alt == ("G", "T")
    assert list(sites.af) == [0.3, 0.5] and table.index == (0, 1)
    assert (sites.records, sites.used) == (9, 2)


@pytest.mark.verifies("SRS-170")
def test_refuses_a_vcf_without_af_or_with_bad_lines() -> None:
    """It refuses a sites VCF with no INFO/AF at all, and a malformed line by its number."""
    with pytest.raises(InputError) as caught:
        parse_sites((HEADER + row("chr1", 5, "A", "G", "DP=3")).splitlines(), "s.vcf",
                    {"chr1": ((0, 50),)}, 0.01)
    assert "no INFO/AF" in caught.value.title
    with pytest.raises(InputError) as caught:
        parse_sites((HEADER + "chr1\tfive\t.\tA\tG\t.\tPASS\tAF=0.2\n").splitlines(), "s.vcf",
                    {"chr1": ((0, 50),)}, 0.01)
    assert caught.value.line == 3
